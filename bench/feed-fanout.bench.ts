/**
 * Fan-out of the live feed: many concurrent SSE subscribers, events appended at a steady rate.
 *
 *   npx jest --config bench/jest.bench.config.js bench/feed-fanout.bench.ts
 *
 * Options, from the environment: BENCH_SUBSCRIBERS=1000, BENCH_RATE=20 (claims per second), BENCH_SECONDS=15.
 *
 * The built ledger runs as its own process (dist/apps/ledger-api/main.js, built if missing) on the embedded store
 * with the demo data, so its memory can be read from /proc without the subscribers' own. This process opens
 * BENCH_SUBSCRIBERS raw HTTP connections to GET /feed/stream (integrator token), waits until each has its first
 * frame, then records claims through the HTTP API at BENCH_RATE per second for BENCH_SECONDS.
 *
 * It reports, per delivery (event × subscriber): latency from the event's recorded time (the server's clock when it
 * handled the command, same host) to its arrival at the subscriber, p50 / p99 / max; deliveries missing or
 * duplicated (must be 0); the server's resident memory with no subscriber and with all of them connected, and the
 * difference per subscriber; the server's CPU time during the run. Subscribers and server share this machine's
 * CPUs, so latency here is an upper bound of what a remote subscriber would see.
 */
import { request as httpRequest, IncomingMessage, Agent } from 'node:http';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { ensureBuilt, removeDataDir, spawnLedger, SpawnedLedger, BUILD_TIMEOUT_MS } from '../tests/support/spawned-ledger';

const SUBSCRIBERS = Number(process.env.BENCH_SUBSCRIBERS ?? 1000);
const RATE = Number(process.env.BENCH_RATE ?? 20);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);

const out = (line = ''): void => void process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident set size of a process, in bytes, from /proc. */
const rssOf = (pid: number): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.split(/\s+/)[1]) * 1024;
};

/** User + system CPU seconds of a process so far. */
const cpuSecondsOf = (pid: number): number => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
};

const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface Subscriber {
  response?: IncomingMessage;
  ready: Promise<void>;
  positions: string[];
  latencies: number[];
  errors: string[];
}

/** One SSE consumer over a raw socket: parses frames, records each event's position and its delivery latency. */
const subscribe = (baseUrl: string, token: string, agent: Agent): Subscriber => {
  const subscriber: Subscriber = { ready: Promise.resolve(), positions: [], latencies: [], errors: [] };
  subscriber.ready = new Promise<void>((resolve, reject) => {
    const req = httpRequest(`${baseUrl}/feed/stream`, { agent, headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } }, (res) => {
      subscriber.response = res;
      if (res.statusCode !== 200) return reject(new Error(`GET /feed/stream answered ${res.statusCode}`));
      res.setEncoding('utf8');
      let buffer = '';
      let first = true;
      res.on('data', (chunk: string) => {
        const now = Date.now();
        if (first) {
          first = false;
          resolve();
        }
        buffer += chunk;
        for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame.split('\n').find((line) => line.startsWith('data: '));
          if (!data || frame.includes('event: ')) {
            if (frame.includes('event: cut-off')) subscriber.errors.push(frame);
            continue;
          }
          const event = JSON.parse(data.slice(6)) as { position: string; time: string; type: string };
          subscriber.positions.push(event.position);
          subscriber.latencies.push(now - Date.parse(event.time));
        }
      });
      res.on('error', (error) => subscriber.errors.push(String(error)));
    });
    req.on('error', reject);
    req.end();
  });
  return subscriber;
};

const claimBody = (i: number) => ({
  partyId: 'osce-minsk-group-co-chairs',
  statement: { text: `Bench statement ${i}: the co-chairs call on both sides to respect the ceasefire.`, verbatim: false, language: 'en' },
  statedAt: { at: '2019-06-01', precision: 'day' },
  source: { title: 'Bench statement of the OSCE Minsk Group Co-Chairs', publisher: 'Bench wire', publishedAt: '2019-06-03' },
  assertions: {},
});


interface PhaseResult {
  total: number;
  /** Client-side time from sending each command to its 201: the durable write path every delivery waits for. */
  acks: number[];
  writeSeconds: number;
  cpuSeconds: number;
  latencies: number[];
  missing: number;
  duplicated: number;
  outOfOrder: number;
  cutOffs: number;
}

/** Records `total` claims at RATE per second and waits for every subscriber to have them all (or 30 s). */
const writeSteadily = async (ledger: SpawnedLedger, incidentId: string, subscribers: Subscriber[], total: number): Promise<PhaseResult> => {
  const cpuBefore = cpuSecondsOf(ledger.pid);
  const written: string[] = [];
  const acks: number[] = [];
  const started = Date.now();
  const writes: Promise<void>[] = [];
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / RATE;
    if (due > Date.now()) await sleep(due - Date.now());
    const sent = Date.now();
    writes.push(
      ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(i) }).then((res) => {
        if (res.status !== 201) throw new Error(`claim ${i} answered ${res.status}: ${JSON.stringify(res.body)}`);
        acks.push(Date.now() - sent);
        written.push(res.headers.get('ledger-position')!);
      }),
    );
  }
  await Promise.all(writes);
  const writeSeconds = (Date.now() - started) / 1000;
  const deadline = Date.now() + 30_000;
  while (subscribers.some((s) => s.positions.length < total) && Date.now() < deadline) await sleep(100);
  const cpuSeconds = cpuSecondsOf(ledger.pid) - cpuBefore;
  const expected = new Set(written);
  let missing = 0;
  let duplicated = 0;
  let outOfOrder = 0;
  for (const s of subscribers) {
    const got = new Set(s.positions);
    duplicated += s.positions.length - got.size;
    for (const position of expected) if (!got.has(position)) missing += 1;
    for (let i = 1; i < s.positions.length; i++) if (BigInt(s.positions[i]) <= BigInt(s.positions[i - 1])) outOfOrder += 1;
  }
  const latencies = subscribers.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const cutOffs = subscribers.reduce((n, s) => n + s.errors.length, 0);
  return { total, acks: acks.sort((a, b) => a - b), writeSeconds, cpuSeconds, latencies, missing, duplicated, outOfOrder, cutOffs };
};

describe('live feed fan-out', () => {
  let ledger: SpawnedLedger | undefined;

  afterAll(async () => {
    await ledger?.stop();
    if (ledger) removeDataDir(ledger.dataDir);
  });

  it(`delivers a steady stream to ${SUBSCRIBERS} concurrent subscribers`, async () => {
    await ensureBuilt('ledger-api');
    ledger = await spawnLedger({ demo: true, env: { LEDGER_CHECKPOINT_INTERVAL_MS: '0' }, startTimeoutMs: 60_000 });
    await ledger.waitUntilCaughtUp(60_000);
    const incidents = (await ledger.request('GET', '/incidents', { role: 'reader' })).body.items as { incidentId: string }[];
    const incidentId = incidents[0].incidentId;

    // Warm the paths (one subscriber, a few writes) so the baseline holds the code, not just an idle heap.
    const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
    const warm = subscribe(ledger.baseUrl, ledger.tokens.integrator, agent);
    await warm.ready;
    for (let i = 0; i < 5; i++) await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(-i) });
    await sleep(500);
    warm.response?.destroy();
    await sleep(1000);
    const rssIdle = rssOf(ledger.pid);

    const subscribers: Subscriber[] = [];
    for (let i = 0; i < SUBSCRIBERS; i++) {
      subscribers.push(subscribe(ledger.baseUrl, ledger.tokens.integrator, agent));
      if (i % 100 === 99) await Promise.all(subscribers.slice(-100).map((s) => s.ready));
    }
    await Promise.all(subscribers.map((s) => s.ready));
    // Catch-up of the log so far is part of connecting; the measurement starts once every subscriber is live.
    const caughtUpBefore = Math.max(...subscribers.map((s) => s.positions.length));
    await sleep(2000);
    const rssConnected = rssOf(ledger.pid);
    for (const s of subscribers) {
      s.positions.length = 0;
      s.latencies.length = 0;
    }

    const measured = await writeSteadily(ledger, incidentId, subscribers, RATE * SECONDS);
    const rssDuring = rssOf(ledger.pid);
    for (const s of subscribers) s.response?.destroy();
    await sleep(1000);

    // The same load with one subscriber, in the same run: what fan-out adds to the write path's own latency.
    const single = subscribe(ledger.baseUrl, ledger.tokens.integrator, agent);
    await single.ready;
    await sleep(500);
    single.positions.length = 0;
    single.latencies.length = 0;
    const baseline = await writeSteadily(ledger, incidentId, [single], RATE * Math.min(SECONDS, 10));
    single.response?.destroy();
    const { missing, duplicated, outOfOrder, latencies, cutOffs, cpuSeconds, writeSeconds, total } = measured;
    out();
    out(`live feed fan-out, Node ${process.version}, ${cpus().length} CPUs, load ${loadavg()[0].toFixed(1)}; server and subscribers on this machine`);
    out(`subscribers ${SUBSCRIBERS}; ${total} claims at ${RATE}/s written in ${writeSeconds.toFixed(1)} s; catch-up on connect: ${caughtUpBefore} events each`);
    out(`deliveries ${latencies.length} of ${total * SUBSCRIBERS}; missing ${missing}, duplicated ${duplicated}, out of order ${outOfOrder}, cut off ${cutOffs}`);
    const p = (list: number[], q: number) => percentile(list, q);
    out(`latency recorded → received: p50 ${p(latencies, 50)} ms, p99 ${p(latencies, 99)} ms, max ${latencies[latencies.length - 1]} ms`);
    out(`command acknowledged (201, after the durable commit and the read models): p50 ${p(measured.acks, 50)} ms, p99 ${p(measured.acks, 99)} ms`);
    out(
      `one subscriber, same rate, same run: p50 ${p(baseline.latencies, 50)} ms, p99 ${p(baseline.latencies, 99)} ms` +
        ` (missing ${baseline.missing}); ${SUBSCRIBERS} subscribers cost ×${(p(latencies, 50) / Math.max(1, p(baseline.latencies, 50))).toFixed(1)} at p50,` +
        ` ×${(p(latencies, 99) / Math.max(1, p(baseline.latencies, 99))).toFixed(1)} at p99`,
    );
    out(
      `server RSS: ${(rssIdle / 2 ** 20).toFixed(1)} MiB with no subscriber, ${(rssConnected / 2 ** 20).toFixed(1)} MiB with ${SUBSCRIBERS} connected, ` +
        `${(rssDuring / 2 ** 20).toFixed(1)} MiB at the end; ${((rssConnected - rssIdle) / SUBSCRIBERS / 1024).toFixed(1)} KiB per subscriber`,
    );
    out(`server CPU during the run: ${cpuSeconds.toFixed(1)} s over ${writeSeconds.toFixed(1)} s of writing`);

    expect({ missing, duplicated, outOfOrder, baselineMissing: baseline.missing }).toEqual({ missing: 0, duplicated: 0, outOfOrder: 0, baselineMissing: 0 });
  }, BUILD_TIMEOUT_MS + 10 * 60_000);
});
