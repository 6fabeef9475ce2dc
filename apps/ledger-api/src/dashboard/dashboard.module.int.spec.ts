import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import Fastify, { type FastifyInstance } from 'fastify';
import { DASHBOARD_CSP, serveDashboard } from './dashboard.module';

describe('serving the dashboard build (int)', () => {
  let root: string;
  let app: FastifyInstance;
  const script = `console.log(${JSON.stringify('x'.repeat(4000))});`;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'dashboard-build-'));
    mkdirSync(join(root, 'assets'));
    writeFileSync(join(root, 'index.html'), '<!doctype html><script type="module" src="/assets/index-abc.js"></script>');
    writeFileSync(join(root, 'assets', 'index-abc.js'), script);
    app = Fastify();
    serveDashboard(app, root);
    app.post('/incidents', async () => ({}));
    await app.ready();
  });
  afterAll(async () => {
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('serves the page at / with its Content-Security-Policy, revalidated on every visit', async () => {
    const res = await app.inject({ method: 'GET', url: '/' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(DASHBOARD_CSP).toContain("script-src 'self'");
    expect(DASHBOARD_CSP).not.toMatch(/script-src[^;]*unsafe/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('/assets/index-abc.js');
  });

  it('serves hashed assets gzipped to clients that take it, cached for good, and answers 304 to a matching ETag', async () => {
    const res = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'accept-encoding': 'gzip, br' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['cache-control']).toContain('immutable');
    expect(gunzipSync(res.rawPayload).toString('utf8')).toBe(script);
    const plain = await app.inject({ method: 'GET', url: '/assets/index-abc.js' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body).toBe(script);
    const again = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'if-none-match': String(res.headers.etag) } });
    expect(again.statusCode).toBe(304);
    // A cache that holds several versions lists them; the plain and the gzipped body share one tag.
    expect(plain.headers.etag).toBe(res.headers.etag);
    const listed = await app.inject({ method: 'GET', url: '/assets/index-abc.js', headers: { 'if-none-match': `W/"older", ${String(res.headers.etag)}` } });
    expect(listed.statusCode).toBe(304);
  });

  it('adds no route beyond the built files: other paths and methods are left to the API', async () => {
    expect((await app.inject({ method: 'GET', url: '/assets/missing.js' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'GET', url: '/../package.json' })).statusCode).toBe(404);
    expect((await app.inject({ method: 'POST', url: '/incidents', payload: {} })).statusCode).toBe(200);
  });
});
