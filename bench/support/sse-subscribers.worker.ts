// A worker thread of SSE subscribers for feed-fanout (see sse-subscriber-pool.ts): it holds its share of the
// connections so that reading them does not compete with the benchmark's writer, reads them over plain sockets
// (BENCH_SSE_CLIENT=http: through node's HTTP client instead), and scans each frame's bytes for its id and its
// CloudEvent `time` instead of parsing the JSON.
import { Agent, IncomingMessage, request as httpRequest } from 'node:http';
import { Socket, connect as netConnect } from 'node:net';
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { chunkedDecoder } from './chunked-decoder';
import type { PoolReply, PoolRequest, SubscriberTally } from './sse-subscriber-pool';

const { baseUrl, token, count, from } = workerData as { baseUrl: string; token: string; count: number; from?: string };

const FRAME_END = Buffer.from('\n\n');
const ID = Buffer.from('id: ');
const CUT_OFF = Buffer.from('event: cut-off');
const TIME = Buffer.from('"time":"');
/** `2026-12-04T11:48:04.183Z`: the recorded time as the server writes it. */
const ISO_LENGTH = 24;

interface Connection {
  response?: IncomingMessage;
  socket?: Socket;
  /** The start of a frame that a chunk cut in two. */
  rest: Buffer | undefined;
  positions: number[];
  latencies: number[];
  errors: string[];
}

const connections: Connection[] = [];
/** Per event: the latest receipt over this worker's subscribers (ms after its recorded time). */
let lastReceipt = new Map<number, number>();
/** Recorded time per position: the same event arrives once per subscriber. */
let recordedAt = new Map<number, number>();
/** Since the last reset: how busy this thread was (1: never idle, so the subscribers, not the server, set the pace). */
let busySince = performance.eventLoopUtilization();

const recordedTimeOf = (position: number, frame: Buffer, start: number, end: number): number => {
  let time = recordedAt.get(position);
  if (time === undefined) {
    const at = frame.indexOf(TIME, start);
    time = at < 0 || at + TIME.length + ISO_LENGTH > end ? NaN : Date.parse(frame.toString('latin1', at + TIME.length, at + TIME.length + ISO_LENGTH));
    recordedAt.set(position, time);
  }
  return time;
};

const startsWith = (buffer: Buffer, prefix: Buffer, start: number, end: number): boolean =>
  end - start >= prefix.length && buffer.compare(prefix, 0, prefix.length, start, start + prefix.length) === 0;

const onData = (c: Connection, chunk: Buffer): void => {
  const now = Date.now();
  const buffer = c.rest ? Buffer.concat([c.rest, chunk]) : chunk;
  let start = 0;
  for (let end = buffer.indexOf(FRAME_END, start); end >= 0; end = buffer.indexOf(FRAME_END, start)) {
    if (startsWith(buffer, ID, start, end)) {
      let position = 0;
      for (let i = start + ID.length; buffer[i] >= 0x30 && buffer[i] <= 0x39; i++) position = position * 10 + (buffer[i] - 0x30);
      c.positions.push(position);
      const latency = now - recordedTimeOf(position, buffer, start, end);
      c.latencies.push(latency);
      if (!(lastReceipt.get(position)! >= latency)) lastReceipt.set(position, latency);
    } else if (startsWith(buffer, CUT_OFF, start, end)) {
      c.errors.push(buffer.toString('utf8', start, end));
    }
    start = end + FRAME_END.length;
  }
  c.rest = start < buffer.length ? buffer.subarray(start) : undefined;
};

const agent = new Agent({ keepAlive: false, maxSockets: Infinity });

const newConnection = (): Connection => {
  const c: Connection = { rest: undefined, positions: [], latencies: [], errors: [] };
  connections.push(c);
  return c;
};

const HEAD_END = Buffer.from('\r\n\r\n');

/**
 * The stream over a plain socket, with HTTP/1.1's chunked framing taken off here: node's HTTP client parses each
 * chunk and pushes it through a second stream, which for 1,000 subscribers at 200 events/s (200,000 chunks a second)
 * cost more CPU than the server's whole fan-out, on the cores the server runs on.
 */
const connectRaw = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const c = newConnection();
    const url = new URL(`${baseUrl}/feed/stream${from === undefined ? '' : `?from=${from}`}`);
    const socket = netConnect(Number(url.port), url.hostname);
    c.socket = socket;
    let head: Buffer | undefined = Buffer.alloc(0);
    let first = true;
    const decode = chunkedDecoder(
      (data) => {
        // Connected once the stream's first frame has come, as with node's client below.
        if (first) (first = false), resolve();
        onData(c, data);
      },
      () => socket.end(),
    );
    const body = (bytes: Buffer): void => {
      try {
        decode(bytes);
      } catch (error) {
        c.errors.push(String(error));
        socket.destroy();
      }
    };
    socket.once('connect', () =>
      socket.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`),
    );
    socket.on('error', (error) => (head ? reject(error) : c.errors.push(String(error))));
    socket.on('data', (chunk: Buffer) => {
      if (!head) return body(chunk);
      const all = head.length ? Buffer.concat([head, chunk]) : chunk;
      const end = all.indexOf(HEAD_END);
      if (end < 0) return void (head = all);
      const status = all.toString('latin1', 9, 12);
      if (status !== '200') return reject(new Error(`GET /feed/stream answered ${status}`));
      if (!/\r\ntransfer-encoding: chunked\r\n/i.test(all.toString('latin1', 0, end + 2))) return reject(new Error('GET /feed/stream did not answer in chunks'));
      head = undefined;
      body(all.subarray(end + HEAD_END.length));
    });
  });

const connect = (): Promise<void> =>
  new Promise((resolve, reject) => {
    const c = newConnection();
    const req = httpRequest(`${baseUrl}/feed/stream${from === undefined ? '' : `?from=${from}`}`, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      c.response = res;
      if (res.statusCode !== 200) return reject(new Error(`GET /feed/stream answered ${res.statusCode}`));
      res.once('data', () => resolve());
      res.on('data', (chunk: Buffer) => onData(c, chunk));
      res.on('error', (error) => c.errors.push(String(error)));
    });
    req.on('error', reject);
    req.end();
  });

const tally = (expected: number[]): SubscriberTally => {
  const result: SubscriberTally = {
    deliveries: 0,
    missing: 0,
    duplicated: 0,
    outOfOrder: 0,
    cutOffs: 0,
    latencies: new Float64Array(0),
    lastReceipts: [],
    busiestThread: performance.eventLoopUtilization(busySince).utilization,
  };
  const latencies: number[] = [];
  for (const c of connections) {
    const got = new Set(c.positions);
    result.deliveries += c.positions.length;
    result.duplicated += c.positions.length - got.size;
    for (const position of expected) if (!got.has(position)) result.missing += 1;
    for (let i = 1; i < c.positions.length; i++) if (c.positions[i] <= c.positions[i - 1]) result.outOfOrder += 1;
    result.cutOffs += c.errors.length;
    for (const latency of c.latencies) latencies.push(latency);
  }
  result.latencies = Float64Array.from(latencies);
  result.lastReceipts = [...lastReceipt];
  return result;
};

const reply = (message: PoolReply, transfer: ArrayBuffer[] = []): void => parentPort!.postMessage(message, transfer);

parentPort!.on('message', (message: PoolRequest) => {
  switch (message.type) {
    case 'reset':
      for (const c of connections) {
        c.positions = [];
        c.latencies = [];
      }
      lastReceipt = new Map();
      recordedAt = new Map();
      busySince = performance.eventLoopUtilization();
      return reply({ type: 'reset' });
    case 'progress':
      return reply({ type: 'progress', fewest: connections.reduce((n, c) => Math.min(n, c.positions.length), Infinity) });
    case 'tally': {
      const result = tally(message.expected);
      return reply({ type: 'tally', tally: result }, [result.latencies.buffer as ArrayBuffer]);
    }
    case 'close':
      for (const c of connections) (c.response ?? c.socket)?.destroy();
      agent.destroy();
      return reply({ type: 'closed' });
  }
});

void (async () => {
  try {
    // In rounds of 100, as a crowd of integrators reconnecting would, not 1,000 handshakes at once.
    const open = process.env.BENCH_SSE_CLIENT === 'http' ? connect : connectRaw;
    for (let opened = 0; opened < count; opened += 100) await Promise.all(Array.from({ length: Math.min(100, count - opened) }, open));
    reply({ type: 'ready' });
  } catch (error) {
    reply({ type: 'failed', message: String(error) });
  }
})();
