import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response } from 'light-my-request';
import { answeredSuccessResponses, LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { DEMO, DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { OpenApiResponseValidator } from '../support/openapi-responses';

/*
 * startLedger() checks every success answer against the published OpenAPI document (tests/support); this suite
 * makes sure that check has something to hold on to: every documented success response has a schema, and one run
 * over the demo data reaches every one of them, each answer validated on the way.
 */
describe('OpenAPI response schemas (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;
  let validator: OpenApiResponseValidator;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    validator = new OpenApiResponseValidator((await s.get('/openapi.json')).json());
    refs = await s.playDemo();
  }, 30_000);
  afterAll(() => t.close());

  it('gives a schema for every success response it documents', () => {
    const documented = validator.successResponses();
    expect(documented.length).toBeGreaterThan(30);
    const withoutSchema = documented.filter(({ method, path, status }) => validator.mediaTypesWithSchema(method, path, status).length === 0);
    expect(withoutSchema).toEqual([]);
  });

  it('answers every documented success response of every route within its schema', async () => {
    const incident = refs.incident;
    const claim = refs['az-mod-claim'];
    const { incidentId, claimId, claimUrl } = await s.incidentWithClaim(DEMO.kda);
    const ok = async (status: number, pending: Promise<Response>) => {
      const res = await pending;
      if (res.statusCode !== status) throw new Error(`${res.raw.req.url} answered ${res.statusCode}, not ${status}: ${res.body.slice(0, 500)}`);
    };

    await ok(201, s.post('/parties', valid.party('openapi-check-party')));
    await ok(201, s.post(`${claimUrl}/denials`, valid.denial(DEMO.azDefence)));
    await ok(201, s.post(`${claimUrl}/corrections`, valid.correction(DEMO.kda)));
    await ok(201, s.post(`/incidents/${incidentId}/amendments`, valid.amendment(claimId)));
    await ok(201, s.post(`${claimUrl}/grades`, valid.grade('C', 3)));
    await ok(201, s.post(`${claimUrl}/retraction`, valid.retraction(DEMO.kda)));
    const other = await s.incidentWithClaim(DEMO.azDefence);
    await ok(201, s.post(`/incidents/${other.incidentId}/splits`, { claimIds: [other.claimId], reason: 'Another night', incident: valid.incident('Another night') }));
    await ok(201, s.post(`/incidents/${other.incidentId}/merge`, { survivorId: incidentId, reason: 'The same night' }));
    await ok(200, s.postRaw('/imports', `${JSON.stringify({ key: 'p1', action: 'registerParty', body: valid.party('openapi-import-party') })}\n`, 'application/x-ndjson'));
    await ok(200, s.postRaw('/imports/datasets/acled?release=r1', readFileSync(join(__dirname, '../fixtures/datasets/acled-karabakh-2019.csv'), 'utf8'), 'text/csv'));

    for (const url of [
      '/parties',
      `/parties/${DEMO.azDefence}`,
      '/incidents',
      `/incidents/${incident}`,
      `/incidents/${incident}/versions`,
      `/incidents/${incident}/versions?minReliability=C&minCredibility=3`,
      `/incidents/${incident}/timeline`,
      `/incidents/${incident}/casualties`,
      `/incidents/${incident}/claims/${claim}`,
      '/stats/activity?bucket=week&clock=stated&by=party',
      '/stats/incidents-contested?bucket=month',
      '/stats/parties?q=azerbaijan',
    ]) {
      await ok(200, s.get(url));
      // The CSV form of a list is documented and checked too.
      if (!url.includes('/claims/') && url !== `/incidents/${incident}` && !url.startsWith(`/parties/`)) {
        await ok(200, s.get(`${url}${url.includes('?') ? '&' : '?'}format=csv`));
      }
    }
    for (const url of [
      `/audit/incidents/${incident}/versions?statedAsOf=2019-06-01`,
      `/audit/incidents/${incident}/changes?clock=position&from=1`,
      `/audit/incidents/${incident}/claims/${claim}/history`,
      `/incidents/${incident}/claims/${claim}/history`,
      '/integrity/export/events',
      '/integrity/access-log',
      '/integrity/verify',
    ]) {
      await ok(200, s.get(url, 'auditor'));
    }
    const first = await s.post('/integrity/checkpoints', undefined, {}, 'auditor');
    await ok(201, Promise.resolve(first));
    await ok(200, s.post('/integrity/checkpoints', undefined, {}, 'auditor'));
    await ok(201, s.post('/parties', valid.party('openapi-check-later')));
    await ok(201, s.post('/integrity/checkpoints', undefined, {}, 'auditor'));
    const checkpoints = await s.get('/integrity/checkpoints', 'auditor');
    await ok(200, Promise.resolve(checkpoints));
    const { eventId } = (await s.store.readStream(`incident-${incident}`, { maxCount: 1 }))[0];
    await ok(200, s.get(`/integrity/proofs/inclusion?eventId=${eventId}`, 'auditor'));
    await ok(200, s.get(`/integrity/proofs/consistency?first=${first.json().treeSize}`, 'auditor'));
    for (const url of ['/.well-known/ledger-keys.json', '/asyncapi.json', '/asyncapi.yaml', '/schemas/ledger-cloud-event.json', '/schemas/events', '/schemas/events/ClaimMade.v1.json', '/health', '/health/live', '/health/ready']) {
      await ok(200, s.send({ method: 'GET', url }));
    }
    await ok(200, s.get('/feed/events', 'integrator'));
    await ok(200, s.post('/admin/read-models/rebuild', undefined, {}, 'admin'));
    await ok(200, s.get('/admin/read-models', 'admin'));
    await ok(200, s.get('/metrics', 'admin'));

    const unanswered = validator
      .successResponses()
      .map(({ method, path, status }) => `${method} ${path} ${status}`)
      .filter((response) => !answeredSuccessResponses.has(response) && response !== 'GET /feed/stream 200');
    expect(unanswered).toEqual([]);
  }, 60_000);

  describe('the check itself', () => {
    it('names the field of a body off its schema, and a success response with no schema', () => {
      const list = validator.check('GET', `/incidents?limit=3`, 200, 'application/json', JSON.stringify({ items: 'none', total: 0, limit: 3, offset: 0 }));
      expect(list).toMatchObject({ method: 'GET', path: '/incidents', status: '200' });
      expect(list!.errors.join('\n')).toContain('/items must be array');
      const extra = validator.check('GET', `/parties/${DEMO.kda}`, 200, 'application/json', JSON.stringify({ surprise: true }));
      expect(extra!.errors.join('\n')).toMatch(/must have required property|must NOT have additional properties/);
      expect(validator.check('GET', `/parties/${DEMO.kda}`, 200, 'text/csv', 'a,b')!.errors).toEqual(['no schema documented for 200 text/csv']);
    });

    it('checks each line of an NDJSON answer, and leaves refusals and unknown routes alone', () => {
      const lines = `${JSON.stringify({ position: '1' })}\n`;
      expect(validator.check('GET', '/integrity/export/events', 200, 'application/x-ndjson', lines)!.errors.join('\n')).toContain('must have required property');
      expect(validator.check('GET', '/incidents', 400, 'application/problem+json', '{}')).toBeUndefined();
      expect(validator.check('GET', '/no/such/route', 200, 'application/json', '{}')).toBeUndefined();
    });

    it('holds an answer to the route the request really addresses once dot segments are resolved (a fuzz case)', async () => {
      // The fuzz test sent GET /parties/.. (a party id of "..") and the check held the dashboard's page at / to the
      // party route's schema; like any HTTP client, inject asks for / there.
      const up = await t.app.inject({ method: 'GET', url: '/parties/..?1.5e-323=0' });
      expect(up.statusCode).toBeLessThan(500);
      const around = await t.app.inject({ method: 'GET', url: `/parties/../incidents?limit=1`, headers: { authorization: `Bearer ${t.tokens.reader}` } });
      expect(around.statusCode).toBe(200);
      expect(around.json()).toMatchObject({ limit: 1 });
    });

    it('prefers a literal path segment to a parameter', () => {
      expect(validator.check('GET', '/schemas/events', 200, 'application/json', '{}')).toMatchObject({ path: '/schemas/events' });
      expect(validator.check('GET', '/schemas/events/ClaimMade.v1.json', 200, 'application/json', '{}')).toMatchObject({ path: '/schemas/events/{name}' });
    });
  });
});
