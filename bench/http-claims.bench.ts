/**
 * http-claims: durable claims over HTTP against a no-op NestJS-on-Fastify POST in the same run.
 *
 * Both servers are separate processes on this machine: the no-op (bench/noop-server: the ledger's own Fastify adapter,
 * one POST route that parses the body and answers 201) and the built ledger (dist/apps/ledger-api/main.js, fresh data
 * directory, demo data, read-your-writes on as shipped). autocannon, 16 connections, POSTs the demo's first claim
 * body round-robin over 200 incidents, after a warm-up run. Figures: the ledger's req/s against the no-op's (target
 * ≥ 0.5×), its p99 (target ≤ 25 ms) and p50 against the no-op's, the server's peak RSS and CPU.
 *
 * Beside them, the durable minimum: the no-op server committing each claim's event row (the store's bytes for the demo
 * claim; group commit, fsync) before its 201. Figure: the ledger's rate against it; a note says whether it alone
 * clears the 0.5× target.
 *
 * Checks: every response is 201 with `Read-Models: current`, no socket error or timeout; then the ledger is killed
 * (SIGKILL, as a crash) and every acknowledged claim is read back from its event log.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { storedTypeOf } from '@ledger/domain';
import { MAIN_THREAD, SqliteEventStore, START, THREAD_NAMES, threadCpuByName } from '@ledger/event-store';
import { removeDataDir } from '../tests/support/spawned-ledger';
import { runBenchmark } from './support/bench-child';
import { eventLoopReportOf, reportIncidents, spawnBenchLedger, spawnDurableFloorServer, spawnNoopServer } from './support/bench-processes';
import { demoClaimBody } from './support/demo-bodies';
import { cpuSecondsOf, peakRssOf } from './support/measure';
import { countRows, storedClaimRow } from './support/raw-sqlite';

const CONNECTIONS = 16;
const INCIDENTS = 200;

interface Load {
  result: autocannon.Result;
  statuses: Map<number, number>;
  readModels: Map<string, number>;
  acknowledged: Set<string>;
}

const headerOf = (headers: Record<string, string>, name: string): string | undefined =>
  Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1];

/** One autocannon run of claim POSTs, round-robin over the incidents. */
const load = (baseUrl: string, incidentIds: string[], seconds: number, token?: string): Promise<Load> =>
  new Promise((resolve, reject) => {
    const statuses = new Map<number, number>();
    const readModels = new Map<string, number>();
    const acknowledged = new Set<string>();
    let next = 0;
    autocannon(
      {
        url: baseUrl,
        connections: CONNECTIONS,
        duration: seconds,
        requests: [
          {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify(demoClaimBody()),
            setupRequest: (request) => ({ ...request, path: `/incidents/${incidentIds[next++ % incidentIds.length]}/claims` }),
            onResponse: (status, _body, _context, headers) => {
              statuses.set(status, (statuses.get(status) ?? 0) + 1);
              const state = headerOf(headers, 'read-models') ?? '(none)';
              readModels.set(state, (readModels.get(state) ?? 0) + 1);
              const location = headerOf(headers, 'location');
              if (status === 201 && location) acknowledged.add(location.split('/').pop()!);
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve({ result, statuses, readModels, acknowledged })),
    );
  });

const describeCounts = (counts: Map<unknown, number>): string => [...counts].map(([key, n]) => `${String(key)}: ${n}`).join(', ') || 'none';

runBenchmark('http-claims', async (ctx) => {
  const seconds = ctx.pick('seconds per server', 3, 15);
  const warmUp = ctx.pick('warm-up seconds', 1, 3);
  ctx.pick('connections', CONNECTIONS, CONNECTIONS);
  ctx.pick('incidents', INCIDENTS, INCIDENTS);

  const noop = await spawnNoopServer();
  let baseline: Load;
  try {
    const ids = Array.from({ length: INCIDENTS }, () => randomUUID());
    await load(noop.baseUrl, ids, warmUp);
    baseline = await load(noop.baseUrl, ids, seconds);
  } finally {
    await noop.stop();
  }

  // The durable minimum behind the same route: each claim's event row committed (group commit, fsync) before its 201.
  // The ledger does at least this much for a claim: a floor under the target puts the target out of reach on this machine.
  const floorDir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-floor-'));
  let floor: Load;
  let floorWarmUp: Load;
  let floorRows: number;
  let floorCpuMs = 0;
  try {
    const { row } = await storedClaimRow(join(floorDir, 'sample.sqlite'));
    const floorServer = await spawnDurableFloorServer(join(floorDir, 'events.sqlite'), row);
    try {
      const ids = Array.from({ length: INCIDENTS }, () => randomUUID());
      floorWarmUp = await load(floorServer.baseUrl, ids, warmUp);
      const cpuBefore = cpuSecondsOf(floorServer.pid);
      floor = await load(floorServer.baseUrl, ids, seconds);
      floorCpuMs = ((cpuSecondsOf(floorServer.pid) - cpuBefore) * 1000) / Math.max(1, floor.result.requests.total);
    } finally {
      await floorServer.stop();
    }
    floorRows = countRows(join(floorDir, 'events.sqlite'), 'events');
  } finally {
    rmSync(floorDir, { recursive: true, force: true });
  }

  const ledger = await spawnBenchLedger();
  try {
    await ledger.waitUntilCaughtUp(60_000);
    const incidentIds = await reportIncidents(ledger, INCIDENTS);
    await load(ledger.baseUrl, incidentIds, warmUp, ledger.tokens.recorder);
    const cpuBefore = cpuSecondsOf(ledger.pid);
    const threadsBefore = threadCpuByName(ledger.pid);
    const measured = await load(ledger.baseUrl, incidentIds, seconds, ledger.tokens.recorder);
    const cpu = cpuSecondsOf(ledger.pid) - cpuBefore;
    const threadsAfter = threadCpuByName(ledger.pid);
    const peakRss = peakRssOf(ledger.pid);
    const eventLoop = await eventLoopReportOf(ledger);

    const noopRate = { label: 'no-op Nest/Fastify POST', value: baseline.result.requests.average, unit: 'req/s' };
    ctx.figure({ figure: 'durable claims', value: measured.result.requests.average, unit: 'req/s', baseline: noopRate, target: { of: 'ratio', op: '>=', threshold: 0.5 } });
    const floorRate = floor.result.requests.average;
    ctx.figure({
      figure: 'durable claims, against a server that only commits their event rows',
      value: measured.result.requests.average,
      unit: 'req/s',
      baseline: { label: 'no-op + group-committed event row', value: floorRate, unit: 'req/s' },
    });
    ctx.note(
      `a no-op server that commits each claim's event row before its 201 (bench/noop-server with BENCH_NOOP_DURABLE_FILE: group commit, fsync, nothing validated, hashed or projected): ` +
        `${floorRate.toFixed(0)} req/s, ${(floorRate / baseline.result.requests.average).toFixed(3)}× the no-op, ${floorRate / baseline.result.requests.average >= 0.5 ? 'at or above' : 'below'} the 0.5× target before the rest of the ledger's work; p99 ${floor.result.latency.p99} ms, ${floorCpuMs.toFixed(3)} ms of its CPU a request`,
    );
    ctx.figure({ figure: 'claim latency p99', value: measured.result.latency.p99, unit: 'ms', baseline: { label: 'no-op p99', value: baseline.result.latency.p99, unit: 'ms' }, target: { of: 'value', op: '<=', threshold: 25 } });
    ctx.figure({ figure: 'claim latency p50', value: measured.result.latency.p50, unit: 'ms', baseline: { label: 'no-op p50', value: baseline.result.latency.p50, unit: 'ms' } });
    ctx.figure({ figure: 'server peak RSS', value: peakRss / 1e6, unit: 'MB' });
    const claims = Math.max(1, measured.result.requests.total);
    ctx.figure({ figure: 'server CPU per claim', value: (cpu * 1000) / claims, unit: 'ms' });
    // By the names the ledger's threads give themselves (Linux): which one is busy, and whether the CPU is what bounds the
    // rate or the time each claim spends waiting between them (16 connections, one claim each in flight).
    const perThread = [...threadsAfter]
      .map(([name, after]) => ({ name, ms: ((after - (threadsBefore.get(name) ?? 0)) * 1000) / claims }))
      .filter(({ ms }) => ms > 0)
      .sort((a, b) => b.ms - a.ms);
    // The HTTP thread's share: what bounds the rate once the other threads (projections, store writer) have a core.
    ctx.figure({ figure: 'server main-thread CPU per claim', value: perThread.find((t) => t.name === MAIN_THREAD)?.ms ?? 0, unit: 'ms' });
    const projectionMs = perThread.find((t) => t.name === THREAD_NAMES.projection)?.ms;
    if (projectionMs !== undefined) ctx.figure({ figure: 'server projection-thread CPU per claim', value: projectionMs, unit: 'ms' });
    // `node` sums V8's and libuv's helper threads (Node's own name), so it is not one thread that could be saturated.
    const busiest = perThread.find((t) => t.name !== 'node');
    const inFlight = measured.result.requests.average * (measured.result.latency.mean / 1000);
    ctx.note(
      `server CPU a claim by thread: ${perThread.map(({ name, ms }) => `${name === MAIN_THREAD ? 'main (HTTP)' : name} ${ms.toFixed(3)} ms`).join(', ') || 'not known (no /proc)'}; ` +
        `the busiest thread ran ${busiest ? `${((busiest.ms * measured.result.requests.average) / 1000).toFixed(2)} s a second (${busiest.name === MAIN_THREAD ? 'main' : busiest.name})` : 'not known'}. ` +
        `Rate × mean latency: ${inFlight.toFixed(1)} claims in flight of ${CONNECTIONS} connections (mean latency ${measured.result.latency.mean.toFixed(1)} ms): at that latency ${CONNECTIONS} connections allow at most ${((CONNECTIONS * 1000) / Math.max(0.001, measured.result.latency.mean)).toFixed(0)} claims/s.`,
    );
    ctx.note(
      eventLoop === undefined
        ? 'the server does not publish its event-loop delay (nothing named event loop in /health), so it is not reported.'
        : `event-loop report from /health after the run: ${JSON.stringify(eventLoop)}`,
    );

    const non201 = [...measured.statuses].filter(([status]) => status !== 201).reduce((n, [, count]) => n + count, 0);
    const { errors, timeouts } = measured.result;
    ctx.check('every claim answered 201', non201 === 0 && errors === 0 && timeouts === 0, `statuses ${describeCounts(measured.statuses)}; socket errors ${errors}, timeouts ${timeouts}`);
    const notCurrent = [...measured.readModels].filter(([state]) => state !== 'current').reduce((n, [, count]) => n + count, 0);
    ctx.check('every 201 carried Read-Models: current', notCurrent === 0, `Read-Models ${describeCounts(measured.readModels)}`);
    const floor201 = (floor.statuses.get(201) ?? 0) + (floorWarmUp.statuses.get(201) ?? 0);
    const floorOnly201 = [floor, floorWarmUp].every((run) => [...run.statuses.keys()].every((status) => status === 201) && run.result.errors === 0);
    ctx.check(
      'the floor server answered 201 to every request, each in its log',
      // autocannon stops with a request in flight on each connection: committed, its 201 not counted.
      floor201 > 0 && floorOnly201 && floorRows >= floor201 && floorRows <= floor201 + 2 * CONNECTIONS,
      `statuses ${describeCounts(floor.statuses)} (warm-up ${describeCounts(floorWarmUp.statuses)}); ${floorRows} rows in its log (at most ${2 * CONNECTIONS} more: requests in flight as each run stopped)`,
    );
    ctx.check('no-op answered 201 to every request', [...baseline.statuses.keys()].every((s) => s === 201) && baseline.result.errors === 0, `statuses ${describeCounts(baseline.statuses)}`);

    // A crash right after the run: every acknowledged claim must be in the log. A profiled server is stopped instead
    // (SIGTERM), since a killed process writes no CPU profile: the check then covers a clean stop only.
    const profiled = process.env.BENCH_SERVER_CPU_PROF !== undefined;
    if (profiled) ctx.note('BENCH_SERVER_CPU_PROF is set: the ledger was stopped with SIGTERM (to write its profiles), not killed.');
    await (profiled ? ledger.stop(60_000) : ledger.kill());
    const store = new SqliteEventStore({ filename: join(ledger.dataDir, 'events.sqlite') });
    const stored = new Set<string>();
    const claimMade = storedTypeOf('ClaimMade');
    try {
      for (let position = START; ; ) {
        const page = await store.readAll({ fromPosition: position, maxCount: 5000 });
        if (page.length === 0) break;
        for (const event of page) if (event.type === claimMade) stored.add(String((event.data as { claimId: string }).claimId));
        position = page[page.length - 1].position;
      }
    } finally {
      await store.close();
    }
    const lost = [...measured.acknowledged].filter((claimId) => !stored.has(claimId));
    ctx.check('every acknowledged claim is in the log after a crash', lost.length === 0 && measured.acknowledged.size > 0, `${measured.acknowledged.size} acknowledged, ${lost.length} missing after SIGKILL`);
  } finally {
    await ledger.kill();
    removeDataDir(ledger.dataDir);
  }
});
