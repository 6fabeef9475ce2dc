import { randomUUID } from 'node:crypto';
import { connect, Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { listen, rawStream } from '../support/feed-clients';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { expectProblem } from '../support/problem-assertions';

jest.setTimeout(60_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw client: sends `head`, then whatever the test trickles; `closed` settles with the time the server closed it and what it answered. */
const rawClient = (port: number, head: string) => {
  const socket: Socket = connect(port, '127.0.0.1');
  const openedAt = Date.now();
  let answer = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (answer += chunk));
  socket.on('error', () => undefined);
  const closed = new Promise<{ afterMs: number; answer: string }>((resolve) => socket.once('close', () => resolve({ afterMs: Date.now() - openedAt, answer })));
  socket.write(head);
  return { socket, closed };
};

const portOf = (base: string) => Number(new URL(base).port);

const timedGet = async (url: string) => {
  const started = performance.now();
  const res = await fetch(url);
  await res.arrayBuffer();
  return { status: res.status, ms: performance.now() - started };
};

describe('limits: timeouts, authentication before the body, stream caps, rate limits', () => {
  describe('slow and unauthenticated clients', () => {
    let t: LedgerTestApp;
    let base: string;

    beforeAll(async () => {
      t = await startLedger({
        env: { LEDGER_HEADERS_TIMEOUT_MS: '1000', LEDGER_REQUEST_TIMEOUT_MS: '2000', LEDGER_TIMEOUT_CHECK_INTERVAL_MS: '200' },
      });
      base = await listen(t.app);
    });
    afterAll(() => t?.close());

    it('refuses a body without a token at once (401 problem, Connection: close) and closes the socket without reading the body', async () => {
      const { socket, closed } = rawClient(
        portOf(base),
        'POST /parties HTTP/1.1\r\nHost: x\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"a',
      );
      const trickle = setInterval(() => socket.write('a'), 100);
      try {
        const { afterMs, answer } = await closed;
        expect(answer).toMatch(/^HTTP\/1\.1 401 /);
        expect(answer.toLowerCase()).toContain('connection: close');
        expect(answer).toContain('application/problem+json');
        expect(answer).toContain('"code":"unauthorized"');
        expect(afterMs).toBeLessThan(1_000);
      } finally {
        clearInterval(trickle);
      }
    });

    it('refuses a bad token the same way before its body is read', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/parties', headers: { authorization: 'Bearer nope', 'content-type': 'application/json' }, payload: '{"broken' });
      expectProblem(res, 401, 'invalid-token');
      expect(res.headers.connection).toBe('close');
    });

    it('closes slow-header and slow-body clients within the configured timeouts while other requests are served', async () => {
      const port = portOf(base);
      const slowHeaders = Array.from({ length: 20 }, () => rawClient(port, 'GET /health HTTP/1.1\r\nHost: x\r\n'));
      const slowBodies = Array.from({ length: 20 }, () =>
        rawClient(
          port,
          `POST /parties HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${t.tokens.recorder}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"a`,
        ),
      );
      const trickle = setInterval(() => {
        for (const c of slowHeaders) c.socket.write('x-slow: 1\r\n');
        for (const c of slowBodies) c.socket.write('a');
      }, 200);
      try {
        const served: number[] = [];
        for (let i = 0; i < 10; i++) {
          const res = await timedGet(`${base}/health`);
          expect(res.status).toBe(200);
          served.push(res.ms);
          await sleep(100);
        }
        const headerClosed = await Promise.all(slowHeaders.map((c) => c.closed));
        const bodyClosed = await Promise.all(slowBodies.map((c) => c.closed));
        // Node checks the timeouts every LEDGER_TIMEOUT_CHECK_INTERVAL_MS, so a close comes up to one interval late.
        for (const { afterMs } of headerClosed) expect(afterMs).toBeLessThan(1_000 + 1_000);
        for (const { afterMs } of bodyClosed) expect(afterMs).toBeLessThan(2_000 + 1_000);
        expect(bodyClosed.every(({ answer }) => answer === '' || answer.startsWith('HTTP/1.1 408'))).toBe(true);
        expect(Math.max(...served)).toBeLessThan(500);
      } finally {
        clearInterval(trickle);
      }
    });
    it('spares a streamed import the whole-request timeout: lines trickled for longer than it are all stored and answered 200', async () => {
      const lineOf = (i: number) =>
        JSON.stringify({
          key: `slow-import-${i}`,
          action: 'registerParty',
          body: { partyId: `slow-import-party-${i}`, name: `Party ${i}`, kind: 'government-body' },
        }) + '\n';
      const { socket, closed } = rawClient(
        portOf(base),
        `POST /imports HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${t.tokens.recorder}\r\ncontent-type: application/x-ndjson\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n`,
      );
      const chunk = (text: string) => socket.write(`${Buffer.byteLength(text).toString(16)}\r\n${text}\r\n`);
      // 12 lines, one every 300 ms: 3.6 s of body against a 2 s request timeout.
      for (let i = 0; i < 12; i++) {
        chunk(lineOf(i));
        await sleep(300);
      }
      socket.write('0\r\n\r\n');
      const { afterMs, answer } = await closed;
      expect(afterMs).toBeGreaterThan(3_000);
      expect(answer).toMatch(/^HTTP\/1\.1 200 /);
      expect(answer).toContain('"imported":12');
      expect(answer).toContain('"failed":0');
    });

    it('still cuts a slow JSON body on a route next to it at the whole-request timeout (408 problem)', async () => {
      const { socket, closed } = rawClient(
        portOf(base),
        `POST /parties HTTP/1.1\r\nHost: x\r\nauthorization: Bearer ${t.tokens.recorder}\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n{"a`,
      );
      const trickle = setInterval(() => socket.write('a'), 100);
      try {
        const { afterMs, answer } = await closed;
        expect(answer).toMatch(/^HTTP\/1\.1 408 /);
        expect(answer).toContain('"code":"request-timeout"');
        expect(afterMs).toBeGreaterThanOrEqual(1_900);
        expect(afterMs).toBeLessThan(3_000);
      } finally {
        clearInterval(trickle);
      }
    });
  });

  describe('event stream caps', () => {
    let t: LedgerTestApp;
    let base: string;

    beforeAll(async () => {
      t = await startLedger({
        env: { LEDGER_FEED_MAX_STREAMS_PER_TOKEN: '2', LEDGER_FEED_MAX_STREAMS: '3' },
        extraTokens: [],
      });
      base = await listen(t.app);
    });
    afterAll(() => t?.close());

    it('answers 429 beyond the per-token cap and 503 beyond the total, both problems with Retry-After, and admits again once one closes', async () => {
      const a = await rawStream(base, '/feed/stream', t.tokens.integrator);
      const b = await rawStream(base, '/feed/stream', t.tokens.integrator);
      try {
        expect([a.res.statusCode, b.res.statusCode]).toEqual([200, 200]);
        const third = await fetch(`${base}/feed/stream`, { headers: { authorization: `Bearer ${t.tokens.integrator}` } });
        expect(third.status).toBe(429);
        expect(third.headers.get('content-type')).toContain('application/problem+json');
        expect(third.headers.get('retry-after')).toBe('5');
        expect(await third.json()).toMatchObject({ status: 429, code: 'too-many-streams', limit: 2 });

        const admin = await rawStream(base, '/feed/stream', t.tokens.admin);
        try {
          expect(admin.res.statusCode).toBe(200);
          const full = await fetch(`${base}/feed/stream`, { headers: { authorization: `Bearer ${t.tokens.admin}` } });
          expect(full.status).toBe(503);
          expect(full.headers.get('retry-after')).toBe('5');
          expect(await full.json()).toMatchObject({ status: 503, code: 'streams-exhausted', limit: 3 });
        } finally {
          admin.res.destroy();
        }
        a.res.destroy();
        await a.ended;
        await sleep(100);
        const again = await rawStream(base, '/feed/stream', t.tokens.integrator);
        expect(again.res.statusCode).toBe(200);
        again.res.destroy();
      } finally {
        a.res.destroy();
        b.res.destroy();
      }
    });
  });

  describe('per-token rate limit', () => {
    let t: LedgerTestApp;

    beforeAll(async () => {
      t = await startLedger({ env: { LEDGER_RATE_LIMIT_MAX: '5', LEDGER_RATE_LIMIT_WINDOW_MS: '1500' } });
    });
    afterAll(() => t?.close());

    const get = (token: string) => t.app.inject({ method: 'GET', url: '/incidents', headers: { authorization: `Bearer ${token}` } });

    it('counts each token on its own, answers 429 with RateLimit and Retry-After headers beyond the limit, then recovers', async () => {
      for (let i = 0; i < 5; i++) {
        const ok = await get(t.tokens.reader);
        expect(ok.statusCode).toBe(200);
        expect(ok.headers['ratelimit-limit']).toBe('5');
        expect(ok.headers['ratelimit-remaining']).toBe(String(4 - i));
      }
      const refused = await get(t.tokens.reader);
      const problem = expectProblem(refused, 429, 'rate-limited');
      expect(problem.limit).toBe(5);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(refused.headers['ratelimit-remaining']).toBe('0');
      // Another token is not affected, nor are public routes without one.
      expect((await get(t.tokens.recorder)).statusCode).toBe(200);
      expect((await t.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);

      await sleep(Number(refused.headers['retry-after']) * 1000 + 100);
      expect((await get(t.tokens.reader)).statusCode).toBe(200);
    });
  });

  describe('request log and metrics', () => {
    let t: LedgerTestApp;
    const log = new PassThrough();
    let lines = '';
    log.on('data', (chunk: Buffer) => (lines += chunk.toString('utf8')));

    beforeAll(async () => {
      t = await startLedger({ requestLogStream: log });
    });
    afterAll(() => t?.close());

    const entries = () =>
      lines
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as Record<string, any>);

    it('writes one JSON line per request with request id, principal, route, status and latency, never a token', async () => {
      const correlationId = `log-${randomUUID()}`;
      const ok = await t.app.inject({ method: 'GET', url: '/parties?limit=3', headers: { authorization: `Bearer ${t.tokens.reader}`, 'x-correlation-id': correlationId } });
      expect(ok.statusCode).toBe(200);
      const refused = await t.app.inject({ method: 'POST', url: '/parties', headers: { authorization: `Bearer ${t.tokens.admin}x`, 'content-type': 'application/json' }, payload: '{}' });
      expect(refused.statusCode).toBe(401);
      await sleep(50);

      const line = entries().find((e) => e.req?.id === correlationId);
      expect(line).toMatchObject({
        level: 30,
        req: { id: correlationId, method: 'GET', url: '/parties?limit=3' },
        principal: { id: 'test-reader', roles: ['reader'] },
        route: '/parties',
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      });
      expect(entries().some((e) => e.req?.url === '/parties' && e.res?.statusCode === 401 && e.principal === undefined)).toBe(true);
      for (const token of Object.values(t.tokens)) expect(lines).not.toContain(token);
      expect(lines.toLowerCase()).not.toContain('authorization');
      expect(lines).not.toContain('Bearer');
    });

    it('serves Prometheus metrics to an admin only, and they move with requests and appends', async () => {
      const scrape = async () => {
        const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${t.tokens.admin}` } });
        expect(res.statusCode).toBe(200);
        expect(res.headers['content-type']).toContain('text/plain');
        return res.body;
      };
      const value = (text: string, series: string): number => {
        const line = text.split('\n').find((l) => l.startsWith(`${series} `));
        return line === undefined ? 0 : Number(line.slice(series.length + 1));
      };
      expectProblem(await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${t.tokens.reader}` } }), 403, 'forbidden');
      expectProblem(await t.app.inject({ method: 'GET', url: '/metrics' }), 401, 'unauthorized');

      const before = await scrape();
      const registered = await t.app.inject({
        method: 'POST',
        url: '/parties',
        headers: { authorization: `Bearer ${t.tokens.recorder}`, 'content-type': 'application/json' },
        payload: { partyId: `metrics-${Date.now()}`, name: 'Metrics test party', kind: 'ngo' },
      });
      expect(registered.statusCode).toBe(201);
      const after = await scrape();

      const created = 'ledger_http_requests_total{method="POST",route="/parties",status="201"}';
      expect(value(after, created)).toBe(value(before, created) + 1);
      expect(value(after, 'ledger_appends_total{outcome="ok"}')).toBeGreaterThan(value(before, 'ledger_appends_total{outcome="ok"}'));
      expect(value(after, 'ledger_append_commit_duration_seconds_count')).toBeGreaterThan(value(before, 'ledger_append_commit_duration_seconds_count'));
      expect(after).toContain('ledger_http_request_duration_seconds_bucket{le="0.005",method="POST",route="/parties",status="201"}');
      expect(after).toMatch(/ledger_projection_state\{state="live"\} 1/);
      expect(after).toMatch(/^ledger_projection_lag_positions \d+$/m);
      expect(after).toMatch(/^ledger_feed_stream_subscribers 0$/m);
      expect(after).toContain('ledger_rate_limit_rejections_total 0');
      expect(after).toContain('process_resident_memory_bytes');
    });
  });
});
