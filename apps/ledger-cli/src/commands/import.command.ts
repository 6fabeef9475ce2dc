import { randomUUID } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { ProjectionRunner, ReadModelProjector, ThreadedProjectionRunner } from '@ledger/read-models';
import { dispatchToHandlers } from '../../../ledger-api/src/imports/import-commands/import-dispatch';
import { ImportAbortedError, ImportSummary, ImportRun, DEFAULT_BATCH_LINES } from '../../../ledger-api/src/imports/import-commands/import-run';
import { ImportTooLargeError } from '../../../ledger-api/src/imports/import-commands/ndjson-lines';
import { SystemClock } from '../../../ledger-api/src/application/clock';
import { DecidedStateCache } from '../../../ledger-api/src/application/decided-state-cache';
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
  if (!PRINCIPAL.test(options.as)) throw new CliError('--as must be 1 to 128 visible ASCII characters.', EXIT.usage);
  const input = importFile(file);
  if (input.size === 0) throw new CliError(`${input.path} is empty: nothing to import.`, EXIT.usage);
  const files = resolveLedgerFiles(options);
  assertNotInUse(files);
  const progress = progressEnabled(out, options.progress);
  const eventStore = openEventStore(files);
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
    const { stateCacheEvents: maxEvents, stateCacheStreams: maxStreams } = files.config.writeSide;
    const executor = new StreamCommandExecutor(eventStore, new SystemClock(), new DecidedStateCache({ maxEvents, maxStreams }));
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
    let summary: ImportSummary;
    let aborted: string | undefined;
    try {
      summary = await run.run(createReadStream(input.path, { highWaterMark: 256 * 1024 }));
    } catch (error) {
      if (!(error instanceof ImportAbortedError)) throw error;
      summary = error.summary;
      aborted =
        error.cause instanceof ImportTooLargeError
          ? `${error.cause.message} (LEDGER_IMPORT_LIMIT_BYTES)`
          : error.cause instanceof Error
            ? error.cause.message
            : String(error.cause);
    } finally {
      clearInterval(timer);
      bar.update(run.progress().bytes);
      bar.stop();
    }
    const caughtUp = await catchUpReadModels(eventStore, projector, out, progress);
    return { principal: options.as, ...summary, ...(aborted ? { aborted } : {}), readModels: caughtUp };
  } finally {
    unwatch?.();
    await projection?.close();
    await eventStore.close();
  }
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

export const importCommand = (out: CliOutput): Command =>
  new Command('import')
    .description('Import an NDJSON file of commands (one per line, each idempotent by its key) straight into the data directory')
    .argument('<file>', 'NDJSON file: one {"key", "action", "body", …references} object per line, as POST /imports takes')
    .option('--as <principal>', 'who the events are recorded by (recordedBy); also scopes the line keys', DEFAULT_CLI_PRINCIPAL)
    .option('--json', 'print the summary (with every listed failed line) as one JSON object')
    .option('--progress', 'draw progress bars on stderr even when it is not a terminal')
    .option('--no-progress', 'never draw progress bars')
    .option('--batch <lines>', 'most lines stored in one transaction (a crash keeps whole batches only)', batchLines, DEFAULT_BATCH_LINES)
    .addHelpText(
      'after',
      `
Every line goes through the same validation, handlers and ledger rules as the
HTTP route it names. Keys are scoped by the principal: importing the same file
again as the same principal appends nothing and reports every line as already
imported; to continue an import sent through POST /imports, pass --as with the
id of the token's principal. A bad line is reported (line number, key, the
problem the HTTP API would answer) and the rest go on.

The ledger API must be stopped first (exit code 3 otherwise). Afterwards the
read models are brought up to the new head, as the API would on its next start.

Exit codes: 0 every line imported or already imported; 1 some lines failed (or
the import stopped early); 2 bad usage (no such file, empty file, bad option);
3 the API has the files open.`,
    )
    .action(async (file: string, _options: ImportCliOptions, command: Command) => {
      const options = command.optsWithGlobals<ImportCliOptions>();
      const result = await runImport(file, options, out);
      if (result.lines === 0) throw new CliError(`${resolve(file)} has no lines: nothing to import.`, EXIT.usage);
      out.result(options.json ? JSON.stringify(result, null, 2) : formatImportSummary(result));
      if (result.failed > 0 || result.aborted) {
        throw new CliError(result.aborted ? `the import stopped early: ${result.aborted}` : `${result.failed} line(s) failed`, EXIT.failed);
      }
    });
