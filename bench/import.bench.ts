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
import { nowMs } from './support/measure';
import { rateOf, rawContender, storedClaimRow } from './support/raw-sqlite';
import type { WorkerReport } from './support/rebuild.worker';

const TARGET = { of: 'value' as const, op: '>=' as const, threshold: 25_000 };
const REBUILD_WORKER = join(__dirname, 'support/rebuild.worker.ts');

const cli = (args: string[], timeoutMs: number): Promise<CliResult> => runBuiltCli(args, { timeoutMs, env: { LOG_LEVEL: 'warn' } });

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
      await http.stop();
      await checkImported(ctx, 'POST /imports', http.dataDir, lines, timeoutMs);
    } else {
      await http.stop();
      ctx.note('POST /imports answers 404: the HTTP import is not available yet.');
    }

    if (hasCli) {
      const created = await spawnBenchLedger({ demo: false, dataDir: join(dir, 'cli') });
      ledgers.push(created);
      await created.stop();
      const start = nowMs();
      const imported = await cli(['import', file, '--data-dir', created.dataDir, '--json'], timeoutMs);
      ctx.check('ledger-cli import exited 0', imported.code === 0, `exit ${imported.code}: ${(imported.stdout + imported.stderr).slice(-300)}`);
      const status = await cli(['status', '--check', '--data-dir', created.dataDir], timeoutMs);
      if (status.code === 4) {
        const rebuilt = await cli(['rebuild', '--data-dir', created.dataDir], timeoutMs);
        ctx.check('ledger-cli rebuild after the import exited 0', rebuilt.code === 0, `exit ${rebuilt.code}`);
        ctx.note('the CLI import left the read models behind the log; the time includes `ledger-cli rebuild`.');
      }
      const seconds = (nowMs() - start) / 1000;
      const storedMs = elapsedMsOf(imported.stdout);
      if (storedMs !== undefined) ctx.figure({ figure: 'ledger-cli import, lines stored', value: lines / (storedMs / 1000), unit: 'events/s', baseline });
      ctx.figure({ figure: 'ledger-cli import, read models caught up', value: lines / seconds, unit: 'events/s', baseline, target: TARGET });
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
    } else {
      ctx.note('the CLI has no import command yet.');
    }
  } finally {
    for (const ledger of ledgers) await ledger.kill();
    for (const ledger of ledgers) removeDataDir(ledger.dataDir);
    rmSync(dir, { recursive: true, force: true });
  }
});
