import { randomUUID } from 'node:crypto';
import { entityId } from '../../apps/ledger-api/src/application/idempotency';
import { hashToken } from '../../apps/ledger-api/src/platform';
import { asSdkCloudEvent, claimMadeEvent, concernsParty, isLedgerEvent, readWholeLog, storeOf } from '../support/feed-clients';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { valid } from '../support/ledger-session';
import { expectInvalidFields, expectProblem } from '../support/problem-assertions';
import type { RecordedEvent } from '@ledger/event-store';

jest.setTimeout(60_000);

const PARTIES = ['feed-p-a', 'feed-p-b', 'feed-p-c'] as const;
/** Incident ids follow from the recorder and the Idempotency-Key, so a token can be scoped to one before it exists. */
const INCIDENT_KEY = 'feed-paged-incident-1';
const I1 = entityId({ principal: 'test-recorder', idempotencyKey: INCIDENT_KEY }, 'incident', randomUUID);
const SCOPED_INCIDENT = 'scoped-incident-token';
const SCOPED_PARTY = 'scoped-party-token';

interface Page {
  items: Array<Record<string, any>>;
  next: string;
  head: string;
}

describe('paged feed GET /feed/events (e2e)', () => {
  let t: LedgerTestApp;
  let I2: string;

  const get = (url: string, token: string) => t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
  const post = async (url: string, body: unknown, headers: Record<string, string> = {}) => {
    const res = await t.app.inject({ method: 'POST', url, payload: body as object, headers: { authorization: `Bearer ${t.tokens.recorder}`, ...headers } });
    expect({ url, status: res.statusCode, body: res.statusCode === 201 ? undefined : res.json() }).toEqual({ url, status: 201, body: undefined });
    return res.json();
  };

  /** Follows `next` until it reaches the head; returns every item and how many pages it took. */
  const readAllPages = async (query: string, token = t.tokens.integrator, limit = 100): Promise<{ items: Page['items']; pages: Page[] }> => {
    const pages: Page[] = [];
    let after = '0';
    for (;;) {
      const res = await get(`/feed/events?after=${after}&limit=${limit}${query}`, token);
      expect(res.statusCode).toBe(200);
      const page = res.json() as Page;
      pages.push(page);
      if (page.next === page.head) break;
      expect(BigInt(page.next)).toBeGreaterThan(BigInt(after));
      after = page.next;
    }
    return { items: pages.flatMap((p) => p.items), pages };
  };

  const positionsOf = (events: ReadonlyArray<{ position: bigint | string } | Record<string, any>>): string[] => events.map((e) => String(e.position));

  beforeAll(async () => {
    t = await startLedger({
      extraTokens: [
        { principal: 'integrator-incident-1', roles: ['integrator'], sha256: hashToken(SCOPED_INCIDENT), scope: { incidents: [I1] } },
        { principal: 'integrator-party-b', roles: ['integrator'], sha256: hashToken(SCOPED_PARTY), scope: { parties: ['feed-p-b'] } },
      ],
    });
    for (const party of PARTIES) await post('/parties', valid.party(party));
    expect((await post('/incidents', valid.incident('Feed incident 1'), { 'idempotency-key': INCIDENT_KEY })).incidentId).toBe(I1);
    I2 = (await post('/incidents', valid.incident('Feed incident 2'))).incidentId;
  });

  afterAll(() => t?.close());

  it('pages stay exact while the ledger is written: their union is every ledger event, once, in order', async () => {
    const store = storeOf(t.app);
    let writing = true;
    const writer = (async () => {
      for (let batch = 0; batch < 100; batch++) {
        const incident = batch % 2 === 0 ? I1 : I2;
        const speaker = PARTIES[batch % 3];
        const events = Array.from({ length: 20 }, (_, i) => claimMadeEvent(incident, speaker, [PARTIES[(batch + 1) % 3]], `batch ${batch} claim ${i}`));
        await store.append(`incident-${incident}`, events);
        await new Promise((resolve) => setImmediate(resolve));
      }
      writing = false;
    })();

    const seen: Page['items'] = [];
    let after = '0';
    let pages = 0;
    while (writing || after !== (await store.headPosition()).toString()) {
      const res = await get(`/feed/events?after=${after}&limit=37`, t.tokens.integrator);
      expect(res.statusCode).toBe(200);
      const page = res.json() as Page;
      pages += 1;
      expect(page.items.length).toBeLessThanOrEqual(37);
      expect(BigInt(page.head)).toBeGreaterThanOrEqual(BigInt(page.next));
      seen.push(...page.items);
      after = page.next;
      // inject() never leaves the microtask queue: without this the writer (and every timer) would starve.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await writer;

    const log = (await readWholeLog(store)).filter(isLedgerEvent);
    expect(pages).toBeGreaterThan(10);
    expect(seen.length).toBe(log.length);
    expect(positionsOf(seen)).toEqual(positionsOf(log));
    expect(seen.map((e) => e.id)).toEqual(log.map((e) => e.eventId));
    // Never the ledger's bookkeeping (notary checkpoints, access log, idempotency reservations).
    expect(seen.filter((e) => !/^(incident|party)-/.test(e.stream))).toEqual([]);
    // CloudEvents the SDK accepts, with the ledger's extension attributes.
    for (const e of [seen[0], seen[seen.length >> 1], seen[seen.length - 1]]) {
      const sdk = asSdkCloudEvent(e);
      expect(sdk.type).toMatch(/^dev\.incident-ledger\.[A-Za-z]+\.v\d+$/);
      expect(sdk.position).toBe(e.position);
    }
  });

  describe('filters (each repeatable: OR within, AND across), equal to the log filtered the same way', () => {
    let log: RecordedEvent[];
    let about: (e: RecordedEvent, party: string) => boolean;

    beforeAll(async () => {
      // One of everything through the API: a claim naming feed-p-c, a denial by feed-p-a of feed-p-b's claim, an
      // amendment of feed-p-b's claim, a claim answering it.
      const claim = await post(`/incidents/${I2}/claims`, { ...valid.claim('feed-p-b'), assertions: { responsibleParties: ['feed-p-c'] } });
      await post(`/incidents/${I2}/claims/${claim.claimId}/denials`, { ...valid.denial('feed-p-a'), deniedAssertions: ['responsibleParties'] });
      await post(`/incidents/${I2}/amendments`, valid.amendment(claim.claimId));
      await post(`/incidents/${I1}/claims`, { ...valid.claim('feed-p-c'), answers: [], assertions: {} });
      const answer = { ...valid.claim('feed-p-a'), answers: [claim.claimId], assertions: {} };
      await post(`/incidents/${I2}/claims`, answer);
      log = (await readWholeLog(storeOf(t.app))).filter(isLedgerEvent);
      about = concernsParty(log);
    });

    it.each([
      ['incident', () => `&incident=${I2}`, (e: RecordedEvent) => e.streamName === `incident-${I2}`],
      ['two incidents', () => `&incident=${I1}&incident=${I2.toUpperCase()}`, (e: RecordedEvent) => e.streamName.startsWith('incident-')],
      ['party', () => '&party=feed-p-b', (e: RecordedEvent) => about(e, 'feed-p-b')],
      ['two parties', () => '&party=feed-p-b&party=feed-p-c', (e: RecordedEvent) => about(e, 'feed-p-b') || about(e, 'feed-p-c')],
      ['type', () => '&type=ClaimDenied.v2&type=EntryAmended.v2', (e: RecordedEvent) => ['ClaimDenied.v2', 'EntryAmended.v2'].includes(e.type)],
      [
        'incident AND party AND type',
        () => `&incident=${I2}&party=feed-p-a&type=ClaimMade.v3&type=ClaimDenied.v2`,
        (e: RecordedEvent) => e.streamName === `incident-${I2}` && about(e, 'feed-p-a') && ['ClaimMade.v3', 'ClaimDenied.v2'].includes(e.type),
      ],
    ])('%s', async (_name, query, expected) => {
      const { items } = await readAllPages(query(), t.tokens.integrator, 500);
      const want = log.filter(expected);
      expect(want.length).toBeGreaterThan(0);
      expect(positionsOf(items)).toEqual(positionsOf(want));
    });

    it('party: a denial by Q of P\'s claim is about both; an amendment of P\'s claim and an answer to it are about P', async () => {
      const ofB = (await readAllPages('&party=feed-p-b&type=ClaimDenied.v2&type=EntryAmended.v2&type=ClaimMade.v3', t.tokens.integrator, 1000)).items;
      const types = ofB.filter((e) => e.stream === `incident-${I2}` && e.recordedby === 'test-recorder').map((e) => `${e.type.split('.').at(-2)}:${e.data.partyId ?? 'ledger'}`);
      expect(types).toEqual(['ClaimMade:feed-p-b', 'ClaimDenied:feed-p-a', 'EntryAmended:ledger', 'ClaimMade:feed-p-a']);
      const ofA = (await readAllPages('&party=feed-p-a&type=ClaimDenied.v2', t.tokens.integrator, 1000)).items;
      expect(ofA).toHaveLength(1);
    });

    it('a rare filter still makes progress: each page looks at a bounded number of events and `next` moves past them', async () => {
      const res = await get('/feed/events?after=0&limit=1&type=EntryAmended.v2', t.tokens.integrator);
      const page = res.json() as Page;
      expect(page.items).toEqual([]);
      // limit 1: at most max(1000, 10 × 1) events looked at.
      expect(BigInt(page.next)).toBeGreaterThan(0n);
      expect(BigInt(page.next)).toBeLessThan(BigInt(page.head));
      const all = await readWholeLog(storeOf(t.app));
      expect(BigInt(page.next)).toBe(all[999].position);
      const { items, pages } = await readAllPages('&type=EntryAmended.v2', t.tokens.integrator, 1);
      expect(items).toHaveLength(1);
      expect(pages.length).toBeGreaterThan(2);
    });
  });

  it('answers an empty page at the head, with next = after', async () => {
    const head = (await storeOf(t.app).headPosition()).toString();
    const res = await get(`/feed/events?after=${head}`, t.tokens.integrator);
    expect(res.json()).toEqual({ items: [], next: head, head });
  });

  it('accepts limit 1 to 1000 (default 100)', async () => {
    expect((await get('/feed/events', t.tokens.integrator)).json().items).toHaveLength(100);
    expect((await get('/feed/events?limit=1000', t.tokens.integrator)).json().items).toHaveLength(1000);
    expect((await get('/feed/events?limit=1', t.tokens.integrator)).json().items).toHaveLength(1);
  });

  it.each([
    ['limit=0', ['limit']],
    ['limit=1001', ['limit']],
    ['limit=ten', ['limit']],
    ['after=-1', ['after']],
    ['after=1.5', ['after']],
    ['after=18446744073709551616', ['after']],
    ['incident=not-a-uuid', ['incident']],
    ['party=Not%20A%20Slug', ['party']],
    ['type=ClaimMade', ['type']],
    ['type=ClaimMade.v9', ['type']],
    ['streams=x', ['streams']],
    ['limit=0&after=x&type=Nope.v1', ['limit', 'after', 'type']],
  ])('GET /feed/events?%s: 400 naming %j', async (query, fields) => {
    expectInvalidFields(await get(`/feed/events?${query}`, t.tokens.integrator), fields);
  });

  it.each([
    ['from=abc', {}, ['from']],
    ['', { 'last-event-id': 'not-a-position' }, ['Last-Event-ID']],
    ['incident=x', {}, ['incident']],
  ])('GET /feed/stream?%s %j: 400 naming %j before any stream starts', async (query, headers, fields) => {
    const res = await t.app.inject({ method: 'GET', url: `/feed/stream?${query}`, headers: { authorization: `Bearer ${t.tokens.integrator}`, ...headers } });
    expectInvalidFields(res, fields);
  });

  describe('scoped tokens', () => {
    it('an incident-scoped token sees only its incident, and every event of it', async () => {
      const log = (await readWholeLog(storeOf(t.app))).filter(isLedgerEvent);
      const { items } = await readAllPages('', SCOPED_INCIDENT, 1000);
      expect(positionsOf(items)).toEqual(positionsOf(log.filter((e) => e.streamName === `incident-${I1}`)));
      expect(new Set(items.map((e) => e.subject))).toEqual(new Set([`incident/${I1}`]));
    });

    it('a party-scoped token sees only events of or about its party', async () => {
      const log = (await readWholeLog(storeOf(t.app))).filter(isLedgerEvent);
      const about = concernsParty(log);
      const { items } = await readAllPages('', SCOPED_PARTY, 1000);
      expect(items.length).toBeGreaterThan(0);
      expect(positionsOf(items)).toEqual(positionsOf(log.filter((e) => about(e, 'feed-p-b'))));
    });

    it('narrows within the scope, and refuses a filter outside it with 403 naming the field', async () => {
      const inside = await get(`/feed/events?incident=${I1}&type=IncidentReported.v2`, SCOPED_INCIDENT);
      expect(inside.statusCode).toBe(200);
      expect(inside.json().items).toHaveLength(1);
      for (const [url, token, field] of [
        [`/feed/events?incident=${I2}`, SCOPED_INCIDENT, 'incident'],
        [`/feed/events?incident=${I1}&incident=${I2}`, SCOPED_INCIDENT, 'incident'],
        ['/feed/events?party=feed-p-b', SCOPED_INCIDENT, 'party'],
        ['/feed/events?party=feed-p-a', SCOPED_PARTY, 'party'],
        [`/feed/events?incident=${I1}`, SCOPED_PARTY, 'incident'],
        [`/feed/stream?incident=${I2}`, SCOPED_INCIDENT, 'incident'],
      ]) {
        const problem = expectProblem(await get(url, token), 403, 'outside-token-scope');
        expect({ url, field: problem.field }).toEqual({ url, field });
      }
    });
  });

  describe('roles', () => {
    // The live stream also admits readers (the dashboard's live updates); the paged feed stays the integrators'.
    it.each(['reader', 'recorder', 'auditor'] as const)('%s: 403 on the paged feed', async (role) => {
      const problem = expectProblem(await get('/feed/events', t.tokens[role]), 403, 'forbidden');
      expect(problem.requiredRoles).toEqual(['integrator']);
    });

    it('no token: 401 on both feeds', async () => {
      for (const url of ['/feed/events', '/feed/stream']) expectProblem(await t.app.inject({ method: 'GET', url }), 401, 'unauthorized');
    });

    it('integrator and admin read the paged feed', async () => {
      for (const token of [t.tokens.integrator, t.tokens.admin]) expect((await get('/feed/events?limit=1', token)).statusCode).toBe(200);
    });
  });
});
