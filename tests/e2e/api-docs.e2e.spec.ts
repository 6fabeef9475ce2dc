import { DEMO_SCENARIO, ScenarioAction } from '../../apps/ledger-api/src/demo/scenario';
import { LedgerSession } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

// Each test is quick alone; the margin is for a machine busy with other suites.
jest.setTimeout(20_000);

interface Operation {
  requestBody?: { required?: boolean; content: Record<string, { schema?: unknown; example?: unknown; examples?: Record<string, { value: unknown }> }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
  parameters?: Array<{ in: string; name: string }>;
  security?: unknown[];
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>; securitySchemes: Record<string, Record<string, unknown>> };
  security?: Array<Record<string, unknown>>;
}

/** Every route of the API, as OpenAPI names it, with what each must document besides 200/201. */
const ROUTES: Array<[method: 'get' | 'post', path: string]> = [
  ['post', '/parties'],
  ['get', '/parties'],
  ['get', '/parties/{partyId}'],
  ['post', '/incidents'],
  ['get', '/incidents'],
  ['get', '/incidents/{incidentId}'],
  ['get', '/incidents/{incidentId}/versions'],
  ['get', '/incidents/{incidentId}/timeline'],
  ['post', '/incidents/{incidentId}/claims'],
  ['get', '/incidents/{incidentId}/claims/{claimId}'],
  ['get', '/incidents/{incidentId}/claims/{claimId}/history'],
  ['post', '/incidents/{incidentId}/claims/{claimId}/denials'],
  ['post', '/incidents/{incidentId}/claims/{claimId}/corrections'],
  ['post', '/incidents/{incidentId}/claims/{claimId}/retraction'],
  ['post', '/incidents/{incidentId}/claims/{claimId}/grades'],
  ['post', '/incidents/{incidentId}/amendments'],
  ['get', '/audit/incidents/{incidentId}/versions'],
  ['get', '/audit/incidents/{incidentId}/changes'],
  ['get', '/audit/incidents/{incidentId}/claims/{claimId}/history'],
  ['get', '/health'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
  ['get', '/admin/read-models'],
];
const COMMANDS = ROUTES.filter(([method]) => method === 'post').map(([, path]) => path);
const ACTION_BY_PATH: Record<string, ScenarioAction> = {
  '/parties': 'registerParty',
  '/incidents': 'reportIncident',
  '/incidents/{incidentId}/claims': 'makeClaim',
  '/incidents/{incidentId}/claims/{claimId}/denials': 'denyClaim',
  '/incidents/{incidentId}/claims/{claimId}/corrections': 'correctClaim',
  '/incidents/{incidentId}/claims/{claimId}/retraction': 'retractClaim',
  '/incidents/{incidentId}/claims/{claimId}/grades': 'gradeSource',
  '/incidents/{incidentId}/amendments': 'amendEntry',
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Equal, except that a scenario reference (`@name`) stands for whichever id the example shows in its place. */
const sameModuloRefs = (example: unknown, step: unknown): boolean => {
  if (typeof step === 'string' && step.startsWith('@')) return typeof example === 'string' && UUID.test(example);
  if (Array.isArray(step)) return Array.isArray(example) && example.length === step.length && step.every((v, i) => sameModuloRefs(example[i], v));
  if (step !== null && typeof step === 'object') {
    if (example === null || typeof example !== 'object' || Array.isArray(example)) return false;
    const keys = new Set([...Object.keys(step), ...Object.keys(example)]);
    return [...keys].every((k) => sameModuloRefs((example as Record<string, unknown>)[k], (step as Record<string, unknown>)[k]));
  }
  return example === step;
};

describe('API docs (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let doc: OpenApiDocument;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    const res = await s.send({ method: 'GET', url: '/openapi.json' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.json();
  }, 30_000);

  afterAll(() => t?.close());

  const op = (method: string, path: string): Operation => {
    const operation = doc.paths[path]?.[method];
    expect({ method, path, documented: operation !== undefined }).toEqual({ method, path, documented: true });
    return operation!;
  };
  const examplesOf = (path: string): unknown[] => {
    const content = op('post', path).requestBody?.content['application/json'];
    return [...(content?.example === undefined ? [] : [content.example]), ...Object.values(content?.examples ?? {}).map((e) => e.value)];
  };

  it('is an OpenAPI 3 document about the ledger', () => {
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Incident Ledger', version: expect.any(String) });
  });

  it.each(ROUTES)('documents %s %s', (method, path) => {
    expect(op(method, path).responses).toBeDefined();
  });

  it('documents the path parameters of every route that has them', () => {
    for (const [method, path] of ROUTES) {
      const declared = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const documented = (op(method, path).parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      expect({ path, documented }).toEqual({ path, documented: declared });
    }
  });

  it('declares bearer authentication, required by default and waived only for the health probes', () => {
    const schemes = Object.entries(doc.components.securitySchemes);
    expect(schemes).toEqual([[expect.any(String), expect.objectContaining({ type: 'http', scheme: 'bearer' })]]);
    const [name] = schemes[0];
    expect(doc.security).toEqual([{ [name]: [] }]);
    for (const [method, path] of ROUTES) {
      const security = op(method, path).security ?? doc.security;
      expect({ path, security }).toEqual({ path, security: path === '/health' || path.startsWith('/health/') ? [] : [{ [name]: [] }] });
    }
  });

  it.each([
    ['/audit/incidents/{incidentId}/versions', ['after', 'limit', 'minCredibility', 'minReliability', 'position', 'recordedAsOf', 'statedAsOf']],
    ['/audit/incidents/{incidentId}/changes', ['after', 'clock', 'from', 'limit', 'to']],
    ['/audit/incidents/{incidentId}/claims/{claimId}/history', ['position', 'recordedAsOf', 'statedAsOf']],
  ])('GET %s documents its as-of parameters and its refusals as problems', (path, params) => {
    const operation = op('get', path);
    expect((operation.parameters ?? []).filter((p) => p.in === 'query').map((p) => p.name).sort()).toEqual(params);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404']));
    for (const status of ['400', '403', '404']) expect(Object.keys(operation.responses[status].content ?? {})).toEqual(['application/problem+json']);
  });

  it('has a Problem schema with the RFC 9457 members and the stable code', () => {
    const problem = doc.components.schemas.Problem;
    expect(Object.keys(problem.properties ?? {})).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'instance', 'code']));
    expect(problem.required).toEqual(expect.arrayContaining(['type', 'title', 'status', 'detail', 'code']));
  });

  it.each(COMMANDS)('POST %s documents its refusals as application/problem+json', (path) => {
    const responses = op('post', path).responses;
    const expected = ['400', '401', '403', '409', '422', ...(path === '/parties' || path === '/incidents' ? [] : ['404'])];
    expect(Object.keys(responses)).toEqual(expect.arrayContaining(['201', ...expected]));
    for (const status of expected) {
      const content = responses[status].content ?? {};
      expect({ status, types: Object.keys(content) }).toEqual({ status, types: ['application/problem+json'] });
      const ref = content['application/problem+json'].schema?.$ref ?? '';
      expect(doc.components.schemas[ref.split('/').pop() ?? '']).toBeDefined();
    }
  });

  it.each(COMMANDS)('POST %s documents If-Match and Idempotency-Key', (path) => {
    const headers = (op('post', path).parameters ?? []).filter((p) => p.in === 'header').map((p) => p.name.toLowerCase());
    expect(headers).toEqual(expect.arrayContaining(['if-match', 'idempotency-key']));
  });

  it.each(COMMANDS)('POST %s has a required JSON body with at least one example', (path) => {
    const body = op('post', path).requestBody;
    expect(body?.required).toBe(true);
    expect(Object.keys(body?.content ?? {})).toEqual(['application/json']);
    expect(examplesOf(path).length).toBeGreaterThan(0);
  });

  // The examples are the seed article's steps, so that what the docs show is what the demo records;
  // only an action the article has no step for (nobody retracted anything) gets one illustrative example.
  it.each(COMMANDS)('the examples of POST %s are steps of the demo scenario', (path) => {
    const steps = DEMO_SCENARIO.steps.filter((step) => step.action === ACTION_BY_PATH[path]).map((step) => step.body);
    if (steps.length === 0) {
      const summaries = Object.values(op('post', path).requestBody?.content['application/json'].examples ?? {}).map((e) => (e as unknown as { summary: string }).summary);
      expect(summaries).toEqual([expect.stringMatching(/^Illustrative/)]);
      return;
    }
    for (const example of examplesOf(path)) {
      expect({ example, fromDemo: steps.some((step) => sameModuloRefs(example, step)) }).toEqual({ example, fromDemo: true });
    }
  });

  // Sent as they are (ids in them may name nothing here), examples must pass request validation.
  it.each(COMMANDS)('the examples of POST %s are valid request bodies', async (path) => {
    const refs = await ensureDemo();
    const url = path
      .replace('{incidentId}', refs.incident)
      .replace('{claimId}', path.endsWith('/denials') ? refs['az-mod-claim'] : refs['kda-claim']);
    for (const example of examplesOf(path)) {
      const res = await s.post(url, example);
      expect({ example, status: res.statusCode, body: res.body.slice(0, 300) }).toEqual({ example, status: expect.any(Number), body: expect.any(String) });
      expect(res.statusCode).not.toBe(400);
      expect(res.statusCode).toBeLessThan(500);
    }
  });

  let demo: Promise<Record<string, string>> | undefined;
  const ensureDemo = () => (demo ??= s.playDemo());

  describe('/docs', () => {
    it('serves the Swagger UI page', async () => {
      const res = await s.send({ method: 'GET', url: '/docs' });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.body).toContain('<div id="swagger-ui"></div>');
      expect(res.body).toContain('<title>Incident Ledger API</title>');
    });

    it('points the UI at /openapi.json, and every asset the page loads is served', async () => {
      const page = (await s.send({ method: 'GET', url: '/docs' })).body;
      const assets = [...page.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
      expect(assets.length).toBeGreaterThanOrEqual(4);
      for (const asset of assets) {
        const res = await s.send({ method: 'GET', url: asset });
        expect({ asset, status: res.statusCode, size: res.rawPayload.length > 0 }).toEqual({ asset, status: 200, size: true });
      }
      const init = await s.send({ method: 'GET', url: '/docs/swagger-ui-init.js' });
      expect(init.body).toContain('"/openapi.json"');
    });
  });
});
