/**
 * rebuild: ProjectionRunner.rebuild() of every read model from a generated log, against the store's raw readAll of
 * the same log, at two sizes (2,000 and 20,000 events small; 100,000 and 1,000,000 full).
 *
 * The log (bench/generate-log.ts: parties, interleaved incidents with claims, denials, corrections, retractions and
 * amendments, a few parties in most incidents) is written through SqliteEventStore and put in BENCH_DIR (default the
 * OS temp dir). Each measurement runs in a process of its own (bench/support/rebuild.worker.ts) with only the public
 * API (SqliteEventStore.readAll; SqliteReadModelStore, ProjectionRunner.rebuild into a fresh file), so its peak RSS
 * (getrusage maxRSS) is the rebuild's own.
 *
 * Figures: rebuild rate against the readAll rate at the large size (target ≥ 0.3×); the rebuild process's peak RSS
 * (target ≤ 500 MB) beside the readAll process's; µs per event at the large size over the small (flat: target ≤ 1.5).
 * Checks: every rebuild reaches the head of the log without an error; readAll returns every event.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBenchmark } from './support/bench-child';
import { runTsWorker } from './support/bench-processes';
import { writeGeneratedLog } from './support/log-writer';
import { MiB, nowMs } from './support/measure';
import { PAGE_SIZE, type WorkerReport } from './support/rebuild.worker';

const WORKER = join(__dirname, 'support/rebuild.worker.ts');
/** The issue's target: a rebuild at least this fraction of the store's readAll rate. */
const TARGET_OF_READ_ALL = 0.3;

runBenchmark('rebuild', async (ctx) => {
  const sizes = ctx.pick('log sizes (events)', [2_000, 20_000], [100_000, 1_000_000]);
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-rebuild-'));
  try {
    const measured: Array<{ size: number; readAll: WorkerReport; rebuild: WorkerReport; insertRows: WorkerReport }> = [];
    for (const size of sizes) {
      const events = join(dir, `events-${size}.sqlite`);
      const written = nowMs();
      const head = await writeGeneratedLog(events, size);
      ctx.say(`${size} events written in ${((nowMs() - written) / 1000).toFixed(1)} s`);
      const readAll = await runTsWorker<WorkerReport>(WORKER, ['readAll', events]);
      const rebuilt = join(dir, `read-models-${size}.sqlite`);
      const rebuild = await runTsWorker<WorkerReport>(WORKER, ['rebuild', events, rebuilt]);
      const insertRows = await runTsWorker<WorkerReport>(WORKER, ['insertRows', events, rebuilt]);
      ctx.say(`${size}: readAll ${readAll.timing.wallMs.toFixed(0)} ms, rebuild ${rebuild.timing.wallMs.toFixed(0)} ms, rebuild peak RSS ${(rebuild.peakRssBytes / MiB).toFixed(0)} MiB`);
      ctx.check(`${size} events: readAll returns every event`, readAll.events === size, `${readAll.events} of ${size}`);
      ctx.check(
        `${size} events: rebuild reaches the head of the log`,
        rebuild.checkpoint === head.toString() && rebuild.error === undefined,
        `checkpoint ${rebuild.checkpoint} of ${head}${rebuild.error ? `; ${rebuild.error}` : ''}`,
      );
      measured.push({ size, readAll, rebuild, insertRows });
    }
    const rate = (size: number, t: WorkerReport) => (size / t.timing.wallMs) * 1000;
    const usPerEvent = (size: number, t: WorkerReport) => (t.timing.wallMs * 1000) / size;
    const [small, large] = measured;
    for (const m of [large, small]) {
      ctx.figure({
        figure: `rebuild of ${m.size.toLocaleString('en-US')} events`,
        value: rate(m.size, m.rebuild),
        unit: 'events/s',
        baseline: { label: 'store readAll', value: rate(m.size, m.readAll), unit: 'events/s' },
        ...(m === large ? { target: { of: 'ratio' as const, op: '>=' as const, threshold: TARGET_OF_READ_ALL } } : {}),
      });
    }
    // Not a target of the issue: how far the projection is from the cost of merely inserting the rows it produces.
    ctx.figure({
      figure: `rebuild of ${large.size.toLocaleString('en-US')} events, against inserting its rows`,
      value: rate(large.size, large.rebuild),
      unit: 'events/s',
      baseline: { label: `plain INSERT of its ${large.insertRows.events.toLocaleString('en-US')} rows`, value: rate(large.size, large.insertRows), unit: 'events/s' },
    });
    const floorOfReadAll = rate(large.size, large.insertRows) / rate(large.size, large.readAll);
    ctx.note(
      `plain INSERT of the rebuild's ${large.insertRows.events.toLocaleString('en-US')} rows alone, with no projection, ran at ${floorOfReadAll.toFixed(3)}× readAll ` +
        `(${(large.insertRows.events / large.size).toFixed(1)} rows an event), ${floorOfReadAll >= TARGET_OF_READ_ALL ? 'above' : 'below'} the ${TARGET_OF_READ_ALL}× target`,
    );
    ctx.figure({
      figure: `rebuild process peak RSS, ${large.size.toLocaleString('en-US')} events`,
      value: large.rebuild.peakRssBytes / 1e6,
      unit: 'MB',
      baseline: { label: 'readAll process', value: large.readAll.peakRssBytes / 1e6, unit: 'MB' },
      target: { of: 'value', op: '<=', threshold: 500 },
    });
    ctx.figure({
      figure: `rebuild cost per event at ${large.size.toLocaleString('en-US')}`,
      value: usPerEvent(large.size, large.rebuild),
      unit: 'µs',
      baseline: { label: `at ${small.size.toLocaleString('en-US')}`, value: usPerEvent(small.size, small.rebuild), unit: 'µs' },
      target: { of: 'ratio', op: '<=', threshold: 1.5 },
    });
    ctx.note(`logs written through SqliteEventStore (in /dev/shm when present, then copied), read from ${dir}; rebuild page size ${PAGE_SIZE}; CPU ms (rebuild/readAll) at ${large.size}: ${large.rebuild.timing.cpuMs.toFixed(0)}/${large.readAll.timing.cpuMs.toFixed(0)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
