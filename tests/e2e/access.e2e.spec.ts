import { DEMO, DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger, TestRole } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

// Each test is quick alone; the margin is for a machine busy with other suites.
jest.setTimeout(20_000);

/**
 * Who may do what: readers read, recorders (and admins) write, nobody
 * without a valid token does either; health and docs are public.
 */
describe('access (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    refs = await s.playDemo();
  }, 30_000);

  afterAll(() => t?.close());

  /** Every command route with a body the recorder would get a 201 for (fresh ids where the route creates one). */
  const commands = (): Array<[string, string, unknown]> => {
    const I = refs.incident;
    return [
      ['register party', '/parties', valid.party('access-checked')],
      ['report incident', '/incidents', valid.incident()],
      ['make claim', `/incidents/${I}/claims`, valid.claim()],
      ['deny claim', `/incidents/${I}/claims/${refs['az-mod-claim']}/denials`, valid.denial()],
      ['correct claim', `/incidents/${I}/claims/${refs['az-mod-claim']}/corrections`, valid.correction()],
      ['retract claim', `/incidents/${I}/claims/${refs['osce-claim']}/retraction`, valid.retraction(DEMO.osce)],
      ['grade source', `/incidents/${I}/claims/${refs['kda-claim']}/grades`, valid.grade()],
      ['amend entry', `/incidents/${I}/amendments`, valid.amendment(refs['kda-claim'])],
    ];
  };
  const commandNames = ['register party', 'report incident', 'make claim', 'deny claim', 'correct claim', 'retract claim', 'grade source', 'amend entry'];
  const command = (name: string) => commands().find(([n]) => n === name)!;

  const queries = (): string[] => {
    const I = refs.incident;
    const C = refs['kda-claim'];
    return [
      '/parties',
      `/parties/${DEMO.kda}`,
      '/incidents',
      `/incidents?party=${DEMO.kda}&category=battles&contested=true&from=2019-05-01&to=2019-06-30&limit=5&offset=0`,
      `/incidents/${I}`,
      `/incidents/${I}/versions`,
      `/incidents/${I}/timeline`,
      `/incidents/${I}/claims/${C}`,
    ];
  };

  /** The auditors' reads (history and time travel): auditor and admin only. */
  const auditorQueries = (): string[] => {
    const I = refs.incident;
    const C = refs['kda-claim'];
    return [
      `/incidents/${I}/claims/${C}/history`,
      `/audit/incidents/${I}/versions`,
      `/audit/incidents/${I}/versions?statedAsOf=2019-06-01`,
      `/audit/incidents/${I}/changes?from=0&clock=position`,
      `/audit/incidents/${I}/claims/${C}/history?position=100`,
    ];
  };

  describe('without a token', () => {
    it.each(commandNames)('%s: 401 with a Bearer challenge, nothing written', async (name) => {
      const [, url, body] = command(name);
      const res = await s.unchanged(() => s.send({ method: 'POST', url, payload: body as object }));
      expectProblem(res, 401, 'unauthorized');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="incident-ledger"');
    });

    it('every query: 401 with a Bearer challenge', async () => {
      for (const url of [...queries(), ...auditorQueries()]) {
        const res = await s.send({ method: 'GET', url });
        expectProblem(res, 401, 'unauthorized');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="incident-ledger"/);
      }
    });

    // Authentication comes before validation: an anonymous caller learns nothing about the body's shape.
    it('an invalid body is still a 401, not a 400', async () => {
      expectProblem(await s.unchanged(() => s.send({ method: 'POST', url: '/parties', payload: { kind: 'warlord' } })), 401, 'unauthorized');
    });

    it('an empty Authorization header is the same as none', async () => {
      const res = await s.unchanged(() => s.send({ method: 'POST', url: '/parties', payload: valid.party('blank-auth'), headers: { authorization: '  ' } }));
      expectProblem(res, 401, 'unauthorized');
    });
  });

  describe('with a token the ledger does not accept', () => {
    it.each([
      ['an unknown token', () => 'Bearer not-a-ledger-token'],
      ['another scheme', () => `Basic ${Buffer.from('recorder:secret').toString('base64')}`],
      ['a scheme without a token', () => 'Bearer'],
      ['a token with a character outside token68', () => `Bearer ${t.tokens.recorder}!`],
      ['a revoked-looking token (one character changed)', () => `Bearer ${t.tokens.recorder.slice(0, -1)}${t.tokens.recorder.endsWith('A') ? 'B' : 'A'}`],
      ['two tokens', () => `Bearer ${t.tokens.recorder} ${t.tokens.admin}`],
    ])('%s: 401 invalid-token, nothing written', async (_what, authorization) => {
      const res = await s.unchanged(() => s.send({ method: 'POST', url: '/parties', payload: valid.party('bad-token'), headers: { authorization: authorization() } }));
      expectProblem(res, 401, 'invalid-token');
      expect(res.headers['www-authenticate']).toBe('Bearer realm="incident-ledger", error="invalid_token"');
    });

    it('the problem does not echo the token back', async () => {
      const res = await s.send({ method: 'GET', url: '/parties', headers: { authorization: 'Bearer secret-looking-value-123' } });
      expectProblem(res, 401, 'invalid-token');
      expect(res.body).not.toContain('secret-looking-value-123');
    });

    it('the scheme name is case-insensitive (RFC 7235)', async () => {
      expect((await s.send({ method: 'GET', url: '/parties', headers: { authorization: `bearer ${t.tokens.reader}` } })).statusCode).toBe(200);
    });
  });

  describe('roles', () => {
    it.each(['reader', 'auditor'] as TestRole[])('the %s role may not write: 403 on every command, nothing written', async (role) => {
      for (const [name, url, body] of commands()) {
        const res = await s.unchanged(() => s.post(url, body, {}, role));
        const problem = expectProblem(res, 403, 'forbidden');
        expect({ name, requiredRoles: problem.requiredRoles }).toEqual({ name, requiredRoles: ['recorder'] });
        expect(res.headers['www-authenticate']).toContain('error="insufficient_scope"');
      }
    });

    // A reader must not learn whether a body would have been valid.
    it('a reader posting an invalid body gets 403, not 400', async () => {
      expectProblem(await s.unchanged(() => s.post('/parties', { kind: 'warlord' }, {}, 'reader')), 403, 'forbidden');
    });

    it.each(['recorder', 'admin'] as TestRole[])('the %s role may write every command: 201, recorded as that principal', async (role) => {
      // A fresh incident and claims per role, so that the two roles do not refuse each other's writes.
      const { incidentId, claimId, claimUrl } = await s.incidentWithClaim(DEMO.azDefence);
      const kda = await s.post(`/incidents/${incidentId}/claims`, valid.claim(DEMO.kda));
      const writes: Array<[string, unknown]> = [
        ['/parties', valid.party(`written-by-${role}`)],
        ['/incidents', valid.incident(`Reported by ${role}`)],
        [`/incidents/${incidentId}/claims`, valid.claim(DEMO.osce, 'The Co-Chairs call for restraint.')],
        [`${claimUrl}/denials`, valid.denial(DEMO.kda)],
        [`${claimUrl}/corrections`, valid.correction()],
        [`/incidents/${incidentId}/claims/${kda.json().claimId}/retraction`, valid.retraction(DEMO.kda)],
        [`${claimUrl}/grades`, valid.grade()],
        [`/incidents/${incidentId}/amendments`, valid.amendment(claimId)],
      ];
      for (const [url, body] of writes) {
        const before = await s.head();
        const res = await s.post(url, body, {}, role);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 201 });
        const [event] = await s.store.readAll({ fromPosition: before });
        expect(event.metadata.recordedBy).toBe(`test-${role}`);
      }
    });

    it.each(['reader', 'recorder'] as TestRole[])("the %s role may not read history or time travel: 403 naming the auditor role", async (role) => {
      for (const url of auditorQueries()) {
        const res = await s.get(url, role);
        const problem = expectProblem(res, 403, 'forbidden');
        expect({ url, requiredRoles: problem.requiredRoles }).toEqual({ url, requiredRoles: ['auditor'] });
      }
    });

    it.each(['auditor', 'admin'] as TestRole[])('the %s role can read history and time travel', async (role) => {
      for (const url of auditorQueries()) {
        const res = await s.get(url, role);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
        expect(res.headers['content-type']).toMatch(/^application\/json/);
      }
    });

    it.each(['reader', 'recorder', 'auditor', 'admin'] as TestRole[])('the %s role can read every query', async (role) => {
      for (const url of queries()) {
        const res = await s.get(url, role);
        expect({ url, status: res.statusCode }).toEqual({ url, status: 200 });
        expect(res.headers['content-type']).toMatch(/^application\/json/);
      }
    });
  });

  // An integrator's system reads the event feeds and nothing else; only admin implies the role.
  describe('the integrator role', () => {
    const feeds = ['/feed/events', '/feed/events?limit=5&type=ClaimMade.v3'];

    it('reads the paged feed (as admin does)', async () => {
      for (const role of ['integrator', 'admin'] as TestRole[]) {
        for (const url of feeds) {
          const res = await s.get(url, role);
          expect({ role, url, status: res.statusCode }).toEqual({ role, url, status: 200 });
          expect(res.json().items.length).toBeGreaterThan(0);
        }
      }
    });

    it.each(['reader', 'recorder', 'auditor'] as TestRole[])('the %s role may not read the paged feed: 403 naming the integrator role', async (role) => {
      for (const url of feeds) {
        const problem = expectProblem(await s.get(url, role), 403, 'forbidden');
        expect({ url, requiredRoles: problem.requiredRoles }).toEqual({ url, requiredRoles: ['integrator'] });
      }
    });

    // The dashboard's live updates: a reader's page follows the stream with the reader's own token (issue 12).
    it.each(['reader', 'recorder', 'auditor'] as TestRole[])('the %s role may open the live stream (a bad position is its 400, not a 403)', async (role) => {
      const problem = expectProblem(await s.get('/feed/stream?from=not-a-position', role), 400, 'validation-failed');
      expect(problem.errors?.[0]?.field).toBe('from');
    });

    it('may not read the query API, the auditors\' reads or verify: 403 on each', async () => {
      for (const url of [...queries(), ...auditorQueries(), '/integrity/verify', '/integrity/checkpoints', '/integrity/access-log']) {
        const res = await s.get(url, 'integrator');
        expect({ url, status: res.statusCode }).toEqual({ url, status: 403 });
        expectProblem(res, 403, 'forbidden');
      }
    });

    it('may not write: 403 on every command, nothing written', async () => {
      for (const [name, url, body] of commands()) {
        const res = await s.unchanged(() => s.post(url, body, {}, 'integrator'));
        const problem = expectProblem(res, 403, 'forbidden');
        expect({ name, requiredRoles: problem.requiredRoles }).toEqual({ name, requiredRoles: ['recorder'] });
      }
    });
  });

  describe('public endpoints', () => {
    it.each([
      ['/health', /^application\/json/],
      ['/openapi.json', /^application\/json/],
      ['/docs', /^text\/html/],
      ['/docs/swagger-ui-init.js', /^application\/javascript/],
    ])('%s needs no token', async (url, contentType) => {
      const res = await s.send({ method: 'GET', url });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(contentType);
      expect(res.headers['www-authenticate']).toBeUndefined();
    });

    // A monitor configured with an expired token must still see the ledger's health.
    it('/health ignores a bad token rather than refusing it', async () => {
      const res = await s.send({ method: 'GET', url: '/health', headers: { authorization: 'Bearer expired' } });
      expect(res.statusCode).toBe(200);
      expect(res.json().status).toBe('ok');
    });
  });
});
