/**
 * feed-fanout: many concurrent SSE subscribers of GET /feed/stream while claims are recorded at a steady rate
 * (1,000 subscribers at 200 claims/s for 15 s full; 50 at 50/s for 3 s small), against one subscriber at the same
 * rate in the same run.
 *
 * The built ledger runs as its own process (fresh data directory, demo data), so its memory is read from /proc
 * without the subscribers'. The subscribers are raw HTTP connections (integrator token) held by two worker threads
 * (support/sse-subscribers.worker.ts), which scan each frame's bytes for its id and recorded time rather than parse
 * it, so that reading 1,000 streams does not slow this thread's writer. Once every one is live, this thread POSTs
 * claims round-robin over 200 incidents (none grows large: that is flat-cost's subject) on a fixed schedule, at most
 * 16 awaiting their answer (a server slower than the schedule makes the writer fall behind: the achieved rate is a
 * figure). Before either phase, claims at the same rate with one subscriber warm the server up (20 s full, 1 s small),
 * and every subscriber connects from the log's head as it then is.
 * Latency per delivery (event × subscriber): from the event's recorded time (the server's clock when it handled the
 * command, same host) to its arrival; per event, until the last subscriber received it. Subscribers and server share
 * this machine's CPUs, so this is an upper bound of what a remote subscriber would see.
 *
 * Then the same writer and subscribers against a server that does nothing but fan out the ledger's frames
 * (fanout-floor-server/main.ts), with the ledger stopped: the floor this machine sets before any of the ledger's work.
 *
 * Figures: p99 and p50 latency against one subscriber (target p99 ≤ 50 ms) and against the floor server, the
 * server's event-loop delay (its /health `eventLoop`, read before and after each phase), server RSS per subscriber,
 * command acknowledgement p99, the server's CPU (all threads, and its HTTP thread alone) per claim until every
 * delivery arrived.
 * Checks: no delivery missing, duplicated or out of order, no subscriber cut off, every claim 201.
 */
import { HealthBody, SpawnedLedger, removeDataDir } from '../tests/support/spawned-ledger';
import { runBenchmark } from './support/bench-child';
import { ScriptServer, reportIncidents, spawnBenchLedger, spawnFanOutFloorServer } from './support/bench-processes';
import { demoClaimBody } from './support/demo-bodies';
import { cpuSecondsOf, mainThreadCpuSecondsOf, percentile, rssOf, sleep } from './support/measure';
import { SubscriberPool } from './support/sse-subscriber-pool';

const INCIDENTS = 200;
/** Claims awaiting their answer at most, as many as http-claims' connections. */
const MAX_IN_FLIGHT = 16;
/** Worker threads holding the subscribers: off the writer's event loop, and not one per subscriber. */
const SUBSCRIBER_THREADS = 2;

/** The server's event-loop delay over a window, as its /health reports it (each reading starts a new window). */
type LoopDelay = NonNullable<HealthBody['details']['eventLoop']>;

/** What a phase needs of the server under test: the ledger, or the floor server that only fans out. */
type FanOutServer = Pick<SpawnedLedger, 'pid' | 'baseUrl' | 'request' | 'health'>;

const loopDelayOf = async (server: FanOutServer): Promise<LoopDelay | undefined> => (await server.health()).body.details?.eventLoop;

/** The floor server through the ledger's client shape (it takes no token). */
const floorClient = (floor: ScriptServer): FanOutServer => {
  const request: SpawnedLedger['request'] = async (method, path, { body } = {}) => {
    const res = await fetch(`${floor.baseUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  return { pid: floor.pid, baseUrl: floor.baseUrl, request, health: () => request<HealthBody>('GET', '/health') };
};

interface Phase {
  total: number;
  /** Client-side time from sending each command to its 201: the durable write path every delivery waits for. */
  acks: number[];
  failedWrites: string[];
  writeSeconds: number;
  cpuSeconds: number;
  /** The server's HTTP thread alone (the feed's fan-out runs there). */
  mainCpuSeconds: number;
  latencies: Float64Array;
  /** Per event: until the last subscriber received it. */
  lastReceipts: number[];
  deliveries: number;
  loop: LoopDelay | undefined;
  /** Event-loop utilisation of the busiest subscriber thread. */
  subscriberLoad: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  cutOffs: number;
}

/** Records `total` claims at `rate` per second and waits for every subscriber to have them all (or 30 s). */
const writeSteadily = async (ledger: FanOutServer, incidentIds: string[], subscribers: SubscriberPool, rate: number, total: number): Promise<Phase> => {
  await subscribers.reset();
  await loopDelayOf(ledger);
  const cpuBefore = cpuSecondsOf(ledger.pid);
  const mainCpuBefore = mainThreadCpuSecondsOf(ledger.pid);
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
  while ((await subscribers.fewestReceived()) < written.length && Date.now() < deadline) await sleep(100);
  const cpuSeconds = cpuSecondsOf(ledger.pid) - cpuBefore;
  const mainCpuSeconds = mainThreadCpuSecondsOf(ledger.pid) - mainCpuBefore;
  const loop = await loopDelayOf(ledger);
  const tally = await subscribers.tally(written.map(Number));
  return {
    total,
    acks: acks.sort((a, b) => a - b),
    failedWrites,
    writeSeconds,
    cpuSeconds,
    mainCpuSeconds,
    latencies: tally.latencies,
    lastReceipts: tally.lastReceipts.map(([, ms]) => ms).sort((a, b) => a - b),
    deliveries: tally.deliveries,
    loop,
    subscriberLoad: tally.busiestThread,
    missing: tally.missing,
    duplicated: tally.duplicated,
    outOfOrder: tally.outOfOrder,
    cutOffs: tally.cutOffs,
  };
};

runBenchmark('feed-fanout', async (ctx) => {
  const subscriberCount = ctx.pick('subscribers', 50, 1000);
  const rate = ctx.pick('claims per second', 50, 200);
  const seconds = ctx.pick('seconds', 3, 15);
  const warmUpSeconds = ctx.pick('warm-up seconds', 1, 20);
  ctx.pick('incidents written to', INCIDENTS, INCIDENTS);

  const measureLedger = async () => {
    // All subscribers share the integrator token: the per-token cap (100 streams by default) would refuse the 101st.
    const ledger = await spawnBenchLedger({ env: { LEDGER_FEED_MAX_STREAMS_PER_TOKEN: String(subscriberCount + 1), LEDGER_FEED_MAX_STREAMS: String(Math.max(2000, subscriberCount + 1)) } });
    try {
      await ledger.waitUntilCaughtUp(60_000);
      const incidentIds = await reportIncidents(ledger, INCIDENTS);
      // From the log's head: subscribers that replayed the warm-up's events on connecting would still be doing so when the
      // measurement starts (1,000 of them behind 4,000 events were, for more than a minute).
      const open = async (count: number) => {
        const from = (await ledger.health()).body.details.eventStore.headPosition;
        return SubscriberPool.open({ baseUrl: ledger.baseUrl, token: ledger.tokens.integrator, count, threads: SUBSCRIBER_THREADS, ...(from ? { from } : {}) });
      };

      // Writes at the measured rate with one subscriber first, so that neither phase pays for the JIT: at 200 claims/s V8's
      // compiler threads spent 1.06 ms of CPU a claim in the first 10 s, 0.46 in the next and 0.22 in the third, on a
      // machine this benchmark keeps busy. It also makes the idle baseline hold the code, not just an idle heap.
      const warm = await open(1);
      await writeSteadily(ledger, incidentIds, warm, rate, rate * warmUpSeconds);
      await warm.close();
      await sleep(1000);
      const rssIdle = rssOf(ledger.pid);

      const subscribers = await open(subscriberCount);
      // Catch-up of the log so far is part of connecting; the measurement starts once every subscriber is live.
      await sleep(2000);
      const rssConnected = rssOf(ledger.pid);
      const many = await writeSteadily(ledger, incidentIds, subscribers, rate, rate * seconds);
      await subscribers.close();
      await sleep(1000);

      // The same load with one subscriber, in the same run: what fan-out adds to the write path's own latency.
      const single = await open(1);
      await sleep(500);
      const one = await writeSteadily(ledger, incidentIds, single, rate, rate * seconds);
      await single.close();
      // The floor server frames one of the ledger's own claim events, so that both send frames of the same size.
      // A page may come back empty before the head (it looks at a bounded number of events): follow `next`.
      let event: { type: string } | undefined;
      for (let after = '0'; !event; ) {
        const page = await ledger.request<{ items: { type: string }[]; next: string; head: string }>('GET', `/feed/events?limit=100&after=${after}`, { role: 'integrator' });
        if (page.status !== 200 || page.body.next === after) throw new Error(`GET /feed/events gave no claim (${page.status})`);
        event = page.body.items.find((item) => item.type.includes('.ClaimMade.'));
        after = page.body.next;
      }
      return { incidentIds, rssIdle, rssConnected, many, one, event };
    } finally {
      await ledger.stop();
      removeDataDir(ledger.dataDir);
    }
  };
  const { incidentIds, rssIdle, rssConnected, many, one, event } = await measureLedger();

  // The same subscribers and writer against a server that does nothing but fan out the same frames: what this machine
  // allows before any of the ledger's work (storing, projecting, reading the log back).
  const floorServer = await spawnFanOutFloorServer(event);
  let floor: Phase;
  try {
    const server = floorClient(floorServer);
    const open = async (count: number) =>
      SubscriberPool.open({ baseUrl: server.baseUrl, token: 'none', count, threads: SUBSCRIBER_THREADS, from: (await server.health()).body.details.eventStore.headPosition });
    const warm = await open(1);
    await writeSteadily(server, incidentIds, warm, rate, rate * warmUpSeconds);
    await warm.close();
    const subscribers = await open(subscriberCount);
    await sleep(2000);
    floor = await writeSteadily(server, incidentIds, subscribers, rate, rate * seconds);
    await subscribers.close();
  } finally {
    await floorServer.stop();
  }

  ctx.figure({
    figure: `recorded → received p99, ${subscriberCount} subscribers`,
    value: percentile(many.latencies, 99),
    unit: 'ms',
    baseline: { label: '1 subscriber', value: percentile(one.latencies, 99), unit: 'ms' },
    target: { of: 'value', op: '<=', threshold: 50 },
  });
  ctx.figure({
    figure: `recorded → received p99, ${subscriberCount} subscribers, against a server that only fans out`,
    value: percentile(many.latencies, 99),
    unit: 'ms',
    baseline: { label: 'fan-out-only server', value: percentile(floor.latencies, 99), unit: 'ms' },
  });
  ctx.figure({
    figure: `recorded → received p50, ${subscriberCount} subscribers, against a server that only fans out`,
    value: percentile(many.latencies, 50),
    unit: 'ms',
    baseline: { label: 'fan-out-only server', value: percentile(floor.latencies, 50), unit: 'ms' },
  });
  const floorP99 = percentile(floor.latencies, 99);
  ctx.note(
    `a server that only fans out (bench/fanout-floor-server: the ledger's frames, nothing stored or projected), the same ${subscriberCount} subscribers and writer: ` +
      `p99 ${floorP99.toFixed(0)} ms, ${floorP99 > 50 ? 'above' : 'below'} the 50 ms target before any of the ledger's work; ` +
      `${(floor.total / floor.writeSeconds).toFixed(1)} claims/s recorded (${rate} asked), its CPU ${floor.cpuSeconds.toFixed(1)} s over ${floor.writeSeconds.toFixed(1)} s of writing, the busiest subscriber thread's event-loop utilisation ${floor.subscriberLoad.toFixed(2)}`,
  );
  ctx.figure({ figure: `recorded → received p50, ${subscriberCount} subscribers`, value: percentile(many.latencies, 50), unit: 'ms', baseline: { label: '1 subscriber', value: percentile(one.latencies, 50), unit: 'ms' } });
  ctx.figure({ figure: `recorded → last of ${subscriberCount} subscribers received, p99 of events`, value: percentile(many.lastReceipts, 99), unit: 'ms', baseline: { label: '1 subscriber', value: percentile(one.lastReceipts, 99), unit: 'ms' } });
  ctx.figure({ figure: 'claim acknowledged p99 during fan-out', value: percentile(many.acks, 99), unit: 'ms', baseline: { label: '1 subscriber', value: percentile(one.acks, 99), unit: 'ms' } });
  ctx.figure({ figure: `claims recorded per second during fan-out (${rate}/s asked)`, value: many.total / many.writeSeconds, unit: '/s', baseline: { label: '1 subscriber', value: one.total / one.writeSeconds, unit: '/s' } });
  // Until every delivery arrived, per claim: at a steady 200/s a claim costs about twice what it does when requests overlap.
  const perClaim = (seconds: number, phase: Phase) => (seconds * 1000) / phase.total;
  ctx.figure({ figure: 'server CPU per claim', value: perClaim(many.cpuSeconds, many), unit: 'ms', baseline: { label: '1 subscriber', value: perClaim(one.cpuSeconds, one), unit: 'ms' } });
  ctx.figure({ figure: 'server main-thread CPU per claim', value: perClaim(many.mainCpuSeconds, many), unit: 'ms', baseline: { label: '1 subscriber', value: perClaim(one.mainCpuSeconds, one), unit: 'ms' } });
  ctx.figure({ figure: 'server RSS per subscriber', value: (rssConnected - rssIdle) / subscriberCount / 1024, unit: 'KiB' });
  if (many.loop && one.loop) {
    ctx.figure({ figure: 'server event-loop delay p99 during fan-out', value: many.loop.p99Ms, unit: 'ms', baseline: { label: '1 subscriber', value: one.loop.p99Ms, unit: 'ms' } });
    ctx.figure({ figure: 'server event-loop delay max during fan-out', value: many.loop.maxMs, unit: 'ms', baseline: { label: '1 subscriber', value: one.loop.maxMs, unit: 'ms' } });
    ctx.note(`server event-loop delay (ms, /health eventLoop) with ${subscriberCount} subscribers ${JSON.stringify(many.loop)}, with one ${JSON.stringify(one.loop)}`);
  } else ctx.note('the server publishes no eventLoop reading in /health');
  ctx.note(`busiest subscriber thread's event-loop utilisation: ${many.subscriberLoad.toFixed(2)} with ${subscriberCount} subscribers, ${one.subscriberLoad.toFixed(2)} with one`);
  ctx.note(`server CPU ${many.cpuSeconds.toFixed(1)} s over ${many.writeSeconds.toFixed(1)} s of writing with ${subscriberCount} subscribers, ${one.cpuSeconds.toFixed(1)} s with one`);

  const phases = [
    [`${subscriberCount} subscribers`, many, subscriberCount],
    ['1 subscriber', one, 1],
    [`fan-out-only server, ${subscriberCount} subscribers`, floor, subscriberCount],
  ] as const;
  for (const [label, phase, count] of phases) {
    const { missing, duplicated, outOfOrder, cutOffs, failedWrites, deliveries, total } = phase;
    ctx.check(
      `${label}: every event delivered once, in order`,
      missing === 0 && duplicated === 0 && outOfOrder === 0 && cutOffs === 0,
      `${deliveries} of ${(total - failedWrites.length) * count} deliveries; missing ${missing}, duplicated ${duplicated}, out of order ${outOfOrder}, cut off ${cutOffs}`,
    );
    ctx.check(`${label}: every claim answered 201`, failedWrites.length === 0, failedWrites.length ? `failed: ${[...new Set(failedWrites)].join(', ')}` : `${total} of ${total}`);
  }
});
