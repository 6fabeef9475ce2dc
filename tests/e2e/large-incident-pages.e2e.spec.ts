import { DEMO, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { BAD_PAGE_QUERIES, expectPageRefusal } from '../support/page-refusals';
import { expectInvalidFields, expectProblem } from '../support/problem-assertions';

jest.setTimeout(60_000);

/** A page of versions as the API answers it, with only what these tests look at. */
interface VersionsPage {
  parties: Array<{ partyId: string; claims: Array<{ claimId: string }>; denialsMade: Array<{ denialId: string }>; currentAccount: Record<string, unknown> }>;
  disagreements: Array<{ kind: string; field: string }>;
  page: { limit: number; after: string | null; next: string | null };
}

describe('a large incident, a page at a time (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let incidentId: string;
  const claimIds: string[] = [];
  const denialIds: string[] = [];

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    await s.playDemo();
    const incident = await s.post('/incidents', valid.incident('Months of shelling along the line of contact'));
    incidentId = incident.json().incidentId;
    // 120 claims by two parties, and a denial of every tenth claim of one of them by the other.
    for (let i = 0; i < 120; i++) {
      const partyId = i % 2 === 0 ? DEMO.azDefence : DEMO.kda;
      const claim = await s.post(`/incidents/${incidentId}/claims`, valid.claim(partyId, `Statement number ${i}.`));
      expect(claim.statusCode).toBe(201);
      claimIds.push(claim.json().claimId);
      if (i % 20 === 0) {
        const denial = await s.post(`/incidents/${incidentId}/claims/${claim.json().claimId}/denials`, valid.denial(DEMO.kda));
        expect(denial.statusCode).toBe(201);
        denialIds.push(denial.json().denialId);
      }
    }
  });

  afterAll(() => t?.close());

  const versions = async (query: string): Promise<VersionsPage> => {
    const res = await s.get(`/incidents/${incidentId}/versions${query}`);
    expect(res.statusCode).toBe(200);
    return res.json();
  };

  it('claim=<id> answers that one claim under its party, wherever it stands, with its denials and the whole disagreements summary', async () => {
    const whole = await versions('?limit=1000');
    const last = claimIds[100];
    type OneClaim = Omit<VersionsPage, 'parties'> & {
      parties: Array<{ partyId: string; claims: Array<{ claimId: string; denials: Array<{ denialId: string }> }>; denialsMade: unknown[] }>;
    };
    const one = (await versions(`?claim=${last}&limit=1`)) as unknown as OneClaim;
    const withClaims = one.parties.filter((p) => p.claims.length > 0);
    expect(withClaims).toHaveLength(1);
    expect(withClaims[0].partyId).toBe(DEMO.azDefence);
    expect(withClaims[0].claims.map((c) => c.claimId)).toEqual([last]);
    expect(withClaims[0].claims[0].denials.map((d) => d.denialId)).toEqual([denialIds[5]]);
    expect(one.parties.every((p) => p.denialsMade.length === 0)).toBe(true);
    expect(one.disagreements).toEqual(whole.disagreements);
    expect(one.page).toEqual({ limit: null, after: null, next: null });
  });

  it('claim=<id> of a claim not in the incident is a 404, and one that is not a uuid a 400 naming claim', async () => {
    expectProblem(await s.get(`/incidents/${incidentId}/versions?claim=6f1c0b4e-8d2a-4c3e-9b1f-2a7d5e9c4b10`), 404, 'not-found');
    expectInvalidFields(await s.get(`/incidents/${incidentId}/versions?claim=not-a-claim`), ['claim']);
  });

  it('pages through every claim and denial once, in log order, with the whole disagreements summary on every page', async () => {
    const seenClaims: string[] = [];
    const seenDenials: string[] = [];
    const whole = await versions('?limit=1000');
    expect(whole.page.next).toBeNull();
    let after: string | null = null;
    let pages = 0;
    do {
      const page: VersionsPage = await versions(`?limit=25${after ? `&after=${after}` : ''}`);
      pages += 1;
      const entries = page.parties.reduce((n, p) => n + p.claims.length + p.denialsMade.length, 0);
      expect(entries).toBeLessThanOrEqual(25);
      for (const party of page.parties) {
        seenClaims.push(...party.claims.map((c) => c.claimId));
        seenDenials.push(...party.denialsMade.map((d) => d.denialId));
      }
      expect(page.disagreements).toEqual(whole.disagreements);
      expect(page.parties.map((p) => [p.partyId, p.currentAccount])).toEqual(whole.parties.map((p) => [p.partyId, p.currentAccount]));
      expect(page.page).toMatchObject({ limit: 25, after });
      after = page.page.next;
    } while (after !== null);
    expect(pages).toBe(Math.ceil((claimIds.length + denialIds.length) / 25));
    expect(seenClaims.sort()).toEqual([...claimIds].sort());
    expect(seenDenials.sort()).toEqual([...denialIds].sort());
  });

  it('answers the first page by default (100 entries) with a next page', async () => {
    const first = await versions('');
    expect(first.page).toMatchObject({ limit: 100, after: null });
    expect(first.page.next).toMatch(/^\d+$/);
    expect(first.parties.reduce((n, p) => n + p.claims.length + p.denialsMade.length, 0)).toBe(100);
  });

  it('pages the timeline by the same cursor, every entry once', async () => {
    const all: string[] = [];
    let after: string | null = null;
    do {
      const res = await s.get(`/incidents/${incidentId}/timeline?limit=40${after ? `&after=${after}` : ''}`);
      expect(res.statusCode).toBe(200);
      const body = res.json() as { entries: Array<{ eventId: string; position: string }>; page: { next: string | null } };
      expect(body.entries.length).toBeLessThanOrEqual(40);
      all.push(...body.entries.map((e) => e.position));
      after = body.page.next;
    } while (after !== null);
    // The report, 120 claims and 6 denials, each once and in log order.
    expect(all).toHaveLength(1 + claimIds.length + denialIds.length);
    expect(all.map(BigInt)).toEqual([...all.map(BigInt)].sort((a, b) => (a < b ? -1 : 1)));
    expect(new Set(all).size).toBe(all.length);
  });

  it.each(BAD_PAGE_QUERIES)('refuses %s with a 400 naming %s, on both routes', async (query, field) => {
    for (const route of ['versions', 'timeline']) {
      const res = await s.get(`/incidents/${incidentId}/${route}?${query}`);
      expectPageRefusal(res, field);
    }
  });

  it('answers an empty last page when the cursor is past the end', async () => {
    const page = await versions('?after=9000000000000000000');
    expect(page.parties.every((p) => p.claims.length === 0 && p.denialsMade.length === 0)).toBe(true);
    expect(page.page.next).toBeNull();
  });
});
