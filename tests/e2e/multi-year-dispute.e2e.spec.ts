import type { PartyVersionsDoc } from '@ledger/read-models';
import { runScenario, Scenario } from '../../apps/ledger-api/src/demo/scenario';
import mh17 from '../fixtures/scenarios/mh17-2014-2022.scenario.json';
import { LedgerSession } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

jest.setTimeout(60_000);

const SCENARIO = mh17 as Scenario;
type VersionsAsOf = PartyVersionsDoc & { asOf: Record<string, string>; position: string };

const P = {
  sbu: 'ukraine-security-service',
  mod: 'russia-defence-ministry',
  dpr: 'donetsk-peoples-republic',
  almaz: 'almaz-antey',
  dsb: 'dutch-safety-board',
  jit: 'joint-investigation-team',
  court: 'hague-district-court',
  ukraine: 'ukraine',
  russia: 'russia',
} as const;

/**
 * An eight-year dispute from public record (MH17, 2014-2022), recorded through the HTTP API and read back as the
 * parties' accounts stood at several stated dates: seven speakers of six kinds, victims of no side counted by
 * nationality, a correction that changes who an investigation blames, denials bound to the version they answered,
 * graded sources and a duplicate incident merged into the survivor.
 */
describe('a multi-year dispute through the API (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: Record<string, string>;

  const asOf = async (date: string): Promise<VersionsAsOf> => {
    const res = await s.get(`/audit/incidents/${refs.incident}/versions?statedAsOf=${date}`, 'auditor');
    expect({ date, status: res.statusCode }).toEqual({ date, status: 200 });
    return res.json();
  };
  const party = (doc: PartyVersionsDoc, partyId: string) => doc.parties.find((p) => p.partyId === partyId);
  const blames = (doc: PartyVersionsDoc, partyId: string) => [...(party(doc, partyId)?.currentAccount.responsibleParties?.value ?? [])].sort();
  /** Parties with a claim that stands: the DPR's deleted post, merged in from the duplicate, is retracted. */
  const speakers = (doc: PartyVersionsDoc) => doc.parties.filter((p) => p.claims.some((c) => !c.retracted)).map((p) => p.partyId).sort();

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    refs = await runScenario(SCENARIO, async ({ method, url, body, headers }) => {
      const res = await s.send({ method, url, payload: body as object, headers: { ...headers, ...s.bearer('recorder') } });
      return { status: res.statusCode, body: res.json() };
    });
  }, 60_000);
  afterAll(() => t?.close());

  it('registers speakers of six different kinds', async () => {
    const kinds = new Set<string>();
    for (const id of [P.sbu, P.mod, P.dpr, P.almaz, P.dsb, P.jit, P.court]) kinds.add((await s.get(`/parties/${id}`, 'reader')).json().kind);
    expect([...kinds].sort()).toEqual(['armed-group', 'company', 'court-or-tribunal', 'government-body', 'intelligence-service', 'investigative-body']);
  });

  it('as of the end of July 2014: Ukraine\'s security service blames the DPR and Russia, Russia\'s ministry blames Ukraine, each account denied', async () => {
    const doc = await asOf('2014-07-31');
    expect(speakers(doc)).toEqual([P.mod, P.sbu].sort());
    expect(blames(doc, P.sbu)).toEqual([P.dpr, P.russia].sort());
    expect(blames(doc, P.mod)).toEqual([P.ukraine]);
    const denied = party(doc, P.sbu)!.claims[0];
    expect(denied.denials.map((d) => [d.partyId, d.claimVersion])).toEqual([[P.dpr, 1]]);
    expect(denied.currentVersionDenied).toBe(true);
    const responsibility = doc.disagreements.find((d) => d.field === 'responsibleParties');
    expect(responsibility?.positions.map((p) => p.partyId).sort()).toEqual([P.mod, P.sbu].sort());
  });

  it('as of the end of 2015: the manufacturer blames Ukraine; the safety board blames no one and counts the dead by nationality, victims of no side', async () => {
    const doc = await asOf('2015-12-31');
    expect(blames(doc, P.almaz)).toEqual([P.ukraine]);
    const dsb = party(doc, P.dsb)!;
    expect(dsb.currentAccount.responsibleParties).toBeUndefined();
    const casualties = dsb.currentAccount.casualties!.value;
    expect(casualties.find((c) => c.side === undefined && c.category === undefined && c.nationality === undefined)?.killed).toEqual({ best: 298 });
    expect(casualties.find((c) => c.nationality === 'NL')).toMatchObject({ category: 'civilians', killed: { best: 196, low: 193, high: 196 } });
    expect(casualties.every((c) => c.side === undefined)).toBe(true);
    expect(party(doc, P.jit)).toBeUndefined();
  });

  it('as of the end of 2016: the investigation blames the DPR alone, and Russia\'s ministry has denied that version', async () => {
    const doc = await asOf('2016-12-31');
    expect(blames(doc, P.jit)).toEqual([P.dpr]);
    const jit = party(doc, P.jit)!.claims[0];
    expect(jit.version).toBe(1);
    expect(jit.denials.map((d) => [d.partyId, d.claimVersion])).toEqual([[P.mod, 1]]);
    expect(jit.currentVersionDenied).toBe(true);
  });

  it('as of the end of 2018: the corrected investigation blames the DPR and Russia; the 2016 denial stays with version 1, the 2018 one answers version 2', async () => {
    const doc = await asOf('2018-12-31');
    expect(blames(doc, P.jit)).toEqual([P.dpr, P.russia].sort());
    const jit = party(doc, P.jit)!.claims[0];
    expect(jit.version).toBe(2);
    expect(jit.denials.map((d) => [d.statedAt.at, d.claimVersion])).toEqual([
      ['2016-09-28', 1],
      ['2018-05-24', 2],
    ]);
    expect(jit.versions.map((v) => v.deniedBy.length)).toEqual([1, 1]);
    expect(jit.currentVersionDenied).toBe(true);
    // Russia's ministry made a second claim in 2018; both of its claims stand and blame Ukraine.
    expect(party(doc, P.mod)!.claims.map((c) => c.retracted)).toEqual([false, false]);
    expect(blames(doc, P.mod)).toEqual([P.ukraine]);
  });

  it("as of the end of 2022: the court blames the DPR and Russia; six claimants beside the DPR's denial, and the point of blame is disputed", async () => {
    const doc = await asOf('2022-12-31');
    expect(speakers(doc)).toEqual([P.almaz, P.court, P.dsb, P.jit, P.mod, P.sbu].sort());
    expect(blames(doc, P.court)).toEqual([P.dpr, P.russia].sort());
    const responsibility = doc.disagreements.find((d) => d.field === 'responsibleParties')!;
    const byParty = Object.fromEntries(responsibility.positions.map((p) => [p.partyId, p]));
    expect(Object.keys(byParty).sort()).toEqual([P.almaz, P.court, P.jit, P.mod, P.sbu].sort());
    // The DPR denied a claim but made none here: its account is its denial.
    expect(party(doc, P.dpr)!.denialsMade.map((d) => d.claimId)).toEqual([refs['sbu-claim']]);
  });

  it('graded sources: the regrade of the 2014 briefing keeps both grades; at a minimum of B2 only the safety board, the investigation and the court count, and only Russia\'s denials of the investigation remain disputed', async () => {
    const current = (await s.get(`/incidents/${refs.incident}/claims/${refs['mod-2014-claim']}`, 'reader')).json();
    expect(current.grade).toMatchObject({ reliability: 'D', credibility: 4, gradings: 2 });
    const history = (await s.get(`/incidents/${refs.incident}/claims/${refs['mod-2014-claim']}/history`, 'auditor')).json();
    expect(history.grades.map((g: { reliability: string; credibility: number }) => `${g.reliability}${g.credibility}`)).toEqual(['C3', 'D4']);

    const all = (await s.get(`/incidents/${refs.incident}/versions`, 'reader')).json() as PartyVersionsDoc;
    expect(all.disagreements.some((d) => d.field === 'responsibleParties')).toBe(true);
    const res = await s.get(`/incidents/${refs.incident}/versions?minReliability=B&minCredibility=2`, 'reader');
    expect(res.statusCode).toBe(200);
    const strict = res.json() as PartyVersionsDoc;
    expect(speakers(strict)).toEqual([P.court, P.dsb, P.jit].sort());
    expect(blames(strict, P.jit)).toEqual([P.dpr, P.russia].sort());
    // What is left to dispute among the well-graded sources is Russia's ministry denying the investigation's blame.
    expect(strict.disagreements.filter((d) => d.kind !== 'denial')).toEqual([]);
    expect(new Set(strict.disagreements.flatMap((d) => d.positions.map((p) => p.partyId)))).toEqual(new Set([P.jit, P.mod]));
    expectProblem(await s.get(`/incidents/${refs.incident}/versions?minReliability=G`, 'reader'), 400, 'validation-failed');
  });

  it('before anything was said (stated clock), the incident has no accounts yet', async () => {
    const doc = await asOf('2014-07-16');
    expect(speakers(doc)).toEqual([]);
  });

  it("the duplicate incident, merged into the survivor, points to it; the DPR's deleted post counts there, retracted, with its grade", async () => {
    const duplicate = await s.get(`/incidents/${refs.duplicate}`, 'reader');
    expect(duplicate.statusCode).toBe(200);
    expect(duplicate.json().mergedInto).toBe(refs.incident);
    const doc = (await s.get(`/incidents/${refs.incident}/versions`, 'reader')).json() as PartyVersionsDoc;
    const post = party(doc, P.dpr)!.claims.find((c) => c.claimId === refs['dpr-post'])!;
    expect(post).toMatchObject({ retracted: true, recordedIn: refs.duplicate });
    const history = (await s.get(`/incidents/${refs.incident}/claims/${refs['dpr-post']}/history`, 'auditor')).json();
    expect(history.grades.map((g: { reliability: string; credibility: number }) => `${g.reliability}${g.credibility}`)).toEqual(['C5']);
    // Listed once: the survivor only.
    const list = (await s.get('/incidents?limit=50', 'reader')).json();
    const ids = (list.items ?? list).map((i: { incidentId: string }) => i.incidentId);
    expect(ids).toContain(refs.incident);
    expect(ids).not.toContain(refs.duplicate);
  });

  it('a claim sent to the merged duplicate is refused, naming the survivor, and nothing is written', async () => {
    const head = await s.store.headPosition();
    const res = await s.post(`/incidents/${refs.duplicate}/claims`, {
      partyId: P.dpr,
      statement: { text: 'Another post.', verbatim: false, language: 'en' },
      statedAt: { at: '2014-07-18', precision: 'day' },
      source: { title: 'Post', publisher: 'Social media', publishedAt: '2014-07-18' },
    });
    expect(expectProblem(res, 422, 'incident-merged').survivorId).toBe(refs.incident);
    expect(await s.store.headPosition()).toBe(head);
  });

  it('refuses what the record does not allow, writing nothing: a party denying its own claim, a denial of a version that does not exist', async () => {
    const head = await s.store.headPosition();
    const base = `/incidents/${refs.incident}/claims/${refs['jit-claim']}/denials`;
    const denial = (partyId: string, extra: Record<string, unknown> = {}) => ({
      partyId,
      statement: { text: 'We deny it.', verbatim: false, language: 'en' },
      statedAt: { at: '2019-01-01', precision: 'day' },
      source: { title: 'Statement', publisher: 'Press office', publishedAt: '2019-01-01' },
      ...extra,
    });
    expectProblem(await s.post(base, denial(P.jit)), 422, 'cannot-deny-own-claim');
    expectProblem(await s.post(base, denial(P.mod, { claimVersion: 3 })), 422, 'claim-version-not-found');
    expect(await s.store.headPosition()).toBe(head);
  });
});
