/**
 * import: bulk import of an NDJSON file (bench/generate-import.ts: the demo's parties, then 400 incidents with 20,000
 * claims small, 20,000 incidents with 1,000,000 claims full) into an empty ledger, end to end: until the read models
 * have caught up. Target ≥ 25,000 events/s, beside the raw better-sqlite3 rate at 100 rows per commit on the same disk.
 *
 * - CLI: a ledger is started once on a fresh directory and stopped (the CLI never creates a ledger); then
 *   `ledger-cli import FILE --data-dir DIR` is timed, plus `ledger-cli rebuild` when `status --check` says the read
 *   models are behind the log.
 * - HTTP: `POST /imports` (recorder token, the file streamed as the body) to the built ledger on a fresh directory,
 *   timed until /health shows the read models at the head of the log.
 *
 * Each form also reports its lines alone: the summary's elapsedMs (lines read, decided and stored), beside the time
 * until the read models caught up. After the CLI import, the rows its read models hold are inserted again with plain
 * INSERTs into a fresh file (rebuild.worker.ts insertRows): the floor of any projection into these tables, beside it.
 *
 * Each form's peak RSS is reported too: the server's (VmHWM) once its read models caught up; the CLI's from getrusage
 * as it exits (bench/support/report-peak-rss.js, preloaded).
 *
 * Then the CLI imports 20,000 claims over 400 incidents (small; the first import's file) or 100,000 over 2,000 (full)
 * into fresh directories, grouped by incident and taken in turn across the incidents (as a file sorted by when things
 * were said comes): reported, no target, what a file's order costs.
 *
 * Checks for each: the import succeeds, the log holds one event per line, `ledger-cli verify` is ok. A form the
 * ledger does not have yet (no `import` command in the CLI's help, POST /imports answering 404) is reported as not
 * available rather than failed.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, START } from '@ledger/event-store';
import { CliResult, SpawnedLedger, ensureBuilt, removeDataDir, runBuiltCli } from '../tests/support/spawned-ledger';
import { BenchContext, NotAvailableError, runBenchmark } from './support/bench-child';
import { postFile, runTsWorker, spawnBenchLedger } from './support/bench-processes';
import { writeImportFile } from './generate-import';
import { nowMs, PEAK_RSS_NODE_OPTIONS, peakRssOf, reportedPeakRss } from './support/measure';
import { rateOf, rawContender, storedClaimRow } from './support/raw-sqlite';
import type { WorkerReport } from './support/rebuild.worker';

const TARGET = { of: 'value' as const, op: '>=' as const, threshold: 25_000 };
const REBUILD_WORKER = join(__dirname, 'support/rebuild.worker.ts');

const cli = (args: string[], timeoutMs: number): Promise<CliResult> => runBuiltCli(args, { timeoutMs, env: { LOG_LEVEL: 'warn' } });

interface CliImport {
  dataDir: string;
  /** Until the read models caught up (a rebuild included, should the import have left them behind). */
  seconds: number;
  /** The summary's elapsedMs: lines read, decided and stored. */
  storedMs?: number;
  peakRssBytes?: number;
}

/** `ledger-cli import FILE` into a fresh ledger directory, timed until its read models are at the head of the log. */
const cliImport = async (ctx: BenchContext, ledgers: SpawnedLedger[], file: string, dataDir: string, form: string, timeoutMs: number): Promise<CliImport> => {
  const created = await spawnBenchLedger({ demo: false, dataDir });
  ledgers.push(created);
  await created.stop();
  const start = nowMs();
  const imported = await runBuiltCli(['import', file, '--data-dir', created.dataDir, '--json'], {
    timeoutMs,
    env: { LOG_LEVEL: 'warn', NODE_OPTIONS: PEAK_RSS_NODE_OPTIONS },
  });
  ctx.check(`${form} exited 0`, imported.code === 0, `exit ${imported.code}: ${(imported.stdout + imported.stderr).slice(-300)}`);
  const status = await cli(['status', '--check', '--data-dir', created.dataDir], timeoutMs);
  if (status.code === 4) {
    const rebuilt = await cli(['rebuild', '--data-dir', created.dataDir], timeoutMs);
    ctx.check(`${form}: ledger-cli rebuild after the import exited 0`, rebuilt.code === 0, `exit ${rebuilt.code}`);
    ctx.note(`${form} left the read models behind the log; the time includes \`ledger-cli rebuild\`.`);
  }
  return { dataDir: created.dataDir, seconds: (nowMs() - start) / 1000, storedMs: elapsedMsOf(imported.stdout), peakRssBytes: reportedPeakRss(imported.stderr) };
};

const eventsIn = async (dataDir: string): Promise<number> => {
  const store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
  let count = 0;
  try {
    for (let position = START; ; ) {
      const page = await store.readAll({ fromPosition: position, maxCount: 10_000 });
      if (page.length === 0) return count;
      count += page.filter((e) => e.streamName.startsWith('incident-') || e.streamName.startsWith('party-')).length;
      position = page[page.length - 1].position;
    }
  } finally {
    await store.close();
  }
};

/** The import's own time for its lines (the summary's elapsedMs: read, decided, stored), without waiting for the read models. */
const elapsedMsOf = (summary: string): number | undefined => {
  try {
    const elapsed = (JSON.parse(summary) as { elapsedMs?: unknown }).elapsedMs;
    return typeof elapsed === 'number' && elapsed > 0 ? elapsed : undefined;
  } catch {
    return undefined;
  }
};

/** The checks every form of import must pass, once the ledger is stopped. */
const checkImported = async (ctx: BenchContext, form: string, dataDir: string, lines: number, timeoutMs: number) => {
  const events = await eventsIn(dataDir);
  ctx.check(`${form}: one event per line`, events === lines, `${events} ledger events for ${lines} lines`);
  const verify = await cli(['verify', '--data-dir', dataDir], timeoutMs);
  ctx.check(`${form}: ledger-cli verify ok`, verify.code === 0, `exit ${verify.code}${verify.code ? `: ${(verify.stdout + verify.stderr).slice(0, 300)}` : ''}`);
};

runBenchmark('import', async (ctx) => {
  const claims = ctx.pick('claims', 20_000, 1_000_000);
  const incidents = ctx.pick('incidents', 400, 20_000);
  const timeoutMs = ctx.pick('timeout per step (min)', 5, 60) * 60_000;
  await ensureBuilt('ledger-cli');
  const help = await cli(['--help'], 60_000);
  const hasCli = /^\s+import\b/m.test(help.stdout);

  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-import-'));
  const ledgers: SpawnedLedger[] = [];
  try {
    // HTTP first: its probe decides, with the CLI's help, whether there is anything to measure.
    const http = await spawnBenchLedger({ demo: false, dataDir: join(dir, 'http') });
    ledgers.push(http);
    const probe = await http.request('POST', '/imports', { role: 'recorder', headers: { 'content-type': 'application/x-ndjson' } });
    const hasHttp = probe.status !== 404;
    if (!hasCli && !hasHttp) throw new NotAvailableError('no bulk import yet: the CLI has no import command and POST /imports answers 404');

    const file = join(dir, 'import.ndjson');
    const lines = writeImportFile(file, { claims, incidents });
    ctx.say(`${lines} lines, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB`);
    const { row } = await storedClaimRow(join(dir, 'sample.sqlite'));
    const raw = rawContender(join(dir, 'raw.sqlite'), row, 100);
    const baseline = { label: 'raw better-sqlite3, 100 rows/commit', value: rateOf(raw.run(2000)), unit: 'rows/s' };
    raw.close();

    if (hasHttp) {
      const start = nowMs();
      const answer = await postFile(http, file);
      await http.waitUntilCaughtUp(timeoutMs);
      const seconds = (nowMs() - start) / 1000;
      ctx.check('POST /imports answered 2xx', answer.status >= 200 && answer.status < 300, `${answer.status}: ${answer.body.slice(0, 300)}`);
      ctx.note(`POST /imports answered ${answer.status}: ${answer.body.slice(0, 500)}`);
      const storedMs = elapsedMsOf(answer.body);
      if (storedMs !== undefined) ctx.figure({ figure: 'POST /imports, lines stored', value: lines / (storedMs / 1000), unit: 'events/s', baseline });
      ctx.figure({ figure: 'POST /imports, read models caught up', value: lines / seconds, unit: 'events/s', baseline, target: TARGET });
      ctx.figure({ figure: 'POST /imports, server peak RSS', value: peakRssOf(http.pid) / 1e6, unit: 'MB' });
      await http.stop();
      await checkImported(ctx, 'POST /imports', http.dataDir, lines, timeoutMs);
    } else {
      await http.stop();
      ctx.note('POST /imports answers 404: the HTTP import is not available yet.');
    }

    if (hasCli) {
      const created = await cliImport(ctx, ledgers, file, join(dir, 'cli'), 'ledger-cli import', timeoutMs);
      const { seconds, storedMs } = created;
      if (storedMs !== undefined) ctx.figure({ figure: 'ledger-cli import, lines stored', value: lines / (storedMs / 1000), unit: 'events/s', baseline });
      ctx.figure({ figure: 'ledger-cli import, read models caught up', value: lines / seconds, unit: 'events/s', baseline, target: TARGET });
      if (created.peakRssBytes !== undefined) ctx.figure({ figure: 'ledger-cli import, peak RSS', value: created.peakRssBytes / 1e6, unit: 'MB' });
      else ctx.note('ledger-cli import reported no peak RSS on exit.');
      await checkImported(ctx, 'ledger-cli import', created.dataDir, lines, timeoutMs);
      // The ceiling of any projection into these tables: the rows the import's read models hold, inserted with plain
      // prepared INSERTs into empty tables (indexes built at the end), no reads, no logic, one thread.
      const floor = await runTsWorker<WorkerReport>(REBUILD_WORKER, ['insertRows', join(created.dataDir, 'events.sqlite'), join(created.dataDir, 'read-models.sqlite')]);
      const floorRate = lines / (floor.timing.wallMs / 1000);
      ctx.figure({
        figure: 'ledger-cli import, against inserting its read-model rows',
        value: lines / seconds,
        unit: 'events/s',
        baseline: { label: `plain INSERT of its ${floor.events.toLocaleString('en-US')} read-model rows`, value: floorRate, unit: 'events/s' },
      });
      ctx.note(
        `the import's read models hold ${(floor.events / lines).toFixed(1)} rows a line; inserting them alone, with no projection, ran at ` +
          `${Math.round(floorRate).toLocaleString('en-US')} lines/s, ${floorRate >= TARGET.threshold ? 'above' : 'below'} the target of ${TARGET.threshold.toLocaleString('en-US')} events/s`,
      );

      // What the file's order costs: the same claims over the same incidents, grouped and then taken in turn.
      const order = { claims: ctx.pick('claims, grouped against interleaved', 20_000, 100_000), incidents: ctx.pick('incidents, grouped against interleaved', 400, 2_000) };
      let grouped = { lines, seconds };
      if (order.claims !== claims || order.incidents !== incidents) {
        const groupedFile = join(dir, 'grouped.ndjson');
        const groupedLines = writeImportFile(groupedFile, order);
        const run = await cliImport(ctx, ledgers, groupedFile, join(dir, 'cli-grouped'), 'ledger-cli import, grouped', timeoutMs);
        await checkImported(ctx, 'ledger-cli import, grouped', run.dataDir, groupedLines, timeoutMs);
        grouped = { lines: groupedLines, seconds: run.seconds };
        rmSync(groupedFile, { force: true });
      }
      const interleavedFile = join(dir, 'interleaved.ndjson');
      const interleavedLines = writeImportFile(interleavedFile, { ...order, interleaved: true });
      const interleaved = await cliImport(ctx, ledgers, interleavedFile, join(dir, 'cli-interleaved'), 'ledger-cli import, interleaved', timeoutMs);
      await checkImported(ctx, 'ledger-cli import, interleaved', interleaved.dataDir, interleavedLines, timeoutMs);
      ctx.figure({
        figure: `ledger-cli import, ${order.claims.toLocaleString('en-US')} claims taken in turn across ${order.incidents.toLocaleString('en-US')} incidents, read models caught up`,
        value: interleavedLines / interleaved.seconds,
        unit: 'events/s',
        baseline: { label: 'the same claims grouped by incident', value: grouped.lines / grouped.seconds, unit: 'events/s' },
      });
    } else {
      ctx.note('the CLI has no import command yet.');
    }
  } finally {
    for (const ledger of ledgers) await ledger.kill();
    for (const ledger of ledgers) removeDataDir(ledger.dataDir);
    rmSync(dir, { recursive: true, force: true });
  }
});
