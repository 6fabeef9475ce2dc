/**
 * One measurement of the rebuild benchmark in a process of its own, so that its peak RSS is its own:
 *
 *   node -r scripts/swc-register.js bench/support/rebuild.worker.ts readAll|rebuild|insertRows EVENTS_FILE [READ_MODEL_FILE]
 *
 * readAll: pages through the whole log as the runner's rebuild does (best of three passes);
 * rebuild: ProjectionRunner.rebuild() of every ledger read model into READ_MODEL_FILE (fresh);
 * insertRows: the floor of any rebuild into these tables: the rows a rebuild left in READ_MODEL_FILE, read 10,000 at a
 *   time (not timed), each lot inserted with plain prepared INSERTs, one transaction, into a fresh file of the same
 *   schema and settings (timed), secondary indexes built at the end, as a rebuild does. No projection, no reads.
 * Prints one JSON line on stdout: events, wall and CPU ms, this process's peak RSS, the checkpoint reached and the
 * log's head. Progress (checkpoint every few seconds) goes to stderr.
 */
import { rmSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@ledger/event-store';
import { ProjectionRunner, READ_MODEL_PAGE_SIZE, SqliteReadModelStore, WRITER_CACHE_MIB, WRITER_STORE_OPTIONS } from '@ledger/read-models';
import { readAllOnce } from './log-writer';
import { Timing, best, timed } from './measure';

/** The runner's default rebuild page size; readAll is measured with the same. */
export const PAGE_SIZE = 2000;
/** Rows a transaction of the insertRows floor, as a rebuild's pages are large. */
const ROWS_PER_TRANSACTION = 10_000;

export interface WorkerReport {
  mode: 'readAll' | 'rebuild' | 'insertRows';
  events: number;
  timing: Timing;
  peakRssBytes: number;
  checkpoint: string;
  head: string;
  error?: string;
}

const main = async (): Promise<WorkerReport> => {
  const [mode, eventsFile, readModelFile] = process.argv.slice(2);
  const eventStore = new SqliteEventStore({ filename: eventsFile });
  const head = await eventStore.headPosition();
  try {
    if (mode === 'readAll') {
      let events = 0;
      const timings: Timing[] = [];
      for (let pass = 0; pass < 3; pass++) timings.push(await timed(async () => void (events = await readAllOnce(eventStore, PAGE_SIZE))));
      return { mode, events, timing: best(timings), peakRssBytes: process.resourceUsage().maxRSS * 1024, checkpoint: head.toString(), head: head.toString() };
    }
    if (mode === 'insertRows' && readModelFile) return insertRows(readModelFile, head);
    if (mode !== 'rebuild' || !readModelFile) throw new Error('usage: rebuild.worker.ts readAll|rebuild|insertRows EVENTS_FILE [READ_MODEL_FILE]');
    const store = new SqliteReadModelStore({ filename: readModelFile, ...WRITER_STORE_OPTIONS });
    const runner = new ProjectionRunner({ eventStore, store, rebuildPageSize: PAGE_SIZE });
    // Memory beside progress: which of heap, native (SQLite, buffers) or RSS grows is what a peak over the target needs.
    const progress = setInterval(() => {
      const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
      process.stderr.write(`[rebuild] at position ${runner.status().checkpoint} of ${head}; rss ${(rss / 2 ** 20).toFixed(0)} MiB, heap ${(heapUsed / 2 ** 20).toFixed(0)} of ${(heapTotal / 2 ** 20).toFixed(0)}, external ${(external / 2 ** 20).toFixed(0)}\n`);
    }, 5000);
    try {
      const timing = await timed(() => runner.rebuild());
      const status = runner.status();
      return {
        mode,
        events: Number(head),
        timing,
        peakRssBytes: process.resourceUsage().maxRSS * 1024,
        checkpoint: status.checkpoint.toString(),
        head: head.toString(),
        ...(status.lastError ? { error: `${status.lastError.name}: ${status.lastError.message}` } : {}),
      };
    } finally {
      clearInterval(progress);
      store.close();
    }
  } finally {
    await eventStore.close();
  }
};

const insertRows = async (rebuiltFile: string, head: bigint): Promise<WorkerReport> => {
  const source = new Database(rebuiltFile, { readonly: true });
  source.defaultSafeIntegers(true);
  const copyFile = `${rebuiltFile}.insert-rows`;
  // The same settings as the read-model store's writer connection.
  const target = new Database(copyFile);
  try {
    const tables = source.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{ name: string; sql: string }>;
    const indexes = source.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").pluck().all() as string[];
    target.pragma(`page_size = ${READ_MODEL_PAGE_SIZE}`);
    target.pragma('journal_mode = WAL');
    target.pragma('synchronous = NORMAL');
    target.pragma(`cache_size = -${WRITER_CACHE_MIB * 1024}`);
    for (const table of tables) target.exec(table.sql);
    // Rows are read ROWS_PER_TRANSACTION at a time, untimed, and only their insert is timed: a million events' rows
    // (about six million) read whole into memory went past V8's heap limit.
    let rows = 0;
    const parts: Timing[] = [];
    for (const { name } of tables) {
      const columns = (source.prepare(`SELECT * FROM "${name}" LIMIT 0`).columns() as unknown[]).length;
      const insert = target.prepare(`INSERT INTO "${name}" VALUES (${new Array(columns).fill('?').join(', ')})`);
      let chunk: unknown[][] = [];
      const flush = async (): Promise<void> => {
        const batch = chunk;
        chunk = [];
        parts.push(await timed(async () => target.transaction(() => {
          for (const row of batch) insert.run(...row);
        })()));
        rows += batch.length;
      };
      for (const row of source.prepare(`SELECT * FROM "${name}"`).raw(true).iterate() as IterableIterator<unknown[]>) {
        chunk.push(row);
        if (chunk.length === ROWS_PER_TRANSACTION) await flush();
      }
      if (chunk.length > 0) await flush();
    }
    parts.push(await timed(async () => {
      for (const index of indexes) target.exec(index);
    }));
    const timing = { wallMs: parts.reduce((sum, t) => sum + t.wallMs, 0), cpuMs: parts.reduce((sum, t) => sum + t.cpuMs, 0) };
    return { mode: 'insertRows', events: rows, timing, peakRssBytes: process.resourceUsage().maxRSS * 1024, checkpoint: head.toString(), head: head.toString() };
  } finally {
    source.close();
    target.close();
    rmSync(copyFile, { force: true });
    rmSync(`${copyFile}-wal`, { force: true });
    rmSync(`${copyFile}-shm`, { force: true });
  }
};

if (require.main === module) {
  main().then(
    (report) => {
      process.stdout.write(`${JSON.stringify(report)}\n`);
      process.exit(0);
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    },
  );
}
