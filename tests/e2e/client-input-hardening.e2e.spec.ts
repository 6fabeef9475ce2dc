import type { Response } from 'light-my-request';
import { DemoRefs, LedgerSession, valid } from '../support/ledger-session';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectInvalidFields, expectProblem } from '../support/problem-assertions';

// Each test is quick alone; the margin is for a machine busy with other suites.
jest.setTimeout(30_000);

interface OpenApiParameter {
  in: string;
  name: string;
  required?: boolean;
  schema?: { type?: string };
}
type OpenApiPaths = Record<string, Record<string, { parameters?: OpenApiParameter[] }>>;

/**
 * Regression cases of issue 11 (items 1, 2 and 7 on the embedded store), each of which answered 5xx before its fix.
 * Every refusal must be a problem document and write nothing.
 */
describe('hostile client input (e2e)', () => {
  let t: LedgerTestApp;
  let s: LedgerSession;
  let refs: DemoRefs;
  let paths: OpenApiPaths;

  beforeAll(async () => {
    t = await startLedger();
    s = new LedgerSession(t);
    refs = await s.playDemo();
    paths = (await s.send({ method: 'GET', url: '/openapi.json' })).json().paths;
  }, 60_000);

  afterAll(() => t?.close());

  describe('a body the validation pipe refuses is refused the same with an Idempotency-Key (was 500: hashed before validation)', () => {
    const deep = `{"partyId":"deep-key","name":"D","kind":"state","extra":${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;

    it.each([
      ['nested 10,000 deep', deep],
      ['arrays 10,000 deep as the whole body', `${'['.repeat(10_000)}${']'.repeat(10_000)}`],
    ])('%s: 400 body-too-deep, with or without the key', async (_what, raw) => {
      const without = await s.unchanged(() => s.postRaw('/parties', raw, 'application/json'));
      const withKey = await s.unchanged(() => s.postRaw('/parties', raw, 'application/json', { 'idempotency-key': `deep-${_what.length}` }));
      expectProblem(without, 400, 'body-too-deep');
      expectProblem(withKey, 400, 'body-too-deep');
    });

    it('a number JSON parses to Infinity (1e400): the same 400 naming the field, with or without the key', async () => {
      const raw = JSON.stringify({ ...valid.claim(), assertions: { casualties: [{ side: 'azerbaijan-defence-ministry', killed: { best: 0 } }] } }).replace(
        '"best":0',
        '"best":1e400',
      );
      const url = `/incidents/${refs.incident}/claims`;
      expectInvalidFields(await s.unchanged(() => s.postRaw(url, raw, 'application/json')), ['assertions.casualties[0].killed.best']);
      const keyed = await s.unchanged(() => s.postRaw(url, raw, 'application/json', { 'idempotency-key': 'infinite-best' }));
      expectInvalidFields(keyed, ['assertions.casualties[0].killed.best']);
    });

    it('the key still replays a valid request after the hash moved behind validation', async () => {
      const body = valid.party('keyed-after-hardening');
      const first = await s.post('/parties', body, { 'idempotency-key': 'hardening-replay' });
      const again = await s.post('/parties', body, { 'idempotency-key': 'hardening-replay' });
      const other = await s.unchanged(() => s.post('/parties', { ...body, name: 'Another name' }, { 'idempotency-key': 'hardening-replay' }));
      expect([first.statusCode, again.statusCode, again.headers['idempotent-replayed']]).toEqual([201, 201, 'true']);
      expect(other.statusCode).toBe(422);
    });
  });

  describe('numeric query parameters: 400 naming the parameter (was 500 datatype mismatch, 503 on the access log)', () => {
    const BAD = ['9223372036854775807', '18446744073709551616', '-1', '1.5', 'abc', '1e3', '0x10', '', '99999999999999999999999'];
    /** Every integer or number query parameter the OpenAPI document declares, on a URL the demo makes real. */
    const numericParameters = (): Array<[string, string]> =>
      Object.entries(paths).flatMap(([path, ops]) =>
        Object.values(ops).flatMap((op) =>
          (op.parameters ?? [])
            .filter((p) => p.in === 'query' && (p.schema?.type === 'integer' || p.schema?.type === 'number'))
            .map((p): [string, string] => [path.replace('{incidentId}', refs.incident), p.name]),
        ),
      );

    it('the document declares the numeric parameters this test expects to find', () => {
      const found = numericParameters().map(([path, name]) => `${path.replace(refs.incident, '{incidentId}')}?${name}`);
      expect(found).toEqual(
        expect.arrayContaining(['/parties?offset', '/incidents?offset', '/integrity/access-log?offset', '/feed/events?limit', '/integrity/proofs/consistency?first']),
      );
      // Declared as integers, with their bounds, so that a client can tell what fits.
      for (const [path, ops] of Object.entries(paths)) {
        for (const op of Object.values(ops)) {
          for (const p of op.parameters ?? []) {
            if (p.in === 'query' && ['limit', 'offset', 'first', 'second', 'treeSize'].includes(p.name)) {
              expect({ path, name: p.name, schema: p.schema }).toMatchObject({ schema: { type: 'integer', maximum: expect.any(Number) } });
            }
          }
        }
      }
    });

    it('every bad value of every numeric query parameter', async () => {
      const failures: string[] = [];
      for (const [path, name] of numericParameters()) {
        // Required parameters (first) get a valid companion so that only the bad one is at fault.
        const companion = path.endsWith('/consistency') && name !== 'first' ? '&first=1' : path.endsWith('/inclusion') ? `&eventId=${refs.incident}` : '';
        for (const bad of BAD) {
          const url = `${path}?${name}=${encodeURIComponent(bad)}${companion}`;
          const res = await s.unchanged(() => s.get(url, 'admin'));
          const body = res.headers['content-type']?.toString().startsWith('application/problem+json') ? res.json() : undefined;
          const fields = [...(body?.errors ?? []).map((e: { field: string }) => e.field), ...(body?.field ? [body.field] : [])];
          if (res.statusCode !== 400 || !fields.includes(name)) failures.push(`${url}: ${res.statusCode} ${res.body.slice(0, 160)}`);
        }
      }
      expect(failures).toEqual([]);
    });
  });

  describe('feed positions that name no event: 400, not 503 with Retry-After or an empty page that skips events', () => {
    it.each(['3000', '18446744073709551615', '9223372036854775808'])('GET /feed/events?after=%s', async (after) => {
      const res = await s.unchanged(() => s.get(`/feed/events?after=${after}`, 'integrator'));
      expectInvalidFields(res, ['after']);
    });

    it('the head itself is a valid position (an empty page, next = head)', async () => {
      const head = (await s.head()).toString();
      const res = await s.get(`/feed/events?after=${head}`, 'integrator');
      expect([res.statusCode, res.json().next, res.json().items]).toEqual([200, head, []]);
    });

    it('GET /feed/stream from a position past the head', async () => {
      expectInvalidFields(await s.get('/feed/stream?from=3000', 'integrator'), ['from']);
      expectInvalidFields(await s.get('/feed/stream', 'integrator', { 'last-event-id': '3000' }), ['Last-Event-ID']);
    });
  });

  describe('a wrong method: 405 with Allow (was 404)', () => {
    it.each([
      ['DELETE', '/parties', 'GET, HEAD, POST'],
      ['PUT', '/incidents/{incident}', 'GET, HEAD'],
      ['POST', '/health', 'GET, HEAD'],
      ['GET', '/incidents/{incident}/claims', 'POST'],
    ])('%s %s', async (method, url, allow) => {
      const target = url.replace('{incident}', refs.incident);
      const res = await s.unchanged(() => s.send({ method: method as 'GET', url: target, headers: s.bearer('admin') }));
      const body = expectProblem(res, 405, 'method-not-allowed');
      expect(res.headers.allow).toBe(allow);
      expect(body.allowed).toEqual(allow.split(', '));
    });

    it('a path no method serves stays 404', async () => {
      expectProblem(await s.send({ method: 'DELETE', url: '/nowhere', headers: s.bearer('admin') }), 404, 'not-found');
    });
  });
});
