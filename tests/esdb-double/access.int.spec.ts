// A secure 24.10 node's default access rules, through the raw EventStoreDBClient (no ledger code): anonymous
// refused, a wrong password refused, `$all` readable by `$admins` only, user streams open to any authenticated user.
// On a real server (EVENTSTORE_TEST_CONNECTION_STRING) the secure part runs only with EVENTSTORE_TEST_SECURE=1 and the
// credentials of a $admins member in the connection string, and without the tests that need a user outside $admins
// (the 6.x client cannot create one); the insecure part runs on an insecure server.
import { AccessDeniedError, START } from '@eventstore/db-client';
import {
  REAL_SERVER,
  describeOnDouble,
  describeOnInsecureNode,
  describeOnSecureNode,
  itOnDouble,
  startEsdbTarget,
  type EsdbTarget,
} from '../support/esdb-target';
import type { EsdbDoubleOptions } from './index';
import { events, expectRejection, readAllOf, uniqueStream } from './helpers';

jest.setTimeout(30_000);

const paths: Array<[string, EsdbDoubleOptions]> = [
  ['24.10 (BatchAppend)', {}],
  ['legacy server (Append)', { mode: 'legacy' }],
];
const NON_ADMIN = 'needs a user outside $admins, which the 6.x client cannot create on a real node';

for (const [label, options] of paths) {
  const title = `secure node, ${label}`;
  if (options.mode === 'legacy') describeOnDouble(title, 'a server without BatchAppend, which only the double imitates here', () => secureTests(options));
  else describeOnSecureNode(title, () => secureTests(options));
}

function secureTests(options: EsdbDoubleOptions): void {
  let target: EsdbTarget;
  const client = (connectionString: string) => target.client(connectionString);

  beforeAll(async () => {
    target = await startEsdbTarget(
      REAL_SERVER ? { access: 'secure' } : { ...options, access: 'secure', users: [{ username: 'ledger', password: 's3cret', groups: ['ledger-writers'] }] },
    );
  });
  afterAll(async () => {
    await target.close();
  });

  it('refuses an anonymous append and an anonymous read with AccessDenied, writing nothing', async () => {
    const anonymous = client(target.anonymousConnectionString);
    const stream = uniqueStream('incident');
    expect(await expectRejection(anonymous.appendToStream(stream, events(1)))).toBeInstanceOf(AccessDeniedError);
    expect(await expectRejection(readAllOf(anonymous.readStream(stream)))).toBeInstanceOf(AccessDeniedError);
    expect(await expectRejection(readAllOf(anonymous.readAll({ fromPosition: START, maxCount: 10 })))).toBeInstanceOf(AccessDeniedError);
    expect(await target.streamEvents(stream)).toEqual([]);
  });

  it('refuses a wrong password (UNAUTHENTICATED, which the client reports as AccessDenied)', async () => {
    const wrong = client(target.connectionStringAs('admin', 'not-the-password'));
    const err = await expectRejection(wrong.appendToStream(uniqueStream('incident'), events(1)));
    expect(err).toBeInstanceOf(AccessDeniedError);
    const unknownUser = client(target.connectionStringAs(`nobody-${uniqueStream('u')}`, 'changeit'));
    expect(await expectRejection(readAllOf(unknownUser.readStream(uniqueStream('incident'))))).toBeInstanceOf(AccessDeniedError);
  });

  itOnDouble('lets a user outside $admins write and read its streams, but not read $all or write a system stream', NON_ADMIN, async () => {
    const ledger = client(target.connectionStringAs('ledger', 's3cret'));
    const stream = uniqueStream('incident');
    await ledger.appendToStream(stream, events(2));
    expect((await readAllOf(ledger.readStream(stream))).map((e) => e.event?.type)).toEqual(['Something.v1', 'Something.v1']);
    expect(await expectRejection(readAllOf(ledger.readAll({ fromPosition: START, maxCount: 10 })))).toBeInstanceOf(AccessDeniedError);
    expect(await expectRejection(ledger.appendToStream('$ledger-settings', events(1)))).toBeInstanceOf(AccessDeniedError);
  });

  itOnDouble('refuses a $all subscription of a user outside $admins', NON_ADMIN, async () => {
    const ledger = client(target.connectionStringAs('ledger', 's3cret'));
    const subscription = ledger.subscribeToAll({ fromPosition: START });
    const error = await new Promise<unknown>((resolve) => {
      subscription.on('error', resolve);
      subscription.on('data', () => undefined);
    });
    expect(error).toBeInstanceOf(AccessDeniedError);
    await subscription.unsubscribe().catch(() => undefined);
  });

  itOnDouble('lets the default admin read $all and see what the other user wrote', NON_ADMIN, async () => {
    const writer = client(target.connectionStringAs('ledger', 's3cret'));
    const stream = uniqueStream('incident');
    await writer.appendToStream(stream, events(1, 'Written.v1'));
    const admin = client(target.connectionStringAs('admin', 'changeit'));
    const all = await readAllOf(admin.readAll({ fromPosition: START, maxCount: 10_000 }));
    expect(all.some((e) => e.event?.streamId === stream && e.event.type === 'Written.v1')).toBe(true);
  });

  it('lets the admin of the connection string write and read $all', async () => {
    const admin = client(target.connectionString);
    const stream = uniqueStream('incident');
    await admin.appendToStream(stream, events(1, 'Written.v1'));
    const all = await readAllOf(admin.readAll({ fromPosition: START, maxCount: Number.MAX_SAFE_INTEGER }));
    expect(all.some((e) => e.event?.streamId === stream && e.event.type === 'Written.v1')).toBe(true);
  });
}

describeOnInsecureNode('an insecure node', () => {
  it('lets an anonymous client write and read $all', async () => {
    const target = await startEsdbTarget();
    try {
      const anonymous = target.client(target.anonymousConnectionString);
      const stream = uniqueStream('incident');
      await anonymous.appendToStream(stream, events(1));
      const all = await readAllOf(anonymous.readAll({ fromPosition: START, maxCount: Number.MAX_SAFE_INTEGER }));
      expect(all.some((e) => e.event?.streamId === stream)).toBe(true);
    } finally {
      await target.close();
    }
  });
});
