// A secure 24.10 node's default access rules, through the raw EventStoreDBClient (no ledger code): anonymous
// refused, a wrong password refused, `$all` readable by `$admins` only, user streams open to any authenticated user.
import { AccessDeniedError, EventStoreDBClient, START } from '@eventstore/db-client';
import { startEsdbDouble, type EsdbDouble, type EsdbDoubleOptions } from './index';
import { disposeAll, events, expectRejection, readAllOf, uniqueStream } from './helpers';

jest.setTimeout(30_000);

const paths: Array<[string, EsdbDoubleOptions]> = [
  ['24.10 (BatchAppend)', { mode: 'current' }],
  ['legacy server (Append)', { mode: 'legacy' }],
];

describe.each(paths)('secure double, %s', (_label, options) => {
  let double: EsdbDouble;
  const clients: EventStoreDBClient[] = [];
  const client = (connectionString: string) => {
    const c = EventStoreDBClient.connectionString(connectionString);
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    double = await startEsdbDouble({ ...options, access: 'secure', users: [{ username: 'ledger', password: 's3cret', groups: ['ledger-writers'] }] });
  });
  afterAll(async () => {
    await disposeAll(...clients);
    await double.close();
  });

  it('refuses an anonymous append and an anonymous read with AccessDenied, writing nothing', async () => {
    const anonymous = client(double.connectionString);
    const stream = uniqueStream('incident');
    const before = double.appendedCount;
    expect(await expectRejection(anonymous.appendToStream(stream, events(1)))).toBeInstanceOf(AccessDeniedError);
    expect(await expectRejection(readAllOf(anonymous.readStream(stream)))).toBeInstanceOf(AccessDeniedError);
    expect(await expectRejection(readAllOf(anonymous.readAll({ fromPosition: START, maxCount: 10 })))).toBeInstanceOf(AccessDeniedError);
    expect(double.appendedCount).toBe(before);
  });

  it('refuses a wrong password (UNAUTHENTICATED, which the client reports as AccessDenied)', async () => {
    const wrong = client(double.connectionStringAs('admin', 'not-the-password'));
    const err = await expectRejection(wrong.appendToStream(uniqueStream('incident'), events(1)));
    expect(err).toBeInstanceOf(AccessDeniedError);
    const unknownUser = client(double.connectionStringAs('nobody', 'changeit'));
    expect(await expectRejection(readAllOf(unknownUser.readStream(uniqueStream('incident'))))).toBeInstanceOf(AccessDeniedError);
  });

  it('lets a user outside $admins write and read its streams, but not read $all or write a system stream', async () => {
    const ledger = client(double.connectionStringAs('ledger', 's3cret'));
    const stream = uniqueStream('incident');
    await ledger.appendToStream(stream, events(2));
    expect((await readAllOf(ledger.readStream(stream))).map((e) => e.event?.type)).toEqual(['Something.v1', 'Something.v1']);
    expect(await expectRejection(readAllOf(ledger.readAll({ fromPosition: START, maxCount: 10 })))).toBeInstanceOf(AccessDeniedError);
    expect(await expectRejection(ledger.appendToStream('$ledger-settings', events(1)))).toBeInstanceOf(AccessDeniedError);
  });

  it('refuses a $all subscription of a user outside $admins', async () => {
    const ledger = client(double.connectionStringAs('ledger', 's3cret'));
    const subscription = ledger.subscribeToAll({ fromPosition: START });
    const error = await new Promise<unknown>((resolve) => {
      subscription.on('error', resolve);
      subscription.on('data', () => undefined);
    });
    expect(error).toBeInstanceOf(AccessDeniedError);
    await subscription.unsubscribe().catch(() => undefined);
  });

  it('lets the default admin read $all and see what the other user wrote', async () => {
    const writer = client(double.connectionStringAs('ledger', 's3cret'));
    const stream = uniqueStream('incident');
    await writer.appendToStream(stream, events(1, 'Written.v1'));
    const admin = client(double.connectionStringAs('admin', 'changeit'));
    const all = await readAllOf(admin.readAll({ fromPosition: START, maxCount: 10_000 }));
    expect(all.some((e) => e.event?.streamId === stream && e.event.type === 'Written.v1')).toBe(true);
  });
});

it('an insecure double (the default) lets an anonymous client read $all', async () => {
  const double = await startEsdbDouble();
  const anonymous = EventStoreDBClient.connectionString(double.connectionString);
  try {
    await anonymous.appendToStream(uniqueStream('incident'), events(1));
    expect((await readAllOf(anonymous.readAll({ fromPosition: START, maxCount: 10_000 }))).length).toBeGreaterThan(0);
  } finally {
    await anonymous.dispose();
    await double.close();
  }
});
