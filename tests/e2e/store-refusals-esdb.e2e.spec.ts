import { EsdbEventStore } from '@ledger/event-store';
import { EsdbTarget, REAL_SERVER, doubleOf, itOnDouble, startEsdbTargetForLedger } from '../support/esdb-target';
import { DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectInvalidFields, expectProblem } from '../support/problem-assertions';

jest.setTimeout(60_000);

/**
 * What EventStoreDB refuses for good must not come back as 503 + Retry-After (issue 11 item 7): a client would retry
 * forever. Against the in-repo wire double, which answers these as the server does (see tests/esdb-double/README.md,
 * "Errors and trailers"); the double's append size limit is lowered so that a normal request exceeds it. With
 * EVENTSTORE_TEST_CONNECTION_STRING, against that server, without the injected refusals and the lowered limit.
 */
describe('EventStoreDB refusals that retrying cannot fix (wire double or EVENTSTORE_TEST_CONNECTION_STRING)', () => {
  const MAX_APPEND = 8 * 1024;
  const INJECTED = 'injectFault is part of the double';
  let esdb: EsdbTarget;
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;

  beforeAll(async () => {
    esdb = await startEsdbTargetForLedger(REAL_SERVER ? {} : { maxAppendSize: MAX_APPEND });
    t = await startLedger({ eventStore: () => new EsdbEventStore({ connectionString: esdb.connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }) });
    s = new LedgerSession(t);
    refs = await s.playDemo();
  }, 60_000);

  afterAll(async () => {
    await t?.close();
    await esdb?.close();
  });

  const expectNoRetry = (res: { headers: Record<string, unknown> }) => expect(res.headers['retry-after']).toBeUndefined();

  it('a feed position inside a record (not where one starts): 400 naming after', async () => {
    const positions = (await s.store.readAll({})).map((e) => e.position);
    const inside = positions[positions.length - 1] - 1n;
    expect(positions).not.toContain(inside);
    const res = await s.unchanged(() => s.get(`/feed/events?after=${inside}`, 'integrator'));
    expectInvalidFields(res, ['after']);
    expectNoRetry(res);
  });

  it('an event stream starting inside a record (from or Last-Event-ID): 400 naming it, before the stream opens', async () => {
    const positions = (await s.store.readAll({})).map((e) => e.position);
    const inside = positions[positions.length - 1] - 1n;
    const fromQuery = await s.get(`/feed/stream?from=${inside}`, 'integrator');
    expectInvalidFields(fromQuery, ['from']);
    expectNoRetry(fromQuery);
    const fromHeader = await t.app.inject({ method: 'GET', url: '/feed/stream', headers: { ...s.bearer('integrator'), 'last-event-id': String(inside) } });
    expectInvalidFields(fromHeader, ['Last-Event-ID']);
  });

  it('GET /feed/events?after=3000 and a position past the head: 400', async () => {
    for (const after of ['3000', ((await s.head()) + 1_000_000n).toString()]) {
      expectInvalidFields(await s.unchanged(() => s.get(`/feed/events?after=${after}`, 'integrator')), ['after']);
    }
  });

  itOnDouble('access denied on an append: 403 store-access-denied, nothing written, no Retry-After', INJECTED, async () => {
    doubleOf(esdb).injectFault('append', 'access-denied', 10);
    try {
      const res = await s.unchanged(() => s.post('/parties', valid.party('denied-by-acl')));
      expectProblem(res, 403, 'store-access-denied');
      expectNoRetry(res);
    } finally {
      doubleOf(esdb).clearFaults();
    }
  });

  itOnDouble('access denied on a read of $all: 403 store-access-denied', INJECTED, async () => {
    doubleOf(esdb).injectFault('read', 'access-denied', 10);
    try {
      const res = await s.get('/feed/events?after=0', 'integrator');
      expectProblem(res, 403, 'store-access-denied');
      expectNoRetry(res);
    } finally {
      doubleOf(esdb).clearFaults();
    }
  });

  it('a command on an incident whose stream was deleted in EventStoreDB: 410 stream-deleted', async () => {
    const { incidentId } = await s.incidentWithClaim();
    await esdb.client().tombstoneStream(`incident-${incidentId}`);
    const res = await s.unchanged(() => s.post(`/incidents/${incidentId}/claims`, valid.claim()));
    expectProblem(res, 410, 'stream-deleted');
    expectNoRetry(res);
  });

  // A real node's limit is 1 MiB, above the ledger's request body limit: only the double's can be lowered under it.
  itOnDouble('an event over the append size limit: 413 event-too-large, nothing written', 'needs the lowered MaxAppendSize the double takes as an option', async () => {
    const words = 'One of our servicemen was killed by enemy fire near the line of contact. '.repeat(Math.ceil(MAX_APPEND / 70));
    const res = await s.unchanged(() => s.post(`/incidents/${refs.incident}/claims`, valid.claim(undefined, words)));
    expectProblem(res, 413, 'event-too-large');
    expectNoRetry(res);
    // The ledger is not stuck: a normal command goes through.
    expect((await s.post(`/incidents/${refs.incident}/claims`, valid.claim())).statusCode).toBe(201);
  });
});
