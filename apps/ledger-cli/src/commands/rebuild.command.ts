import { Command, InvalidArgumentError } from 'commander';
import type { EventStore, ReadAllOptions, RecordedEvent } from '@ledger/event-store';
import { LEDGER_PROJECTIONS, ProjectionRunner, isCorruptionError } from '@ledger/read-models';
import { assertNotInUse, CliError, EXIT, GlobalOptions, openEventStore, openReadModelStore, resolveLedgerFiles } from '../ledger-files';
import { CliOutput } from '../cli-output';

/** At most this many progress lines per second. */
const PROGRESS_INTERVAL_MS = 250;

export interface RebuildOptions extends GlobalOptions {
  quiet?: boolean;
  pageSize?: number;
}

export interface RebuildSummary {
  events: number;
  headPosition: bigint;
  checkpoint: bigint;
  /** Rows per read-model table. */
  rows: Record<string, number>;
  elapsedMs: number;
}

/**
 * The store as the runner sees it, reporting the replay's progress. The
 * runner applies each page it reads (in one transaction) before it asks for
 * the next, so a page is reported as applied when the next one is asked for.
 */
const observeReplay = (store: EventStore, onApplied: (page: RecordedEvent[]) => void): EventStore => {
  let pending: RecordedEvent[] = [];
  return new Proxy(store, {
    get(target, property, receiver) {
      if (property === 'readAll') {
        return async (options?: ReadAllOptions) => {
          if (pending.length > 0) onApplied(pending);
          pending = await target.readAll(options);
          return pending;
        };
      }
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
};

export const runRebuild = async (options: RebuildOptions, out: CliOutput): Promise<RebuildSummary> => {
  const files = resolveLedgerFiles(options);
  assertNotInUse(files);
  const started = Date.now();
  const eventStore = openEventStore(files);
  let readModels: ReturnType<typeof openReadModelStore> | undefined;
  try {
    readModels = openReadModelStore(files, (message) => out.progress(`rebuild: ${message}`));
    const headPosition = await eventStore.headPosition();
    if (!options.quiet) out.progress(`rebuild: replaying the event log of ${files.dataDir} (head position ${headPosition}) into ${files.readModelsFile}`);

    let events = 0;
    let lastPosition = 0n;
    let lastReport = 0;
    let reportedEvents = -1;
    const report = (force: boolean) => {
      const now = Date.now();
      if (options.quiet || events === reportedEvents || (!force && now - lastReport < PROGRESS_INTERVAL_MS)) return;
      lastReport = now;
      reportedEvents = events;
      out.progress(`rebuild: ${events} events applied, position ${lastPosition} of ${headPosition}`);
    };
    const observed = observeReplay(eventStore, (page) => {
      if (page.length === 0) return;
      events += page.length;
      lastPosition = page[page.length - 1].position;
      report(false);
    });

    const runner = new ProjectionRunner({ eventStore: observed, store: readModels, rebuildPageSize: options.pageSize });
    try {
      await runner.rebuild().catch(async (error: unknown) => {
        // Damage quick_check let through (the rebuild could not even empty the tables): a fresh file, once.
        const failure = runner.status().lastError;
        if (!isCorruptionError(failure)) throw error;
        readModels!.replaceFile('damaged', failure!.message, (message) => out.progress(`rebuild: ${message}`));
        events = 0;
        await runner.rebuild();
      });
    } catch (error) {
      const status = runner.status();
      const at = status.lastError?.position ? ` at position ${status.lastError.position}` : '';
      throw new CliError(
        `Rebuild failed${at}: ${error instanceof Error ? error.message : String(error)}\n` +
          `The read models now hold the log up to position ${status.checkpoint} only; the API will report them as failed until the log can be replayed in full.`,
        EXIT.failed,
      );
    }
    report(true);
    return { events, headPosition, checkpoint: runner.status().checkpoint, rows: readModels.tableCounts(), elapsedMs: Date.now() - started };
  } finally {
    readModels?.close();
    await eventStore.close();
  }
};

export const formatRebuildSummary = (s: RebuildSummary): string =>
  `Rebuilt read models: ${s.events} events up to position ${s.checkpoint} in ${s.elapsedMs} ms; rows: ` +
  Object.entries(s.rows)
    .map(([name, count]) => `${name} ${count}`)
    .join(', ');

const positiveInteger = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 100_000) {
    throw new InvalidArgumentError('expected a whole number from 1 to 100000.');
  }
  return Number(value);
};

export const rebuildCommand = (out: CliOutput): Command =>
  new Command('rebuild')
    .description('Drop the read models and rebuild them by replaying the whole event log')
    .option('-q, --quiet', 'no progress lines on stderr, only the summary')
    // The runner's own default: a quarter of the transactions of 500, and more of a batch's row changes merged.
    .option('--page-size <events>', 'events per read and per read-model transaction', positiveInteger, 2000)
    .addHelpText(
      'after',
      `
The ledger API must be stopped first: it keeps the read models up to date
while it runs, and two writers would corrupt them. rebuild checks that no
other process has events.sqlite or read-models.sqlite open and refuses otherwise
(exit code 3). Start the API again afterwards; it resumes from the new checkpoint.

Progress goes to stderr (a few lines per second at most); the summary line
(events, rows per read-model table, elapsed time) goes to stdout.

If an event cannot be replayed (e.g. a stored type this build does not know),
rebuild stops there, names the event and exits with code 1.`,
    )
    .action(async (_options: RebuildOptions, command: Command) => {
      const summary = await runRebuild(command.optsWithGlobals<RebuildOptions>(), out);
      out.result(formatRebuildSummary(summary));
    });
