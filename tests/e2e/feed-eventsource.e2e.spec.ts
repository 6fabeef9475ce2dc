import { ChaosReport, chaosScopedToken, runFeedChaos } from '../support/feed-chaos';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

jest.setTimeout(120_000);

/**
 * The live feed on the embedded store, as integrators use it: EventSource clients that reconnect by themselves with
 * Last-Event-ID, while 10,000 ledger events are written (most straight through the store port in small concurrent
 * batches over four incidents, some as real HTTP commands) and the server cuts their connections at random. Every
 * subscriber must receive exactly what a filtered read of the log gives: each event once, in position order.
 */
describe('live feed GET /feed/stream with EventSource clients under random disconnects (SQLite)', () => {
  let t: LedgerTestApp;
  let report: ChaosReport;
  let mismatches: string[];

  beforeAll(async () => {
    t = await startLedger({ env: { LEDGER_FEED_HEARTBEAT_MS: '1000' }, extraTokens: [chaosScopedToken()] });
    ({ report, mismatches } = await runFeedChaos(t, {
      events: Number(process.env.FEED_EVENTS ?? 10_000),
      incidents: 20,
      httpRounds: 10,
      maxBatch: 20,
      pauseMs: 150,
      killEveryMs: 400,
      settleMs: 40_000,
      log: (line) => console.log(line),
    }));
  });

  afterAll(() => t?.close());

  it('wrote 10,000 ledger events while the subscribers listened, cutting their connections many times', () => {
    expect(report.written).toBe(10_000);
    expect(report.killed).toBeGreaterThanOrEqual(10);
  });

  it('every subscriber received exactly the filtered log: each event once, in strictly increasing position order, valid CloudEvents', () => {
    expect(mismatches).toEqual([]);
    for (const s of report.subscribers) expect({ name: s.name, received: s.received }).toEqual({ name: s.name, received: s.expected });
    // The filtered subscribers did get something to check.
    expect(report.subscribers.every((s) => s.expected > 0)).toBe(true);
  });

  it('the subscribers did reconnect (by themselves with Last-Event-ID, and the one re-created with from)', () => {
    expect(report.subscribers.reduce((n, s) => n + s.reconnects, 0)).toBeGreaterThanOrEqual(10);
    expect(report.subscribers.find((s) => s.name === 'reopened-with-from')!.reopened).toBeGreaterThanOrEqual(3);
  });
});
