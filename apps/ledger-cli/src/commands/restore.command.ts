import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, unlinkSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { Command } from 'commander';
import { syncPath, unsyncedMarkerOf } from '@ledger/read-models';
import { loadLedgerConfig, ConfigError, LedgerConfig } from '../../../ledger-api/src/platform/config/ledger-config';
import { BACKUP_KEY_FILE, BACKUP_TOKENS_FILE, BackupManifest, ESDB_BACKUP_REFUSAL, fileDigest, MANIFEST_FILE, notaryKeyFileOf } from '../backup-manifest';
import { CliOutput } from '../cli-output';
import { CliError, dataDirOf, EVENTS_FILE, EXIT, GlobalOptions, isOpenElsewhere, READ_MODELS_FILE } from '../ledger-files';
import { formatVerify, runVerify } from './verify.command';

interface RestoreOptions extends GlobalOptions {
  force?: boolean;
}

const readManifest = (dir: string): BackupManifest => {
  const file = join(dir, MANIFEST_FILE);
  if (!existsSync(file)) throw new CliError(`${dir} is not a ledger backup: ${MANIFEST_FILE} is missing.`, EXIT.usage);
  let manifest: BackupManifest;
  try {
    manifest = JSON.parse(readFileSync(file, 'utf8')) as BackupManifest;
  } catch (error) {
    throw new CliError(`${file} is not valid JSON: ${(error as Error).message}`, EXIT.failed);
  }
  if (manifest.format !== 'incident-ledger-backup' || manifest.version !== 1) {
    throw new CliError(`${file} is not a backup this ledger-cli reads (format ${String(manifest.format)}, version ${String(manifest.version)}).`, EXIT.usage);
  }
  for (const [name, expected] of Object.entries(manifest.files)) {
    const path = join(dir, name);
    if (!existsSync(path)) throw new CliError(`The backup is incomplete: ${name} is missing from ${dir}.`, EXIT.failed);
    if (fileDigest(path).sha256 !== expected.sha256) throw new CliError(`The backup is damaged: ${name} does not match its SHA-256 in ${MANIFEST_FILE}.`, EXIT.failed);
  }
  if (!manifest.files['events.sqlite']) throw new CliError(`The backup in ${dir} holds no event log.`, EXIT.failed);
  return manifest;
};

/** The API's configuration for the target, as it will start on it (LEDGER_TOKENS_FILE and LEDGER_NOTARY_KEY_FILE honoured). */
const targetConfig = (options: RestoreOptions, env: NodeJS.ProcessEnv): LedgerConfig => {
  const dataDir = dataDirOf(options.dataDir !== undefined ? { ...env, LEDGER_DATA_DIR: options.dataDir } : env, process.cwd());
  const { LEDGER_NOTARY_KEY_FILE: _keyFileMayNotExistYet, ...rest } = env;
  try {
    const config = loadLedgerConfig({ ...rest, LEDGER_DATA_DIR: dataDir }, process.cwd());
    const keyFile = env.LEDGER_NOTARY_KEY_FILE?.trim() ? resolve(process.cwd(), env.LEDGER_NOTARY_KEY_FILE.trim()) : undefined;
    return keyFile === undefined ? config : { ...config, notary: { ...config.notary, keyFile } };
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
};

/**
 * The ledger files a restore replaces, wherever the configuration puts them. Read models kept elsewhere count too (with
 * their WAL): left in place, a file ahead of the restored log would be taken for its read models.
 */
const ledgerPathsOf = (config: LedgerConfig): string[] => [
  ...readdirSync(config.dataDir)
    .filter((name) => !name.startsWith('pre-restore-'))
    .map((name) => join(config.dataDir, name)),
  ...[config.tokensFile, notaryKeyFileOf(config), ...sqliteFilesOf(config.readModelsFile)].filter((path) => dirname(path) !== config.dataDir && existsSync(path)),
];

// With the read models' unsynced-writes marker: moved with the file it speaks of.
const sqliteFilesOf = (file: string): string[] => [file, `${file}-wal`, `${file}-shm`, unsyncedMarkerOf(file)];

/** Into the pre-restore directory; a file on another file system (a RAM disk) is copied there, then removed. */
const moveAside = (path: string, aside: string): void => {
  // Read models kept elsewhere may share a name with a file of the data directory moved aside before them.
  const to = existsSync(join(aside, basename(path))) ? join(aside, `elsewhere-${basename(path)}`) : join(aside, basename(path));
  try {
    renameSync(path, to);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    copyFileSync(path, to);
    unlinkSync(path);
  }
};

/** A file that is not a database (damaged, or not a ledger's) is held by no running ledger: the non-empty check deals with it. */
const heldOpen = (file: string): boolean => {
  try {
    return isOpenElsewhere(file);
  } catch {
    return false;
  }
};

/** Copy under a temporary name, then rename: an interrupted restore leaves no half-copied file under the real name. */
const place = (from: string, to: string, privateFile: boolean): void => {
  mkdirSync(dirname(to), { recursive: true });
  const tmp = `${to}.restore-${process.pid}.tmp`;
  copyFileSync(from, tmp);
  if (privateFile) chmodSync(tmp, 0o600);
  // Synced before it takes the name, and the name synced after: a power loss right after a restore leaves the copy whole.
  syncPath(tmp);
  renameSync(tmp, to);
  syncPath(dirname(to));
};

export const restoreCommand = (out: CliOutput, env: NodeJS.ProcessEnv = process.env): Command =>
  new Command('restore')
    .description('Restore a backup made by `ledger-cli backup` into a data directory (--data-dir or LEDGER_DATA_DIR), then verify it')
    .argument('<dir>', 'the backup directory')
    .option('--force', 'restore over a data directory that holds files: they are moved aside into <data dir>/pre-restore-<time>/')
    .addHelpText(
      'after',
      `
Refuses (exit ${EXIT.busy}) while a process (the API) has the target's databases open,
with or without --force, and (exit ${EXIT.usage}) a target that is not empty unless --force.
Checks every file against the backup's SHA-256s first; after copying, runs
verify on the restored ledger (exit ${EXIT.failed} if it does not check out).`,
    )
    .action(async (backupDir: string, _o: RestoreOptions, command: Command) => {
      const options = command.optsWithGlobals<RestoreOptions>();
      // The API on the target would not read the restored events.sqlite at all.
      if (env.EVENTSTORE_CONNECTION_STRING?.trim()) throw new CliError(ESDB_BACKUP_REFUSAL('restore'), EXIT.usage);
      const from = resolve(backupDir);
      const manifest = readManifest(from);
      const config = targetConfig(options, env);
      const target = config.dataDir;

      const live = [config.readModelsFile, join(target, EVENTS_FILE)].filter(heldOpen);
      if (live.length > 0) {
        throw new CliError(`${live.join(' and ')} ${live.length === 1 ? 'is' : 'are'} open in another process: a ledger is running on ${target}. Stop it before restoring.`, EXIT.busy);
      }
      const existing = ledgerPathsOf(config);
      if (existing.length > 0 && !options.force) {
        throw new CliError(
          `${target} is not empty (${existing.map((p) => basename(p)).join(', ')}). Restore into an empty directory, or pass --force to move these aside first.`,
          EXIT.usage,
        );
      }
      if (existing.length > 0) {
        const aside = join(target, `pre-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`);
        mkdirSync(aside, { mode: 0o700 });
        for (const path of existing) moveAside(path, aside);
        out.progress(`restore: moved ${existing.length} existing file(s) aside into ${aside}`);
      }

      // The log last: a restore stopped half-way leaves no event log, hence nothing an API would start on as a ledger.
      if (manifest.files[READ_MODELS_FILE]) place(join(from, READ_MODELS_FILE), config.readModelsFile, false);
      if (manifest.files[BACKUP_KEY_FILE]) place(join(from, BACKUP_KEY_FILE), notaryKeyFileOf(config), true);
      if (manifest.files[BACKUP_TOKENS_FILE]) place(join(from, BACKUP_TOKENS_FILE), config.tokensFile, true);
      place(join(from, 'events.sqlite'), join(target, 'events.sqlite'), false);
      out.progress(`restore: ${from} (taken ${manifest.createdAt}, head position ${manifest.headPosition}) restored into ${target}; verifying`);

      let verified: Awaited<ReturnType<typeof runVerify>>;
      try {
        verified = await runVerify({ dataDir: target }, out, env);
      } catch (error) {
        if (error instanceof CliError) throw new CliError(`restored into ${target}, but verify could not run: ${error.message}`, error.exitCode);
        throw error;
      }
      out.result(formatVerify(verified));
      if (!verified.report.ok) throw new CliError(`restored into ${target}, but it does not verify (${verified.report.findings.length} finding(s))`, EXIT.failed);
    });
