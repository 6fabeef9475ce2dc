import { EVENT_STORE, EventStore, RecordedEvent } from '@ledger/event-store';
import type { ClaimHistoryDoc, IncidentChanges, PartyVersionsDoc } from '@ledger/read-models';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { DEMO, LedgerSession } from '../support/ledger-session';
import { LedgerTestApp, startLedger, TestRole } from '../support/ledger-test-app';
import { expectInvalidFields, expectProblem } from '../support/problem-assertions';

jest.setTimeout(30_000);

type VersionsAsOf = PartyVersionsDoc & { asOf: Record<string, string>; position: string };
type HistoryAsOf = ClaimHistoryDoc & { asOf: Record<string, string>; position: string };

const START = Date.parse('2026-11-28T12:00:00.000Z');
/** The pinned clock moves one minute before each step: step i of the demo is recorded at 12:(i+1). */
const recordedAt = (step: number): string => new Date(START + (step + 1) * 60_000).toISOString();
const justBefore = (iso: string): string => new Date(Date.parse(iso) - 1).toISOString();

/** The demo scenario's steps about the incident, by index. */
const STEP = {
  incident: 7,
  azModClaim: 8,
  azMfaClaim: 9,
  kdaClaim: 10,
  kdaDenial: 11,
  armMfaClaim: 12,
  azMfaDenial: 13,
  osceClaim: 14,
  correction: 15,
  amendment: 16,
} as const;

/**
 * Time travel for auditors (issue 4) on the seed article, recorded through
 * the API with a pinned clock so that every recorded time is known: the
 * ledger as it knew it at each moment, what the parties had said by a date,
 * what changed between two moments, and a claim's full history.
 */
describe('audit: time travel (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: Record<string, string>;
  let incidentEvents: RecordedEvent[];

  const I = () => refs.incident;
  const versions = async (query: string): Promise<VersionsAsOf> => {
    const res = await s.get(`/audit/incidents/${I()}/versions${query}`, 'auditor');
    expect({ query, status: res.statusCode, body: res.statusCode === 200 ? 'ok' : res.json() }).toEqual({ query, status: 200, body: 'ok' });
    return res.json();
  };
  const partyOf = (doc: VersionsAsOf, partyId: string) => doc.parties.find((p) => p.partyId === partyId);
  const azRole = (doc: VersionsAsOf) => partyOf(doc, DEMO.azDefence)?.currentAccount.casualties?.value[0].named?.[0].role;
  const kdaSoldier = (doc: VersionsAsOf) => partyOf(doc, DEMO.kda)?.claims[0].assertions.casualties?.[0].named?.[0].name;
  /** The incident event a step wrote (steps 7 on write one event each to the incident's stream). */
  const eventOf = (step: number) => incidentEvents[step - STEP.incident];

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    expect(DEMO_SCENARIO.steps).toHaveLength(17);
    refs = await runScenario(DEMO_SCENARIO, async ({ method, url, body, headers }) => {
      t.clock.advance(60_000);
      const res = await s.send({ method, url, payload: body as object, headers: { ...headers, ...s.bearer('recorder') } });
      return { status: res.statusCode, body: res.json() };
    });
    incidentEvents = await t.app.get<EventStore>(EVENT_STORE).readStream(`incident-${refs.incident}`);
    expect(incidentEvents.map((e) => e.metadata.recordedAt)).toEqual(Object.values(STEP).map(recordedAt));
  }, 60_000);

  afterAll(() => t?.close());

  describe('versions as of a recorded time: as the ledger knew it then', () => {
    it('404 for the incident asked about before it was reported, naming the moment', async () => {
      const res = await s.get(`/audit/incidents/${I()}/versions?recordedAsOf=${justBefore(recordedAt(STEP.incident))}`, 'auditor');
      const problem = expectProblem(res, 404, 'not-found');
      expect(problem.asOf).toEqual({ clock: 'recorded', at: '2026-11-28T12:07:59.999Z' });
      expect(problem.detail).toContain('recorded time 2026-11-28T12:07:59.999Z');
    });

    it.each(Object.entries(STEP))('%s: just before it was recorded the answer ends at the event before it; from then on, at it', async (_name, step) => {
      const after = await versions(`?recordedAsOf=${recordedAt(step)}`);
      expect(after.asOf).toEqual({ clock: 'recorded', at: recordedAt(step) });
      expect(after.position).toBe(eventOf(step).position.toString());
      expect(after.lastRecordedAt).toBe(recordedAt(step));
      // The same moment on the position clock gives the same answer.
      const { asOf: _a, ...byTime } = after;
      const { asOf: _b, ...byPosition } = await versions(`?position=${after.position}`);
      expect(byPosition).toEqual(byTime);
      if (step === STEP.incident) return;
      const before = await versions(`?recordedAsOf=${justBefore(recordedAt(step))}`);
      expect(before.position).toBe(eventOf(step - 1).position.toString());
    });

    it('shows the incident with no party versions right after it was reported', async () => {
      const doc = await versions(`?recordedAsOf=${recordedAt(STEP.incident)}`);
      expect(doc.incident?.title).toBe('Deadly ceasefire violations on the Karabakh line of contact');
      expect(doc.parties).toEqual([]);
      expect(doc.disagreements).toEqual([]);
    });

    it("shows Aqil Omarov as a serviceman until Baku's correction was recorded, a mid-ranking officer from then on", async () => {
      const before = await versions(`?recordedAsOf=${justBefore(recordedAt(STEP.correction))}`);
      const after = await versions(`?recordedAsOf=${recordedAt(STEP.correction)}`);
      expect([azRole(before), partyOf(before, DEMO.azDefence)?.claims[0].version]).toEqual(['serviceman', 1]);
      expect([azRole(after), partyOf(after, DEMO.azDefence)?.claims[0].version]).toEqual(['mid-ranking officer', 2]);
    });

    it("shows the soldier's name as mistyped (Melkonyan) until the ledger's amendment was recorded, Melkonian from then on", async () => {
      expect(kdaSoldier(await versions(`?recordedAsOf=${justBefore(recordedAt(STEP.amendment))}`))).toBe('Sipan Melkonyan');
      expect(kdaSoldier(await versions(`?recordedAsOf=${recordedAt(STEP.amendment)}`))).toBe('Sipan Melkonian');
    });

    it('has no version for a party before its first entry: the mediators appear with their claim', async () => {
      expect(partyOf(await versions(`?recordedAsOf=${justBefore(recordedAt(STEP.osceClaim))}`), DEMO.osce)).toBeUndefined();
      expect(partyOf(await versions(`?recordedAsOf=${recordedAt(STEP.osceClaim)}`), DEMO.osce)?.claims.map((c) => c.claimId)).toEqual([refs['osce-claim']]);
    });

    it("shows the Karabakh army's denial as a point of disagreement only once it was recorded", async () => {
      const denials = (doc: VersionsAsOf) => doc.disagreements.filter((d) => d.kind === 'denial').map((d) => d.positions.find((p) => p.role === 'denier')?.denialId);
      expect(denials(await versions(`?recordedAsOf=${justBefore(recordedAt(STEP.kdaDenial))}`))).toEqual([]);
      expect(denials(await versions(`?recordedAsOf=${recordedAt(STEP.kdaDenial)}`))).toEqual([refs['kda-denial']]);
    });

    it('without a moment answers for now, and equals what readers see', async () => {
      const now = await versions('');
      expect(now.asOf).toEqual({ clock: 'recorded', at: t.clock.now().toISOString() });
      // The reader's answer is the first page of the same document: the demo incident fits on it.
      const { page, ...current } = (await s.get(`/incidents/${I()}/versions`, 'reader')).json();
      expect(page).toEqual({ limit: 100, after: null, next: null });
      const { asOf: _asOf, position, ...doc } = now;
      expect(doc).toEqual(current);
      expect(position).toBe(current.lastPosition);
    });
  });

  describe('versions as of a stated time: what the parties had said by then', () => {
    it('shows the incident with nothing said before the first statement, although all was recorded years later', async () => {
      const doc = await versions('?statedAsOf=2019-05-29');
      expect(doc.asOf).toEqual({ clock: 'stated', at: '2019-05-29T23:59:59.999Z' });
      expect(doc.incident?.title).toBe('Deadly ceasefire violations on the Karabakh line of contact');
      expect(doc.parties).toEqual([]);
    });

    it('has statements the recorded clock does not have at the same date: the ledger recorded them later', async () => {
      expect(partyOf(await versions('?statedAsOf=2019-06-01'), DEMO.kda)).toBeDefined();
      expectProblem(await s.get(`/audit/incidents/${I()}/versions?recordedAsOf=2019-06-01`, 'auditor'), 404, 'not-found');
    });

    it('counts a statement known to the day only once that day is over', async () => {
      expect((await versions('?statedAsOf=2019-05-30T12:00:00Z')).parties).toEqual([]);
      expect((await versions('?statedAsOf=2019-05-30')).parties.map((p) => p.partyId)).toEqual([DEMO.azDefence]);
    });

    it('adds each party once it had spoken, the correction with the claim it corrects when both were said the same day', async () => {
      const may30 = await versions('?statedAsOf=2019-05-30');
      // Baku corrected the rank on 30 May too: by the end of that day it had said both.
      expect(azRole(may30)).toBe('mid-ranking officer');
      expect((await versions('?statedAsOf=2019-05-31')).parties.map((p) => p.partyId)).toEqual([DEMO.azDefence, DEMO.azForeign]);
      expect((await versions('?statedAsOf=2019-06-01')).parties.map((p) => p.partyId)).toEqual([DEMO.azDefence, DEMO.azForeign, DEMO.kda, DEMO.osce]);
    });

    it("shows the Karabakh army's claim correctly spelt from the moment it counts: the ledger's fix travels with its entry", async () => {
      expect(kdaSoldier(await versions('?statedAsOf=2019-06-01'))).toBe('Sipan Melkonian');
    });

    it('after the last statement equals the present', async () => {
      const { asOf: _a, position: _p, ...stated } = await versions('?statedAsOf=2019-06-02');
      const { page: _page, ...present } = (await s.get(`/incidents/${I()}/versions`, 'reader')).json();
      expect(stated).toEqual(present);
    });
  });

  describe('changes between two moments', () => {
    const changes = async (query: string): Promise<IncidentChanges> => {
      const res = await s.get(`/audit/incidents/${I()}/changes${query}`, 'auditor');
      expect({ status: res.statusCode, body: res.statusCode === 200 ? 'ok' : res.json() }).toEqual({ status: 200, body: 'ok' });
      return res.json();
    };

    it("between the mediators' claim and the amendment (recorded clock): Baku's correction, and the ledger's fix apart", async () => {
      const c = await changes(`?clock=recorded&from=${recordedAt(STEP.osceClaim)}&to=${recordedAt(STEP.amendment)}`);
      expect(c).toMatchObject({
        from: { clock: 'recorded', at: recordedAt(STEP.osceClaim) },
        to: { clock: 'recorded', at: recordedAt(STEP.amendment) },
        fromPosition: eventOf(STEP.osceClaim).position.toString(),
        toPosition: eventOf(STEP.amendment).position.toString(),
        eventIds: [eventOf(STEP.correction).eventId, eventOf(STEP.amendment).eventId],
      });
      expect(c.parties.map((p) => p.partyId)).toEqual([DEMO.azDefence, DEMO.kda]);
      const [az, kda] = c.parties;
      expect(az.claimsCorrected).toEqual([
        expect.objectContaining({
          claimId: refs['az-mod-claim'],
          fromVersion: 1,
          toVersion: 2,
          corrections: [expect.objectContaining({ version: 2, reason: 'The ministry identified the victim as a mid-ranking officer.', recordedBy: 'test-recorder' })],
          changes: expect.arrayContaining([{ path: 'assertions.casualties[0].named[0].role', from: 'serviceman', to: 'mid-ranking officer' }]),
        }),
      ]);
      expect(az.accountChanges).toEqual([{ path: 'casualties[0].named[0].role', from: 'serviceman', to: 'mid-ranking officer' }]);
      expect(az.entriesAmended).toEqual([]);
      expect(kda.claimsCorrected).toEqual([]);
      expect(kda.entriesAmended).toEqual([
        expect.objectContaining({
          entry: { kind: 'claim', claimId: refs['kda-claim'], version: 1 },
          changes: expect.arrayContaining([{ path: 'assertions.casualties[0].named[0].name', from: 'Sipan Melkonyan', to: 'Sipan Melkonian' }]),
        }),
      ]);
      expect(c.disagreements).toEqual({ appeared: [], disappeared: [], changed: [] });
    });

    it('between two stated dates: what the Karabakh army and the mediators said on 1 June, and the disagreements it opened', async () => {
      const c = await changes('?clock=stated&from=2019-05-31&to=2019-06-01');
      expect(c.parties.map((p) => p.partyId)).toEqual([DEMO.azDefence, DEMO.kda, DEMO.osce]);
      const kda = c.parties[1];
      expect(kda.before).toBeNull();
      expect(kda.claimsAdded.map((a) => a.claimId)).toEqual([refs['kda-claim']]);
      expect(kda.denialsMade.map((d) => d.denialId)).toEqual([refs['kda-denial']]);
      expect(c.parties[0].denialsReceived).toEqual([{ denialId: refs['kda-denial'], partyId: DEMO.kda, claimId: refs['az-mod-claim'] }]);
      // The two Azerbaijani ministries already blamed different parties; now the army blames Baku's military too.
      expect(c.disagreements.appeared.map((d) => d.field)).toEqual(['ceasefire', 'occurred', 'ceasefire,responsibleParties']);
      expect(c.disagreements.changed.map((d) => d.after.field)).toEqual(['responsibleParties']);
      expect(c.disagreements.disappeared).toEqual([]);
    });

    it('on the position clock, up to now when `to` is left out', async () => {
      const c = await changes(`?clock=position&from=${eventOf(STEP.correction).position}`);
      expect(c.eventIds).toEqual([eventOf(STEP.amendment).eventId]);
      expect(BigInt(c.toPosition)).toBe(eventOf(STEP.amendment).position);
    });

    it('404 when the incident did not exist at the later moment', async () => {
      const res = await s.get(`/audit/incidents/${I()}/changes?from=2026-11-28T12:00:00Z&to=2026-11-28T12:05:00Z`, 'auditor');
      expect(expectProblem(res, 404, 'not-found').asOf).toEqual({ clock: 'recorded', at: '2026-11-28T12:05:00.000Z' });
    });
  });

  describe("a claim's full history", () => {
    const history = async (claim: string, query = ''): Promise<HistoryAsOf> => {
      const res = await s.get(`/audit/incidents/${I()}/claims/${refs[claim]}/history${query}`, 'auditor');
      expect({ status: res.statusCode, body: res.statusCode === 200 ? 'ok' : res.json() }).toEqual({ status: 200, body: 'ok' });
      return res.json();
    };

    it('shows every version with what changed, who recorded it, when it was said and recorded, and its source; denials received', async () => {
      const h = await history('az-mod-claim');
      expect(h.versions.map((v) => [v.version, v.kind, v.recordedBy, v.recordedAt, v.statedAt.at])).toEqual([
        [1, 'made', 'test-recorder', recordedAt(STEP.azModClaim), '2019-05-30'],
        [2, 'corrected', 'test-recorder', recordedAt(STEP.correction), '2019-05-30'],
      ]);
      expect(h.versions[1].source.publisher).toBe('News report of 2019-06-03 (seed article)');
      expect(h.versions[1].changes).toEqual(
        expect.arrayContaining([
          { path: 'statement.text', from: 'One of our servicemen, Aqil Omarov, was shot and killed by enemy fire near Karabakh.', to: 'One of our officers, Aqil Omarov, was shot and killed by enemy fire near Karabakh.' },
          { path: 'assertions.casualties[0].named[0].role', from: 'serviceman', to: 'mid-ranking officer' },
        ]),
      );
      expect(h.amendments).toEqual([]);
      expect(h.denials.map((d) => [d.denialId, d.partyId, d.recordedBy])).toEqual([[refs['kda-denial'], DEMO.kda, 'test-recorder']]);
      expect([h.retracted, h.retraction]).toEqual([false, null]);
    });

    it("keeps the ledger's amendment apart from the party's versions", async () => {
      const h = await history('kda-claim');
      expect(h.versions).toHaveLength(1);
      expect(h.amendments).toEqual([
        expect.objectContaining({
          target: 'claim',
          version: 1,
          recordedAt: recordedAt(STEP.amendment),
          recordedBy: 'test-recorder',
          changes: expect.arrayContaining([{ path: 'statement.text', from: expect.stringContaining('Melkonyan'), to: expect.stringContaining('Melkonian') }]),
        }),
      ]);
    });

    it('as of a moment: before the correction only version 1; before the claim was made, 404', async () => {
      const before = await history('az-mod-claim', `?recordedAsOf=${justBefore(recordedAt(STEP.correction))}`);
      expect([before.currentVersion, before.versions.length, before.position]).toEqual([1, 1, eventOf(STEP.osceClaim).position.toString()]);
      const res = await s.get(`/audit/incidents/${I()}/claims/${refs['az-mod-claim']}/history?position=${eventOf(STEP.incident).position}`, 'auditor');
      expect(expectProblem(res, 404, 'not-found').asOf).toEqual({ clock: 'position', position: eventOf(STEP.incident).position.toString() });
    });

    it('is the same through the auditors\' path under the claim, which readers keep without /history', async () => {
      const { asOf: _a, position: _p, ...audited } = await history('az-mod-claim');
      const underClaim = await s.get(`/incidents/${I()}/claims/${refs['az-mod-claim']}/history`, 'auditor');
      expect(underClaim.json()).toEqual(audited);
      const forReaders = (await s.get(`/incidents/${I()}/claims/${refs['az-mod-claim']}`, 'reader')).json();
      const current = audited.versions[audited.versions.length - 1];
      expect(forReaders).toMatchObject({ currentVersion: audited.currentVersion, statement: current.statement, assertions: current.assertions });
      // Readers get the claim as it stands; its earlier versions and who recorded them are history.
      expect(forReaders).not.toHaveProperty('versions');
      expect(forReaders).not.toHaveProperty('amendments');
      expect(JSON.stringify(forReaders)).not.toContain('recordedBy');
    });
  });

  describe('who may ask', () => {
    const urls = () => [
      `/audit/incidents/${I()}/versions`,
      `/audit/incidents/${I()}/changes?from=0&clock=position`,
      `/audit/incidents/${I()}/claims/${refs['az-mod-claim']}/history`,
      `/incidents/${I()}/claims/${refs['az-mod-claim']}/history`,
    ];

    it.each(['reader', 'recorder'] as TestRole[])('the %s role: 403 naming the auditor role', async (role) => {
      for (const url of urls()) {
        const problem = expectProblem(await s.get(url, role), 403, 'forbidden');
        expect({ url, requiredRoles: problem.requiredRoles }).toEqual({ url, requiredRoles: ['auditor'] });
      }
    });

    it.each(['auditor', 'admin'] as TestRole[])('the %s role: 200', async (role) => {
      for (const url of urls()) expect({ url, status: (await s.get(url, role)).statusCode }).toEqual({ url, status: 200 });
    });
  });

  describe('bad input', () => {
    const bad = (path: string) => s.get(`/audit/incidents/${I()}/${path}`, 'auditor');

    it.each([
      ['versions?recordedAsOf=yesterday', ['recordedAsOf']],
      ['versions?recordedAsOf=2019-06-03T09:00:00', ['recordedAsOf']],
      ['versions?statedAsOf=2019-02-30', ['statedAsOf']],
      ['versions?position=-1', ['position']],
      ['versions?position=1.5', ['position']],
      ['versions?position=abc', ['position']],
      ['versions?position=1&position=2', ['position']],
      ['versions?recordedAsOf=2019-06-03&statedAsOf=2019-06-03', ['recordedAsOf', 'statedAsOf']],
      ['versions?recordedAsOf=2019-06-03&position=3', ['recordedAsOf', 'position']],
      ['versions?asOf=2019-06-03', ['asOf']],
      ['claims/00000000-0000-4000-8000-000000000000/history?statedAsOf=soon', ['statedAsOf']],
      ['changes', ['from']],
      ['changes?from=2019-06-03&clock=valid', ['clock']],
      ['changes?from=later&to=sooner', ['from', 'to']],
      ['changes?clock=position&from=3.5&to=-2', ['from', 'to']],
      ['changes?from=2019-06-03&to=2019-06-02', ['from']],
      ['changes?clock=position&from=9&to=8', ['from']],
      ['changes?clock=stated&from=2019-06-02&to=2019-06-01T12:00:00Z', ['from']],
    ])('%s: 400 naming %j', async (path, fields) => {
      expectInvalidFields(await bad(path), fields);
    });

    it('400 naming the path parameter for a malformed incident id', async () => {
      expectInvalidFields(await s.get('/audit/incidents/not-a-uuid/versions', 'auditor'), ['incidentId']);
    });

    it('404 for an incident the ledger never had', async () => {
      expectProblem(await s.get('/audit/incidents/00000000-0000-4000-8000-000000000000/versions', 'auditor'), 404, 'not-found');
    });
  });

  describe('a page at a time', () => {
    type Paged = VersionsAsOf & { page?: { limit: number | null; after: string | null; next: string | null } };
    const entriesOf = (doc: VersionsAsOf) =>
      doc.parties.flatMap((p) => [...p.claims.map((c) => `claim ${c.claimId}`), ...p.denialsMade.map((d) => `denial ${d.denialId}`)]).sort();
    const at = () => `recordedAsOf=${recordedAt(STEP.amendment)}`;

    it('without a limit, a small incident\'s answer is whole, with no page', async () => {
      expect((await versions(`?${at()}`)) as Paged).not.toHaveProperty('page');
    });

    it('with a limit, its claims and denials page by page (parties, accounts and disagreements whole); the pages make up the whole', async () => {
      const whole = await versions(`?${at()}`);
      const seen: string[] = [];
      let after: string | null = null;
      let pages = 0;
      do {
        const page: Paged = await versions(`?${at()}&limit=2${after ? `&after=${after}` : ''}`);
        expect(page.page).toMatchObject({ limit: 2, after });
        expect(entriesOf(page).length).toBeLessThanOrEqual(2);
        expect(page.disagreements).toEqual(whole.disagreements);
        expect(page.parties.map((p) => [p.partyId, p.currentAccount])).toEqual(whole.parties.map((p) => [p.partyId, p.currentAccount]));
        seen.push(...entriesOf(page));
        after = page.page!.next;
        pages++;
      } while (after !== null && pages < 20);
      expect(pages).toBeGreaterThan(2);
      expect(seen.sort()).toEqual(entriesOf(whole));
    });

    it('400 naming the field for a limit out of range or a cursor that is no position', async () => {
      expectInvalidFields(await s.get(`/audit/incidents/${I()}/versions?${at()}&limit=0`, 'auditor'), ['limit']);
      expectInvalidFields(await s.get(`/audit/incidents/${I()}/versions?${at()}&limit=1001`, 'auditor'), ['limit']);
      expectInvalidFields(await s.get(`/audit/incidents/${I()}/versions?${at()}&after=soon`, 'auditor'), ['after']);
      const past = await s.get(`/audit/incidents/${I()}/versions?${at()}&after=9999999999999999999`, 'auditor');
      expectProblem(past, 400, 'invalid-query');
      expect(past.json().field).toBe('after');
    });

    it('the changes too: whole without a limit; with one, each change on one page and the pages make up the whole', async () => {
      type PagedChanges = IncidentChanges & { page?: { limit: number; after: string | null; next: string | null } };
      const window = `clock=position&from=0&to=${eventOf(STEP.amendment).position}`;
      const get = async (query: string): Promise<PagedChanges> => {
        const res = await s.get(`/audit/incidents/${I()}/changes?${query}`, 'auditor');
        expect(res.statusCode).toBe(200);
        return res.json();
      };
      const whole = await get(window);
      expect(whole).not.toHaveProperty('page');
      const added = (doc: IncidentChanges) => doc.parties.flatMap((p) => p.claimsAdded.map((c) => c.claimId)).sort();
      const seen: { added: string[]; eventIds: string[] } = { added: [], eventIds: [] };
      let after: string | null = null;
      let pages = 0;
      do {
        const page: PagedChanges = await get(`${window}&limit=2${after ? `&after=${after}` : ''}`);
        expect(page.page).toMatchObject({ limit: 2, after });
        expect(page.disagreements).toEqual(whole.disagreements);
        expect(page.incident).toEqual(whole.incident);
        seen.added.push(...added(page));
        seen.eventIds.push(...page.eventIds);
        after = page.page!.next;
        pages++;
      } while (after !== null && pages < 20);
      expect(pages).toBeGreaterThan(2);
      expect(seen.added.sort()).toEqual(added(whole));
      expect(seen.eventIds.sort()).toEqual([...whole.eventIds].sort());
      expectInvalidFields(await s.get(`/audit/incidents/${I()}/changes?${window}&limit=0`, 'auditor'), ['limit']);
      expectInvalidFields(await s.get(`/audit/incidents/${I()}/changes?${window}&after=soon`, 'auditor'), ['after']);
    });
  });

  // Last: it adds to the incident.
  it('shows a statement made early but recorded late on the stated clock at its date, and not on the recorded clock before it was recorded', async () => {
    t.clock.advance(60_000);
    const late = await s.post(`/incidents/${I()}/claims`, {
      partyId: DEMO.osce,
      statement: { text: 'The Co-Chairs had already urged restraint on 29 May.', verbatim: false },
      statedAt: { at: '2019-05-29', precision: 'day' },
      source: { title: 'Earlier statement', publisher: 'OSCE' },
      assertions: {},
    });
    expect(late.statusCode).toBe(201);
    const lateAt = t.clock.now().toISOString();
    const claimId = late.json().claimId;
    expect(partyOf(await versions('?statedAsOf=2019-05-29'), DEMO.osce)?.claims.map((c) => c.claimId)).toEqual([claimId]);
    expect(partyOf(await versions(`?recordedAsOf=${justBefore(lateAt)}`), DEMO.osce)?.claims.map((c) => c.claimId)).toEqual([refs['osce-claim']]);
    expect(partyOf(await versions(`?recordedAsOf=${lateAt}`), DEMO.osce)?.claims.map((c) => c.claimId)).toEqual([refs['osce-claim'], claimId]);
  });
});
