import { randomUUID } from 'node:crypto';
import type { Response } from 'light-my-request';
import { jsonPaths, valueAt, withReplaced } from '../support/json-paths';
import { DEMO, DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import {
  expectInvalidFields,
  expectProblem,
  expectRefusal,
  expectSomeClientProblem,
  namedFields,
} from '../support/problem-assertions';

// Each test is quick alone; the margin is for a machine busy with other suites.
jest.setTimeout(20_000);

/**
 * Bad input as a new user would send it. Every case checks the status, the
 * problem document (media type, status, code, the field at fault) and that
 * the global log did not move.
 */
describe('bad input (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;
  // Demo ids: the incident, a claim by the Azerbaijani MoD, one by the Karabakh army, the mediators' (asserts nothing).
  let I: string;
  let azClaim: string;
  let kdaClaim: string;
  let osceClaim: string;

  const claims = () => `/incidents/${I}/claims`;
  const claimUrl = (claimId: string) => `/incidents/${I}/claims/${claimId}`;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    refs = await s.playDemo();
    I = refs.incident;
    azClaim = refs['az-mod-claim'];
    kdaClaim = refs['kda-claim'];
    osceClaim = refs['osce-claim'];
  }, 30_000);

  afterAll(() => t?.close());

  /** POST as the recorder and assert nothing was written. */
  const refused = (url: string, body: unknown, headers: Record<string, string> = {}) => s.unchanged(() => s.post(url, body, headers));

  /** Every command route with a body that would be accepted, resolved once the demo has run. */
  const commandRoutes = (): Array<{ name: string; url: string; body: Record<string, unknown> }> => [
    { name: 'register party', url: '/parties', body: valid.party('new-armed-group') },
    { name: 'report incident', url: '/incidents', body: valid.incident() },
    { name: 'make claim', url: claims(), body: valid.claim() },
    { name: 'deny claim', url: `${claimUrl(azClaim)}/denials`, body: valid.denial() },
    { name: 'correct claim', url: `${claimUrl(azClaim)}/corrections`, body: valid.correction() },
    { name: 'retract claim', url: `${claimUrl(azClaim)}/retraction`, body: valid.retraction() },
    { name: 'amend entry', url: `/incidents/${I}/amendments`, body: valid.amendment(kdaClaim) },
  ];
  const routeNames = ['register party', 'report incident', 'make claim', 'deny claim', 'correct claim', 'retract claim', 'amend entry'];
  const route = (name: string) => commandRoutes().find((r) => r.name === name)!;

  describe('missing required fields: 400 naming each of them', () => {
    it.each([
      ['register party', ['partyId', 'name', 'kind']],
      ['report incident', ['title', 'summary', 'occurred', 'location', 'category']],
      ['make claim', ['partyId', 'statement', 'statedAt', 'source']],
      ['deny claim', ['partyId', 'statement', 'statedAt', 'source']],
      // A correction or retraction may leave the words out, never the reason.
      ['correct claim', ['partyId', 'reason', 'statedAt', 'source']],
      ['retract claim', ['partyId', 'reason', 'statedAt', 'source']],
      ['amend entry', ['entry', 'changes', 'reason']],
    ])('%s with an empty object', async (name, fields) => {
      expectInvalidFields(await refused(route(name).url, {}), fields);
    });

    it.each([
      ['statement', { statement: {} }, ['statement.text', 'statement.verbatim']],
      ['statedAt', { statedAt: {} }, ['statedAt.at', 'statedAt.precision']],
      ['source', { source: { url: 'https://example.org/a' } }, ['source.title', 'source.publisher']],
      ['casualty estimate', { assertions: { casualties: [{ side: DEMO.azDefence, killed: {} }] } }, ['assertions.casualties[0].killed.best']],
      ['named person', { assertions: { casualties: [{ side: DEMO.azDefence, named: [{ role: 'officer' }] }] } }, [
        'assertions.casualties[0].named[0].name',
        'assertions.casualties[0].named[0].status',
      ]],
    ])('a claim with an incomplete %s', async (_what, patch, fields) => {
      expectInvalidFields(await refused(claims(), { ...valid.claim(), ...patch }), fields);
    });

    it('an incident whose interval has only a precision', async () => {
      expectInvalidFields(await refused('/incidents', { ...valid.incident(), occurred: { precision: 'day' } }), ['occurred.from', 'occurred.to']);
    });

    it('an amendment of a claim that does not say which claim and version', async () => {
      const body = { ...valid.amendment(kdaClaim), entry: { kind: 'claim' } };
      expectInvalidFields(await refused(`/incidents/${I}/amendments`, body), ['entry.claimId', 'entry.version']);
    });
  });

  describe('wrong types: 400 naming the exact path', () => {
    const claimWith = (assertions: unknown) => ({ ...valid.claim(), assertions });

    it.each([
      ['a string for a number', claimWith({ casualties: [{ side: DEMO.azDefence, killed: { best: 'one' } }] }), ['assertions.casualties[0].killed.best']],
      ['a number for a string', { ...valid.claim(), statement: { text: 42, verbatim: false } }, ['statement.text']],
      ['a number for a party id', { ...valid.claim(), partyId: 7 }, ['partyId']],
      ['a string for a boolean', { ...valid.claim(), statement: { text: 'words', verbatim: 'yes' } }, ['statement.verbatim']],
      ['an object for an array', claimWith({ casualties: { side: DEMO.azDefence } }), ['assertions.casualties']],
      ['a string for an array', claimWith({ responsibleParties: DEMO.kda }), ['assertions.responsibleParties']],
      ['a string for an object', { ...valid.claim(), source: 'the seed article' }, ['source']],
      ['a string for a boolean deep inside', claimWith({ ceasefire: { violated: 'true', by: [DEMO.kda] } }), ['assertions.ceasefire.violated']],
    ])('%s', async (_what, body, fields) => {
      expectInvalidFields(await refused(claims(), body), fields);
    });

    it('an array for an object names the object', async () => {
      const res = await refused(claims(), { ...valid.claim(), statedAt: ['2019-05-30', 'day'] });
      const fields = expectProblem(res, 400, 'validation-failed').errors?.map((e) => e.field) ?? [];
      expect(fields).toContain('statedAt');
      // The array's items may be named too (as members that should not exist), nothing outside it.
      expect(fields.filter((f) => !f.startsWith('statedAt'))).toEqual([]);
    });

    it('several wrong types at once are all named', async () => {
      const body = { partyId: 'x y', name: 42, kind: 'state', aliases: 'Baku', affiliation: { description: 7 } };
      expectInvalidFields(await refused('/parties', body), ['partyId', 'name', 'aliases', 'affiliation.description']);
    });

    it('a string for a coordinate', async () => {
      const body = { ...valid.incident(), location: { name: 'Tovuz', precision: 'exact', coordinates: { lat: '40.9', lon: 45.6 } } };
      expectInvalidFields(await refused('/incidents', body), ['location.coordinates.lat']);
    });
  });

  describe('an array where an object or a list of objects or strings belongs: 400 naming the member', () => {
    // Every optional nested member present, so that each object and each list of a write body is tried.
    const assertions = () => ({
      responsibleParties: [DEMO.kda],
      ceasefire: { violated: true, by: [DEMO.kda] },
      casualties: [{ side: DEMO.azDefence, killed: { best: 1 }, wounded: { best: 2, low: 1, high: 3 }, named: [{ name: 'Aqil Omarov', role: 'officer', status: 'killed' }] }],
      occurred: { from: '2019-05-30', to: '2019-06-01', precision: 'day' },
      location: { name: 'Tovuz', precision: 'exact', coordinates: { lat: 40.9, lon: 45.6 } },
    });
    const fullBodies = (): Array<{ name: string; url: string; body: Record<string, unknown> }> => [
      { name: 'register party', url: '/parties', body: { ...valid.party('nested-array-group'), aliases: ['NAG'], affiliation: { partyId: DEMO.kda, description: 'a unit of it' } } },
      { name: 'report incident', url: '/incidents', body: { ...valid.incident(), location: { name: 'Tovuz', precision: 'exact', coordinates: { lat: 40.9, lon: 45.6 } } } },
      { name: 'make claim', url: claims(), body: { ...valid.claim(), assertions: assertions() } },
      { name: 'deny claim', url: `${claimUrl(azClaim)}/denials`, body: valid.denial() },
      { name: 'correct claim', url: `${claimUrl(azClaim)}/corrections`, body: { ...valid.correction(), assertions: assertions() } },
      { name: 'retract claim', url: `${claimUrl(azClaim)}/retraction`, body: valid.retraction() },
      { name: 'amend entry', url: `/incidents/${I}/amendments`, body: { ...valid.amendment(kdaClaim), changes: { assertions: assertions(), removedAssertions: ['location'] } } },
    ];
    const fieldOf = (path: Array<string | number>) => path.map((key, i) => (typeof key === 'number' ? `[${key}]` : i === 0 ? key : `.${key}`)).join('');
    /** Each object wrapped in an array ([{…}], and []), each list nested in one ([[…]], and [[]]). */
    const cases = () =>
      fullBodies().flatMap(({ name, url, body }) =>
        jsonPaths(body)
          .map((path) => ({ path, value: valueAt(body, path) }))
          .filter(({ value }) => typeof value === 'object' && value !== null)
          .flatMap(({ path, value }) => [[value], Array.isArray(value) ? [[]] : []].map((replacement) => ({ name, url, path, body: withReplaced(body, path, replacement) }))),
      );

    it('covers every object and list of every write body', () => {
      const fields = new Set(cases().map(({ name, path }) => `${name} ${fieldOf(path)}`));
      for (const field of ['make claim assertions.casualties', 'make claim assertions.responsibleParties', 'make claim assertions.casualties[0].named', 'make claim assertions.casualties[0].killed', 'amend entry changes.assertions.casualties', 'register party aliases', 'report incident location.coordinates']) {
        expect(fields).toContain(field);
      }
    });

    it('each is refused, naming that member (an item: its list) and nothing outside it, and writes nothing', async () => {
      // All of them before failing: one run shows every member that lets an array through.
      const wrong: string[] = [];
      for (const { name, url, path, body } of cases()) {
        const before = await s.head();
        const res = await s.post(url, body);
        // An item of a list is named by its list ("each value in … must be an object").
        const field = fieldOf(typeof path[path.length - 1] === 'number' ? path.slice(0, -1) : path);
        const named = res.statusCode === 400 ? namedFields(res.json()) : [];
        const wrote = (await s.head()) !== before;
        if (res.statusCode !== 400 || wrote || !named.includes(field) || named.some((f) => !f.startsWith(field))) {
          const sent = JSON.stringify(valueAt(body, path));
          wrong.push(`${name} ${field}=${sent}: ${res.statusCode}${wrote ? ' (written)' : ''} ${named.join(', ')}`);
        }
      }
      expect(wrong).toEqual([]);
    }, 120_000);
  });

  describe('invalid enum values and dates: 400 naming the field', () => {
    it.each([
      ['party kind', '/parties', () => ({ ...valid.party('warlords'), kind: 'warlord' }), ['kind']],
      ['party description not text', '/parties', () => ({ ...valid.party('describers'), kind: 'company', description: 42 }), ['description']],
      ['incident category', '/incidents', () => ({ ...valid.incident(), category: 'riot' }), ['category']],
      ['time precision', 'claims', () => ({ ...valid.claim(), statedAt: { at: '2019-05-30', precision: 'fortnight' } }), ['statedAt.precision']],
      ['person status', 'claims', () => ({
        ...valid.claim(),
        assertions: { casualties: [{ side: DEMO.azDefence, named: [{ name: 'Aqil Omarov', status: 'dead' }] }] },
      }), ['assertions.casualties[0].named[0].status']],
      ['denied assertion', 'denial', () => ({ ...valid.denial(), deniedAssertions: ['weather'] }), ['deniedAssertions']],
      ['denied claim version zero', 'denial', () => ({ ...valid.denial(), claimVersion: 0 }), ['claimVersion']],
      ['fractional denied claim version', 'denial', () => ({ ...valid.denial(), claimVersion: 1.5 }), ['claimVersion']],
      ['denied claim version as text', 'denial', () => ({ ...valid.denial(), claimVersion: '1' }), ['claimVersion']],
      ['entry kind', 'amendments', () => ({ ...valid.amendment(kdaClaim), entry: { kind: 'rumour' } }), ['entry.kind']],
      ['impossible date', 'claims', () => ({ ...valid.claim(), statedAt: { at: '2019-02-30', precision: 'day' } }), ['statedAt.at']],
      ['words for a date', '/incidents', () => ({ ...valid.incident(), occurred: { from: 'last Friday', to: '2019-06-01', precision: 'day' } }), ['occurred.from']],
      ['day-first date', 'claims', () => ({ ...valid.claim(), source: { ...valid.claim().source, publishedAt: '03/06/2019' } }), ['source.publishedAt']],
      ['URL without a web scheme', 'claims', () => ({ ...valid.claim(), source: { ...valid.claim().source, url: 'javascript:alert(1)' } }), ['source.url']],
      ['latitude out of range', '/incidents', () => ({
        ...valid.incident(),
        location: { name: 'Tovuz', precision: 'exact', coordinates: { lat: 91, lon: 45.6 } },
      }), ['location.coordinates.lat']],
    ])('%s', async (_what, target, body, fields) => {
      const url =
        target === 'claims' ? claims() : target === 'denial' ? `${claimUrl(azClaim)}/denials` : target === 'amendments' ? `/incidents/${I}/amendments` : target;
      expectInvalidFields(await refused(url, body()), fields);
    });

    it('a date-time without an offset is refused by the ledger rule on instants (422 invalid-time)', async () => {
      const body = { ...valid.claim(), statedAt: { at: '2019-05-30T22:00:00', precision: 'exact' } };
      expectRefusal(await refused(claims(), body), 422, 'invalid-time', 'statedAt.at');
    });

    it('an interval that ends before it starts (422 invalid-interval)', async () => {
      const body = { ...valid.incident(), occurred: { from: '2019-06-01', to: '2019-05-30', precision: 'day' } };
      expectRefusal(await refused('/incidents', body), 422, 'invalid-interval', 'occurred');
    });
  });

  describe('casualty estimates', () => {
    const withKilled = (killed: unknown, wounded?: unknown) => ({
      ...valid.claim(),
      assertions: { casualties: [{ side: DEMO.azDefence, killed, ...(wounded === undefined ? {} : { wounded }) }] },
    });

    it.each([
      ['a negative best figure', withKilled({ best: -1 }), ['assertions.casualties[0].killed.best']],
      ['a fractional low figure', withKilled({ best: 2, low: 1.5 }), ['assertions.casualties[0].killed.low']],
      ['a negative high figure for the wounded', withKilled({ best: 1 }, { best: 0, high: -2 }), ['assertions.casualties[0].wounded.high']],
    ])('%s: 400', async (_what, body, fields) => {
      expectInvalidFields(await refused(claims(), body), fields);
    });

    it.each([
      ['low above best', { best: 1, low: 3 }],
      ['best above high', { best: 5, high: 2 }],
    ])('%s: 422 invalid-estimate naming the estimate', async (_what, killed) => {
      expectRefusal(await refused(claims(), withKilled(killed)), 422, 'invalid-estimate', 'assertions.casualties[0].killed');
    });
  });

  describe('unknown parties: 422 unknown-party naming where the id sits', () => {
    const ghost = 'ghost-brigade';
    it.each([
      ['the claimant', 'claims', () => ({ ...valid.claim(), partyId: ghost }), 'partyId'],
      ['a responsible party', 'claims', () => ({ ...valid.claim(), assertions: { responsibleParties: [DEMO.kda, ghost] } }), 'assertions.responsibleParties[1]'],
      ['a ceasefire violator', 'claims', () => ({ ...valid.claim(), assertions: { ceasefire: { violated: true, by: [ghost] } } }), 'assertions.ceasefire.by[0]'],
      ['a casualty side', 'claims', () => ({ ...valid.claim(), assertions: { casualties: [{ side: ghost, killed: { best: 1 } }] } }), 'assertions.casualties[0].side'],
      ['the denying party', 'denial', () => ({ ...valid.denial(), partyId: ghost }), 'partyId'],
      ['a party in corrected assertions', 'correction', () => ({ ...valid.correction(), assertions: { responsibleParties: [ghost] } }), 'assertions.responsibleParties[0]'],
      ['a party in amended assertions', 'amendment', () => ({
        ...valid.amendment(kdaClaim),
        changes: { assertions: { responsibleParties: [ghost] } },
      }), 'changes.assertions.responsibleParties[0]'],
      ['an affiliation', '/parties', () => ({ ...valid.party('proxy-militia'), affiliation: { partyId: ghost, description: 'backed by ghosts' } }), 'affiliation.partyId'],
      ['an affiliation with itself', '/parties', () => ({ ...valid.party('loop-militia'), affiliation: { partyId: 'loop-militia', description: 'self' } }), 'affiliation.partyId'],
    ])('%s', async (_what, target, body, field) => {
      const url = {
        claims: claims(),
        denial: `${claimUrl(azClaim)}/denials`,
        correction: `${claimUrl(azClaim)}/corrections`,
        amendment: `/incidents/${I}/amendments`,
      }[target] ?? target;
      expectRefusal(await refused(url, body()), 422, 'unknown-party', field);
    });
  });

  describe('unknown incidents and claims: 404', () => {
    const nowhere = randomUUID();

    it.each([
      ['make claim', () => `/incidents/${nowhere}/claims`, () => valid.claim(), 'incident-not-found', 'incidentId'],
      ['deny claim', () => `/incidents/${nowhere}/claims/${azClaim}/denials`, () => valid.denial(), 'incident-not-found', 'incidentId'],
      ['correct claim', () => `/incidents/${nowhere}/claims/${azClaim}/corrections`, () => valid.correction(), 'incident-not-found', 'incidentId'],
      ['retract claim', () => `/incidents/${nowhere}/claims/${azClaim}/retraction`, () => valid.retraction(), 'incident-not-found', 'incidentId'],
      ['amend entry', () => `/incidents/${nowhere}/amendments`, () => valid.amendment(kdaClaim), 'entry-not-found', 'entry'],
    ])('%s in an incident that was never reported', async (_name, url, body, code, field) => {
      expectRefusal(await refused(url(), body()), 404, code, field);
    });

    it.each([
      ['deny', 'denials', () => valid.denial(), 'claim-not-found', 'claimId'],
      ['correct', 'corrections', () => valid.correction(), 'claim-not-found', 'claimId'],
      ['retract', 'retraction', () => valid.retraction(), 'claim-not-found', 'claimId'],
    ])('%s a claim the incident does not have', async (_verb, action, body, code, field) => {
      expectRefusal(await refused(`${claimUrl(nowhere)}/${action}`, body()), 404, code, field);
    });

    it('amend a claim the incident does not have', async () => {
      expectRefusal(await refused(`/incidents/${I}/amendments`, valid.amendment(nowhere)), 404, 'entry-not-found', 'entry');
    });

    it('answer a claim the incident does not have (422 unknown-claim)', async () => {
      expectRefusal(await refused(claims(), { ...valid.claim(), answers: [azClaim, nowhere] }), 422, 'unknown-claim', 'answers[1]');
    });

    it.each([
      () => `/incidents/${nowhere}`,
      () => `/incidents/${nowhere}/versions`,
      () => `/incidents/${nowhere}/timeline`,
      () => `/incidents/${I}/claims/${nowhere}`,
      () => '/parties/no-such-party',
    ])('GET %p', async (url) => {
      expectProblem(await s.unchanged(() => s.get(url())), 404, 'not-found');
    });

    // History is for auditors; their reads are written to the access log, so the log does move here.
    it.each([
      () => `/incidents/${I}/claims/${nowhere}/history`,
      () => `/audit/incidents/${nowhere}/versions`,
      () => `/audit/incidents/${I}/claims/${nowhere}/history`,
    ])('GET %p as an auditor', async (url) => {
      expectProblem(await s.get(url(), 'auditor'), 404, 'not-found');
    });
  });

  describe('malformed ids in the path', () => {
    const BAD_PATHS: Array<[string, 'GET' | 'POST', () => string, () => unknown, string]> = [
      ['GET an incident', 'GET', () => '/incidents/not-a-uuid', () => undefined, 'incidentId'],
      ['GET a claim', 'GET', () => `/incidents/${I}/claims/42`, () => undefined, 'claimId'],
      ['make a claim', 'POST', () => '/incidents/not-a-uuid/claims', () => valid.claim(), 'incidentId'],
      ['deny a claim', 'POST', () => `/incidents/${I}/claims/not-a-uuid/denials`, () => valid.denial(), 'claimId'],
      ['correct a claim', 'POST', () => `/incidents/${I}/claims/${azClaim}x/corrections`, () => valid.correction(), 'claimId'],
      ['retract a claim', 'POST', () => `/incidents/${I.slice(0, 35)}/claims/${azClaim}/retraction`, () => valid.retraction(), 'incidentId'],
      ['amend an entry', 'POST', () => `/incidents/${I}'--/amendments`, () => valid.amendment(kdaClaim), 'incidentId'],
    ];
    const send = (method: 'GET' | 'POST', url: string, body: unknown) =>
      s.unchanged(() => (method === 'GET' ? s.get(url) : s.post(url, body)));

    it.each(BAD_PATHS)('%s: a 400 problem', async (_what, method, url, body) => {
      expect(expectSomeClientProblem(await send(method, url(), body())).status).toBe(400);
    });

    // "400 naming each invalid field": a path parameter is a field of the request too.
    it.each(BAD_PATHS)('%s: the problem names the parameter at fault', async (_what, method, url, body, param) => {
      expect(namedFields(expectSomeClientProblem(await send(method, url(), body())))).toEqual([param]);
    });
  });

  describe('rules between parties and claims: 422', () => {
    it("denying one's own claim", async () => {
      expectRefusal(await refused(`${claimUrl(azClaim)}/denials`, valid.denial(DEMO.azDefence)), 422, 'cannot-deny-own-claim', 'partyId');
    });

    it("correcting someone else's claim", async () => {
      expectRefusal(await refused(`${claimUrl(kdaClaim)}/corrections`, valid.correction(DEMO.azDefence)), 422, 'only-claimant-may-correct', 'partyId');
    });

    it("retracting someone else's claim", async () => {
      expectRefusal(await refused(`${claimUrl(kdaClaim)}/retraction`, valid.retraction(DEMO.azDefence)), 422, 'only-claimant-may-retract', 'partyId');
    });

    it('denying a version the claim does not have', async () => {
      expectRefusal(await refused(`${claimUrl(azClaim)}/denials`, { ...valid.denial(DEMO.kda), claimVersion: 99 }), 422, 'claim-version-not-found', 'claimVersion');
    });

    it('denying an assertion the claim does not make', async () => {
      const body = { ...valid.denial(DEMO.kda), deniedAssertions: ['responsibleParties', 'casualties'] };
      expectRefusal(await refused(`${claimUrl(osceClaim)}/denials`, body), 422, 'assertion-not-made', 'deniedAssertions[0]');
    });

    it('correcting, denying or retracting again a retracted claim', async () => {
      const { claimUrl: url } = await s.incidentWithClaim(DEMO.azDefence);
      expect((await s.post(`${url}/retraction`, valid.retraction())).statusCode).toBe(201);

      expectRefusal(await refused(`${url}/corrections`, valid.correction()), 422, 'claim-retracted', 'claimId');
      expectRefusal(await refused(`${url}/denials`, valid.denial(DEMO.kda)), 422, 'claim-retracted', 'claimId');
      expectRefusal(await refused(`${url}/retraction`, valid.retraction()), 422, 'claim-retracted', 'claimId');
    });

    it('a correction that changes nothing: a reason alone, or the current words again', async () => {
      const { reason, partyId, statedAt, source } = valid.correction();
      expectRefusal(await refused(`${claimUrl(azClaim)}/corrections`, { partyId, reason, statedAt, source }), 422, 'correction-changes-nothing', null);

      // The demo already corrected this claim to these words.
      const current = { text: 'One of our officers, Aqil Omarov, was shot and killed by enemy fire near Karabakh.', verbatim: false, language: 'en' };
      const same = { partyId, reason, statedAt, source, statement: current };
      expectRefusal(await refused(`${claimUrl(azClaim)}/corrections`, same), 422, 'correction-changes-nothing', null);
    });

    it.each([
      ['the words of an incident', { kind: 'incident' }, { statement: { text: 'x', verbatim: false } }, 'changes.statement'],
      ['the title of a claim', { kind: 'claim', version: 1 }, { title: 'Another title' }, 'changes.title'],
      ['nothing at all', { kind: 'incident' }, {}, 'changes'],
    ])('an amendment of %s (field-not-amendable)', async (_what, entry, changes, field) => {
      const body = { entry: { ...entry, ...(entry.kind === 'claim' ? { claimId: kdaClaim } : {}) }, changes, reason: 'Transcription error.' };
      expectRefusal(await refused(`/incidents/${I}/amendments`, body), 422, 'field-not-amendable', field);
    });

    it('an amendment that repeats what the entry says', async () => {
      const body = { entry: { kind: 'incident' }, changes: { category: { eventType: 'battles', subEventType: 'armed-clash', tags: ['ceasefire-violation'] } }, reason: 'Transcription error.' };
      expectRefusal(await refused(`/incidents/${I}/amendments`, body), 422, 'amendment-changes-nothing', 'changes');
    });

    it('two casualty reports for one side', async () => {
      const casualties = [{ side: DEMO.kda, killed: { best: 1 } }, { side: DEMO.kda, wounded: { best: 2 } }];
      expectRefusal(await refused(claims(), { ...valid.claim(), assertions: { casualties } }), 422, 'duplicate-casualty-group', 'assertions.casualties[1].side');
    });

    it('a ceasefire said to hold that names violators', async () => {
      const body = { ...valid.claim(), assertions: { ceasefire: { violated: false, by: [DEMO.kda] } } };
      expectRefusal(await refused(claims(), body), 422, 'invalid-ceasefire', 'assertions.ceasefire.by');
    });
  });

  describe('parties', () => {
    it('registering a party twice: 409 party-already-registered', async () => {
      const body = { partyId: DEMO.armenia, name: 'Republic of Armenia', kind: 'state' };
      expectRefusal(await refused('/parties', body), 409, 'party-already-registered', 'partyId');
    });

    it('a casualty side is not a party id: 422 reserved-party-id', async () => {
      expectRefusal(await refused('/parties', valid.party('civilians')), 422, 'reserved-party-id', 'partyId');
    });

    it.each(['../x', '..', 'a/b', 'Armenia', 'a--b', '-a', 'x', 'a'.repeat(81), 'a\u0000b'])('partyId %j: 400 naming partyId', async (partyId) => {
      // A name of its own: the default one quotes the id, and a NUL in it would be a second invalid field.
      expectInvalidFields(await refused('/parties', { ...valid.party(partyId), name: 'A party' }), ['partyId']);
    });

    it.each(['..%2Fx', '..%2F..%2Fetc%2Fpasswd', '%2e%2e%2f%2e%2e', '..%5C..%5Cwindows', 'a%00b', '%F0%9F%92%A3'])(
      'GET /parties/%s is a 400 or 404 problem, never a 500',
      async (id) => {
        const res = await s.unchanged(() => s.get(`/parties/${id}`));
        expect([400, 404]).toContain(expectSomeClientProblem(res).status);
      },
    );
  });

  describe('revisions and idempotency keys', () => {
    it('a stale If-Match: 409 wrong-expected-revision with the current revision', async () => {
      const current = (await s.get(`/incidents/${I}`)).headers.etag as string;
      const res = await refused(claims(), valid.claim(), { 'if-match': '"0"' });
      const body = expectProblem(res, 409, 'wrong-expected-revision');
      expect(body).toMatchObject({ currentRevision: JSON.parse(current), expectedRevision: '0' });
    });

    it.each(['3', 'abc', '"-1"', '"1", "2"', '"99999999999999999999"', 'W/"x"'])('a malformed If-Match %j: 400 naming If-Match', async (ifMatch) => {
      const body = expectProblem(await refused(claims(), valid.claim(), { 'if-match': ifMatch }), 400, 'invalid-if-match');
      expect(body.field).toBe('If-Match');
    });

    it.each(['has space', 'k'.repeat(256), 'ключ', ''])('a malformed Idempotency-Key %j: 400 naming Idempotency-Key', async (key) => {
      const body = expectProblem(await refused(claims(), valid.claim(), { 'idempotency-key': key }), 400, 'invalid-idempotency-key');
      expect(body.field).toBe('Idempotency-Key');
    });

    /** Sends one command twice with one key; returns both responses and the head after the first. */
    const twice = async (url: string, body: unknown, key: string): Promise<[Response, Response]> => {
      const first = await s.post(url, body, { 'idempotency-key': key });
      expect(first.statusCode).toBe(201);
      const again = await s.unchanged(() => s.post(url, body, { 'idempotency-key': key }));
      return [first, again];
    };

    /** A fresh stream per route, so that a replay is never confused with an earlier write. */
    const freshTarget = async (name: string): Promise<{ url: string; body: unknown }> => {
      const key = randomUUID().slice(0, 8);
      if (name === 'register party') return { url: '/parties', body: valid.party(`replayed-${key}`) };
      if (name === 'report incident') return { url: '/incidents', body: valid.incident(`Replayed ${key}`) };
      const { incidentId, claimId, claimUrl: url } = await s.incidentWithClaim(DEMO.azDefence);
      switch (name) {
        case 'make claim':
          return { url: `/incidents/${incidentId}/claims`, body: valid.claim(DEMO.kda) };
        case 'deny claim':
          return { url: `${url}/denials`, body: valid.denial(DEMO.kda) };
        case 'correct claim':
          return { url: `${url}/corrections`, body: valid.correction() };
        case 'retract claim':
          return { url: `${url}/retraction`, body: valid.retraction() };
        default:
          return { url: `/incidents/${incidentId}/amendments`, body: valid.amendment(claimId) };
      }
    };

    it.each(routeNames)('%s repeated with its Idempotency-Key answers the first result and appends nothing', async (name) => {
      const { url, body } = await freshTarget(name);
      const [first, again] = await twice(url, body, `retry-${name.replace(' ', '-')}`);
      expect(again.statusCode).toBe(201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect({ location: again.headers.location, etag: again.headers.etag, body: again.json() }).toEqual({
        location: first.headers.location,
        etag: first.headers.etag,
        body: first.json(),
      });
    });

    it('a replay still answers the first result after the stream moved on', async () => {
      const { incidentId } = await s.incidentWithClaim();
      const url = `/incidents/${incidentId}/claims`;
      const first = await s.post(url, valid.claim(DEMO.kda), { 'idempotency-key': 'moved-on' });
      expect((await s.post(url, valid.claim(DEMO.osce))).statusCode).toBe(201);
      const again = await s.unchanged(() => s.post(url, valid.claim(DEMO.kda), { 'idempotency-key': 'moved-on' }));
      expect([again.statusCode, again.headers.etag, again.json()]).toEqual([201, first.headers.etag, first.json()]);
    });

    it.each(routeNames)('%s: the same key with a different body is 422 idempotency-key-reused, nothing written', async (name) => {
      const { url, body } = await freshTarget(name);
      await s.post(url, body, { 'idempotency-key': `reused-${name.replace(' ', '-')}` });
      // One member changed, each still valid on its own.
      const change: Record<string, object> = {
        'register party': { name: 'Another name' },
        'report incident': { title: 'Another title' },
        'amend entry': { reason: 'Another reason.' },
      };
      const changedBody = { ...(body as object), ...(change[name] ?? { source: { title: 'Other', publisher: 'Other' } }) };
      expectRefusal(await refused(url, changedBody, { 'idempotency-key': `reused-${name.replace(' ', '-')}` }), 422, 'idempotency-key-reused', 'Idempotency-Key');
    });

    // The key names a request, not a stream: reusing it for another target is a different request too.
    it('the same key for another party is 422 idempotency-key-reused, nothing written', async () => {
      expect((await s.post('/parties', valid.party('first-of-key'), { 'idempotency-key': 'one-key-one-party' })).statusCode).toBe(201);
      const res = await refused('/parties', valid.party('second-of-key'), { 'idempotency-key': 'one-key-one-party' });
      expectRefusal(res, 422, 'idempotency-key-reused', 'Idempotency-Key');
    });

    it('the same key for a claim in another incident is 422 idempotency-key-reused, nothing written', async () => {
      const a = await s.incidentWithClaim();
      const b = await s.incidentWithClaim();
      expect((await s.post(`/incidents/${a.incidentId}/claims`, valid.claim(DEMO.kda), { 'idempotency-key': 'one-key-one-claim' })).statusCode).toBe(201);
      const res = await refused(`/incidents/${b.incidentId}/claims`, valid.claim(DEMO.kda), { 'idempotency-key': 'one-key-one-claim' });
      expectRefusal(res, 422, 'idempotency-key-reused', 'Idempotency-Key');
    });
  });

  describe('the body itself', () => {
    it.each([['/parties'], ['claims']])('a 10 MB body to %s: 413 payload-too-large', async (target) => {
      const url = target === 'claims' ? claims() : target;
      const huge = JSON.stringify({ ...valid.claim(), statement: { text: 'x'.repeat(10 * 1024 * 1024), verbatim: false } });
      const body = expectProblem(await s.unchanged(() => s.postRaw(url, huge, 'application/json')), 413, 'payload-too-large');
      expect(body.detail).toMatch(/\d+ bytes/);
    });

    it.each(['{"partyId": "x",', "{'partyId': 'x'}", '{"partyId": "x"}}', 'NaN', '{"name": "\\u12"}', '\u00ef\u00bb\u00bf{}'])(
      'malformed JSON %j: 400 invalid-json',
      async (raw) => {
        expectProblem(await s.unchanged(() => s.postRaw('/parties', raw, 'application/json')), 400, 'invalid-json');
      },
    );

    it.each([
      ['__proto__', '{"partyId":"proto-party","name":"P","kind":"state","__proto__":{"admin":true}}'],
      ['constructor.prototype', '{"partyId":"ctor-party","name":"P","kind":"state","constructor":{"prototype":{"admin":true}}}'],
    ])('prototype poisoning through %s: 400 invalid-json', async (_what, raw) => {
      expectProblem(await s.unchanged(() => s.postRaw('/parties', raw, 'application/json')), 400, 'invalid-json');
    });

    it('an empty body that says it is JSON: 400 empty-body', async () => {
      expectProblem(await s.unchanged(() => s.postRaw('/parties', '', 'application/json')), 400, 'empty-body');
    });

    it.each([
      ['text/plain', 'partyId=x'],
      ['application/x-www-form-urlencoded', 'partyId=x&name=y&kind=state'],
      ['application/xml', '<party id="x"/>'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="partyId"\r\n\r\nx\r\n--x--'],
      [undefined, '{"partyId":"untyped","name":"U","kind":"state"}'],
    ])('Content-Type %s: 415 unsupported-media-type', async (contentType, raw) => {
      expectProblem(await s.unchanged(() => s.postRaw('/parties', raw, contentType)), 415, 'unsupported-media-type');
    });

    it('unknown members are refused, not dropped: 400 naming each', async () => {
      const body = {
        ...valid.claim(),
        confidence: 'high',
        statement: { text: 'words', verbatim: false, mood: 'angry' },
        assertions: { casualties: [{ side: DEMO.azDefence, killed: { best: 1, worst: 9 } }] },
      };
      expectInvalidFields(await refused(claims(), body), ['confidence', 'statement.mood', 'assertions.casualties[0].killed.worst']);
    });

    it.each([
      ['words beyond 20 000 characters', 'claims', () => ({ ...valid.claim(), statement: { text: 'x'.repeat(20_001), verbatim: false } }), ['statement.text']],
      ['a party name beyond 500 characters', '/parties', () => ({ ...valid.party('long-name'), name: 'n'.repeat(501) }), ['name']],
      ['more than 50 aliases', '/parties', () => ({ ...valid.party('many-names'), aliases: Array.from({ length: 51 }, (_, i) => `alias ${i}`) }), ['aliases']],
      ['a language tag beyond 35 characters', 'claims', () => ({ ...valid.claim(), statement: { text: 'w', verbatim: false, language: 'x'.repeat(36) } }), ['statement.language']],
      ['a source URL beyond 2000 characters', 'claims', () => ({
        ...valid.claim(),
        source: { ...valid.claim().source, url: `https://example.org/${'a'.repeat(2000)}` },
      }), ['source.url']],
      ['more than 50 responsible parties', 'claims', () => ({ ...valid.claim(), assertions: { responsibleParties: Array(51).fill(DEMO.kda) } }), ['assertions.responsibleParties']],
      ['a blank title', '/incidents', () => ({ ...valid.incident(), title: '' }), ['title']],
    ])('%s: 400', async (_what, target, body, fields) => {
      expectInvalidFields(await refused(target === 'claims' ? claims() : target, body()), fields);
    });

    it.each([
      ['a JSON array', '[{"partyId":"in-array","name":"A","kind":"state"}]'],
      ['null', 'null'],
      ['a string', '"register armenia"'],
      ['a number', '42'],
      ['true', 'true'],
    ])('%s instead of an object: 400 validation-failed', async (_what, raw) => {
      const body = expectProblem(await s.unchanged(() => s.postRaw('/parties', raw, 'application/json')), 400, 'validation-failed');
      expect(body.errors?.length).toBeGreaterThan(0);
    });

    it('moderately deep nesting in an unknown member: 400 naming it', async () => {
      const deep = '{"a":'.repeat(100) + '1' + '}'.repeat(100);
      const raw = `{"partyId":"deep-party","name":"D","kind":"state","extra":${deep}}`;
      const res = await s.unchanged(() => s.postRaw('/parties', raw, 'application/json'));
      expect(expectProblem(res, 400, 'validation-failed').errors?.map((e) => e.field)).toContain('extra');
    });

    // A few KB of brackets is far below the body limit; it must not reach a recursive transform unchecked.
    it.each([
      ['objects in an unknown member', `{"partyId":"deep-a","name":"D","kind":"state","extra":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`],
      ['arrays in a declared member', `{"partyId":"deep-b","name":"D","kind":"state","aliases":${'['.repeat(5000)}${']'.repeat(5000)}}`],
      ['arrays as the whole body', `${'['.repeat(5000)}${']'.repeat(5000)}`],
    ])('extremely deep nesting (%s): a 400 problem, never a 500', async (_what, raw) => {
      const res = await s.unchanged(() => s.postRaw('/parties', raw, 'application/json'));
      expect(expectSomeClientProblem(res).status).toBe(400);
    });
  });

  describe('URLs that Fastify refuses before routing', () => {
    it.each([
      ['an over-long party id', () => `/parties/${'a'.repeat(500)}`, 'GET'],
      ['an over-long incident id', () => `/incidents/${'9'.repeat(500)}/claims`, 'POST'],
      ['a broken percent-encoding', () => '/parties/%E0%A4%A', 'GET'],
    ])('%s is answered as application/problem+json', async (_what, url, method) => {
      const res = await s.unchanged(() => (method === 'GET' ? s.get(url()) : s.post(url(), valid.claim())));
      expect([400, 404, 414]).toContain(expectSomeClientProblem(res).status);
    });
  });

  describe('matrix: garbage to every command route is never a 5xx', () => {
    const GARBAGE: Array<[string, string]> = [
      ['{}', '{}'],
      ['[]', '[]'],
      ['null', 'null'],
      ['number', '-0'],
      ['huge number', '1e400'],
      ['string', '"\\u0000\\ud800"'],
      ['nested nulls', '{"partyId":null,"statement":null,"statedAt":null,"source":null,"entry":null,"changes":null,"assertions":null}'],
      ['arrays everywhere', '{"partyId":[],"statement":[],"statedAt":[],"source":[],"entry":[],"changes":[],"reason":[],"assertions":[]}'],
      ['numbers everywhere', '{"partyId":1,"name":1,"kind":1,"title":1,"summary":1,"statement":1,"statedAt":1,"source":1,"entry":1,"changes":1,"reason":1}'],
      ['operators', '{"partyId":{"$ne":null},"$where":"1","answers":{"$gt":""}}'],
      ['prototype names', '{"constructor":1,"toString":"x","hasOwnProperty":null,"valueOf":[]}'],
      ['control characters', `{"partyId":"a\\u0000","name":"\\u202e\\u0007","kind":"state","reason":"\\r\\n"}`],
    ];

    it('every garbage body on every route', async () => {
      const failures: string[] = [];
      for (const { name, url } of commandRoutes()) {
        for (const [label, raw] of GARBAGE) {
          const before = await s.head();
          const res = await s.postRaw(url, raw, 'application/json');
          const problemJson = /^application\/problem\+json/.test(String(res.headers['content-type']));
          if (res.statusCode >= 500 || res.statusCode < 400 || !problemJson || (await s.head()) !== before) {
            failures.push(`${name} <- ${label}: ${res.statusCode} ${res.body.slice(0, 200)}`);
          }
        }
      }
      expect(failures).toEqual([]);
    }, 30_000);

    // One value of each kind that a member could wrongly hold, plus absence.
    const REPLACEMENTS: unknown[] = [undefined, null, true, -1, 1.5, 1e308, '', ' ', 'x'.repeat(25_000), [], {}, '2019-13-45', '\u0000'];

    // Each valid body with one part swapped for a value of another kind: a 2xx is fine, a 4xx must be a
    // problem that wrote nothing, a 5xx is a bug. A ledger of its own per route, because a bad write can
    // stop the read models for every later request.
    it.each(routeNames)('%s: every member replaced by every wrong kind of value', async (name) => {
      const own = await startLedger();
      try {
        const fuzz = new LedgerSession(own);
        const demo = await fuzz.playDemo();
        const target = {
          'register party': { url: '/parties', body: valid.party('fuzzed-party') },
          'report incident': { url: '/incidents', body: valid.incident() },
          'make claim': { url: `/incidents/${demo.incident}/claims`, body: valid.claim() },
          'deny claim': { url: `/incidents/${demo.incident}/claims/${demo['az-mod-claim']}/denials`, body: valid.denial() },
          'correct claim': { url: `/incidents/${demo.incident}/claims/${demo['az-mod-claim']}/corrections`, body: valid.correction() },
          'retract claim': { url: `/incidents/${demo.incident}/claims/${demo['az-mod-claim']}/retraction`, body: valid.retraction() },
          'amend entry': { url: `/incidents/${demo.incident}/amendments`, body: valid.amendment(demo['kda-claim']) },
        }[name]!;
        const failures: string[] = [];
        for (const path of jsonPaths(target.body)) {
          for (const replacement of REPLACEMENTS) {
            const before = await fuzz.head();
            const res = await fuzz.post(target.url, withReplaced(target.body, path, replacement));
            const problemJson = /^application\/problem\+json/.test(String(res.headers['content-type']));
            const bad = res.statusCode >= 500 || (res.statusCode >= 400 && (!problemJson || (await fuzz.head()) !== before));
            if (bad) failures.push(`${path.join('.')} <- ${JSON.stringify(replacement)?.slice(0, 20)}: ${res.statusCode} ${res.body.slice(0, 160)}`);
            // After the first server error the ledger may be broken for every later request: report the cause only.
            if (res.statusCode >= 500) break;
          }
          if (failures.some((f) => / 5\d\d /.test(f))) break;
        }
        expect(failures).toEqual([]);
      } finally {
        await own.close();
      }
    }, 30_000);
  });

  /**
   * class-validator's @IsOptional() lets null through as if the member were
   * absent, but null then reaches the deciders and the stored event. Each
   * case gets a ledger of its own: one such event can stop the read models
   * for good, since the log is immutable and every replay meets it again.
   */
  describe('null for an optional member', () => {
    const withAssertions = (assertions: unknown) => ({ ...valid.claim(), assertions });
    it.each([
      ['assertions.ceasefire', 'claim', () => withAssertions({ ceasefire: null })],
      ['assertions.casualties', 'claim', () => withAssertions({ casualties: null })],
      ['assertions.occurred', 'claim', () => withAssertions({ occurred: null })],
      ['assertions.location', 'claim', () => withAssertions({ location: null })],
      ['assertions.casualties[0].killed', 'claim', () => withAssertions({ casualties: [{ side: DEMO.azDefence, killed: null }] })],
      ['assertions (of a correction)', 'correction', () => ({ ...valid.correction(), assertions: null })],
      ['location.coordinates (of an incident)', 'incident', () => ({ ...valid.incident(), location: { name: 'Tovuz', precision: 'district', coordinates: null } })],
      ['changes.assertions (of an amendment)', 'amendment', () => ({
        ...valid.amendment('00000000-0000-4000-8000-000000000000'),
        changes: { assertions: null, statedAt: { at: '2019-06-02', precision: 'day' } },
      })],
    ])('%s: never a 5xx; refused without a write, or accepted with the read models still live', async (_member, target, body) => {
      const own = await startLedger();
      try {
        const ls = new LedgerSession(own);
        await ls.playDemo();
        const { incidentId, claimId, claimUrl: url } = await ls.incidentWithClaim(DEMO.azDefence);
        const payload = body() as Record<string, unknown>;
        if (target === 'amendment') (payload.entry as Record<string, unknown>).claimId = claimId;
        const to = { claim: `/incidents/${incidentId}/claims`, correction: `${url}/corrections`, incident: '/incidents', amendment: `/incidents/${incidentId}/amendments` }[target]!;

        const before = await ls.head();
        const res = await ls.post(to, payload);
        const written = (await ls.head()) !== before;
        const acceptable = res.statusCode < 400 || (res.statusCode < 500 && !written);
        expect({ status: res.statusCode, written, acceptable, body: res.body.slice(0, 200) }).toMatchObject({ acceptable: true });
        if (res.statusCode >= 400) expectSomeClientProblem(res);
        // Whatever the answer, the next recorder is not affected.
        const next = await ls.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.kda));
        expect([next.statusCode, next.headers['read-models']]).toEqual([201, 'current']);
        expect((await ls.send({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      } finally {
        await own.close();
      }
    }, 15_000);
  });
});
