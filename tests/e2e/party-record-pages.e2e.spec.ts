import { DEMO, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { BAD_PAGE_QUERIES, expectPageRefusal } from '../support/page-refusals';
import { expectProblem } from '../support/problem-assertions';

jest.setTimeout(60_000);

interface PartyRecord {
  incidents: Array<{ incidentId: string; claims: Array<{ claimId: string }>; denialsReceived: Array<{ denialId: string }> }>;
  counts: Record<string, number>;
  page?: { limit: number; after: string | null; next: string | null };
}

describe("a party's record, a page of incidents at a time (e2e)", () => {
  let t: LedgerTestApp;
  let s: LedgerSession;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    await s.playDemo();
    // The ministry speaks in 23 more incidents (two claims in every third), and is denied in every fifth.
    for (let i = 0; i < 23; i++) {
      const incident = await s.post('/incidents', valid.incident(`Night ${i} of shelling along the line of contact`));
      expect(incident.statusCode).toBe(201);
      const incidentId = incident.json().incidentId as string;
      for (let c = 0; c < (i % 3 === 0 ? 2 : 1); c++) {
        const claim = await s.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.azDefence, `Statement ${i}.${c}.`));
        expect(claim.statusCode).toBe(201);
        if (i % 5 === 0 && c === 0) expect((await s.post(`/incidents/${incidentId}/claims/${claim.json().claimId}/denials`, valid.denial(DEMO.kda))).statusCode).toBe(201);
      }
    }
  });

  afterAll(() => t?.close());

  const record = async (query: string): Promise<PartyRecord> => {
    const res = await s.get(`/parties/${DEMO.azDefence}${query}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('pages through every incident once, in the order the party first spoke, each page with the whole record’s counts', async () => {
    const whole = await record('');
    expect(whole.page).toBeUndefined();
    expect(whole.incidents.length).toBeGreaterThan(23);
    const seen: PartyRecord['incidents'] = [];
    let query = '?limit=5';
    let pages = 0;
    for (;;) {
      const page = await record(query);
      pages++;
      expect(page.counts).toEqual(whole.counts);
      expect(page.incidents.length).toBeLessThanOrEqual(5);
      expect(page.page!.limit).toBe(5);
      seen.push(...page.incidents);
      if (page.page!.next === null) break;
      query = `?limit=5&after=${page.page!.next}`;
    }
    expect(pages).toBe(Math.ceil(whole.incidents.length / 5));
    expect(seen).toEqual(whole.incidents);
    expect(whole.counts.incidents).toBe(whole.incidents.length);
    expect(whole.counts.claims).toBe(whole.incidents.reduce((n, i) => n + i.claims.length, 0));
    expect(whole.counts.denialsReceived).toBe(whole.incidents.reduce((n, i) => n + i.denialsReceived.length, 0));
  });

  it('answers the first 100 incidents when only after is given, and an empty last page past the end', async () => {
    const first = await record('?after=0');
    expect(first.page).toEqual({ limit: 100, after: '0', next: null });
    expect(first.incidents).toEqual((await record('')).incidents);
    const past = await record('?limit=3&after=9000000000000000000');
    expect(past.incidents).toEqual([]);
    expect(past.page!.next).toBeNull();
  });

  it('bounds a page by entries too: a thousand claims in one incident come over two pages, the second going on inside it', async () => {
    const incident = await s.post('/incidents', valid.incident('A month of shelling reported claim by claim'));
    const incidentId = incident.json().incidentId as string;
    const claims = 1_050;
    const lines = Array.from({ length: claims }, (_, i) => JSON.stringify({ key: `kda-${i}`, action: 'makeClaim', incidentId, body: valid.claim(DEMO.kda, `Shelling report ${i}.`) }));
    const imported = await s.postRaw('/imports', `${lines.join('\n')}\n`, 'application/x-ndjson');
    expect(imported.json()).toMatchObject({ imported: claims, failed: 0, readModels: { state: 'current' } });

    const get = async (query: string) => {
      const res = await s.get(`/parties/${DEMO.kda}${query}`);
      expect(res.statusCode).toBe(200);
      return res.json() as PartyRecord;
    };
    const first = await get('');
    expect(first.page!.next).toMatch(new RegExp(`^\\d+\\.${incidentId}\\.\\d+$`));
    const second = await get(`?limit=10&after=${first.page!.next}`);
    expect(second.page!.next).toBeNull();
    expect(second.incidents.map((i) => i.incidentId)).toEqual([incidentId]);
    const inIncident = [...first.incidents, ...second.incidents].filter((i) => i.incidentId === incidentId).flatMap((i) => i.claims.map((c) => c.claimId));
    expect(inIncident).toHaveLength(claims);
    expect(new Set(inIncident).size).toBe(claims);
    expect(first.counts.claims).toBe(first.incidents.concat(second.incidents).reduce((n, i) => n + i.claims.length, 0));

    const listed = await s.get('/parties?limit=500');
    const kda = (listed.json().items as PartyRecord[]).find((p) => p.incidents.some((i) => i.incidentId === incidentId))!;
    expect(kda.incidents.reduce((n, i) => n + i.claims.length + i.denialsReceived.length, 0)).toBeLessThanOrEqual(100);
    expect(kda.page!.next).toContain(`.${incidentId}.`);

    for (const after of [`1.${incidentId}`, `1.${incidentId}.x`, `9999999999999999999.${incidentId}.1`, `1.${incidentId}.9999999999999999999`, `1.${incidentId.toUpperCase()}.5`, `1.${incidentId}.99999999999999999999`]) {
      expectPageRefusal(await s.get(`/parties/${DEMO.kda}?after=${encodeURIComponent(after)}`), 'after');
    }
  });

  it.each(BAD_PAGE_QUERIES)('refuses %s with a 400 naming %s', async (query, field) => {
    const res = await s.get(`/parties/${DEMO.azDefence}?${query}`);
    expectPageRefusal(res, field);
  });

  it('answers 404 for a party not in the ledger, paged or not', async () => {
    for (const query of ['', '?limit=2']) expectProblem(await s.get(`/parties/no-such-party${query}`), 404, 'not-found');
  });
});
