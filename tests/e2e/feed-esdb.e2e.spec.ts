import { EsdbEventStore } from '@ledger/event-store';
import { EsdbDouble, startEsdbDouble } from '../esdb-double';
import { EsdbTarget, describeOnDouble, startEsdbTargetForLedger } from '../support/esdb-target';
import { ChaosReport, chaosScopedToken, runFeedChaos } from '../support/feed-chaos';
import { claimMadeEvent, isLedgerEvent, listen, orderProblems, readWholeLog, storeOf, Subscriber, waitUntil } from '../support/feed-clients';
import { valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';


/**
 * The live feed on the EventStoreDB adapter, over the in-repo gRPC wire double. 3,000 events rather than 10,000: the
 * double serves gRPC from this same process, and the read models (also in this process) project synchronously in
 * long SQLite transactions whose cost per event grows with the size of its incident's documents; on a 2-core machine
 * 4,000 events already take over a minute, most of it in the projections (measured with --cpu-prof), and the event
 * loop stalls long enough for 10 s gRPC deadlines to expire. FEED_ESDB_EVENTS=10000 runs the full size (about 5 minutes
 * here, with a one-minute operation timeout).
 */
const EVENTS = Number(process.env.FEED_ESDB_EVENTS ?? 3_000);
// The full size needs minutes on this machine, for the reason above.
jest.setTimeout(Math.max(120_000, EVENTS * 40));

const onEsdb = (esdb: EsdbDouble | EsdbTarget) => () =>
  new EsdbEventStore({
    connectionString: esdb.connectionString,
    reconnect: { initialDelayMs: 20, maxDelayMs: 200 },
    // The stalls above are this test machine's, not the store's: a read that waits them out is not a failure here.
    operationTimeoutMs: 60_000,
  });

describe('live feed on EventStoreDB (wire double or EVENTSTORE_TEST_CONNECTION_STRING): EventSource clients under random disconnects', () => {
  let esdb: EsdbTarget;
  let t: LedgerTestApp;
  let report: ChaosReport;
  let mismatches: string[];

  beforeAll(async () => {
    esdb = await startEsdbTargetForLedger();
    t = await startLedger({ eventStore: onEsdb(esdb), env: { LEDGER_FEED_HEARTBEAT_MS: '1000' }, extraTokens: [chaosScopedToken()] });
    ({ report, mismatches } = await runFeedChaos(t, {
      events: EVENTS,
      incidents: 20,
      httpRounds: 10,
      maxBatch: 20,
      pauseMs: 150,
      killEveryMs: 400,
      settleMs: Math.max(40_000, EVENTS * 20),
      log: (line) => console.log(line),
    }));
  });

  afterAll(async () => {
    await t?.close();
    await esdb?.close();
  });

  it('every subscriber received exactly the filtered log, once each, in order, as valid CloudEvents', () => {
    expect(report.written).toBe(EVENTS);
    expect(report.killed).toBeGreaterThanOrEqual(5);
    expect(mismatches).toEqual([]);
    for (const s of report.subscribers) expect({ name: s.name, received: s.received }).toEqual({ name: s.name, received: s.expected });
    expect(report.subscribers.reduce((n, s) => n + s.reconnects, 0)).toBeGreaterThanOrEqual(5);
  });
});

describeOnDouble('live feed on EventStoreDB (wire double) through an outage', 'stop() and restart() are part of the double', () => {
  let esdb: EsdbDouble;
  let t: LedgerTestApp;

  beforeAll(async () => {
    esdb = await startEsdbDouble();
    t = await startLedger({ eventStore: onEsdb(esdb), env: { LEDGER_FEED_HEARTBEAT_MS: '200' } });
  });

  afterAll(async () => {
    await t?.close();
    await esdb?.close();
  });

  it('open streams keep their connection and position while EventStoreDB is down, and go on without gap or duplicate when it returns', async () => {
    const base = await listen(t.app);
    const post = (url: string, body: unknown) =>
      t.app.inject({ method: 'POST', url, payload: body as object, headers: { authorization: `Bearer ${t.tokens.recorder}` } });
    expect((await post('/parties', valid.party('outage-a'))).statusCode).toBe(201);
    const incident = (await post('/incidents', valid.incident('Outage'))).json().incidentId as string;
    const store = storeOf(t.app);
    const write = async (n: number) => {
      for (let i = 0; i < n; i += 10) await store.append(`incident-${incident}`, Array.from({ length: 10 }, (_, j) => claimMadeEvent(incident, 'outage-a', [], `e ${i + j}`)));
    };
    const all = new Subscriber('all', () => `${base}/feed/stream`, t.tokens.integrator);
    const mine = new Subscriber('incident', () => `${base}/feed/stream?incident=${incident}`, t.tokens.integrator);
    all.connect();
    mine.connect();
    try {
      await write(200);
      await waitUntil(() => all.received.length >= 202, 20_000, () => `${all.received.length}/202`);

      await esdb.stop();
      // Longer than several heartbeats: the streams must stay open through it.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      await esdb.restart();
      await write(200);

      const log = (await readWholeLog(store)).filter(isLedgerEvent);
      await waitUntil(() => all.received.length >= log.length && mine.received.length >= 401, 30_000, () => `${all.received.length}/${log.length}, ${mine.received.length}/401`);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(all.received.map((r) => r.position)).toEqual(log.map((e) => e.position));
      expect(mine.received.map((r) => r.position)).toEqual(log.filter((e) => e.streamName === `incident-${incident}`).map((e) => e.position));
      expect(orderProblems(all.received)).toEqual([]);
      // One connection each, all along: the outage was the store's, not the stream's.
      expect([all.opens, mine.opens]).toEqual([1, 1]);
    } finally {
      all.close();
      mine.close();
    }
  });
});
