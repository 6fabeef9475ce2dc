import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { SqliteReadModelStore } from '@ledger/read-models';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { EsdbTarget, doubleOf, itOnDouble, startEsdbTargetForLedger } from '../support/esdb-target';
import { getAs, injectSend } from '../support/http';
import { LedgerTestApp, startLedger, startLedgerOnEsdb } from '../support/ledger-test-app';

jest.setTimeout(60_000);

/** Positions are the store's own (SQLite row ids, EventStoreDB log offsets); everything else must match. */
const withoutPositions = (value: unknown): unknown =>
  JSON.parse(JSON.stringify(value), (key, v) => (/^(position|lastPosition|fromPosition|toPosition)$/.test(key) ? '<position>' : v));

describe('the whole ledger on the EventStoreDB adapter (over the in-repo wire double or EVENTSTORE_TEST_CONNECTION_STRING)', () => {
  let esdb: EsdbTarget;
  let onEsdb: LedgerTestApp;
  let onSqlite: LedgerTestApp;
  let refs: Record<string, string>;

  beforeAll(async () => {
    esdb = await startEsdbTargetForLedger();
    onEsdb = await startLedgerOnEsdb(esdb.connectionString);
    onSqlite = await startLedger();
    refs = await runScenario(DEMO_SCENARIO, injectSend(onEsdb.app, onEsdb.tokens.recorder));
    const sqliteRefs = await runScenario(DEMO_SCENARIO, injectSend(onSqlite.app, onSqlite.tokens.recorder));
    // Ids derive from the principal and each step's Idempotency-Key, so both ledgers name everything alike.
    expect(sqliteRefs).toEqual(refs);
  });

  afterAll(async () => {
    await onEsdb?.close();
    await onSqlite?.close();
    await esdb?.close();
  });

  it('stores the scenario in EventStoreDB streams named by category, with the registry type names and correlation metadata', async () => {
    const ledgerEvents = (await esdb.ledgerEvents()).filter((e) => e.stream.startsWith('incident-') || e.stream.startsWith('party-'));
    expect(ledgerEvents.map((e) => e.type)).toContain('ClaimCorrected.v2');
    expect(new Set(ledgerEvents.filter((e) => e.stream.startsWith('incident-')).map((e) => e.stream))).toEqual(new Set([`incident-${refs.incident}`]));
    const metadata = ledgerEvents[0].metadata;
    expect(metadata).toMatchObject({ $correlationId: expect.any(String), $causationId: expect.any(String), recordedBy: 'test-recorder' });
  });

  it.each([
    ['versions', () => `/incidents/${refs.incident}/versions`],
    ['timeline', () => `/incidents/${refs.incident}/timeline`],
    ['claim history', () => `/incidents/${refs.incident}/claims/${refs['az-mod-claim']}/history`],
    ['versions as of a stated time', () => `/audit/incidents/${refs.incident}/versions?statedAsOf=2019-05-31`],
    ['changes between two stated times', () => `/audit/incidents/${refs.incident}/changes?clock=stated&from=2019-05-30&to=2019-06-01`],
    ['claim history as of a stated time', () => `/audit/incidents/${refs.incident}/claims/${refs['kda-claim']}/history?statedAsOf=2019-06-01`],
    ['party record', () => '/parties/karabakh-defense-army'],
    ['incident list', () => '/incidents'],
  ])('answers %s exactly as the embedded store does', async (_what, url) => {
    // As an auditor, who may read history and time travel as well as everything a reader may.
    const fromEsdb = await getAs(onEsdb.app, onEsdb.tokens.auditor, url());
    const fromSqlite = await getAs(onSqlite.app, onSqlite.tokens.auditor, url());
    expect(fromEsdb.status).toBe(200);
    expect(withoutPositions(fromEsdb.body)).toEqual(withoutPositions(fromSqlite.body));
  });

  itOnDouble('during an outage: commands answer 503 problems and write nothing, health says the store is down; all recovers when EventStoreDB returns', 'stop() and restart() are part of the double', async () => {
    const claim = DEMO_SCENARIO.steps.find((s) => s.as === 'osce-claim')!.body;
    const double = doubleOf(esdb);
    const before = double.events().length;
    await double.stop();
    try {
      const refused = await onEsdb.app.inject({
        method: 'POST',
        url: `/incidents/${refs.incident}/claims`,
        payload: claim,
        headers: { authorization: `Bearer ${onEsdb.tokens.recorder}` },
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ status: 503, code: 'store-unavailable' });
      expect(refused.headers['retry-after']).toBeDefined();
      const health = await onEsdb.app.inject({ method: 'GET', url: '/health' });
      expect(health.statusCode).toBe(503);
      expect(health.json().error.eventStore.status).toBe('down');
    } finally {
      await double.restart();
    }
    expect(double.events().length).toBe(before);

    const accepted = await onEsdb.app.inject({
      method: 'POST',
      url: `/incidents/${refs.incident}/claims`,
      payload: claim,
      headers: { authorization: `Bearer ${onEsdb.tokens.recorder}` },
    });
    expect(accepted.statusCode).toBe(201);
    // The read models followed the subscription across the outage: the write shows, and they equal a rebuild.
    expect(accepted.headers['read-models']).toBe('current');
    const health = await onEsdb.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    const readModels = onEsdb.app.get(SqliteReadModelStore);
    const incremental = readModels.dump();
    const rebuilt = await onEsdb.app.inject({ method: 'POST', url: '/admin/read-models/rebuild', headers: { authorization: `Bearer ${onEsdb.tokens.admin}` } });
    expect(rebuilt.statusCode).toBe(200);
    expect(readModels.dump()).toEqual(incremental);
    const head = await onEsdb.app.get<EventStore>(EVENT_STORE).headPosition();
    expect(rebuilt.json().checkpoint).toBe(head.toString());
  });
});
