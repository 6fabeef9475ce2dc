/**
 * feed-fanout's floor: a server that does nothing but fan out. `POST /incidents/{id}/claims` parses the body, stamps
 * the next position and the time onto one CloudEvent (the ledger's own, given as BENCH_FLOOR_EVENT, its id and time
 * replaced), frames it, answers 201 with `Ledger-Position`, and in the next turn of its event loop writes the frames
 * of every claim answered meanwhile to each open `GET /feed/stream` (joined, corked, one writev each, as the ledger's
 * hub does). Nothing is stored, checked or projected. `GET /health` gives the head and the event-loop delay in the
 * ledger's shape. Plain node:http, no framework: what it costs is the sockets. Prints its URL on stdout.
 */
import { IncomingMessage, ServerResponse, createServer } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const template = JSON.parse(process.env.BENCH_FLOOR_EVENT ?? 'null') as Record<string, unknown> | null;
if (!template || typeof template !== 'object') throw new Error('BENCH_FLOOR_EVENT must be a CloudEvent as JSON');

const streams = new Set<ServerResponse>();
let head = 0;
let loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
let loopSince = Date.now();

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
};

const readBody = (req: IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (part: Buffer) => parts.push(part));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });

/** Frames of the claims answered since the last pass: one pass writes them all, joined, to each stream. */
let pending: Buffer[] = [];

// One write per stream per pass, as the ledger's hub does: claims that arrive while a pass runs share the next one.
// A write per stream per claim cost about 8 µs of CPU each, and with 1,000 streams fell behind 200 claims/s.
const fanOut = (): void => {
  const frames = pending.length === 1 ? pending[0] : Buffer.concat(pending);
  pending = [];
  for (const res of streams) {
    res.cork();
    res.write(frames);
    res.uncork();
  }
};

const claim = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
  // Parsed as the ledger parses a claim, then not used.
  JSON.parse(await readBody(req));
  head += 1;
  // The ledger's event as it is (same bytes but for these fields): a claim's size, not this body's.
  const event = { ...template, id: `floor-${head}`, time: new Date().toISOString() };
  if (pending.length === 0) setImmediate(fanOut);
  pending.push(Buffer.from(`id: ${head}\ndata: ${JSON.stringify(event)}\n\n`, 'utf8'));
  json(res, 201, { position: String(head) }, { 'ledger-position': String(head) });
};

const health = (res: ServerResponse): void => {
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  const eventLoop = { status: 'up', sinceMs: Date.now() - loopSince, p50Ms: ms(loop.percentile(50)), p99Ms: ms(loop.percentile(99)), maxMs: ms(loop.max), meanMs: ms(loop.mean) };
  loop.disable();
  loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  loopSince = Date.now();
  json(res, 200, { status: 'ok', details: { eventStore: { status: 'up', headPosition: String(head) }, eventLoop } });
};

const stream = (res: ServerResponse): void => {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  res.write('retry: 3000\n\n');
  streams.add(res);
  res.on('close', () => streams.delete(res));
};

const server = createServer((req, res) => {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method === 'POST' && /^\/incidents\/[^/]+\/claims$/.test(path)) {
    claim(req, res).catch((error: unknown) => json(res, 400, { title: String(error) }));
  } else if (req.method === 'GET' && path === '/feed/stream') stream(res);
  else if (req.method === 'GET' && path === '/health') health(res);
  else json(res, 404, { title: 'not found' });
});
server.keepAliveTimeout = 60_000;
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const address = server.address();
  if (!address || typeof address !== 'object') throw new Error('floor server has no address');
  process.stdout.write(`fan-out floor server listening on http://127.0.0.1:${address.port}\n`);
});
process.once('SIGTERM', () => {
  for (const res of streams) res.destroy();
  server.close(() => process.exit(0));
});
