import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { Command } from 'commander';
import { DEFAULT_CHECKPOINT_NAME, currentBootId, unsyncedBeforeThisBoot } from '@ledger/read-models';
import {
  BACKUP_KEY_FILE,
  BACKUP_TOKENS_FILE,
  BackupManifest,
  ESDB_BACKUP_REFUSAL,
  fileDigest,
  LEDGER_DATABASES,
  MANIFEST_FILE,
  notaryKeyFileOf,
} from '../backup-manifest';
import { CliOutput } from '../cli-output';
import { CliError, EVENTS_FILE, EXIT, GlobalOptions, READ_MODELS_FILE, resolveLedgerConfig, resolveLedgerFiles } from '../ledger-files';

interface BackupOptions extends GlobalOptions {
  json?: boolean;
}

/**
 * SQLite's online backup, in one step: the copy is the database as of one read transaction, taken beside the
 * running API's writes (WAL lets it read while the API writes; a step that must start over because another
 * connection wrote does so within the same call). Many small steps would be restarted by every commit under load.
 */
const onlineCopy = async (source: string, target: string): Promise<void> => {
  const db = new Database(source, { readonly: true, fileMustExist: true });
  try {
    await db.backup(target, { progress: () => 0x7fffffff });
  } finally {
    db.close();
  }
};

const headOf = (eventsCopy: string): string => {
  const db = new Database(eventsCopy, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT MAX(position) AS head FROM events').safeIntegers(true).get() as { head: number | bigint | null };
    return String(row.head ?? 0);
  } finally {
    db.close();
  }
};

const checkpointOf = (readModelsCopy: string): string | null => {
  const db = new Database(readModelsCopy, { readonly: true, fileMustExist: true });
  try {
    const row = db.prepare('SELECT position FROM read_model_checkpoints WHERE name = ?').safeIntegers(true).get(DEFAULT_CHECKPOINT_NAME) as { position: bigint } | undefined;
    return row === undefined ? null : String(row.position);
  } catch {
    return null;
  } finally {
    db.close();
  }
};

const copyPrivate = (from: string, to: string): void => {
  copyFileSync(from, to);
  chmodSync(to, 0o600);
};

export const runBackup = async (outDir: string, options: BackupOptions): Promise<{ dir: string; manifest: BackupManifest }> => {
  if (resolveLedgerConfig(options).eventStoreConnectionString !== undefined) throw new CliError(ESDB_BACKUP_REFUSAL('backup'), EXIT.usage);
  const files = resolveLedgerFiles(options);
  const dir = resolve(outDir);
  if (existsSync(dir) && (!statSync(dir).isDirectory() || readdirSync(dir).length > 0)) {
    throw new CliError(`${dir} is not an empty directory: a backup goes into a new or empty one.`, EXIT.usage);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    // Read models first, then the log: the copy's checkpoint is then never past the copy's head.
    // Not read models the machine went down under before they were synced: the restored ledger rebuilds them instead.
    if (existsSync(files.readModelsFile) && !unsyncedBeforeThisBoot(files.readModelsFile, currentBootId())) {
      await onlineCopy(files.readModelsFile, join(dir, READ_MODELS_FILE));
    }
    await onlineCopy(files.eventsFile, join(dir, EVENTS_FILE));
    const { config } = files;
    let notaryKey: BackupManifest['notaryKey'] = 'none';
    if (config.notary.privateKeyPem !== undefined) notaryKey = 'secret';
    else if (existsSync(notaryKeyFileOf(config))) {
      copyPrivate(notaryKeyFileOf(config), join(dir, BACKUP_KEY_FILE));
      notaryKey = 'file';
    }
    if (existsSync(config.tokensFile)) copyPrivate(config.tokensFile, join(dir, BACKUP_TOKENS_FILE));

    const copied = [...LEDGER_DATABASES, BACKUP_KEY_FILE, BACKUP_TOKENS_FILE].filter((name) => existsSync(join(dir, name)));
    const manifest: BackupManifest = {
      format: 'incident-ledger-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      source: files.dataDir,
      headPosition: headOf(join(dir, EVENTS_FILE)),
      readModelsCheckpoint: existsSync(join(dir, READ_MODELS_FILE)) ? checkpointOf(join(dir, READ_MODELS_FILE)) : null,
      notaryKey,
      files: Object.fromEntries(copied.map((name) => [name, fileDigest(join(dir, name))])),
    };
    writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest, null, 2) + '\n', { mode: 0o600 });
    return { dir, manifest };
  } catch (error) {
    // Half a backup must not pass for one.
    rmSync(dir, { recursive: true, force: true });
    if (error instanceof CliError) throw error;
    throw new CliError(`Backup failed: ${error instanceof Error ? error.message : String(error)}`, EXIT.failed);
  }
};

export const backupCommand = (out: CliOutput): Command =>
  new Command('backup')
    .description('Copy the ledger consistently while the API runs: event log and read models (SQLite online backup), notary key, tokens')
    .argument('<dir>', 'a new or empty directory for the copy')
    .option('--json', 'print the backup manifest as JSON')
    .addHelpText(
      'after',
      `
Safe while the API runs and writes: each database is copied as of one read
transaction, the read models before the log (their checkpoint is never past
the copied head). Writes acknowledged before the backup began are in it.
The notary key is copied when it is a file (keep the backup as secret as the
key); a key given as LEDGER_NOTARY_PRIVATE_KEY stays in your secret store.
initial-tokens.txt is never copied. Restore with \`ledger-cli restore <dir>\`.`,
    )
    .action(async (outDir: string, _o: BackupOptions, command: Command) => {
      const options = command.optsWithGlobals<BackupOptions>();
      const { dir, manifest } = await runBackup(outDir, options);
      if (options.json) return out.result(JSON.stringify(manifest, null, 2));
      out.result(`Backup of ${manifest.source} in ${dir}: log head position ${manifest.headPosition}, read-model checkpoint ${manifest.readModelsCheckpoint ?? 'none'}`);
      for (const [name, f] of Object.entries(manifest.files)) out.result(`  ${name.padEnd(20)} ${String(f.bytes).padStart(12)} bytes  sha256 ${f.sha256}`);
      if (manifest.notaryKey === 'secret') out.result('  notary key: LEDGER_NOTARY_PRIVATE_KEY (not copied; keep it with the backup)');
    });
