import { importedIncidentId } from '../../apps/ledger-api/src/imports/import-commands/import-line.plan';
import { DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

// Each test is quick alone; the margin is for a machine busy with other suites.
jest.setTimeout(20_000);

describe('graded sources (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    refs = await s.playDemo();
  }, 30_000);

  afterAll(() => t?.close());

  const gradesOf = (claimId: string) => `/incidents/${refs.incident}/claims/${claimId}/grades`;
  const versions = async (query = '') => {
    const res = await s.get(`/incidents/${refs.incident}/versions${query}`);
    expect({ status: res.statusCode, body: res.body.slice(0, 300) }).toMatchObject({ status: 200 });
    return res.json();
  };
  const claimIds = (doc: { parties: Array<{ claims: Array<{ claimId: string }> }> }) => doc.parties.flatMap((p) => p.claims.map((c) => c.claimId)).sort();

  describe('POST …/grades', () => {
    it('records SourceGraded with the grader and the time: 201, Location, ETag, the version graded', async () => {
      const { claimUrl } = await s.incidentWithClaim();
      const res = await s.post(`${claimUrl}/grades`, valid.grade('B', 2, 'The ministry’s own losses have matched funerals.'));
      expect({ status: res.statusCode, body: res.body }).toMatchObject({ status: 201 });
      expect(res.headers.location).toBe(claimUrl);
      expect(res.headers.etag).toBe(`"${res.json().revision}"`);
      expect(res.json()).toMatchObject({ claimVersion: '1' });
      const [event] = await s.store.readAll({ fromPosition: BigInt(res.json().position) - 1n, maxCount: 1 });
      expect(event).toMatchObject({ type: 'SourceGraded.v1', data: { claimVersion: 1, reliability: 'B', credibility: 2, gradedBy: 'test-recorder' } });
      // The grade's own time is the server clock's, read when it was decided: at most the envelope's recorded time.
      expect(Date.parse((event.data as { gradedAt: string }).gradedAt)).toBeLessThanOrEqual(Date.parse(event.metadata.recordedAt as string));
      expect((await s.get(claimUrl)).json().grade).toMatchObject({ reliability: 'B', credibility: 2, gradedBy: 'test-recorder', gradings: 1 });
    });

    it('regrading is another event, with its reason, and the history keeps both', async () => {
      const { claimUrl } = await s.incidentWithClaim();
      expect((await s.post(`${claimUrl}/grades`, valid.grade('B', 2))).statusCode).toBe(201);
      expect((await s.post(`${claimUrl}/grades`, valid.grade('D', 4, 'The OSCE monitors found no such fire.'))).statusCode).toBe(201);
      const history = (await s.get(`${claimUrl}/history`, 'auditor')).json();
      expect(history.grades.map((g: { reliability: string; credibility: number; previous?: unknown; reason?: string }) => [g.reliability, g.credibility, g.previous ?? null, g.reason ?? null])).toEqual([
        ['B', 2, null, null],
        ['D', 4, { reliability: 'B', credibility: 2 }, 'The OSCE monitors found no such fire.'],
      ]);
      expect(history.versions[0].grade).toMatchObject({ reliability: 'D', credibility: 4, gradings: 2 });
    });

    it('honours If-Match (409 when stale) and Idempotency-Key (the same answer, nothing written again)', async () => {
      const { claimUrl } = await s.incidentWithClaim();
      const first = await s.post(`${claimUrl}/grades`, valid.grade('C', 3), { 'idempotency-key': 'grade-once' });
      expect(first.statusCode).toBe(201);
      const again = await s.unchanged(() => s.post(`${claimUrl}/grades`, valid.grade('C', 3), { 'idempotency-key': 'grade-once' }));
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.json()).toEqual(first.json());
      const stale = await s.unchanged(() => s.post(`${claimUrl}/grades`, valid.grade('A', 1, 'Confirmed.'), { 'if-match': '"0"' }));
      expectProblem(stale, 409, 'wrong-expected-revision');
      const fresh = await s.post(`${claimUrl}/grades`, valid.grade('A', 1, 'Confirmed.'), { 'if-match': first.headers.etag as string });
      expect(fresh.statusCode).toBe(201);
    });

    it.each([
      ['reliability G', { reliability: 'G', credibility: 2 }, 'reliability'],
      ['reliability in lower case', { reliability: 'b', credibility: 2 }, 'reliability'],
      ['credibility 7', { reliability: 'B', credibility: 7 }, 'credibility'],
      ['credibility 0', { reliability: 'B', credibility: 0 }, 'credibility'],
      ['credibility as text', { reliability: 'B', credibility: '1' }, 'credibility'],
      ['no reliability', { credibility: 2 }, 'reliability'],
      ['version 0', { reliability: 'B', credibility: 2, claimVersion: 0 }, 'claimVersion'],
      ['a blank reason', { reliability: 'B', credibility: 2, reason: '' }, 'reason'],
      ['an unknown member', { reliability: 'B', credibility: 2, grade: 'B2' }, 'grade'],
    ])('refuses %s: 400 naming the field, nothing written', async (_name, body, field) => {
      const problem = expectProblem(await s.unchanged(() => s.post(gradesOf(refs['kda-claim']), body)), 400, 'validation-failed');
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    });

    it.each([
      ['a version the claim does not have', () => gradesOf(refs['kda-claim']), { reliability: 'B', credibility: 2, claimVersion: 9 }, 422, 'claim-version-not-found', 'claimVersion'],
      ['an unknown claim', () => gradesOf('0b5c1d62-3f0e-4a4e-9a3c-2f1d7b6e8a90'), { reliability: 'B', credibility: 2 }, 404, 'claim-not-found', 'claimId'],
      ['an unknown incident', () => `/incidents/0b5c1d62-3f0e-4a4e-9a3c-2f1d7b6e8a90/claims/${refs['kda-claim']}/grades`, { reliability: 'B', credibility: 2 }, 404, 'incident-not-found', 'incidentId'],
    ])('refuses %s, nothing written', async (_name, url, body, status, code, field) => {
      const problem = expectProblem(await s.unchanged(() => s.post(url(), body)), status, code);
      expect(problem.field).toBe(field);
    });

    it('refuses the same grade again (422 grade-unchanged) and a regrade without its reason (422 text-required)', async () => {
      const { claimUrl } = await s.incidentWithClaim();
      expect((await s.post(`${claimUrl}/grades`, valid.grade('B', 2))).statusCode).toBe(201);
      expectProblem(await s.unchanged(() => s.post(`${claimUrl}/grades`, valid.grade('B', 2, 'Checked again.'))), 422, 'grade-unchanged');
      expect(expectProblem(await s.unchanged(() => s.post(`${claimUrl}/grades`, valid.grade('C', 2))), 422, 'text-required').field).toBe('reason');
    });

    it('is for recorders: a reader gets 403 and nothing is written', async () => {
      expectProblem(await s.unchanged(() => s.post(gradesOf(refs['kda-claim']), valid.grade(), {}, 'reader')), 403, 'forbidden');
    });
  });

  describe('GET /incidents/{id}/versions with a minimum grade', () => {
    beforeAll(async () => {
      for (const [claim, reliability, credibility] of [
        ['az-mod-claim', 'B', 2],
        ['kda-claim', 'B', 3],
        ['arm-mfa-claim', 'E', 5],
      ] as const) {
        const res = await s.post(gradesOf(refs[claim]), { reliability, credibility, reason: 'Graded for the filter tests.' });
        expect([201, 422]).toContain(res.statusCode);
      }
    });

    it('counts only claims graded at least so well: the claims, their denials, the accounts and the disagreements', async () => {
      const all = await versions();
      const b = await versions('?minReliability=B');
      expect(all.gradeFilter).toBeNull();
      expect(b.gradeFilter).toEqual({ minReliability: 'B' });
      expect(claimIds(b)).toEqual([refs['az-mod-claim'], refs['kda-claim']].sort());
      expect(claimIds(all).length).toBeGreaterThan(claimIds(b).length);
      const denied = b.disagreements.filter((d: { kind: string }) => d.kind === 'denial').map((d: { positions: Array<{ claimId: string }> }) => d.positions[0].claimId);
      expect(denied.every((claimId: string) => [refs['az-mod-claim'], refs['kda-claim']].includes(claimId))).toBe(true);
      const parties = b.disagreements.flatMap((d: { positions: Array<{ partyId: string; role?: string }> }) => d.positions.filter((p) => p.role !== 'denier').map((p) => p.partyId));
      expect([...new Set(parties)].sort()).toEqual(['azerbaijan-defence-ministry', 'karabakh-defense-army']);
    });

    it('takes both minimums together, and a minimum nobody meets leaves nothing to disagree on', async () => {
      expect(claimIds(await versions('?minReliability=B&minCredibility=2'))).toEqual([refs['az-mod-claim']]);
      const none = await versions('?minReliability=A');
      expect(claimIds(none)).toEqual([]);
      expect(none.disagreements).toEqual([]);
    });

    it('applies to the versions as of a moment too (auditors)', async () => {
      const res = await s.get(`/audit/incidents/${refs.incident}/versions?minReliability=B&minCredibility=2`, 'auditor');
      expect({ status: res.statusCode, body: res.body.slice(0, 300) }).toMatchObject({ status: 200 });
      expect(claimIds(res.json())).toEqual([refs['az-mod-claim']]);
      expect(res.json().gradeFilter).toEqual({ minReliability: 'B', minCredibility: 2 });
      expectProblem(await s.get(`/audit/incidents/${refs.incident}/versions?minReliability=Z`, 'auditor'), 400, 'validation-failed');
    });

    it('filters the incident list to incidents holding a standing claim graded at least so well', async () => {
      const listed = async (query: string) => {
        const res = await s.get(`/incidents?${query}&limit=500`);
        expect({ status: res.statusCode, body: res.body.slice(0, 300) }).toMatchObject({ status: 200 });
        return res.json().items.map((i: { incidentId: string }) => i.incidentId);
      };
      expect(await listed('minReliability=B&minCredibility=2')).toContain(refs.incident);
      expect(await listed('minReliability=A')).not.toContain(refs.incident);
      const problem = expectProblem(await s.get('/incidents?minCredibility=9'), 400, 'validation-failed');
      expect(problem.errors?.map((e) => e.field)).toContain('minCredibility');
    });

    it.each([
      ['minReliability=G', 'minReliability'],
      ['minReliability=b', 'minReliability'],
      ['minCredibility=7', 'minCredibility'],
      ['minCredibility=0', 'minCredibility'],
      ['minCredibility=B', 'minCredibility'],
      ['minCredibility=1.5', 'minCredibility'],
      ['minReliability=A&minReliability=B', 'minReliability'],
    ])('refuses %s: 400 naming the parameter', async (query, field) => {
      const problem = expectProblem(await s.get(`/incidents/${refs.incident}/versions?${query}`), 400, 'validation-failed');
      expect(problem.errors?.map((e) => e.field)).toContain(field);
    });
  });

  it('a gradeSource import line grades a claim of the same file; the same file again writes nothing', async () => {
    const lines = [
      { key: 'graded-incident', action: 'reportIncident', body: valid.incident('Graded by import') },
      { key: 'graded-claim', action: 'makeClaim', incident: 'graded-incident', body: valid.claim() },
      { key: 'grade-it', action: 'gradeSource', incident: 'graded-incident', claim: 'graded-claim', body: { reliability: 'C', credibility: 3 } },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const post = () => t.app.inject({ method: 'POST', url: '/imports', payload: lines, headers: { ...s.bearer('recorder'), 'content-type': 'application/x-ndjson' } });
    const first = await post();
    expect({ status: first.statusCode, body: first.body.slice(0, 500) }).toMatchObject({ status: 200 });
    expect(first.json()).toMatchObject({ failed: 0 });
    const incidentId = importedIncidentId('test-recorder', 'graded-incident');
    const doc = (await s.get(`/incidents/${incidentId}/versions?minReliability=C`)).json();
    expect(doc.parties.flatMap((p: { claims: Array<{ grade: { reliability: string } | null }> }) => p.claims.map((c) => c.grade?.reliability))).toEqual(['C']);
    const again = await s.unchanged(post);
    expect(again.json()).toMatchObject({ failed: 0 });
  });
});
