import { Command, InvalidArgumentError } from 'commander';
import type { EventStore, ReadAllOptions, RecordedEvent } from '@ledger/event-store';
import { ProjectionRunner, isCorruptionError } from '@ledger/read-models';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import { assertNotInUse, CliError, EXIT, GlobalOptions, openEventStore, openReadModelStore, resolveLedgerFiles } from '../ledger-files';
import { resolveLedgerSource } from '../ledger-source';
import { CliOutput } from '../cli-output';
import { takeProjectorLease } from '../projector-lease';

/** At most this many progress lines per second. */
const PROGRESS_INTERVAL_MS = 250;

export interface RebuildOptions extends GlobalOptions {
  quiet?: boolean;
  pageSize?: number;
  /** PostgreSQL to rebuild the read models in (overrides LEDGER_READ_MODELS_URL). */
  readModelsUrl?: string;
  /** Their schema there (overrides LEDGER_READ_MODELS_SCHEMA). */
  readModelsSchema?: string;
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

/** Progress lines for a replay, at most a few a second, and the event count so far. */
const replayProgress = (options: RebuildOptions, out: CliOutput, headPosition: bigint) => {
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
  return {
    get events() {
      return events;
    },
    restart: () => void (events = 0),
    observe: (store: EventStore) =>
      observeReplay(store, (page) => {
        if (page.length === 0) return;
        events += page.length;
        lastPosition = page[page.length - 1].position;
        report(false);
      }),
    done: () => report(true),
  };
};

const rebuildFailed = (runner: ProjectionRunner, error: unknown, where: string): CliError => {
  const status = runner.status();
  const at = status.lastError?.position ? ` at position ${status.lastError.position}` : '';
  return new CliError(
    `Rebuild failed${at}: ${error instanceof Error ? error.message : String(error)}\n` +
      `The read models ${where} now hold the log up to position ${status.checkpoint} only; the API will report them as failed until the log can be replayed in full.`,
    EXIT.failed,
  );
};

export const runRebuild = async (options: RebuildOptions, out: CliOutput, env: NodeJS.ProcessEnv = process.env): Promise<RebuildSummary> => {
  const effectiveEnv: NodeJS.ProcessEnv = {
    ...env,
    ...(options.readModelsUrl !== undefined ? { LEDGER_READ_MODELS_URL: options.readModelsUrl } : {}),
    ...(options.readModelsSchema !== undefined ? { LEDGER_READ_MODELS_SCHEMA: options.readModelsSchema } : {}),
  };
  if ((effectiveEnv.LEDGER_READ_MODELS_URL?.trim() ?? '') !== '') return rebuildPostgres(options, out, effectiveEnv);
  const files = resolveLedgerFiles(options, effectiveEnv);
  assertNotInUse(files);
  const started = Date.now();
  const eventStore = openEventStore(files);
  let readModels: ReturnType<typeof openReadModelStore> | undefined;
  try {
    readModels = openReadModelStore(files, (message) => out.progress(`rebuild: ${message}`));
    const headPosition = await eventStore.headPosition();
    if (!options.quiet) out.progress(`rebuild: replaying the event log of ${files.dataDir} (head position ${headPosition}) into ${files.readModelsFile}`);
    const progress = replayProgress(options, out, headPosition);
    const runner = new ProjectionRunner({ eventStore: progress.observe(eventStore), store: readModels, rebuildPageSize: options.pageSize });
    try {
      await runner.rebuild().catch(async (error: unknown) => {
        // Damage quick_check let through (the rebuild could not even empty the tables): a fresh file, once.
        const failure = runner.status().lastError;
        if (!isCorruptionError(failure)) throw error;
        readModels!.replaceFile('damaged', failure!.message, (message) => out.progress(`rebuild: ${message}`));
        progress.restart();
        await runner.rebuild();
      });
    } catch (error) {
      throw rebuildFailed(runner, error, `in ${files.readModelsFile}`);
    }
    progress.done();
    return { events: progress.events, headPosition, checkpoint: runner.status().checkpoint, rows: readModels.tableCounts(), elapsedMs: Date.now() - started };
  } finally {
    readModels?.close();
    await eventStore.close();
  }
};

/**
 * The read models in PostgreSQL (LEDGER_READ_MODELS_URL or --read-models-url), rebuilt from the log the API reads
 * (the data directory's, or EventStoreDB's): the SQLite file is left alone, and the log only read, so a ledger may
 * keep running on it. What must not run meanwhile is a projector into the same schema: the CLI holds the replicas'
 * projector lease for the whole rebuild, and refuses when a running ledger holds it.
 */
const rebuildPostgres = async (options: RebuildOptions, out: CliOutput, env: NodeJS.ProcessEnv): Promise<RebuildSummary> => {
  const source = resolveLedgerSource(options, env);
  const readModels = source.config.readModels!;
  // The URL is never echoed: it may carry a password.
  const from = options.readModelsUrl !== undefined ? '--read-models-url' : 'LEDGER_READ_MODELS_URL';
  const where = `PostgreSQL schema ${readModels.schema} (${from})`;
  const started = Date.now();
  const lease = await takeProjectorLease(readModels.url, readModels.schema, from);
  try {
    let store: PostgresReadModelStore;
    try {
      store = await PostgresReadModelStore.open({ connectionString: readModels.url, schema: readModels.schema });
    } catch (error) {
      throw new CliError(`Cannot open the read models in ${where}: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
    }
    const eventStore = source.open();
    try {
      const headPosition = await eventStore.headPosition();
      if (!options.quiet) out.progress(`rebuild: replaying ${source.description} (head position ${headPosition}) into ${where}, holding the projector lease`);
      const progress = replayProgress(options, out, headPosition);
      const runner = new ProjectionRunner({ eventStore: progress.observe(eventStore), store, rebuildPageSize: options.pageSize });
      try {
        await runner.rebuild();
      } catch (error) {
        throw rebuildFailed(runner, error, `in ${where}`);
      }
      progress.done();
      return { events: progress.events, headPosition, checkpoint: runner.status().checkpoint, rows: await store.tableCounts(), elapsedMs: Date.now() - started };
    } finally {
      await eventStore.close();
      await store.close();
    }
  } finally {
    await lease.release();
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

export const rebuildCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  new Command('rebuild')
    .description('Drop the read models and rebuild them by replaying the whole event log')
    .option('-q, --quiet', 'no progress lines on stderr, only the summary')
    // The runner's own default: a quarter of the transactions of 500, and more of a batch's row changes merged.
    .option('--page-size <events>', 'events per read and per read-model transaction', positiveInteger, 2000)
    .option('--read-models-url <url>', 'rebuild the read models in this PostgreSQL instead of read-models.sqlite (default: LEDGER_READ_MODELS_URL)')
    .option('--read-models-schema <name>', 'their schema there (default: LEDGER_READ_MODELS_SCHEMA, else ledger_read_models)')
    .addHelpText(
      'after',
      `
The ledger API must be stopped first: it keeps the read models up to date
while it runs, and two writers would corrupt them. rebuild checks that no
other process has events.sqlite or read-models.sqlite open and refuses otherwise
(exit code 3). Start the API again afterwards; it resumes from the new checkpoint.

With LEDGER_READ_MODELS_URL (or --read-models-url) the read models in that
PostgreSQL schema are rebuilt instead, from the log the API reads (the data
directory's events.sqlite, or EventStoreDB with EVENTSTORE_CONNECTION_STRING);
read-models.sqlite is left alone. The CLI takes the replicas' projector lease
(advisory lock incident-ledger:projector:<schema>) for the whole rebuild and refuses
(exit code 3) while a running ledger holds it: stop the replicas first.

Progress goes to stderr (a few lines per second at most); the summary line
(events, rows per read-model table, elapsed time) goes to stdout.

If an event cannot be replayed (e.g. a stored type this build does not know),
rebuild stops there, names the event and exits with code 1.`,
    )
    .action(async (_options: RebuildOptions, command: Command) => {
      const summary = await runRebuild(command.optsWithGlobals<RebuildOptions>(), out, env);
      out.result(formatRebuildSummary(summary));
    });
