/**
 * feed-fanout: many concurrent SSE subscribers of GET /feed/stream while claims are recorded at a steady rate
 * (1,000 subscribers at 200 claims/s for 15 s full; 50 at 50/s for 3 s small), against one subscriber at the same
 * rate in the same run.
 *
 * The built ledger runs as its own process (fresh data directory, demo data), so its memory is read from /proc
 * without the subscribers'. This process opens the subscribers as raw HTTP connections (integrator token), waits
 * for each to be live, then POSTs claims round-robin over 200 incidents (none grows large: that is flat-cost's
 * subject) on a fixed schedule, at most 16 awaiting their answer (a server slower than the schedule makes the writer
 * fall behind: the achieved rate is a figure).
 * Latency per delivery (event × subscriber): from the event's recorded time (the server's clock when it handled the
 * command, same host) to its arrival. Subscribers and server share this machine's CPUs, so this is an upper bound
 * of what a remote subscriber would see.
 *
 * Figures: p99 and p50 latency against one subscriber (target p99 ≤ 50 ms), server RSS per subscriber, command
 * acknowledgement p99. Checks: no delivery missing, duplicated or out of order, no subscriber cut off, every claim 201.
 */
import { Agent, IncomingMessage, request as httpRequest } from 'node:http';
import { SpawnedLedger, removeDataDir } from '../tests/support/spawned-ledger';
import { runBenchmark } from './support/bench-child';
import { reportIncidents, spawnBenchLedger } from './support/bench-processes';
import { demoClaimBody } from './support/demo-bodies';
import { cpuSecondsOf, percentile, rssOf, sleep } from './support/measure';

const INCIDENTS = 200;
/** Claims awaiting their answer at most, as many as http-claims' connections. */
const MAX_IN_FLIGHT = 16;

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
          const event = JSON.parse(data.slice(6)) as { position: string; time: string };
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

interface Phase {
  total: number;
  /** Client-side time from sending each command to its 201: the durable write path every delivery waits for. */
  acks: number[];
  failedWrites: string[];
  writeSeconds: number;
  cpuSeconds: number;
  latencies: number[];
  missing: number;
  duplicated: number;
  outOfOrder: number;
  cutOffs: number;
}

/** Records `total` claims at `rate` per second and waits for every subscriber to have them all (or 30 s). */
const writeSteadily = async (ledger: SpawnedLedger, incidentIds: string[], subscribers: Subscriber[], rate: number, total: number): Promise<Phase> => {
  for (const s of subscribers) {
    s.positions.length = 0;
    s.latencies.length = 0;
  }
  const cpuBefore = cpuSecondsOf(ledger.pid);
  const written: string[] = [];
  const acks: number[] = [];
  const failedWrites: string[] = [];
  const started = Date.now();
  const writes: Promise<void>[] = [];
  const body = demoClaimBody();
  let inFlight = 0;
  let slotFreed: () => void = () => undefined;
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    // A server slower than the schedule makes the writer fall behind (the achieved rate says so), not pile up sockets.
    while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((resolve) => (slotFreed = resolve));
    inFlight++;
    const sent = Date.now();
    writes.push(
      ledger
        .request('POST', `/incidents/${incidentIds[i % incidentIds.length]}/claims`, { role: 'recorder', body })
        .then(
          (res) => {
            if (res.status !== 201) return void failedWrites.push(`${res.status}`);
            acks.push(Date.now() - sent);
            written.push(res.headers.get('ledger-position')!);
          },
          (error: unknown) => void failedWrites.push(`${String(error)}${error instanceof Error && error.cause ? ` (${String(error.cause)})` : ''}`),
        )
        .finally(() => {
          inFlight--;
          slotFreed();
        }),
    );
  }
  await Promise.all(writes);
  const writeSeconds = (Date.now() - started) / 1000;
  const deadline = Date.now() + 30_000;
  while (subscribers.some((s) => s.positions.length < written.length) && Date.now() < deadline) await sleep(100);
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
  return {
    total,
    acks: acks.sort((a, b) => a - b),
    failedWrites,
    writeSeconds,
    cpuSeconds,
    latencies: subscribers.flatMap((s) => s.latencies).sort((a, b) => a - b),
    missing,
    duplicated,
    outOfOrder,
    cutOffs: subscribers.reduce((n, s) => n + s.errors.length, 0),
  };
};

runBenchmark('feed-fanout', async (ctx) => {
  const subscriberCount = ctx.pick('subscribers', 50, 1000);
  const rate = ctx.pick('claims per second', 50, 200);
  const seconds = ctx.pick('seconds', 3, 15);
  ctx.pick('incidents written to', INCIDENTS, INCIDENTS);

  const ledger = await spawnBenchLedger();
  const agent = new Agent({ keepAlive: false, maxSockets: Infinity });
  try {
    await ledger.waitUntilCaughtUp(60_000);
    const incidentIds = await reportIncidents(ledger, INCIDENTS);
    const token = ledger.tokens.integrator;

    // Warm the paths (one subscriber, a few writes) so the idle baseline holds the code, not just an idle heap.
    const warm = subscribe(ledger.baseUrl, token, agent);
    await warm.ready;
    await writeSteadily(ledger, incidentIds, [warm], rate, Math.min(rate, 20));
    warm.response?.destroy();
    await sleep(1000);
    const rssIdle = rssOf(ledger.pid);

    const subscribers: Subscriber[] = [];
    for (let i = 0; i < subscriberCount; i++) {
      subscribers.push(subscribe(ledger.baseUrl, token, agent));
      if (i % 100 === 99) await Promise.all(subscribers.slice(-100).map((s) => s.ready));
    }
    await Promise.all(subscribers.map((s) => s.ready));
    // Catch-up of the log so far is part of connecting; the measurement starts once every subscriber is live.
    await sleep(2000);
    const rssConnected = rssOf(ledger.pid);
    const many = await writeSteadily(ledger, incidentIds, subscribers, rate, rate * seconds);
    for (const s of subscribers) s.response?.destroy();
    await sleep(1000);

    // The same load with one subscriber, in the same run: what fan-out adds to the write path's own latency.
    const single = subscribe(ledger.baseUrl, token, agent);
    await single.ready;
    await sleep(500);
    const one = await writeSteadily(ledger, incidentIds, [single], rate, rate * seconds);
    single.response?.destroy();

    ctx.figure({
      figure: `recorded → received p99, ${subscriberCount} subscribers`,
      value: percentile(many.latencies, 99),
      unit: 'ms',
      baseline: { label: '1 subscriber', value: percentile(one.latencies, 99), unit: 'ms' },
      target: { of: 'value', op: '<=', threshold: 50 },
    });
    ctx.figure({ figure: `recorded → received p50, ${subscriberCount} subscribers`, value: percentile(many.latencies, 50), unit: 'ms', baseline: { label: '1 subscriber', value: percentile(one.latencies, 50), unit: 'ms' } });
    ctx.figure({ figure: 'claim acknowledged p99 during fan-out', value: percentile(many.acks, 99), unit: 'ms', baseline: { label: '1 subscriber', value: percentile(one.acks, 99), unit: 'ms' } });
    ctx.figure({ figure: `claims recorded per second during fan-out (${rate}/s asked)`, value: many.total / many.writeSeconds, unit: '/s', baseline: { label: '1 subscriber', value: one.total / one.writeSeconds, unit: '/s' } });
    ctx.figure({ figure: 'server RSS per subscriber', value: (rssConnected - rssIdle) / subscriberCount / 1024, unit: 'KiB' });
    ctx.note(`server CPU ${many.cpuSeconds.toFixed(1)} s over ${many.writeSeconds.toFixed(1)} s of writing with ${subscriberCount} subscribers, ${one.cpuSeconds.toFixed(1)} s with one`);

    for (const [label, phase, count] of [[`${subscriberCount} subscribers`, many, subscriberCount], ['1 subscriber', one, 1]] as const) {
      const { missing, duplicated, outOfOrder, cutOffs, failedWrites, latencies, total } = phase;
      ctx.check(
        `${label}: every event delivered once, in order`,
        missing === 0 && duplicated === 0 && outOfOrder === 0 && cutOffs === 0,
        `${latencies.length} of ${(total - failedWrites.length) * count} deliveries; missing ${missing}, duplicated ${duplicated}, out of order ${outOfOrder}, cut off ${cutOffs}`,
      );
      ctx.check(`${label}: every claim answered 201`, failedWrites.length === 0, failedWrites.length ? `failed: ${[...new Set(failedWrites)].join(', ')}` : `${total} of ${total}`);
    }
  } finally {
    agent.destroy();
    await ledger.stop();
    removeDataDir(ledger.dataDir);
  }
});
