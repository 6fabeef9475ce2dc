import { existsSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyObject } from 'node:crypto';
import { EsdbEventStore, EventStore, SqliteEventStore } from '@ledger/event-store';
import { DEFAULT_NOTARY_KEY_FILE, JwkSet, jwksOf, loadOrCreateNotaryKey, publicKeyFromJwk } from '@ledger/integrity';
import { ConfigError, LedgerConfig, loadLedgerConfig } from '../../ledger-api/src/platform/config/ledger-config';
import { CliError, dataDirOf, EVENTS_FILE, EXIT, GlobalOptions } from './ledger-files';

/**
 * The event log a read-only command reads: the embedded SQLite file of the
 * data directory, or EventStoreDB when EVENTSTORE_CONNECTION_STRING is set
 * (as for the API). Read-only commands never take the "busy" refusal path of
 * rebuild: SQLite in WAL mode lets readers run beside the API's writer.
 */
export interface LedgerSource {
  config: LedgerConfig;
  kind: 'sqlite' | 'esdb';
  /** The data directory; undefined only on EventStoreDB when it does not exist (keys must then come from elsewhere). */
  dataDir?: string;
  /** For messages: which log was read. */
  description: string;
  open(): EventStore;
}

export const resolveLedgerSource = (options: GlobalOptions, env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): LedgerSource => {
  const effectiveEnv: NodeJS.ProcessEnv = options.dataDir !== undefined ? { ...env, LEDGER_DATA_DIR: options.dataDir } : env;
  const wanted = dataDirOf(effectiveEnv, cwd);
  const from = options.dataDir !== undefined ? '--data-dir' : effectiveEnv.LEDGER_DATA_DIR?.trim() ? 'LEDGER_DATA_DIR' : 'the default (./data)';
  const onEsdb = (effectiveEnv.EVENTSTORE_CONNECTION_STRING?.trim() ?? '') !== '';
  const dirExists = existsSync(wanted);
  if (dirExists && !statSync(wanted).isDirectory()) {
    throw new CliError(`Data directory ${wanted} (from ${from}) is not a directory.`, EXIT.usage);
  }
  if (!dirExists && !onEsdb) {
    throw new CliError(`Data directory ${wanted} does not exist (from ${from}). Pass --data-dir or set LEDGER_DATA_DIR to the API's data directory.`, EXIT.usage);
  }
  let config: LedgerConfig;
  try {
    // The API's loader creates a missing data directory; an auditor reading EventStoreDB without one must not get an
    // empty directory as a side effect, so the environment is validated against one that surely exists.
    config = loadLedgerConfig(dirExists ? effectiveEnv : { ...effectiveEnv, LEDGER_DATA_DIR: tmpdir() }, cwd);
  } catch (error) {
    if (error instanceof ConfigError) throw new CliError(error.message, EXIT.usage);
    throw error;
  }
  const dataDir = dirExists ? config.dataDir : undefined;
  const connectionString = config.eventStoreConnectionString;
  if (connectionString !== undefined) {
    return {
      config,
      kind: 'esdb',
      dataDir,
      description: 'EventStoreDB (EVENTSTORE_CONNECTION_STRING)',
      open: () => new EsdbEventStore({ connectionString }),
    };
  }
  const eventsFile = join(config.dataDir, EVENTS_FILE);
  if (!existsSync(eventsFile)) {
    throw new CliError(`No event log in ${config.dataDir}: ${EVENTS_FILE} is missing. Is this the API's data directory?`, EXIT.usage);
  }
  return {
    config,
    kind: 'sqlite',
    dataDir,
    description: eventsFile,
    open: () => {
      try {
        return new SqliteEventStore({ filename: eventsFile });
      } catch (error) {
        throw new CliError(error instanceof Error ? error.message : String(error), EXIT.failed);
      }
    },
  };
};

/** The notary's public keys that checkpoint signatures are checked against, and where they came from. */
export interface TrustedKeys {
  byKeyId: Map<string, KeyObject>;
  jwks: JwkSet;
  origin: string;
}

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const keysFromJwksFile = (file: string): TrustedKeys => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`--keys ${file}: cannot be read as JSON (${messageOf(error)})`, EXIT.usage);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    throw new CliError(`--keys ${file}: not a JWK Set with at least one key ({ "keys": [...] }, as served at /.well-known/ledger-keys.json)`, EXIT.usage);
  }
  const publicKeys = keys.map((jwk, i) => {
    try {
      return publicKeyFromJwk(jwk);
    } catch (error) {
      throw new CliError(`--keys ${file}: key ${i}: ${messageOf(error)}`, EXIT.usage);
    }
  });
  const jwks = jwksOf(publicKeys);
  return { byKeyId: new Map(jwks.keys.map((jwk, i) => [jwk.kid, publicKeys[i]])), jwks, origin: file };
};

/**
 * --keys wins; else the key the API signs with, found the way the API finds
 * it (LEDGER_NOTARY_PRIVATE_KEY, LEDGER_NOTARY_KEY_FILE, else
 * <dataDir>/notary-ed25519.pem), but only where one already exists: the
 * loader would generate a fresh key otherwise, and a key the CLI made up
 * would vouch for nothing. Undefined when there is none.
 */
export const findTrustedKeys = (source: LedgerSource, keysFile: string | undefined): TrustedKeys | undefined => {
  if (keysFile !== undefined) return keysFromJwksFile(keysFile);
  const { privateKeyPem, keyFile } = source.config.notary;
  const dataDirKey = source.dataDir === undefined ? undefined : join(source.dataDir, DEFAULT_NOTARY_KEY_FILE);
  let origin: string;
  if (privateKeyPem !== undefined) origin = 'LEDGER_NOTARY_PRIVATE_KEY';
  else if (keyFile !== undefined) origin = keyFile;
  else if (dataDirKey !== undefined && existsSync(dataDirKey)) origin = dataDirKey;
  else return undefined;
  try {
    // An explicit keyFile makes the loader read it and never fall through to generating one.
    const { key } = loadOrCreateNotaryKey({ dataDir: source.dataDir ?? tmpdir(), keyFile: keyFile ?? dataDirKey, privateKeyPem });
    return { byKeyId: new Map([[key.keyId, key.publicKey]]), jwks: jwksOf([key.publicKey]), origin };
  } catch (error) {
    throw new CliError(`Cannot read the notary key (${origin}): ${messageOf(error)}`, EXIT.usage);
  }
};

export const requireTrustedKeys = (source: LedgerSource, keysFile: string | undefined): TrustedKeys => {
  const keys = findTrustedKeys(source, keysFile);
  if (keys) return keys;
  const where = source.dataDir === undefined ? 'the data directory (it does not exist)' : `${source.dataDir}`;
  throw new CliError(
    `No public key to check checkpoint signatures with: pass --keys <jwks.json> (the ledger's /.well-known/ledger-keys.json), ` +
      `or run against a data directory holding the notary key ${DEFAULT_NOTARY_KEY_FILE} (none in ${where}).`,
    EXIT.usage,
  );
};
