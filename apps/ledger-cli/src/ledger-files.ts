import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventStore } from '@ledger/event-store';
import { SqliteReadModelStore, WRITER_STORE_OPTIONS, isCorruptionError } from '@ledger/read-models';
import { ConfigError, EVENTS_FILE_NAME, LedgerConfig, loadLedgerConfig, READ_MODELS_FILE_NAME } from '../../ledger-api/src/platform/config/ledger-config';

// The API's file names, from its configuration module (which loads no Nest).
export const EVENTS_FILE = EVENTS_FILE_NAME;
export const READ_MODELS_FILE = READ_MODELS_FILE_NAME;

/** Exit codes, as documented in `ledger-cli --help`. */
export const EXIT = {
  ok: 0,
  /** The operation ran and failed (unreadable event, projection error, store error). */
  failed: 1,
  /** Bad invocation or configuration: unknown option, invalid environment, missing data directory or event log. */
  usage: 2,
  /** Refused: another process (the API) has the ledger's files open. */
  busy: 3,
  /** `status --check`: the read models are behind the log or were built by other projection versions. */
  outOfSync: 4,
} as const;

/** A failure the CLI reports as one clear message and an exit code, without a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export interface GlobalOptions {
  dataDir?: string;
}

export interface LedgerFiles {
  config: LedgerConfig;
  dataDir: string;
  eventsFile: string;
  readModelsFile: string;
}

/** The variable the API reads, with the same rules (empty counts as unset, relative paths from the working directory). */
export const dataDirOf = (env: NodeJS.ProcessEnv, cwd: string): string => {
  const raw = env.LEDGER_DATA_DIR?.trim();
  if (raw === undefined || raw === '') return join(resolve(cwd), 'data');
  return isAbsolute(raw) ? resolve(raw) : resolve(cwd, raw);
};

/**
 * The API's configuration for an existing data directory (LEDGER_DATA_DIR, overridden by --data-dir), whatever the
 * event store: for commands on the files beside the log (tokens, backups), which EventStoreDB does not hold.
 */
export const resolveLedgerConfig = (options: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LedgerConfig => {
  const effectiveEnv: NodeJS.ProcessEnv = options.dataDir !== undefined ? { ...env, LEDGER_DATA_DIR: options.dataDir } : env;
  const wanted = dataDirOf(effectiveEnv, cwd);
  const source = options.dataDir !== undefined ? '--data-dir' : effectiveEnv.LEDGER_DATA_DIR?.trim() ? 'LEDGER_DATA_DIR' : 'the default (./data)';
  if (!existsSync(wanted)) {
    throw new CliError(`Data directory ${wanted} does not exist (from ${source}). Pass --data-dir or set LEDGER_DATA_DIR to the API's data directory.`, EXIT.usage);
  }
  if (!statSync(wanted).isDirectory()) {
    throw new CliError(`Data directory ${wanted} (from ${source}) is not a directory.`, EXIT.usage);
  }
  try {
    return loadLedgerConfig(effectiveEnv, cwd);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
};

/**
 * Reads the API's environment configuration (LEDGER_DATA_DIR, overridden by
 * --data-dir) and checks that it names an existing ledger. Unlike the API,
 * the CLI never creates a data directory: a typo must not look like an empty ledger.
 */
export const resolveLedgerFiles = (options: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LedgerFiles => {
  const config = resolveLedgerConfig(options, env, cwd);
  if (config.eventStoreConnectionString !== undefined) {
    throw new CliError(
      'EVENTSTORE_CONNECTION_STRING is set, but this CLI reads the embedded SQLite event log only. Unset it to use the log in the data directory.',
      EXIT.usage,
    );
  }
  const eventsFile = join(config.dataDir, EVENTS_FILE);
  if (!existsSync(eventsFile)) {
    throw new CliError(`No event log in ${config.dataDir}: ${EVENTS_FILE} is missing. Is this the API's data directory?`, EXIT.usage);
  }
  return { config, dataDir: config.dataDir, eventsFile, readModelsFile: config.readModelsFile };
};

export const openEventStore = (files: LedgerFiles, options: { appends?: boolean } = {}): SqliteEventStore => {
  try {
    // An import commits thousands of batches: their WAL checkpoints run beside them, as in the API.
    return new SqliteEventStore({ filename: files.eventsFile, ...(options.appends ? { checkpointThread: true } : {}) });
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.failed);
  }
};

/**
 * Opens the read models as their writer. With `heal` (commands that rebuild or write them, with the API stopped) a
 * damaged file or one that is not the ledger's is moved aside first, as the API does at start, and `heal` is told.
 */
export const openReadModelStore = (files: LedgerFiles, heal?: (message: string) => void): SqliteReadModelStore => {
  try {
    return new SqliteReadModelStore({ filename: files.readModelsFile, ...WRITER_STORE_OPTIONS, ...(heal ? { heal: { log: heal } } : {}) });
  } catch (error) {
    throw new CliError(`Cannot open read models ${files.readModelsFile}: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
  }
};

/**
 * True when another connection (in any process) has the SQLite file open.
 * Every connection to a WAL database holds a shared lock for as long as it is
 * open, so an exclusive lock taken without waiting fails exactly then. The
 * lock is released at once: this is a probe, not a guard for the whole run.
 */
export const isOpenElsewhere = (file: string): boolean => {
  if (!existsSync(file)) return false;
  const db = new Database(file, { fileMustExist: true });
  try {
    db.pragma('busy_timeout = 0');
    db.pragma('locking_mode = EXCLUSIVE');
    db.exec('BEGIN EXCLUSIVE; COMMIT');
    return false;
  } catch (error) {
    if ((error as { code?: string }).code === 'SQLITE_BUSY' || (error as { code?: string }).code === 'SQLITE_LOCKED') return true;
    // Bytes that are not a database cannot be in use as one; the commands that mind move such a read-model file aside.
    if (isCorruptionError(error)) return false;
    throw error;
  } finally {
    db.close();
  }
};

/** Refuses to go on while another process (normally the ledger API) has the log or the read models open. */
export const assertNotInUse = (files: LedgerFiles): void => {
  const inUse = [files.readModelsFile, files.eventsFile].filter(isOpenElsewhere);
  if (inUse.length > 0) {
    throw new CliError(
      `${inUse.join(' and ')} ${inUse.length === 1 ? 'is' : 'are'} open in another process. ` +
        'Stop the ledger API (and anything else reading these files) before running this command.',
      EXIT.busy,
    );
  }
};
