import { accessSync, constants as fsConstants, mkdirSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { LogLevel as NestLogLevel } from '@nestjs/common';
import { currentBootId } from '@ledger/read-models';

/** The embedded event log's file in the data directory. */
export const EVENTS_FILE_NAME = 'events.sqlite';
/** The read models' file in the data directory, unless LEDGER_READ_MODELS_FILE puts it elsewhere. */
export const READ_MODELS_FILE_NAME = 'read-models.sqlite';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const;
export type LedgerLogLevel = (typeof LOG_LEVELS)[number];

export interface LedgerConfig {
  port: number;
  host: string;
  /** Absolute; exists and is writable once the config is loaded. */
  dataDir: string;
  logLevel: LedgerLogLevel;
  /** Absolute path of the bearer-token hash file. */
  tokensFile: string;
  /**
   * Absolute path of the read models' SQLite file (LEDGER_READ_MODELS_FILE, default `<data dir>/read-models.sqlite`);
   * its directory exists and is writable once the config is loaded. Unused with LEDGER_READ_MODELS_URL.
   */
  readModelsFile: string;
  /**
   * LEDGER_READ_MODELS_SYNC: 'normal' (the default): SQLite syncs the read models' file at each WAL checkpoint. 'off'
   * (only where the machine's boot id can be read, Linux): never fsynced; a process crash loses nothing, and after the
   * machine itself went down before a clean stop the file is rebuilt from the log at start.
   */
  readModelsSync: 'off' | 'normal';
  bodyLimitBytes: number;
  /** esdb:// or esdb+discover://; when unset the embedded store is used. */
  eventStoreConnectionString?: string;
  /**
   * LEDGER_READ_MODELS_URL: a PostgreSQL the read models live in instead of the SQLite file (the API answers from it,
   * BI tools read it too). LEDGER_READ_MODELS_SCHEMA names their schema; LEDGER_READ_MODELS_POOL_SIZE bounds this
   * process's connections to it, which bounds the reads it answers at once (each holds one for its snapshot).
   */
  readModels?: { url: string; schema: string; poolSize: number };
  /**
   * LEDGER_POSTGRES_SCHEMA: with LEDGER_READ_MODELS_URL, the schema of what replicas share besides the read models
   * (API tokens, the notary key, migrations); default `ledger`.
   */
  ledgerSchema: string;
  notary: NotaryConfig;
  feed: FeedConfig;
  writeSide: WriteSideConfig;
  imports: ImportConfig;
  /** 'worker': the read models run in a thread of their own (the built API); 'inline': in the HTTP thread. */
  projectionThread: 'worker' | 'inline';
  /** /health/ready says not ready when a write has waited longer than this for the read models, or they have not moved for this long while behind. */
  readyMaxLagMs: number;
  /** 'worker': the embedded store commits appends in a thread of its own (the built API); 'inline': in the HTTP thread. */
  storeWriterThread: 'worker' | 'inline';
  /** 'worker': the dashboards' aggregates over the SQLite read models run in a thread of their own (the built API); 'inline': in the HTTP thread. */
  statsThread: 'worker' | 'inline';
  /** 'worker': auditors' looks at an incident's past (/audit/incidents/…) are folded in a thread of their own (the built API); 'inline': in the HTTP thread. */
  auditThread: 'worker' | 'inline';
  http: HttpLimitsConfig;
  rateLimit: RateLimitConfig;
  /** GET /metrics: 'admin' (served to a bearer token with the admin role) or 'off' (404). */
  metrics: 'admin' | 'off';
  /** How long a graceful shutdown may drain (in-flight requests, streams, closing the store) before the process exits 1. */
  shutdownTimeoutMs: number;
  /**
   * At start, how long the ledger waits for its event store to answer (EventStoreDB still starting or electing a
   * leader) before it gives up; a refusal (bad credentials, no right to read $all) stops it at once. 0: do not wait.
   */
  storeStartTimeoutMs: number;
  /** Browser origins allowed to call the API (CORS); empty: none, the default. */
  corsOrigins: readonly string[];
}

/** What one client may hold of the server; Node's http server enforces the timeouts. */
export interface HttpLimitsConfig {
  /** A socket with no traffic either way for this long is closed (Fastify connectionTimeout). 0: never. */
  connectionTimeoutMs: number;
  /** The whole request, headers and body, must arrive within this (408, then closed). 0: no limit. */
  requestTimeoutMs: number;
  /** The request head must arrive within this (Node's headersTimeout; at most requestTimeoutMs). */
  headersTimeoutMs: number;
  /** An idle keep-alive socket is closed after this. */
  keepAliveTimeoutMs: number;
  /** How often Node checks the two timeouts above: their precision. */
  timeoutCheckIntervalMs: number;
}

export interface RateLimitConfig {
  /** Requests per principal per window; 0 turns rate limiting off. Requests without a token (public routes) are not counted. */
  max: number;
  windowMs: number;
}

export interface WriteSideConfig {
  /** Folded stream states kept between commands, bounded by the events folded into them (0 disables the cache). */
  stateCacheEvents: number;
  /** ... and by the number of streams. */
  stateCacheStreams: number;
  /** ... and by their estimated heap, in MiB (LEDGER_STATE_CACHE_MIB). */
  stateCacheMiB: number;
}

export interface ImportConfig {
  /** Largest line of a bulk import (POST /imports, ledger-cli import); a longer line is reported and skipped. */
  maxLineBytes: number;
  /** Largest whole import body; 0: no bound (the body is streamed line by line, so memory does not grow with it). */
  maxTotalBytes: number;
}

export interface FeedConfig {
  /** How often an idle event stream gets a `: heartbeat` comment, so proxies and clients see it is alive. */
  heartbeatMs: number;
  /** How long a stream may stay unable to take more bytes before it is cut off (it resumes with Last-Event-ID). */
  slowConsumerMs: number;
  /** Recent events kept in memory for all live streams; a stream further behind reads the store instead. */
  ringSize: number;
  /** Open event streams one principal may hold (429 beyond). */
  maxStreamsPerToken: number;
  /** Open event streams in all (503 beyond). */
  maxStreams: number;
}

export interface NotaryConfig {
  /** Names this ledger inside every signed checkpoint, so a checkpoint of one ledger cannot pass for another's. */
  origin: string;
  /** How often a checkpoint is signed when the log has grown; 0 signs only on demand. */
  checkpointIntervalMs: number;
  /**
   * How often the notary stores its tree in the data directory when it grew, so that a start reads only the log after
   * it; 0 keeps nothing, and the whole log is read (every event's hash checked again) at every start.
   */
  snapshotIntervalMs: number;
  /** Ed25519 private key (PKCS#8 PEM) from a secret store; wins over the key file. Never logged. */
  privateKeyPem?: string;
  /** Absolute path of a PKCS#8 PEM key file; when unset, <dataDir>/notary-ed25519.pem is used (generated on first start). */
  keyFile?: string;
}

/** Injection token for the loaded, immutable LedgerConfig. */
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');

export const DEFAULT_PORT = 3000;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;
export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;
export const DEFAULT_NOTARY_SNAPSHOT_INTERVAL_MS = 10_000;
export const DEFAULT_LEDGER_ORIGIN = 'incident-ledger';
export const DEFAULT_FEED_HEARTBEAT_MS = 15_000;
export const DEFAULT_FEED_SLOW_CONSUMER_MS = 10_000;
export const DEFAULT_FEED_RING_SIZE = 10_000;
export const DEFAULT_FEED_MAX_STREAMS_PER_TOKEN = 100;
export const DEFAULT_FEED_MAX_STREAMS = 2_000;
/**
 * Connections of one process to the PostgreSQL read models (node-postgres' own default; it was 4). replica-reads, full
 * size, 2026-12-05, PostgreSQL on the same 2 cores: one replica under 16 concurrent reads answered 84.5 reads/s, p99
 * 855 ms with 4 (its reads queued for a connection), 98.2 reads/s, p99 278 ms with 10; two replicas at 8 each, with the
 * machine full, 112-115 reads/s either way but p99 290 ms with 4 and 794 ms with 10.
 */
export const DEFAULT_READ_MODELS_POOL_SIZE = 10;
export const DEFAULT_CONNECTION_TIMEOUT_MS = 120_000;
/** Long enough for a large import on a slow link; raise it for imports that take longer. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 300_000;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_KEEP_ALIVE_TIMEOUT_MS = 72_000;
export const DEFAULT_TIMEOUT_CHECK_INTERVAL_MS = 1_000;
export const DEFAULT_RATE_LIMIT_MAX = 6_000;
export const DEFAULT_RATE_LIMIT_WINDOW_MS = 60_000;
const METRICS_ACCESS = ['admin', 'off'] as const;
/** About 1.8 KB of heap per cached event of demo-sized claims; the heap bound (DEFAULT_STATE_CACHE_MIB) comes first. */
export const DEFAULT_STATE_CACHE_EVENTS = 500_000;
/** The states' estimated heap (see heapBytesOf): long statements count for what they hold, not as one event each. */
export const DEFAULT_STATE_CACHE_MIB = 256;
export const DEFAULT_READY_MAX_LAG_MS = 10_000;
export const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30_000;
export const DEFAULT_STORE_START_TIMEOUT_MS = 120_000;
export const DEFAULT_STATE_CACHE_STREAMS = 20_000;
/** Room for a line's own members (key, action, references, up to 50 answer keys) beside a body of the largest size. */
export const IMPORT_LINE_ENVELOPE_BYTES = 16 * 1024;
/** Each ring entry holds an event serialised once; a million of them is already gigabytes. */
export const MAX_FEED_RING_SIZE = 1_000_000;

export interface ConfigProblem {
  variable: string;
  expected: string;
  /** What was given; omitted for variables that may carry secrets. */
  value?: string;
}

/** Every invalid variable at once, so an operator fixes the environment in one pass. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      [
        `Invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):`,
        ...problems.map(
          (p) => `  ${p.variable}${p.value === undefined ? '' : `=${JSON.stringify(p.value)}`}: expected ${p.expected}`,
        ),
      ].join('\n'),
    );
    this.name = 'ConfigError';
  }
}

const ESDB_SCHEMES = ['esdb://', 'esdb+discover://'];

/**
 * Reads the environment once at startup. Empty values count as unset, because
 * `FOO=` in a compose file or .env usually means "use the default".
 * Side effect: creates the data directory, since the rest of startup needs it.
 */
export function loadLedgerConfig(env: NodeJS.ProcessEnv, cwd: string): LedgerConfig {
  const problems: ConfigProblem[] = [];
  const read = (name: string): string | undefined => {
    const raw = env[name];
    if (raw === undefined) return undefined;
    const trimmed = raw.trim();
    return trimmed === '' ? undefined : trimmed;
  };
  /** An integer variable in [min, max], or its default when unset; undefined (and a problem noted) when malformed. */
  const integer = (name: string, fallback: number, min: number, max: number, expected: string): number | undefined => {
    const value = parseInteger(read(name), fallback, min, max);
    if (value === undefined) problems.push({ variable: name, value: read(name), expected });
    return value;
  };

  const port = integer('PORT', DEFAULT_PORT, 0, 65535, 'an integer from 0 to 65535');

  const host = read('HOST') ?? DEFAULT_HOST;
  if (/\s/.test(host)) {
    problems.push({ variable: 'HOST', value: host, expected: 'a host name or IP address without spaces' });
  }

  const logLevelRaw = read('LOG_LEVEL')?.toLowerCase() ?? 'info';
  const logLevel = (LOG_LEVELS as readonly string[]).includes(logLevelRaw) ? (logLevelRaw as LedgerLogLevel) : undefined;
  if (logLevel === undefined) {
    problems.push({ variable: 'LOG_LEVEL', value: read('LOG_LEVEL'), expected: `one of ${LOG_LEVELS.join(', ')}` });
  }

  const bodyLimitBytes = integer('LEDGER_BODY_LIMIT_BYTES', DEFAULT_BODY_LIMIT_BYTES, 1, Number.MAX_SAFE_INTEGER, 'a positive integer number of bytes');

  const eventStoreConnectionString = read('EVENTSTORE_CONNECTION_STRING');
  if (eventStoreConnectionString !== undefined && !ESDB_SCHEMES.some((s) => eventStoreConnectionString.startsWith(s))) {
    // The value is not echoed: connection strings carry credentials.
    problems.push({
      variable: 'EVENTSTORE_CONNECTION_STRING',
      expected: `a connection string starting with ${ESDB_SCHEMES.join(' or ')}`,
    });
  }

  const readModelsUrl = read('LEDGER_READ_MODELS_URL');
  if (readModelsUrl !== undefined && !/^postgres(ql)?:\/\//.test(readModelsUrl)) {
    // Not echoed either: it may carry a password.
    problems.push({ variable: 'LEDGER_READ_MODELS_URL', expected: 'a PostgreSQL connection string starting with postgres:// or postgresql://' });
  }
  const readModelsSchema = read('LEDGER_READ_MODELS_SCHEMA') ?? 'ledger_read_models';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(readModelsSchema)) {
    problems.push({ variable: 'LEDGER_READ_MODELS_SCHEMA', value: readModelsSchema, expected: 'a lower-case PostgreSQL identifier (letters, digits, underscores)' });
  }

  const readModelsPoolSize = integer('LEDGER_READ_MODELS_POOL_SIZE', DEFAULT_READ_MODELS_POOL_SIZE, 1, 1000, 'an integer from 1 to 1000');

  const ledgerSchema = read('LEDGER_POSTGRES_SCHEMA') ?? 'ledger';
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(ledgerSchema)) {
    problems.push({ variable: 'LEDGER_POSTGRES_SCHEMA', value: ledgerSchema, expected: 'a lower-case PostgreSQL identifier (letters, digits, underscores)' });
  } else if (readModelsUrl !== undefined && ledgerSchema === readModelsSchema) {
    problems.push({ variable: 'LEDGER_POSTGRES_SCHEMA', value: ledgerSchema, expected: 'another schema than LEDGER_READ_MODELS_SCHEMA (BI tools may read that one)' });
  }

  const dataDirRaw = read('LEDGER_DATA_DIR');
  const dataDir = dataDirRaw === undefined ? join(resolve(cwd), 'data') : resolveFrom(cwd, dataDirRaw);
  const dataDirProblem = ensureWritableDirectory(dataDir);
  if (dataDirProblem !== undefined) {
    problems.push({ variable: 'LEDGER_DATA_DIR', value: dataDir, expected: `a writable directory (${dataDirProblem})` });
  }

  const tokensFileRaw = read('LEDGER_TOKENS_FILE');
  const tokensFile = tokensFileRaw === undefined ? join(dataDir, 'tokens.json') : resolveFrom(cwd, tokensFileRaw);
  if (tokensFileRaw !== undefined && isExistingDirectory(tokensFile)) {
    problems.push({ variable: 'LEDGER_TOKENS_FILE', value: tokensFile, expected: 'a file path, not a directory' });
  }

  // The read models are rebuilt from the log, so they may live apart from it: on another disk, whose writes then do not
  // compete with the log's fsyncs, or on a RAM disk that a reboot empties (the ledger rebuilds them at start).
  const readModelsFileRaw = read('LEDGER_READ_MODELS_FILE');
  const readModelsFile = readModelsFileRaw === undefined ? join(dataDir, READ_MODELS_FILE_NAME) : resolveFrom(cwd, readModelsFileRaw);
  if (readModelsFileRaw !== undefined) {
    const directoryProblem = isExistingDirectory(readModelsFile) ? 'it is a directory' : ensureWritableDirectory(dirname(readModelsFile));
    if (directoryProblem !== undefined) {
      problems.push({ variable: 'LEDGER_READ_MODELS_FILE', value: readModelsFile, expected: `a file path in a writable directory (${directoryProblem})` });
    } else if ([join(dataDir, EVENTS_FILE_NAME), tokensFile].includes(readModelsFile)) {
      problems.push({ variable: 'LEDGER_READ_MODELS_FILE', value: readModelsFile, expected: 'a file of its own, not the event log or the tokens file' });
    } else if (readModelsUrl !== undefined) {
      problems.push({ variable: 'LEDGER_READ_MODELS_FILE', value: readModelsFile, expected: 'unset when LEDGER_READ_MODELS_URL puts the read models in PostgreSQL' });
    }
  }

  // Unsynced read models cost the projection thread no fsync stalls (the claims' p99 was lower under claims alone), but
  // with a thousand feed subscribers the claims' acknowledgements were slower (see README, Performance): opt-in. Only
  // where a restart of the machine can be told: the boot id names it.
  const readModelsSyncRaw = read('LEDGER_READ_MODELS_SYNC');
  // Read only when the setting asks for more than the default: every CLI command loads this config.
  const bootKnown = readModelsSyncRaw !== undefined && readModelsSyncRaw !== 'normal' && currentBootId() !== undefined;
  let readModelsSync: 'off' | 'normal' = 'normal';
  if (readModelsSyncRaw === 'off' && bootKnown) readModelsSync = 'off';
  else if (readModelsSyncRaw !== undefined && readModelsSyncRaw !== 'normal') {
    problems.push({
      variable: 'LEDGER_READ_MODELS_SYNC',
      value: readModelsSyncRaw,
      expected: bootKnown ? "'off' or 'normal'" : "'normal': 'off' needs the machine's boot id (/proc/sys/kernel/random/boot_id), which is not readable here",
    });
  }

  const checkpointIntervalMs = integer('LEDGER_CHECKPOINT_INTERVAL_MS', DEFAULT_CHECKPOINT_INTERVAL_MS, 0, 2 ** 31 - 1, 'an integer number of milliseconds (0 signs checkpoints only on demand)');
  const snapshotIntervalMs = integer(
    'LEDGER_NOTARY_SNAPSHOT_INTERVAL_MS',
    DEFAULT_NOTARY_SNAPSHOT_INTERVAL_MS,
    0,
    2 ** 31 - 1,
    "an integer number of milliseconds (0 keeps no snapshot: the notary reads the whole log at every start)",
  );
  const origin = read('LEDGER_ORIGIN') ?? DEFAULT_LEDGER_ORIGIN;
  if (!/^[\x21-\x7e]{1,200}$/.test(origin)) {
    problems.push({ variable: 'LEDGER_ORIGIN', value: origin, expected: 'up to 200 printable ASCII characters without spaces' });
  }
  const privateKeyPem = read('LEDGER_NOTARY_PRIVATE_KEY');
  if (privateKeyPem !== undefined && !privateKeyPem.includes('-----BEGIN PRIVATE KEY-----')) {
    problems.push({ variable: 'LEDGER_NOTARY_PRIVATE_KEY', expected: 'an Ed25519 private key in PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)' });
  }
  const keyFileRaw = read('LEDGER_NOTARY_KEY_FILE');
  const keyFile = keyFileRaw === undefined ? undefined : resolveFrom(cwd, keyFileRaw);
  if (keyFile !== undefined && !isReadableFile(keyFile)) {
    problems.push({ variable: 'LEDGER_NOTARY_KEY_FILE', value: keyFile, expected: 'a readable PKCS#8 PEM file' });
  }

  // setTimeout/setInterval take at most 2^31-1 ms.
  const heartbeatMs = integer('LEDGER_FEED_HEARTBEAT_MS', DEFAULT_FEED_HEARTBEAT_MS, 1, 2 ** 31 - 1, 'a positive integer number of milliseconds');
  const slowConsumerMs = integer('LEDGER_FEED_SLOW_CONSUMER_MS', DEFAULT_FEED_SLOW_CONSUMER_MS, 1, 2 ** 31 - 1, 'a positive integer number of milliseconds');
  const ringSize = integer('LEDGER_FEED_RING_SIZE', DEFAULT_FEED_RING_SIZE, 1, MAX_FEED_RING_SIZE, `an integer number of events from 1 to ${MAX_FEED_RING_SIZE}`);

  const stateCacheEvents = integer('LEDGER_STATE_CACHE_EVENTS', DEFAULT_STATE_CACHE_EVENTS, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer number of events (0 disables the cache)');
  const stateCacheStreams = integer('LEDGER_STATE_CACHE_STREAMS', DEFAULT_STATE_CACHE_STREAMS, 0, Number.MAX_SAFE_INTEGER, 'a non-negative integer number of streams (0 disables the cache)');
  const stateCacheMiB = integer('LEDGER_STATE_CACHE_MIB', DEFAULT_STATE_CACHE_MIB, 0, 1_048_576, 'an integer number of MiB from 0 to 1048576 (0 disables the cache)');
  const maxLineBytes = integer('LEDGER_IMPORT_LINE_LIMIT_BYTES', (bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES) + IMPORT_LINE_ENVELOPE_BYTES, 1, Number.MAX_SAFE_INTEGER, 'a positive integer number of bytes');
  const maxTotalBytes = integer('LEDGER_IMPORT_LIMIT_BYTES', 0, 0, Number.MAX_SAFE_INTEGER, 'an integer number of bytes (0: no bound on the whole import)');

  const maxStreamsPerToken = integer('LEDGER_FEED_MAX_STREAMS_PER_TOKEN', DEFAULT_FEED_MAX_STREAMS_PER_TOKEN, 1, 1_000_000, 'a positive integer number of streams');
  const maxStreams = integer('LEDGER_FEED_MAX_STREAMS', DEFAULT_FEED_MAX_STREAMS, 1, 1_000_000, 'a positive integer number of streams');

  const timeout = (name: string, fallback: number, min: number): number | undefined =>
    integer(name, fallback, min, 2 ** 31 - 1, min === 0 ? 'an integer number of milliseconds (0: no limit)' : 'a positive integer number of milliseconds');
  const connectionTimeoutMs = timeout('LEDGER_CONNECTION_TIMEOUT_MS', DEFAULT_CONNECTION_TIMEOUT_MS, 0);
  const requestTimeoutMs = timeout('LEDGER_REQUEST_TIMEOUT_MS', DEFAULT_REQUEST_TIMEOUT_MS, 0);
  const headersTimeoutMs = timeout('LEDGER_HEADERS_TIMEOUT_MS', DEFAULT_HEADERS_TIMEOUT_MS, 1);
  const keepAliveTimeoutMs = timeout('LEDGER_KEEP_ALIVE_TIMEOUT_MS', DEFAULT_KEEP_ALIVE_TIMEOUT_MS, 1);
  const timeoutCheckIntervalMs = timeout('LEDGER_TIMEOUT_CHECK_INTERVAL_MS', DEFAULT_TIMEOUT_CHECK_INTERVAL_MS, 1);
  // Node refuses to start a server whose head timeout exceeds its whole-request timeout.
  if (requestTimeoutMs !== undefined && headersTimeoutMs !== undefined && requestTimeoutMs > 0 && headersTimeoutMs > requestTimeoutMs) {
    problems.push({ variable: 'LEDGER_HEADERS_TIMEOUT_MS', value: String(headersTimeoutMs), expected: `at most LEDGER_REQUEST_TIMEOUT_MS (${requestTimeoutMs})` });
  }
  const rateLimitMax = integer('LEDGER_RATE_LIMIT_MAX', DEFAULT_RATE_LIMIT_MAX, 0, Number.MAX_SAFE_INTEGER, 'an integer number of requests per window (0 turns rate limiting off)');
  const rateLimitWindowMs = timeout('LEDGER_RATE_LIMIT_WINDOW_MS', DEFAULT_RATE_LIMIT_WINDOW_MS, 1);
  const metrics = read('LEDGER_METRICS')?.toLowerCase() ?? 'admin';
  if (!(METRICS_ACCESS as readonly string[]).includes(metrics)) {
    problems.push({ variable: 'LEDGER_METRICS', value: metrics, expected: `one of ${METRICS_ACCESS.join(', ')}` });
  }

  const threadChoice = (variable: string): 'worker' | 'inline' => {
    const value = read(variable) ?? 'worker';
    if (value === 'worker' || value === 'inline') return value;
    problems.push({ variable, value, expected: "'worker' (the default) or 'inline'" });
    return 'worker';
  };
  const projectionThread = threadChoice('LEDGER_PROJECTION_THREAD');
  const storeWriterThread = threadChoice('LEDGER_STORE_WRITER_THREAD');
  const statsThread = threadChoice('LEDGER_STATS_THREAD');
  const auditThread = threadChoice('LEDGER_AUDIT_THREAD');

  const corsOrigins = (read('LEDGER_CORS_ORIGINS') ?? '').split(',').map((o) => o.trim()).filter((o) => o !== '');
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      problems.push({ variable: 'LEDGER_CORS_ORIGINS', value: origin, expected: 'comma-separated origins such as https://dashboard.example.org or http://localhost:5173' });
    }
  }

  const readyMaxLagMs = integer('LEDGER_READY_MAX_LAG_MS', DEFAULT_READY_MAX_LAG_MS, 1, 2 ** 31 - 1, 'a positive integer number of milliseconds');

  const shutdownTimeoutMs = integer('LEDGER_SHUTDOWN_TIMEOUT_MS', DEFAULT_SHUTDOWN_TIMEOUT_MS, 1, 2 ** 31 - 1, 'a positive integer number of milliseconds');

  const storeStartTimeoutMs = integer('LEDGER_STORE_START_TIMEOUT_MS', DEFAULT_STORE_START_TIMEOUT_MS, 0, 2 ** 31 - 1, 'a non-negative integer number of milliseconds');

  if (problems.length > 0) throw new ConfigError(problems);

  return Object.freeze({
    port: port!,
    host,
    dataDir,
    logLevel: logLevel!,
    tokensFile,
    readModelsFile,
    readModelsSync,
    bodyLimitBytes: bodyLimitBytes!,
    ...(eventStoreConnectionString !== undefined ? { eventStoreConnectionString } : {}),
    ...(readModelsUrl !== undefined ? { readModels: Object.freeze({ url: readModelsUrl, schema: readModelsSchema, poolSize: readModelsPoolSize! }) } : {}),
    ledgerSchema,
    notary: Object.freeze({
      origin,
      checkpointIntervalMs: checkpointIntervalMs!,
      snapshotIntervalMs: snapshotIntervalMs!,
      ...(privateKeyPem !== undefined ? { privateKeyPem } : {}),
      ...(keyFile !== undefined ? { keyFile } : {}),
    }),
    feed: Object.freeze({
      heartbeatMs: heartbeatMs!,
      slowConsumerMs: slowConsumerMs!,
      ringSize: ringSize!,
      maxStreamsPerToken: maxStreamsPerToken!,
      maxStreams: maxStreams!,
    }),
    writeSide: Object.freeze({ stateCacheEvents: stateCacheEvents!, stateCacheStreams: stateCacheStreams!, stateCacheMiB: stateCacheMiB! }),
    imports: Object.freeze({ maxLineBytes: maxLineBytes!, maxTotalBytes: maxTotalBytes! }),
    projectionThread,
    storeWriterThread,
    statsThread,
    auditThread,
    readyMaxLagMs: readyMaxLagMs!,
    http: Object.freeze({
      connectionTimeoutMs: connectionTimeoutMs!,
      requestTimeoutMs: requestTimeoutMs!,
      headersTimeoutMs: headersTimeoutMs!,
      keepAliveTimeoutMs: keepAliveTimeoutMs!,
      timeoutCheckIntervalMs: timeoutCheckIntervalMs!,
    }),
    rateLimit: Object.freeze({ max: rateLimitMax!, windowMs: rateLimitWindowMs! }),
    metrics: metrics as LedgerConfig['metrics'],
    shutdownTimeoutMs: shutdownTimeoutMs!,
    storeStartTimeoutMs: storeStartTimeoutMs!,
    corsOrigins: Object.freeze(corsOrigins),
  });
}

/**
 * Nest's logger takes the set of enabled levels rather than a threshold, and
 * names two of them differently (info = log, trace = verbose).
 */
export function nestLogLevels(level: LedgerLogLevel): NestLogLevel[] {
  const ordered: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  return ordered.slice(0, LOG_LEVELS.indexOf(level) + 1);
}

function parseInteger(raw: string | undefined, fallback: number, min: number, max: number): number | undefined {
  if (raw === undefined) return fallback;
  // Number('') and Number('0x10') would be accepted otherwise.
  if (!/^\d+$/.test(raw)) return undefined;
  const n = Number(raw);
  return Number.isSafeInteger(n) && n >= min && n <= max ? n : undefined;
}

function resolveFrom(cwd: string, p: string): string {
  return isAbsolute(p) ? resolve(p) : resolve(cwd, p);
}

function isReadableFile(path: string): boolean {
  try {
    accessSync(path, fsConstants.R_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function isExistingDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function ensureWritableDirectory(dir: string): string | undefined {
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    return `cannot create it: ${errorCode(e)}`;
  }
  if (!isExistingDirectory(dir)) return 'it exists but is not a directory';
  try {
    accessSync(dir, fsConstants.W_OK);
  } catch (e) {
    return `it is not writable: ${errorCode(e)}`;
  }
  return undefined;
}

function errorCode(e: unknown): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code ?? (e instanceof Error ? e.message : String(e));
}
