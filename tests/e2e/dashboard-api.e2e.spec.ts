import { NAMED_NOBODY, SAID_NOTHING } from '../../apps/ledger-api/src/platform/http/conditional-get.csv';
import { DEMO, DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

jest.setTimeout(60_000);

/** RFC 4180 rows as objects keyed by the header (quoted cells, doubled quotes, CRLF or LF). */
const parse = (text: string, _options: { columns: true }): Record<string, string>[] => {
  const records: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell), records.push(row), (row = []), (cell = '');
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) row.push(cell), records.push(row);
  const [header, ...rest] = records;
  return rest.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i] ?? ''])));
};

const ORIGIN = 'http://dashboard.example.org';

/** What a dashboard needs of the API beyond the read models' documents: statistics, conditional GETs, CSV and CORS. */
describe('dashboard API (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;

  beforeAll(async () => {
    t = await startLedger({ env: { LEDGER_CORS_ORIGINS: `${ORIGIN}, http://localhost:5173` } });
    s = new LedgerSession(t);
    refs = await s.playDemo();
  }, 60_000);
  afterAll(() => t?.close());

  describe('statistics', () => {
    it('counts claims, denials, corrections and retractions by party for tiles, with names', async () => {
      const res = await s.get('/stats/activity?by=party');
      expect(res.statusCode).toBe(200);
      const body = res.json();
      expect(body).toMatchObject({ bucket: 'none', clock: 'recorded', by: 'party', from: null, to: null });
      const versions = (await s.get(`/incidents/${refs.incident}`)).json();
      expect(body.totals.claims).toBeGreaterThanOrEqual(versions.counts.claims);
      const kda = body.rows.find((r: { partyId: string }) => r.partyId === DEMO.kda);
      expect(kda.partyName).toEqual(expect.any(String));
      expect(kda.claims + kda.denials).toBeGreaterThan(0);
    });

    it('buckets by month on occurred time, and counts contested incidents over time', async () => {
      const activity = (await s.get('/stats/activity?bucket=month&clock=occurred&by=category')).json();
      expect(activity.rows[0]).toMatchObject({ bucket: expect.stringMatching(/^\d{4}-\d{2}-01$/), category: expect.any(String) });
      const contested = (await s.get('/stats/incidents-contested?bucket=month')).json();
      expect(contested.totals.incidents).toBe(contested.totals.contested + contested.totals.uncontested);
      const demo = (await s.get(`/incidents/${refs.incident}`)).json();
      const month = `${demo.occurredRange.start.slice(0, 7)}-01`;
      expect(demo.contested).toBe(true);
      expect(contested.rows.find((r: { bucket: string }) => r.bucket === month).contested).toBeGreaterThanOrEqual(1);
    });

    it('gives the same totals whatever the breakdown, on the same clock and filters (the list page takes its tiles from a breakdown)', async () => {
      for (const filter of ['clock=occurred', 'clock=occurred&bucket=month', `clock=occurred&party=${DEMO.kda}`, 'clock=stated&from=2019-05-30&to=2019-06-02', 'clock=recorded']) {
        const [none, party, category] = await Promise.all(['none', 'party', 'category'].map(async (by) => (await s.get(`/stats/activity?${filter}&by=${by}`)).json()));
        expect(none.totals.claims).toBeGreaterThan(0);
        expect(party.totals).toEqual(none.totals);
        expect(category.totals).toEqual(none.totals);
      }
    });

    it('refuses bad parameters with a 400 naming them', async () => {
      const fields = async (url: string) => expectProblem(await s.get(url), 400, 'validation-failed').errors?.map((e) => e.field);
      expect(await fields('/stats/activity?bucket=year')).toEqual(['bucket']);
      expect(await fields('/stats/activity?clock=whenever&by=nobody')).toEqual(['clock', 'by']);
      expect(await fields('/stats/incidents-contested?clock=stated')).toEqual(['clock']);
      expect(expectProblem(await s.get('/stats/activity?from=2019-07-01&to=2019-06-01'), 400, 'invalid-query').field).toBe('from');
    });

    it("gives each party's casualty figures for an incident, and says who said nothing", async () => {
      const res = await s.get(`/incidents/${refs.incident}/casualties`);
      expect(res.statusCode).toBe(200);
      const doc = res.json();
      expect(doc.parties.length).toBe(5);
      expect(doc.parties.some((p: { figures: unknown }) => p.figures === null)).toBe(true);
      const withFigures = doc.parties.find((p: { figures: unknown[] | null }) => p.figures && p.figures.length > 0);
      expect(withFigures.figures[0]).toMatchObject({ side: expect.any(String), killed: { best: expect.any(Number) } });
      expectProblem(await s.get('/incidents/00000000-0000-4000-8000-000000000000/casualties'), 404, 'not-found');
    });
  });

  describe('incident list search', () => {
    it('searches the whole list by words, party names included, and counts the matches in total', async () => {
      const byTitle = (await s.get('/incidents?q=karabakh&limit=1')).json();
      expect(byTitle.items.map((i: { incidentId: string }) => i.incidentId)).toEqual([refs.incident]);
      expect(byTitle.total).toBeGreaterThanOrEqual(1);
      const kdaName = (await s.get(`/parties/${DEMO.kda}`)).json().name as string;
      const byParty = (await s.get(`/incidents?q=${encodeURIComponent(kdaName.toUpperCase())}`)).json();
      expect(byParty.items.map((i: { incidentId: string }) => i.incidentId)).toContain(refs.incident);
      expect((await s.get('/incidents?q=no-such-words-anywhere')).json()).toMatchObject({ items: [], total: 0 });
    });

    it('refuses a search longer than 200 characters with a 400 naming q', async () => {
      const problem = expectProblem(await s.get(`/incidents?q=${'x'.repeat(201)}`), 400, 'validation-failed');
      expect(problem.errors?.map((e) => e.field)).toContain('q');
    });
  });

  describe('party directory', () => {
    it("lists every party with the counts of its record, without the record's incidents", async () => {
      const records = (await s.get('/parties?limit=500')).json();
      const directory = (await s.get('/stats/parties?limit=500')).json();
      expect(directory.total).toBe(records.total);
      const byId = new Map(directory.items.map((p: { partyId: string }) => [p.partyId, p]));
      for (const record of records.items) {
        const summary = byId.get(record.partyId) as Record<string, unknown>;
        expect({ partyId: record.partyId, summary }).toEqual({
          partyId: record.partyId,
          summary: {
            partyId: record.partyId,
            registered: record.registered,
            name: record.name,
            kind: record.kind,
            description: record.description,
            affiliation: record.affiliation,
            aliases: record.aliases,
            registeredAt: record.registeredAt,
            counts: record.counts,
          },
        });
      }
      expect(directory.items.map((p: { partyId: string }) => p.partyId)).toEqual([...directory.items.map((p: { partyId: string }) => p.partyId)].sort());
    });

    it('searches names, ids and aliases, pages, and refuses a bad page with a 400 naming it', async () => {
      const found = (await s.get(`/stats/parties?q=${encodeURIComponent('ministry AZERBAIJAN')}`)).json();
      expect(found.items.map((p: { partyId: string }) => p.partyId)).toContain(DEMO.azDefence);
      // Every word must match, in any of the three.
      for (const p of found.items) {
        const text = `${p.partyId} ${p.name} ${p.aliases.join(' ')}`.toLowerCase();
        expect({ text, ministry: text.includes('ministry'), azerbaijan: text.includes('azerbaijan') }).toEqual({ text, ministry: true, azerbaijan: true });
      }
      const page = (await s.get('/stats/parties?limit=2&offset=1')).json();
      expect(page).toMatchObject({ limit: 2, offset: 1 });
      expect(page.items).toHaveLength(2);
      expect((await s.get('/stats/parties?q=%25')).json().total).toBe(0);
      expect(expectProblem(await s.get('/stats/parties?limit=0'), 400, 'validation-failed').errors?.map((e) => e.field)).toContain('limit');
    });
  });

  describe('conditional GETs', () => {
    it('answers 304 to If-None-Match with the ETag of a read, and a full answer once the ledger moved', async () => {
      for (const url of ['/incidents', `/incidents/${refs.incident}/timeline`, '/parties', `/parties/${DEMO.kda}`, '/stats/activity?by=party']) {
        const first = await s.get(url);
        const etag = first.headers.etag as string;
        expect(etag).toMatch(/^(W\/)?"[^"]+"$/);
        expect(first.headers['cache-control']).toBe('private, no-cache');
        const again = await s.get(url, 'reader', { 'if-none-match': etag });
        expect([url, again.statusCode, again.body]).toEqual([url, 304, '']);
        expect(again.headers.etag).toBe(etag);
      }
      const stats = await s.get('/stats/activity');
      await s.post('/parties', valid.party('dashboard-etag-party'));
      const moved = await s.get('/stats/activity', 'reader', { 'if-none-match': stats.headers.etag as string });
      expect(moved.statusCode).toBe(200);
      expect(moved.headers.etag).not.toBe(stats.headers.etag);
    });

    it('keeps the incident revision as the ETag of an incident (If-Match and If-None-Match alike)', async () => {
      const incident = await s.get(`/incidents/${refs.incident}`);
      expect(incident.headers.etag).toBe(`"${incident.json().revision}"`);
      expect((await s.get(`/incidents/${refs.incident}`, 'reader', { 'if-none-match': `W/${incident.headers.etag}` })).statusCode).toBe(304);
    });

    it('fits Cache-Control to the route: no-store for operations and audit, and never stores a refusal', async () => {
      expect((await s.get('/admin/read-models', 'admin')).headers['cache-control']).toBe('no-store');
      expect((await s.get(`/audit/incidents/${refs.incident}/versions?statedAsOf=2019-06-01`, 'auditor')).headers['cache-control']).toBe('no-store');
      expect((await s.get('/feed/events', 'integrator')).headers['cache-control']).toBe('no-store');
      // The published contracts keep their own short public max-age.
      expect((await s.send({ method: 'GET', url: '/schemas/events/ClaimMade.v1.json' })).headers['cache-control']).toBe('public, max-age=300');
      const refused = await s.send({ method: 'GET', url: '/incidents' });
      expect([refused.statusCode, refused.headers['cache-control']]).toEqual([401, 'no-store']);
    });
  });

  describe('CSV', () => {
    it('downloads a list as CSV by ?format=csv or Accept: text/csv, the same rows as the JSON', async () => {
      const jsonAnswer = await s.get('/incidents');
      expect(String(jsonAnswer.headers.vary)).toMatch(/Accept/);
      const json = jsonAnswer.json();
      for (const res of [await s.get('/incidents?format=csv'), await s.get('/incidents', 'reader', { accept: 'text/csv' })]) {
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect(res.headers['content-disposition']).toBe('attachment; filename="incidents.csv"');
        expect(String(res.headers.vary)).toMatch(/Accept/);
        const rows = parse(res.body, { columns: true }) as Record<string, string>[];
        expect(rows.map((r) => r.incidentId)).toEqual(json.items.map((i: { incidentId: string }) => i.incidentId));
        expect(rows[0]['counts.claims']).toBe(String(json.items[0].counts.claims));
      }
      for (const url of ['/parties?format=csv', `/incidents/${refs.incident}/timeline?format=csv`, '/stats/activity?by=party&format=csv', '/stats/incidents-contested?format=csv']) {
        const res = await s.get(url);
        expect([url, res.statusCode, res.headers['content-type']]).toEqual([url, 200, 'text/csv; charset=utf-8']);
        expect((parse(res.body, { columns: true }) as unknown[]).length).toBeGreaterThan(0);
      }
      expect(expectProblem(await s.get('/incidents?format=xml'), 400, 'validation-failed').errors?.map((e) => e.field)).toEqual(['format']);
    });

    it('tells "named nobody" from "said nothing" in the who-says-what matrix and the casualty figures', async () => {
      // A party that names no one responsible, beside the demo parties that do, or say nothing about it.
      const { incidentId } = await s.incidentWithClaim(DEMO.kda);
      const claim = valid.claim(DEMO.osce);
      await s.post(`/incidents/${incidentId}/claims`, { ...claim, assertions: { responsibleParties: [] } });
      const rows = parse((await s.get(`/incidents/${incidentId}/versions?format=csv`)).body, { columns: true }) as Record<string, string>[];
      const byParty = new Map(rows.map((r) => [r.partyId, r]));
      expect(byParty.get(DEMO.osce)!.responsibleParties).toBe(NAMED_NOBODY);
      expect(byParty.get(DEMO.osce)!.location).toBe(SAID_NOTHING);
      expect(NAMED_NOBODY).not.toBe(SAID_NOTHING);
      const casualties = parse((await s.get(`/incidents/${refs.incident}/casualties?format=csv`)).body, { columns: true }) as Record<string, string>[];
      expect(casualties.some((r) => r.killed === SAID_NOTHING)).toBe(true);
      expect(casualties.some((r) => /^\d/.test(r.killed))).toBe(true);
    });
  });

  describe('CORS', () => {
    it('answers a preflight from a configured origin without a token, exposing ETag and the problem headers', async () => {
      const preflight = await s.send({
        method: 'OPTIONS',
        url: '/incidents',
        headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization, if-none-match' },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe(ORIGIN);
      expect(String(preflight.headers['access-control-allow-headers']).toLowerCase()).toContain('if-none-match');
      const read = await s.get('/incidents', 'reader', { origin: ORIGIN });
      expect(read.headers['access-control-allow-origin']).toBe(ORIGIN);
      // Both what CORS varies on and what the CSV form varies on.
      expect(String(read.headers.vary).split(/,\s*/)).toEqual(expect.arrayContaining(['Origin', 'Accept']));
      expect(String(read.headers['access-control-expose-headers'])).toMatch(/ETag.*Retry-After.*x-correlation-id/);
      const refused = await s.send({ method: 'GET', url: '/incidents', headers: { origin: ORIGIN } });
      expect([refused.statusCode, refused.headers['access-control-allow-origin']]).toEqual([401, ORIGIN]);
    });

    it('gives no CORS header to an origin not configured', async () => {
      const res = await s.get('/incidents', 'reader', { origin: 'http://elsewhere.example.org' });
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    });
  });
});

describe('dashboard API without LEDGER_CORS_ORIGINS (e2e)', () => {
  it('answers no cross-origin request: CORS is off by default', async () => {
    const t = await startLedger();
    try {
      const s = new LedgerSession(t);
      const res = await s.get('/incidents', 'reader', { origin: ORIGIN });
      expect(res.statusCode).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});
