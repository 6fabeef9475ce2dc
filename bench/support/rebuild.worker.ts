/**
 * One measurement of the rebuild benchmark in a process of its own, so that its peak RSS is its own:
 *
 *   node -r scripts/swc-register.js bench/support/rebuild.worker.ts readAll|rebuild EVENTS_FILE [READ_MODEL_FILE]
 *
 * readAll: pages through the whole log as the runner's rebuild does (best of three passes);
 * rebuild: ProjectionRunner.rebuild() of every ledger read model into READ_MODEL_FILE (fresh).
 * Prints one JSON line on stdout: events, wall and CPU ms, this process's peak RSS, the checkpoint reached and the
 * log's head. Progress (checkpoint every few seconds) goes to stderr.
 */
import { SqliteEventStore } from '@ledger/event-store';
import { ProjectionRunner, SqliteReadModelStore, WRITER_STORE_OPTIONS } from '@ledger/read-models';
import { readAllOnce } from './log-writer';
import { Timing, best, timed } from './measure';

/** The runner's default rebuild page size; readAll is measured with the same. */
export const PAGE_SIZE = 2000;

export interface WorkerReport {
  mode: 'readAll' | 'rebuild';
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
    if (mode !== 'rebuild' || !readModelFile) throw new Error('usage: rebuild.worker.ts readAll|rebuild EVENTS_FILE [READ_MODEL_FILE]');
    const store = new SqliteReadModelStore({ filename: readModelFile, ...WRITER_STORE_OPTIONS });
    const runner = new ProjectionRunner({ eventStore, store, rebuildPageSize: PAGE_SIZE });
    const progress = setInterval(() => process.stderr.write(`[rebuild] at position ${runner.status().checkpoint} of ${head}\n`), 5000);
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
