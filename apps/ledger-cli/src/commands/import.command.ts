import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { ProjectionRunner, ReadModelProjector, ThreadedProjectionRunner } from '@ledger/read-models';
import { dispatchToHandlers } from '../../../ledger-api/src/imports/import-commands/import-dispatch';
import { ImportAbortedError, ImportSummary, ImportRun, DEFAULT_BATCH_LINES } from '../../../ledger-api/src/imports/import-commands/import-run';
import { ImportTooLargeError } from '../../../ledger-api/src/imports/import-commands/ndjson-lines';
import { DatasetFileError, DatasetHeaderError } from '../../../ledger-api/src/imports/shared/datasets/dataset-csv.reader';
import type { DatasetName } from '../../../ledger-api/src/imports/shared/datasets/dataset-event';
import { DatasetImportAbortedError, DatasetImportRun, DatasetImportSummary, DEFAULT_DATASET_BATCH_ROWS } from '../../../ledger-api/src/imports/shared/datasets/dataset-import-run';
import { SystemClock } from '../../../ledger-api/src/application/clock';
import { DecidedStateCache, stateCacheLimitsOf } from '../../../ledger-api/src/application/decided-state-cache';
import { PartyDirectory } from '../../../ledger-api/src/application/party-directory';
import { StreamCommandBatcher } from '../../../ledger-api/src/application/stream-command.batcher';
import { StreamCommandExecutor } from '../../../ledger-api/src/application/stream-command.executor';
import { CliOutput } from '../cli-output';
import { assertNotInUse, CliError, EXIT, GlobalOptions, openEventStore, openReadModelStore, resolveLedgerFiles } from '../ledger-files';
import { progressEnabled, startProgressBar } from '../progress-bar';

export const DEFAULT_CLI_PRINCIPAL = 'cli:import';
/** How many failed lines the text summary prints; --json lists up to the import's own bound. */
const PRINTED_ERRORS = 20;
const CATCH_UP_POLL_MS = 250;
const PRINCIPAL = /^[\x21-\x7e]{1,128}$/;

export interface ImportCliOptions extends GlobalOptions {
  json?: boolean;
  progress?: boolean;
  as: string;
  batch: number;
}

export interface ImportCliResult extends ImportSummary {
  principal: string;
  /** Set when the import stopped before the end of the file. */
  aborted?: string;
  readModels: { checkpoint: string; headPosition: string };
}

const importFile = (file: string): { path: string; size: number } => {
  const path = resolve(file);
  let size: number;
  try {
    const stat = statSync(path);
    if (!stat.isFile()) throw new CliError(`${path} is not a file.`, EXIT.usage);
    size = stat.size;
  } catch (error) {
    if (error instanceof CliError) throw error;
    throw new CliError(`Cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}.`, EXIT.usage);
  }
  return { path, size };
};

/**
 * Imports an NDJSON file straight into the data directory's store, through
 * the API's own handlers, executor and deciders (so the same rules), then
 * brings the read models up to the new head. Refuses while another process
 * (the API) has the files open: two writers would each keep their own view
 * of streams and read models.
 */
export const runImport = async (file: string, options: ImportCliOptions, out: CliOutput): Promise<ImportCliResult> => {
  const input = checkedInput(file, options);
  const progress = progressEnabled(out, options.progress);
  const { value, readModels } = await withImportLedger(options, out, progress, async ({ executor, eventStore, files }) => {
    const batcher = new StreamCommandBatcher(executor);
    const run = new ImportRun({
      principal: options.as,
      correlationId: randomUUID(),
      dispatch: dispatchToHandlers(batcher, new PartyDirectory(eventStore)),
      batcher,
      limits: files.config.imports,
      batchLines: options.batch,
    });
    const bar = startProgressBar(out, progress, 'importing', input.size, 'bytes');
    const timer = setInterval(() => bar.update(run.progress().bytes), CATCH_UP_POLL_MS);
    try {
      return { summary: await run.run(createReadStream(input.path, { highWaterMark: 256 * 1024 })) };
    } catch (error) {
      if (!(error instanceof ImportAbortedError)) throw error;
      const aborted =
        error.cause instanceof ImportTooLargeError
          ? `${error.cause.message} (LEDGER_IMPORT_LIMIT_BYTES)`
          : error.cause instanceof Error
            ? error.cause.message
            : String(error.cause);
      return { summary: error.summary, aborted };
    } finally {
      clearInterval(timer);
      bar.update(run.progress().bytes);
      bar.stop();
    }
  });
  return { principal: options.as, ...value.summary, ...(value.aborted ? { aborted: value.aborted } : {}), readModels };
};

const checkedInput = (file: string, options: Pick<ImportCliOptions, 'as'>): { path: string; size: number } => {
  if (!PRINCIPAL.test(options.as)) throw new CliError('--as must be 1 to 128 visible ASCII characters.', EXIT.usage);
  const input = importFile(file);
  if (input.size === 0) throw new CliError(`${input.path} is empty: nothing to import.`, EXIT.usage);
  return input;
};

/**
 * Opens the data directory for writing (refused while another process, the API, has the files open: two writers would
 * each keep their own view of streams and read models), runs `work` over an executor of the API's own, with the read
 * models following from their own thread, and brings them up to the new head afterwards.
 */
const withImportLedger = async <T>(
  options: ImportCliOptions,
  out: CliOutput,
  progress: boolean,
  work: (ledger: { executor: StreamCommandExecutor; eventStore: ReturnType<typeof openEventStore>; files: ReturnType<typeof resolveLedgerFiles> }) => Promise<T>,
): Promise<{ value: T; readModels: ImportCliResult['readModels'] }> => {
  const files = resolveLedgerFiles(options);
  assertNotInUse(files);
  const eventStore = openEventStore(files, { appends: true });
  let projection: { projector: ReadModelProjector; close: () => Promise<void> } | undefined;
  let unwatch: (() => void) | undefined;
  try {
    projection = projectorFor(files, eventStore);
    const { projector } = projection;
    if (projector instanceof ThreadedProjectionRunner) {
      // The read models follow the import from their own thread, as in the API, instead of after it.
      const runner = projector;
      unwatch = eventStore.onCommit(() => runner.poke());
      await runner.start();
    }
    const executor = new StreamCommandExecutor(eventStore, new SystemClock(), new DecidedStateCache(stateCacheLimitsOf(files.config.writeSide)));
    const value = await work({ executor, eventStore, files });
    const readModels = await catchUpReadModels(eventStore, projector, out, progress);
    return { value, readModels };
  } finally {
    unwatch?.();
    await projection?.close();
    await eventStore.close();
  }
};

export interface DatasetImportCliOptions extends ImportCliOptions {
  dataset: DatasetName;
  release?: string;
  released?: string;
}

export interface DatasetImportCliResult extends DatasetImportSummary {
  principal: string;
  /** Set when the import stopped before the end of the file. */
  aborted?: string;
  readModels: { checkpoint: string; headPosition: string };
}

/**
 * Imports a release of a conflict-event dataset (ACLED or UCDP GED, in its published CSV layout): each row an incident
 * and the monitor's claim, a changed row a correction, an unchanged one nothing. A file whose header is not the
 * layout's is refused before anything is written (exit 2).
 */
export const runDatasetImport = async (file: string, options: DatasetImportCliOptions, out: CliOutput): Promise<DatasetImportCliResult> => {
  const input = checkedInput(file, options);
  const progress = progressEnabled(out, options.progress);
  const release = { dataset: options.dataset, ...(options.release ? { name: options.release } : {}), publishedAt: options.released ?? new Date().toISOString().slice(0, 10) };
  const { value, readModels } = await withImportLedger(options, out, progress, async ({ executor, eventStore }) => {
    const run = new DatasetImportRun({ release, principal: options.as, correlationId: randomUUID(), executor, parties: new PartyDirectory(eventStore), batchRows: options.batch });
    const bar = startProgressBar(out, progress, `importing ${options.dataset}`, input.size, 'bytes');
    const timer = setInterval(() => bar.update(run.progress().bytes), CATCH_UP_POLL_MS);
    try {
      return { summary: await run.run(createReadStream(input.path, { highWaterMark: 256 * 1024 })) };
    } catch (error) {
      if (!(error instanceof DatasetImportAbortedError)) throw error;
      // Nothing read, nothing written: the wrong file, not a broken one.
      if (error.cause instanceof DatasetHeaderError) throw new CliError(`${input.path} is ${error.cause.message}.`, EXIT.usage);
      const at = error.cause instanceof DatasetFileError && error.cause.line !== undefined ? ` (line ${error.cause.line})` : '';
      return { summary: error.summary, aborted: `${error.cause instanceof Error ? error.cause.message : String(error.cause)}${at}` };
    } finally {
      clearInterval(timer);
      bar.update(run.progress().bytes);
      bar.stop();
    }
  });
  return { principal: options.as, ...value.summary, ...(value.aborted ? { aborted: value.aborted } : {}), readModels };
};

export const formatDatasetImportSummary = (r: DatasetImportCliResult): string => {
  const name = r.dataset === 'acled' ? 'ACLED' : 'UCDP GED';
  const lines = [
    `Imported ${name}${r.release.name ? ` release ${r.release.name}` : ''} as ${r.principal}: ${r.rows} rows, ${r.created} new, ${r.corrected} corrected, ` +
      `${r.unchanged} unchanged, ${r.failed} failed; ${r.partiesRegistered} parties registered; ${r.eventsAppended} events appended, ` +
      `last position ${r.lastPosition ?? '-'}, in ${r.elapsedMs} ms.`,
    `Read models at position ${r.readModels.checkpoint} of ${r.readModels.headPosition}.`,
  ];
  if (r.aborted) lines.push(`Stopped before the end of the file: ${r.aborted}`);
  for (const e of r.errors.slice(0, PRINTED_ERRORS)) {
    const fields = Array.isArray(e.errors) ? ` [${(e.errors as Array<{ field: string }>).map((f) => f.field).join(', ')}]` : e.column ? ` [${e.column}]` : '';
    lines.push(`  line ${e.line}${e.eventId ? ` (${e.eventId})` : ''}: ${e.status} ${e.code}${fields}: ${e.detail}`);
  }
  const unprinted = r.failed - Math.min(r.errors.length, PRINTED_ERRORS);
  if (unprinted > 0) lines.push(`  … and ${unprinted} more failed row(s)${r.errors.length > PRINTED_ERRORS ? ' (--json lists them)' : ''}.`);
  return lines.join('\n');
};

/**
 * The projection thread of the built CLI (its bundle serves as the worker's script, as the API's does); run from
 * sources (tests), the runner in this thread, after the import.
 */
const projectorFor = (
  files: ReturnType<typeof resolveLedgerFiles>,
  eventStore: ReturnType<typeof openEventStore>,
): { projector: ReadModelProjector; close: () => Promise<void> } => {
  if (__filename.endsWith('.js')) {
    const data = { eventLog: { kind: 'sqlite' as const, filename: files.eventsFile }, readModelsFile: files.readModelsFile };
    const projector = new ThreadedProjectionRunner({ script: __filename, data });
    return { projector, close: () => projector.stop() };
  }
  const store = openReadModelStore(files);
  const projector = new ProjectionRunner({ eventStore, store });
  return {
    projector,
    close: async () => {
      await projector.stop();
      store.close();
    },
  };
};

/** Brings the read models to the log's head (the thread has followed the import; the in-thread runner starts now). */
const catchUpReadModels = async (
  eventStore: ReturnType<typeof openEventStore>,
  runner: ReadModelProjector,
  out: CliOutput,
  progress: boolean,
): Promise<ImportCliResult['readModels']> => {
  const head = await eventStore.headPosition();
  const start = runner.status().checkpoint;
  const bar = startProgressBar(out, progress, 'read models', Number(head), 'positions');
  const timer = setInterval(() => bar.update(Number(runner.status().checkpoint)), CATCH_UP_POLL_MS);
  try {
    if (!(runner instanceof ThreadedProjectionRunner)) await runner.start();
    await runner.waitForPosition(head, 2 ** 31 - 1);
  } catch (error) {
    const status = runner.status();
    throw new CliError(
      `The import is in the log, but the read models stopped at position ${status.checkpoint} (from ${start}): ${error instanceof Error ? error.message : String(error)}. ` +
        'Run `ledger-cli rebuild` or start the API to bring them up to date.',
      EXIT.failed,
    );
  } finally {
    clearInterval(timer);
    bar.update(Number(runner.status().checkpoint));
    bar.stop();
  }
  return { checkpoint: runner.status().checkpoint.toString(), headPosition: head.toString() };
};

export const formatImportSummary = (r: ImportCliResult): string => {
  const lines = [
    `Imported ${r.imported} of ${r.lines} lines as ${r.principal} (${r.replayed} already imported, ${r.failed} failed): ` +
      `${r.eventsAppended} events appended, last position ${r.lastPosition ?? '-'}, in ${r.elapsedMs} ms.`,
    `Read models at position ${r.readModels.checkpoint} of ${r.readModels.headPosition}.`,
  ];
  if (r.aborted) lines.push(`Stopped before the end of the file: ${r.aborted}`);
  for (const e of r.errors.slice(0, PRINTED_ERRORS)) {
    const fields = Array.isArray(e.errors) ? ` [${(e.errors as Array<{ field: string }>).map((f) => f.field || '(line)').join(', ')}]` : e.field ? ` [${String(e.field)}]` : '';
    lines.push(`  line ${e.line}${e.key ? ` (${e.key})` : ''}: ${e.status} ${e.code}${fields}: ${e.detail}`);
  }
  const unprinted = r.failed - Math.min(r.errors.length, PRINTED_ERRORS);
  if (unprinted > 0) lines.push(`  … and ${unprinted} more failed line(s)${r.errors.length > PRINTED_ERRORS ? ' (--json lists them)' : ''}.`);
  return lines.join('\n');
};

const batchLines = (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < 1 || Number(value) > 10_000) throw new InvalidArgumentError('expected a whole number from 1 to 10000.');
  return Number(value);
};

const releaseDate = (value: string): string => {
  const parsed = /^\d{4}-\d{2}-\d{2}$/.test(value) ? new Date(`${value}T00:00:00Z`) : undefined;
  if (!parsed || Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== value) throw new InvalidArgumentError('expected a date, YYYY-MM-DD.');
  return value;
};

const releaseName = (value: string): string => {
  if (!/^[\x20-\x7e]{1,64}$/.test(value) || value.trim() !== value) throw new InvalidArgumentError('expected 1 to 64 printable ASCII characters.');
  return value;
};

export const importCommand = (out: CliOutput): Command =>
  new Command('import')
    .description('Import an NDJSON file of commands (one per line, each idempotent by its key), or with --dataset a release of ACLED or UCDP GED, straight into the data directory')
    .argument('<file>', 'NDJSON file: one {"key", "action", "body", …references} object per line, as POST /imports takes; with --dataset, the dataset\'s CSV')
    .addOption(new Option('--dataset <layout>', "read FILE as a conflict-event dataset's CSV in its published layout").choices(['acled', 'ucdp-ged']))
    .option('--release <name>', 'with --dataset: the release\'s name (e.g. 24.1), quoted in each claim\'s source', releaseName)
    .option('--released <date>', 'with --dataset: when the release was published (YYYY-MM-DD; default today): the stated time of rows without their own', releaseDate)
    .option('--as <principal>', 'who the events are recorded by (recordedBy); also scopes the line keys', DEFAULT_CLI_PRINCIPAL)
    .option('--json', 'print the summary (with every listed failed line) as one JSON object')
    .option('--progress', 'draw progress bars on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw progress bars')
    .option('--batch <lines>', `most lines stored in one transaction, default ${DEFAULT_BATCH_LINES} (with --dataset: rows, default ${DEFAULT_DATASET_BATCH_ROWS}); a crash keeps whole batches only`, batchLines)
    .addHelpText(
      'after',
      `
Every line goes through the same validation, handlers and ledger rules as the
HTTP route it names. Keys are scoped by the principal: importing the same file
again as the same principal appends nothing and reports every line as already
imported; to continue an import sent through POST /imports, pass --as with the
id of the token's principal. A bad line is reported (line number, key, the
problem the HTTP API would answer) and the rest go on.

With --dataset acled|ucdp-ged, each CSV row becomes an incident and a claim by
the monitor (party acled or ucdp, registered on first use), both with ids
derived from the dataset and the row's id (ACLED event_id_cnty, UCDP GED id).
Importing a newer release writes nothing for unchanged rows and one correction
of the monitor's claim for each changed row; rows missing from it are left as
they are. A row that cannot be read is reported with its line and writes
nothing; a header that is not the layout's is refused (exit 2).

The ledger API must be stopped first (exit code 3 otherwise). Afterwards the
read models are brought up to the new head, as the API would on its next start.

Exit codes: 0 every line imported or already imported; 1 some lines failed (or
the import stopped early); 2 bad usage (no such file, empty file, bad option,
a CSV header not of the dataset's layout); 3 the API has the files open.`,
    )
    .action(async (file: string, _options: ImportCliOptions, command: Command) => {
      const options = command.optsWithGlobals<DatasetImportCliOptions>();
      if (options.dataset) {
        const result = await runDatasetImport(file, { ...options, batch: options.batch ?? DEFAULT_DATASET_BATCH_ROWS }, out);
        if (result.rows === 0 && !result.aborted) throw new CliError(`${resolve(file)} has a header but no rows: nothing to import.`, EXIT.usage);
        out.result(options.json ? JSON.stringify(result, null, 2) : formatDatasetImportSummary(result));
        if (result.failed > 0 || result.aborted) {
          throw new CliError(result.aborted ? `the import stopped early: ${result.aborted}` : `${result.failed} row(s) failed`, EXIT.failed);
        }
        return;
      }
      if (options.release !== undefined || options.released !== undefined) throw new CliError('--release and --released go with --dataset.', EXIT.usage);
      const result = await runImport(file, { ...options, batch: options.batch ?? DEFAULT_BATCH_LINES }, out);
      if (result.lines === 0) throw new CliError(`${resolve(file)} has no lines: nothing to import.`, EXIT.usage);
      out.result(options.json ? JSON.stringify(result, null, 2) : formatImportSummary(result));
      if (result.failed > 0 || result.aborted) {
        throw new CliError(result.aborted ? `the import stopped early: ${result.aborted}` : `${result.failed} line(s) failed`, EXIT.failed);
      }
    });
