import { EsdbEventStore } from '@ledger/event-store';
import { loadDemoIfEmpty } from '../../apps/ledger-api/src/demo/demo-loader';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { EsdbDouble, startEsdbDouble } from '../esdb-double';
import { EsdbTarget, REAL_SERVER, describeOnDouble, describeOnSecureNode, itOnDouble, startEsdbTarget } from '../support/esdb-target';
import { getAs, injectSend } from '../support/http';
import { startLedger } from '../support/ledger-test-app';

jest.setTimeout(60_000);

/**
 * The ledger against a node with a secure 24.10 node's defaults (the wire double's `access: 'secure'`: TLS, anonymous
 * refused, $all for $admins only). A refusal stops the start at once with what to change; an allowed user runs the
 * whole seed scenario. On a real server only with EVENTSTORE_TEST_SECURE=1 and a $admins member's credentials in
 * EVENTSTORE_TEST_CONNECTION_STRING (the default admin's name, `admin`, is assumed for the wrong-password case).
 */
describeOnSecureNode('the ledger on a secure EventStoreDB node (wire double or a secure EVENTSTORE_TEST_CONNECTION_STRING)', () => {
  let esdb: EsdbTarget;

  beforeAll(async () => {
    esdb = await startEsdbTarget(REAL_SERVER ? { access: 'secure' } : { access: 'secure', users: [{ username: 'recorder-app', password: 'pa:ss@word', groups: ['ledger'] }] });
  });
  afterAll(async () => {
    await esdb?.close();
  });

  const startOn = (connectionString: string) =>
    startLedger({ eventStore: () => new EsdbEventStore({ connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }) });

  const refusedAtStart = async (connectionString: string): Promise<Error> => {
    const before = (await esdb.ledgerEvents()).length;
    const started = Date.now();
    const error = await startOn(connectionString).then(
      async (t) => {
        await t.close();
        throw new Error('the ledger started');
      },
      (e: Error) => e,
    );
    // Refused for good: no retry loop until the start timeout, and nothing written.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await esdb.ledgerEvents()).length).toBe(before);
    expect(error.name).toBe('StoreRefusedAtStartError');
    return error;
  };

  it('no credentials: the start fails at once, saying a secure node needs a user in the connection string over TLS', async () => {
    const error = await refusedAtStart(esdb.anonymousConnectionString);
    expect(error.message).toMatch(/anonymous client/);
    expect(error.message).toMatch(/esdb:\/\/user:password@host/);
  });

  it('a wrong password: the start fails at once, naming the user whose credentials were not accepted', async () => {
    const error = await refusedAtStart(esdb.connectionStringAs('admin', 'Hunter2-guess'));
    expect(error.message).toMatch(/credentials of user "admin"/);
    expect(error.message).not.toMatch(/Hunter2/); // the password never reaches a log
  });

  itOnDouble('a user outside $admins: the start fails at once, saying it may not read $all', 'needs a user outside $admins, which the 6.x client cannot create on a real node', async () => {
    const error = await refusedAtStart(esdb.connectionStringAs('recorder-app', 'pa:ss@word'));
    expect(error.message).toMatch(/refused user "recorder-app" to read \$all/);
  });

  it('a member of $admins over TLS: the seed scenario runs and reads back', async () => {
    const t = await startOn(esdb.connectionString);
    try {
      const refs = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
      const versions = await getAs(t.app, t.tokens.reader, `/incidents/${refs.incident}/versions`);
      expect(versions.status).toBe(200);
      expect(versions.body.parties).toHaveLength(5);
      const health = await t.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(200);
      expect((await esdb.streamEvents(`incident-${refs.incident}`)).length).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });
});

describeOnDouble('the ledger started before its EventStoreDB node answers (wire double)', 'stop() and restart() are part of the double', () => {
  it('waits for the node, then starts and takes writes', async () => {
    const esdb = await startEsdbDouble();
    const { connectionString } = esdb;
    await esdb.stop();
    setTimeout(() => void esdb.restart(), 1_500);
    const started = Date.now();
    const t = await startLedger({
      env: { LEDGER_STORE_START_TIMEOUT_MS: '30000' },
      eventStore: () => new EsdbEventStore({ connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }),
    });
    try {
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
      const refs = await runScenario(DEMO_SCENARIO, injectSend(t.app, t.tokens.recorder));
      expect((await getAs(t.app, t.tokens.reader, `/incidents/${refs.incident}/versions`)).status).toBe(200);
    } finally {
      await t.close();
      await esdb.close();
    }
  });

  it('gives up after LEDGER_STORE_START_TIMEOUT_MS when the node never answers', async () => {
    const esdb = await startEsdbDouble();
    const { connectionString } = esdb;
    await esdb.stop();
    const error = await startLedger({
      env: { LEDGER_STORE_START_TIMEOUT_MS: '1500' },
      eventStore: () => new EsdbEventStore({ connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }),
    }).then(
      async (t) => {
        await t.close();
        throw new Error('the ledger started');
      },
      (e: Error) => e,
    );
    expect(error.name).toBe('StoreUnavailableError');
    await esdb.close();
  });
});

describeOnDouble('the demo data load through a store that answers 503 for a while (wire double)', 'injectFault is part of the double', () => {
  it('retries each refused step with its Idempotency-Key and loads every event once', async () => {
    const esdb = await startEsdbDouble();
    const t = await startLedger({
      eventStore: () => new EsdbEventStore({ connectionString: esdb.connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 }, transientRetries: 0 }),
    });
    try {
      const retried: string[] = [];
      esdb.injectFault('append', 'server-not-ready', 3);
      const refs = await loadDemoIfEmpty(t.app, t.tokens.recorder, undefined, { onRetry: (url) => retried.push(url), sleep: async () => undefined });
      expect(refs?.incident).toBeDefined();
      expect(retried.length).toBeGreaterThanOrEqual(1);
      // The same scenario on a node that never refused: the same events, each once.
      const clean = await startEsdbDouble();
      const reference = await startLedger({ eventStore: () => new EsdbEventStore({ connectionString: clean.connectionString }) });
      try {
        await runScenario(DEMO_SCENARIO, injectSend(reference.app, reference.tokens.recorder));
        const ledgerEvents = (double: EsdbDouble) =>
          double.events().filter((e) => e.stream.startsWith('incident-') || e.stream.startsWith('party-')).map((e) => `${e.stream}@${e.revision} ${e.type}`);
        expect(ledgerEvents(esdb)).toEqual(ledgerEvents(clean));
        expect(new Set(ledgerEvents(esdb)).size).toBe(ledgerEvents(esdb).length);
      } finally {
        await reference.close();
        await clean.close();
      }
    } finally {
      await t.close();
      await esdb.close();
    }
  });
});
