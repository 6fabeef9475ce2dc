import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_NOTARY_KEY_FILE } from '@ledger/integrity';
import { LedgerConfig } from '../../ledger-api/src/platform/config/ledger-config';
import { EVENTS_FILE, READ_MODELS_FILE } from './ledger-files';

/** What `ledger-cli backup` writes next to the copies, and `restore` checks before it touches the target. */
export const MANIFEST_FILE = 'backup.json';
export const BACKUP_TOKENS_FILE = 'tokens.json';
export const BACKUP_KEY_FILE = DEFAULT_NOTARY_KEY_FILE;

export interface BackupManifest {
  format: 'incident-ledger-backup';
  version: 1;
  createdAt: string;
  source: string;
  /** The log's head in the copy; every write acknowledged before the backup began is at or below it. */
  headPosition: string;
  readModelsCheckpoint: string | null;
  /** Where the notary key was: a file copied here, or a secret (LEDGER_NOTARY_PRIVATE_KEY) the operator keeps. */
  notaryKey: 'file' | 'secret' | 'none';
  files: Record<string, { bytes: number; sha256: string }>;
}

/** The key file the API uses for this configuration (when no secret is given). */
export const notaryKeyFileOf = (config: LedgerConfig): string => config.notary.keyFile ?? join(config.dataDir, BACKUP_KEY_FILE);

/** The files of a data directory a backup copies, under the names the backup gives them. */
export const LEDGER_DATABASES = [READ_MODELS_FILE, EVENTS_FILE] as const;

export const fileDigest = (path: string): { bytes: number; sha256: string } => {
  const content = readFileSync(path);
  return { bytes: content.length, sha256: createHash('sha256').update(content).digest('hex') };
};

/**
 * Why backup and restore refuse a ledger whose log is in EventStoreDB: what they copy is the embedded SQLite log. The
 * event store has its own backup procedure (README, "Operations"); the read models are rebuilt from $all.
 */
export const ESDB_BACKUP_REFUSAL = (command: 'backup' | 'restore'): string =>
  `EVENTSTORE_CONNECTION_STRING is set: this ledger's event log is in EventStoreDB, and ledger-cli ${command} ${command === 'backup' ? 'copies' : 'restores'} ` +
  'the embedded SQLite log only. Back up and restore EventStoreDB with its own procedure (see the README, "Operations: tokens, backups, ' +
  'shutdown"), and keep tokens.json and the notary key with that backup; the read models are rebuilt from the store at start.';
