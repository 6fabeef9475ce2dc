import { createCommitBell, ringCommitBell } from './commit-bell';
import { latencyTraceOn, trace, traceNow } from '../latency-trace';
import { THREAD_NAMES } from '../thread-cpu';
import type { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { HASH_KEY, canonicalDataText, sealEvents, storedHashOf } from '@ledger/integrity';
import {
  AppendResult,
  EventMetadata,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  START,
  StoreUnavailableError,
  StreamWrite,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionHandlers,
  UnreadableEventError,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { idempotentReplayResult, revisionMatches } from '../store-rules';
import { EVENT_LOOP_SLICE_MS } from '../event-loop-slice';
import { SqliteSubscription } from './sqlite-subscription';
import { EncodedWrite, SqliteWriterClient, SqliteWriterData, serveSqliteWriter } from './sqlite-writer-thread';
import { CHECKPOINT_BACKSTOP_PAGES, WalCheckpointer, WalCheckpointerReport } from './wal-checkpointer';

export const SQLITE_SCHEMA_VERSION = 1;

const DEFAULT_POLL_INTERVAL_MS = 250;
const DEFAULT_GROUP_COMMIT_MAX_EVENTS = 5000;
const DEFAULT_GROUP_COMMIT_MAX_BYTES = 16 * 1024 * 1024;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;
/** Streams whose head (last revision and hash) the store remembers; the least recently written are forgotten first. */
const DEFAULT_HEAD_CACHE_STREAMS = 10_000;
const SUBSCRIPTION_PAGE_SIZE = 500;
/** SQLite's LIMIT treats a negative value as "no limit". */
const NO_LIMIT = -1;
const MAX_INT64 = 9223372036854775807n;

/**
 * Port positions go up to 2^64 - 1 (EventStoreDB's); SQLite's integers stop at 2^63 - 1 and refuse a larger
 * parameter ("datatype mismatch"). No row lies beyond it, so the bound reads the same.
 */
const withinInt64 = (position: bigint): bigint => (position > MAX_INT64 ? MAX_INT64 : position);

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT    NOT NULL,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    UNIQUE (stream_name, revision),
    UNIQUE (stream_name, event_id)
  );
  CREATE TRIGGER IF NOT EXISTS events_append_only_no_update
    BEFORE UPDATE ON events
    BEGIN SELECT RAISE(ABORT, 'events is append-only: UPDATE is not allowed'); END;
  CREATE TRIGGER IF NOT EXISTS events_append_only_no_delete
    BEFORE DELETE ON events
    BEGIN SELECT RAISE(ABORT, 'events is append-only: DELETE is not allowed'); END;
`;

const EVENT_COLUMNS = 'position, event_id, stream_name, revision, type, data, metadata';

export interface SqliteEventStoreOptions {
  /** A file path, or `:memory:` for a private throwaway store. */
  filename: string;
  /** How often subscriptions look for events written by other connections (other processes, other instances). */
  pollIntervalMs?: number;
  /**
   * Handler time after which a subscription's catch-up lets timers and I/O run within a page (default
   * EVENT_LOOP_SLICE_MS). A thread that serves no requests takes whole pages (Infinity): a projection's batches end there.
   */
  handlerSliceMs?: number;
  /** How long a write waits for another connection's write lock before the store reports itself unavailable. */
  busyTimeoutMs?: number;
  /**
   * Appends waiting together share one transaction up to these bounds (an append bigger than them commits alone), so
   * that one huge batch does not hold everyone else's acknowledgement. Defaults: 5,000 events, 16 MiB of JSON (data and
   * metadata as given).
   */
  groupCommit?: { maxEvents?: number; maxBytes?: number };
  /** How many streams' heads an append may find in memory instead of reading them (default 10,000). */
  headCacheStreams?: number;
  /**
   * Commit appends in a worker thread running `script` (which must call serveSqliteWriterThread when it finds
   * SqliteWriterData in its workerData): this connection then only reads. Same outcomes, same durability (an append
   * settles once the writer's COMMIT returned); the caller's event loop no longer waits for INSERT, COMMIT and fsync.
   */
  writerThread?: { script: string };
  /**
   * The commit bell this store rings after each of its commits (see commit-bell.ts), e.g. shared with a projection
   * thread; with a writer thread, that thread rings it as soon as COMMIT returned. A bell of its own when absent.
   */
  commitBell?: SharedArrayBuffer;
  /**
   * Run the WAL checkpoints in a thread of their own (see wal-checkpointer.ts) instead of inside whichever commit takes
   * the WAL past SQLite's threshold: that commit, and every append grouped into it, otherwise waits for the copy and two
   * fsyncs. Needs a file.
   */
  checkpointThread?: boolean;
  /** This connection's wal_autocheckpoint, in pages (SQLite's default, 1,000, when absent). */
  walAutocheckpointPages?: number;
}

/** Cheap counters of the write path, for tests and benchmarks that show how appends were grouped. */
export interface SqliteWriteStats {
  /** Transactions committed. */
  commits: number;
  /** append / appendMany calls settled by those transactions (including those refused on their own). */
  appends: number;
  /** Events written. */
  events: number;
  /** Most appends settled by one transaction. */
  largestGroup: number;
}

export interface SqliteStorageSettings {
  journalMode: string;
  /** SQLite's numeric level: 2 = FULL. */
  synchronous: number;
  busyTimeoutMs: number;
  schemaVersion: number;
}

interface EventRow {
  position: bigint;
  event_id: string;
  stream_name: string;
  revision: bigint;
  type: string;
  data: string;
  metadata: string;
}

interface InsertRow {
  eventId: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  /** The data column, serialised in the same turn as dataText (see encode). */
  dataJson?: string;
  /**
   * The data's canonical JSON, which sealing hashes: made with dataJson, outside the transaction, so that data JSON
   * cannot carry (NaN, Infinity) is refused as the caller's error before anything is written.
   */
  dataText?: string;
  /** Encoded by the thread that called append (see appendEncoded): dataJson and dataText are final, data is not needed. */
  encoded?: boolean;
}

/** Where a stream ends: what its next append checks its expected revision against and chains its hashes onto. */
interface StreamHead {
  revision: bigint;
  hash: string | null;
}

interface PreparedWrite {
  streamName: string;
  rows: InsertRow[];
  expected: ExpectedRevision;
}

/** An append or appendMany waiting for the next group commit. */
interface PendingAppend {
  writes: PreparedWrite[];
  events: number;
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
}

const SAVEPOINT = 'ledger_append';

export class SqliteEventStore implements EventStore {
  private readonly db: Database.Database;
  private readonly pollIntervalMs: number;
  private readonly handlerSliceMs: number;
  private readonly subscriptions = new Set<SqliteSubscription>();
  private readonly commitListeners = new Set<() => void>();
  private closed = false;
  private closing: Promise<void> | undefined;
  private readonly groupLimits: { maxEvents: number; maxBytes: number };
  private pending: PendingAppend[] = [];
  private flushScheduled = false;
  private readonly stats: SqliteWriteStats = { commits: 0, appends: 0, events: 0, largestGroup: 0 };
  /**
   * Committed heads of recently written streams, valid as long as no other connection has written: checked against
   * PRAGMA data_version at the start of every write transaction, dropped when it moved or a transaction failed.
   */
  private readonly heads = new Map<string, StreamHead>();
  private readonly headCacheStreams: number;
  private dataVersion: bigint | undefined;
  private readonly writer: SqliteWriterClient | undefined;
  /** Rung after every commit of this store (by its writer thread when it has one); see commit-bell.ts. */
  readonly commitBell: SharedArrayBuffer;
  /** Commits this store has heard of (its own, its writer thread's, other threads' said so), for sharedPage. */
  private commitsHeard = 0;
  private sharedPage: { after: bigint; commits: number; events: RecordedEvent[] } | undefined;
  private sharedPageExpiry: NodeJS.Immediate | undefined;
  private readonly bell: Int32Array;
  private readonly checkpointer: WalCheckpointer | undefined;

  private readonly statements: {
    streamRevision: Database.Statement<[string], { revision: bigint | null }>;
    streamHead: Database.Statement<[string], { revision: bigint; metadata: string }>;
    dataVersion: Database.Statement<[], bigint>;
    findInStream: Database.Statement<[string, string], { revision: bigint; position: bigint }>;
    insert: Database.Statement<[string, string, bigint, string, string, string]>;
    readStreamForwards: Database.Statement<[string, bigint, number], EventRow>;
    readStreamBackwards: Database.Statement<[string, bigint, number], EventRow>;
    readAllForwards: Database.Statement<[bigint, number], EventRow>;
    readAllBackwards: Database.Statement<[bigint, number], EventRow>;
    head: Database.Statement<[], { position: bigint | null }>;
    ping: Database.Statement<[], unknown>;
    begin: Database.Statement<[]>;
    commit: Database.Statement<[]>;
    rollback: Database.Statement<[]>;
    savepoint: Database.Statement<[]>;
    release: Database.Statement<[]>;
    rollbackToSavepoint: Database.Statement<[]>;
  };

  constructor(options: SqliteEventStoreOptions) {
    this.commitBell = options.commitBell ?? createCommitBell();
    this.bell = new Int32Array(this.commitBell);
    this.pollIntervalMs = positive(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, 'pollIntervalMs');
    const slice = options.handlerSliceMs ?? EVENT_LOOP_SLICE_MS;
    this.handlerSliceMs = slice === Number.POSITIVE_INFINITY ? slice : positive(slice, 'handlerSliceMs');
    const busyTimeoutMs = positive(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, 'busyTimeoutMs');
    this.headCacheStreams = Math.floor(positive(options.headCacheStreams ?? DEFAULT_HEAD_CACHE_STREAMS, 'headCacheStreams'));
    this.groupLimits = {
      maxEvents: positive(options.groupCommit?.maxEvents ?? DEFAULT_GROUP_COMMIT_MAX_EVENTS, 'groupCommit.maxEvents'),
      maxBytes: positive(options.groupCommit?.maxBytes ?? DEFAULT_GROUP_COMMIT_MAX_BYTES, 'groupCommit.maxBytes'),
    };
    try {
      this.db = new Database(options.filename);
    } catch (error) {
      throw new StoreUnavailableError(`Cannot open SQLite event store ${options.filename}: ${messageOf(error)}`, error);
    }
    try {
      // busy_timeout first: switching to WAL and migrating both need locks another process may hold.
      this.db.pragma(`busy_timeout = ${busyTimeoutMs}`);
      const journalMode = String(this.db.pragma('journal_mode = WAL', { simple: true }));
      if (!this.db.memory && journalMode.toLowerCase() !== 'wal') {
        throw new Error(`journal_mode is ${journalMode}, WAL is required`);
      }
      // WAL with synchronous=NORMAL may lose the last commits on power loss; an acknowledged append must survive.
      this.db.pragma('synchronous = FULL');
      const autocheckpoint = options.checkpointThread ? CHECKPOINT_BACKSTOP_PAGES : options.walAutocheckpointPages;
      if (autocheckpoint !== undefined) this.db.pragma(`wal_autocheckpoint = ${Math.floor(positive(autocheckpoint, 'walAutocheckpointPages'))}`);
      this.db.defaultSafeIntegers(true);
      this.migrate();

      this.statements = {
        streamRevision: this.db.prepare('SELECT MAX(revision) AS revision FROM events WHERE stream_name = ?'),
        findInStream: this.db.prepare('SELECT revision, position FROM events WHERE stream_name = ? AND event_id = ?'),
        streamHead: this.db.prepare('SELECT revision, metadata FROM events WHERE stream_name = ? ORDER BY revision DESC LIMIT 1'),
        dataVersion: this.db.prepare<[], bigint>('PRAGMA data_version').pluck(),
        insert: this.db.prepare(
          'INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)',
        ),
        readStreamForwards: this.db.prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_name = ? AND revision >= ? ORDER BY revision ASC LIMIT ?`,
        ),
        readStreamBackwards: this.db.prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE stream_name = ? AND revision <= ? ORDER BY revision DESC LIMIT ?`,
        ),
        readAllForwards: this.db.prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE position > ? ORDER BY position ASC LIMIT ?`,
        ),
        readAllBackwards: this.db.prepare(
          `SELECT ${EVENT_COLUMNS} FROM events WHERE position < ? ORDER BY position DESC LIMIT ?`,
        ),
        head: this.db.prepare('SELECT MAX(position) AS position FROM events'),
        ping: this.db.prepare('SELECT 1'),
        // IMMEDIATE takes the write lock before any revision is read, so no other writer can slip in between.
        begin: this.db.prepare('BEGIN IMMEDIATE'),
        commit: this.db.prepare('COMMIT'),
        rollback: this.db.prepare('ROLLBACK'),
        savepoint: this.db.prepare(`SAVEPOINT ${SAVEPOINT}`),
        release: this.db.prepare(`RELEASE ${SAVEPOINT}`),
        rollbackToSavepoint: this.db.prepare(`ROLLBACK TO ${SAVEPOINT}`),
      };
    } catch (error) {
      this.db.close();
      if (error instanceof StoreUnavailableError) throw error;
      throw new StoreUnavailableError(`Cannot open SQLite event store ${options.filename}: ${messageOf(error)}`, error);
    }
    if ((options.writerThread || options.checkpointThread) && this.db.memory) {
      this.db.close();
      throw new RangeError('A writer or checkpoint thread needs a file: its connection would not see a private in-memory store');
    }
    if (options.checkpointThread) this.checkpointer = new WalCheckpointer({ filename: options.filename, synchronous: 'FULL', threadName: THREAD_NAMES.eventLogCheckpoints });
    if (options.writerThread) {
      // Opened after this connection migrated the schema, so the thread finds the file ready.
      this.writer = new SqliteWriterClient(
        options.writerThread.script,
        {
          filename: options.filename,
          busyTimeoutMs,
          groupCommit: this.groupLimits,
          headCacheStreams: this.headCacheStreams,
          commitBell: this.commitBell,
          ...(options.checkpointThread ? { walAutocheckpointPages: CHECKPOINT_BACKSTOP_PAGES } : {}),
        },
        () => this.notifySubscriptions(),
      );
    }
  }

  async append(
    streamName: string,
    events: NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    const [result] = await this.enqueue([{ streamName, events, expectedRevision: options?.expectedRevision }]);
    return result;
  }

  /** One transaction for all the writes (see the port): all are stored or none is. */
  async appendMany(writes: StreamWrite[]): Promise<AppendResult[]> {
    if (writes.length === 0) throw new RangeError('appendMany needs at least one write');
    return this.enqueue(writes);
  }

  /** What the checkpoint thread has done, when the store has one. */
  checkpointReport(): WalCheckpointerReport | undefined {
    return this.checkpointer?.report();
  }

  /** Counters since the store was opened (the writer thread's, when it has one). */
  writeStats(): SqliteWriteStats {
    return { ...(this.writer?.stats ?? this.stats) };
  }

  /**
   * Appends encoded by another thread's store (see writerThread), with the same rules and outcomes as appendMany; a
   * write's outcome is its own, as for append.
   */
  appendEncoded(writes: EncodedWrite[]): Promise<AppendResult[]> {
    this.assertOpen();
    let events = 0;
    const prepared = writes.map(({ streamName, expected, rows }): PreparedWrite => {
      events += rows.length;
      return {
        streamName,
        expected,
        rows: rows.map(({ eventId, type, dataJson, dataText, metadataJson }) => ({
          eventId,
          type,
          data: undefined,
          metadata: JSON.parse(metadataJson) as Record<string, unknown>,
          dataJson,
          dataText,
          encoded: true,
        })),
      };
    });
    return new Promise((resolve, reject) => {
      this.pending.push({ writes: prepared, events, resolve, reject });
      this.scheduleFlush();
    });
  }

  /**
   * Group commit: appends that arrive while the event loop is busy wait for the next turn and are then committed
   * together, in arrival order, in one transaction (one fsync). Each append's expected revision, its conflict or its bad
   * event is its own (undone on its own, see commitGroup); appends to one stream see the ones before them. A promise
   * settles only once COMMIT has returned; if the COMMIT itself fails, every append of the group fails.
   */
  private enqueue(writes: StreamWrite[]): Promise<AppendResult[]> {
    let events = 0;
    const prepared = writes.map(({ streamName, events: batch, expectedRevision }) => {
      if (batch.length === 0) throw new RangeError(`Append to ${streamName}: at least one event is required`);
      const rows = batch.map((event) => {
        if (!event.eventId || !event.type) {
          throw new TypeError(`Append to ${streamName}: every event needs an eventId and a type`);
        }
        return { eventId: event.eventId, type: event.type, data: event.data ?? null, metadata: { ...event.metadata } };
      });
      events += rows.length;
      return { streamName, rows, expected: expectedRevision ?? 'any' };
    });
    this.assertOpen();
    if (this.writer) return this.writer.submit(prepared.map(encodeForWriter));
    return new Promise((resolve, reject) => {
      this.pending.push({ writes: prepared, events, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    // setImmediate runs after the I/O callbacks of this turn: every request that arrived with this one joins it.
    setImmediate(() => {
      this.flushScheduled = false;
      this.flushGroup();
    });
  }

  /** Commits the next group of waiting appends; what is beyond the bounds goes in the next turn. */
  private flushGroup(): void {
    let events = 0;
    let bytes = 0;
    let taken = 0;
    const group: PendingAppend[] = [];
    for (const next of this.pending) {
      // Encoded again should it not fit now: what is stored must be what is hashed, in the same turn.
      const size = encode(next);
      if (size === undefined) {
        taken++;
        continue;
      }
      if (group.length > 0 && (events + next.events > this.groupLimits.maxEvents || bytes + size > this.groupLimits.maxBytes)) break;
      events += next.events;
      bytes += size;
      group.push(next);
      taken++;
    }
    this.pending.splice(0, taken);
    if (this.pending.length > 0) this.scheduleFlush();
    if (group.length > 0) this.commitGroup(group);
  }

  private commitGroup(group: PendingAppend[]): void {
    if (this.closed || !this.db.open) {
      for (const append of group) append.reject(new StoreUnavailableError('SQLite event store is closed'));
      return;
    }
    const outcomes: Array<{ results: AppendResult[] } | { error: unknown }> = [];
    // Heads this transaction moves, made the remembered ones only once it has committed.
    const moved = new Map<string, StreamHead>();
    const shared = group.length > 1;
    let written = 0;
    const tBegin = latencyTraceOn ? traceNow() : 0;
    let tCommit = 0;
    try {
      this.statements.begin.run();
      this.forgetHeadsIfAnotherConnectionWrote();
      for (const append of group) {
        // A failed INSERT of one row is undone by SQLite itself, and every other refusal comes before the first row:
        // only an append of several rows that shares the transaction needs a savepoint to undo its own writes.
        const savepoint = shared && append.events > 1;
        if (savepoint) this.statements.savepoint.run();
        const own = new Map<string, StreamHead>();
        try {
          const results = append.writes.map((write) => this.appendWithinTransaction(write, own, moved));
          if (savepoint) this.statements.release.run();
          for (const [stream, head] of own) moved.set(stream, head);
          outcomes.push({ results });
          written += append.events;
        } catch (error) {
          // Some errors (disk full, I/O) make SQLite roll back the whole transaction: then the group cannot commit.
          if (!this.db.inTransaction) throw error;
          if (savepoint) {
            this.statements.rollbackToSavepoint.run();
            this.statements.release.run();
          } else if (!shared) {
            this.statements.rollback.run();
          }
          outcomes.push({ error });
        }
      }
      if (this.db.inTransaction) {
        if (latencyTraceOn) tCommit = traceNow();
        this.statements.commit.run();
        this.stats.commits++;
      }
    } catch (error) {
      if (this.db.inTransaction) this.statements.rollback.run();
      // Whether a failed COMMIT reached the disk is not known here: read the heads again.
      this.heads.clear();
      const failure = unavailable(`commit ${group.length} append(s)`, error);
      for (const append of group) append.reject(failure);
      return;
    }
    for (const [stream, head] of moved) this.rememberHead(stream, head);
    this.stats.appends += group.length;
    this.stats.events += written;
    this.stats.largestGroup = Math.max(this.stats.largestGroup, group.length);
    group.forEach((append, i) => {
      const outcome = outcomes[i];
      if ('results' in outcome) append.resolve(outcome.results);
      else append.reject(outcome.error);
    });
    const tCommitted = latencyTraceOn ? traceNow() : 0;
    this.notifySubscriptions();
    if (latencyTraceOn) traceCommit(group, outcomes, tBegin, tCommit, tCommitted);
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const limit = limitOf(options.maxCount);
    return this.query(`read stream ${streamName}`, () =>
      (options.direction === 'backwards'
        ? this.statements.readStreamBackwards.all(streamName, options.fromRevision ?? MAX_INT64, limit)
        : this.statements.readStreamForwards.all(streamName, options.fromRevision ?? 0n, limit)
      ).map(toRecordedEvent),
    );
  }

  async streamRevision(streamName: string): Promise<bigint | undefined> {
    return this.currentRevision(streamName);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const limit = limitOf(options.maxCount);
    return this.query('read all', () =>
      (options.direction === 'backwards'
        ? this.statements.readAllBackwards.all(withinInt64(options.fromPosition ?? MAX_INT64), limit)
        : this.statements.readAllForwards.all(withinInt64(options.fromPosition ?? START), limit)
      ).map(toRecordedEvent),
    );
  }

  async headPosition(): Promise<bigint> {
    return this.query('read head position', () => this.statements.head.get()?.position ?? START);
  }

  subscribeToAll(options: SubscribeToAllOptions, handlers: SubscriptionHandlers): Subscription {
    // Once close() has begun, a new subscription would escape its sweep and poll a closed connection.
    if (this.closing) throw new StoreUnavailableError('SQLite event store is closing');
    this.assertOpen();
    const subscription = new SqliteSubscription({
      fromPosition: options.fromPosition ?? START,
      handlers,
      pollIntervalMs: this.pollIntervalMs,
      handlerSliceMs: this.handlerSliceMs,
      readPage: (after) => this.subscriptionPage(after),
      pageSize: SUBSCRIPTION_PAGE_SIZE,
      onFinished: (finished) => this.subscriptions.delete(finished),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  async ping(): Promise<void> {
    this.query('ping', () => this.statements.ping.get());
  }

  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  /** What the connection actually runs with, for health reports and for tests that guard durability settings. */
  storageSettings(): SqliteStorageSettings {
    return this.query('read storage settings', () => ({
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      busyTimeoutMs: Number(this.db.pragma('busy_timeout', { simple: true })),
      schemaVersion: Number(this.db.pragma('user_version', { simple: true })),
    }));
  }

  private async shutdown(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    // Appends already accepted are committed, not dropped.
    await this.writer?.close();
    while (this.pending.length > 0) this.flushGroup();
    await this.checkpointer?.stop();
    this.closed = true;
    this.db.close();
  }

  private migrate(): void {
    const migrate = this.db.transaction(() => {
      const version = Number(this.db.pragma('user_version', { simple: true }));
      if (version > SQLITE_SCHEMA_VERSION) {
        throw new StoreUnavailableError(
          `SQLite event store has schema version ${version}; this build understands up to ${SQLITE_SCHEMA_VERSION}`,
        );
      }
      if (version < SQLITE_SCHEMA_VERSION) {
        this.db.exec(SCHEMA);
        this.db.pragma(`user_version = ${SQLITE_SCHEMA_VERSION}`);
      }
    });
    // IMMEDIATE so that two processes opening a fresh file at once do not both try to create the schema.
    migrate.immediate();
  }

  /**
   * One write inside the open transaction; throws the caller's error (conflict, bad event) for its caller to undo.
   * `own` collects the heads this append moves, `moved` those the group's earlier appends moved.
   */
  private appendWithinTransaction(
    { streamName, rows, expected }: PreparedWrite,
    own: Map<string, StreamHead>,
    moved: ReadonlyMap<string, StreamHead>,
  ): AppendResult {
    try {
      const head = own.get(streamName) ?? moved.get(streamName) ?? this.committedHead(streamName);
      const { result, last } = this.insertChecked(streamName, rows, expected, head);
      if (last) own.set(streamName, last);
      return result;
    } catch (error) {
      if (error instanceof WrongExpectedRevisionError) throw error;
      if (isUniqueViolation(error)) {
        throw new WrongExpectedRevisionError(streamName, expected, this.statements.streamRevision.get(streamName)?.revision ?? undefined);
      }
      throw unavailable(`append to ${streamName}`, error);
    }
  }

  private insertChecked(
    streamName: string,
    rows: InsertRow[],
    expected: ExpectedRevision,
    head: StreamHead | undefined,
  ): { result: AppendResult; last?: StreamHead } {
    const current = head?.revision;
    const conflict = () => new WrongExpectedRevisionError(streamName, expected, current);

    if (rows.length > 1 && new Set(rows.map((row) => row.eventId)).size !== rows.length) throw conflict();

    // A retry names the revision its first attempt was made against, which the stream has moved past: an append whose
    // exact expectation holds is new, and an id of it already in the stream is a conflict the unique index refuses.
    const exactAndCurrent = expected !== 'any' && expected !== 'stream_exists' && revisionMatches(expected, current);
    if (!exactAndCurrent) {
      const stored = rows.map((row) => this.statements.findInStream.get(streamName, row.eventId));
      if (stored.some((hit) => hit !== undefined)) {
        return { result: idempotentReplayResult(stored, expected) ?? throwError(conflict()) };
      }
      if (!revisionMatches(expected, current)) throw conflict();
    }

    let revision = current === undefined ? 0n : current + 1n;
    // Chained inside the write lock, so the previous hash is the one the stream really ends with.
    const sealed = sealEvents(streamName, revision, head?.hash ?? null, rows);
    let position = START;
    for (const row of sealed) {
      const info = this.statements.insert.run(
        row.eventId,
        streamName,
        revision,
        row.type,
        row.dataJson ?? JSON.stringify(row.data),
        JSON.stringify(row.metadata),
      );
      position = BigInt(info.lastInsertRowid);
      revision += 1n;
    }
    const last = { revision: revision - 1n, hash: sealed[sealed.length - 1].metadata[HASH_KEY] as string };
    return { result: { nextExpectedRevision: last.revision, position }, last };
  }

  /** The head as last committed: remembered, or read (inside the write transaction, so no one can move it meanwhile). */
  private committedHead(streamName: string): StreamHead | undefined {
    const remembered = this.heads.get(streamName);
    if (remembered) return remembered;
    const row = this.statements.streamHead.get(streamName);
    if (!row) return undefined;
    const head = { revision: row.revision, hash: storedHashOf(parseObject(row.metadata)) ?? null };
    this.rememberHead(streamName, head);
    return head;
  }

  private rememberHead(streamName: string, head: StreamHead): void {
    // Re-inserted so that the Map's order is the order of last use and the first key the one to forget.
    this.heads.delete(streamName);
    this.heads.set(streamName, head);
    if (this.heads.size > this.headCacheStreams) this.heads.delete(this.heads.keys().next().value as string);
  }

  /** Called holding the write lock: from here on no other connection can move a head until this transaction ends. */
  private forgetHeadsIfAnotherConnectionWrote(): void {
    const version = this.statements.dataVersion.get();
    if (version !== this.dataVersion) this.heads.clear();
    this.dataVersion = version;
  }

  private currentRevision(streamName: string): bigint | undefined {
    return this.query(`read revision of ${streamName}`, () => this.statements.streamRevision.get(streamName)?.revision ?? undefined);
  }

  private query<T>(operation: string, run: () => T): T {
    this.assertOpen();
    try {
      return run();
    } catch (error) {
      throw unavailable(operation, error);
    }
  }

  private assertOpen(): void {
    if (this.closed || !this.db.open) throw new StoreUnavailableError('SQLite event store is closed');
  }

  /**
   * A page of the global log for a subscription. Subscriptions at the same checkpoint woken by the same commit (the
   * feed and the notary, each after every commit) share one read and one decoding of it, within the turn they read
   * in and until the next commit this store hears of; a page read a moment earlier is what either would have read
   * then, and the next commit wakes both again. Handlers get the same event objects: they only read them.
   */
  private subscriptionPage(after: bigint): RecordedEvent[] {
    const shared = this.sharedPage;
    if (shared && shared.after === after && shared.commits === this.commitsHeard) return shared.events;
    const events = this.query('read all for a subscription', () => this.statements.readAllForwards.all(after, SUBSCRIPTION_PAGE_SIZE).map(toRecordedEvent));
    if (this.subscriptions.size < 2) return events;
    this.sharedPage = { after, commits: this.commitsHeard, events };
    // Only for this turn: a subscription polling for other processes' writes later must read again.
    this.sharedPageExpiry ??= setImmediate(() => {
      this.sharedPage = undefined;
      this.sharedPageExpiry = undefined;
    });
    return events;
  }

  private notifySubscriptions(): void {
    this.commitsHeard++;
    // With a writer thread, that thread's store rang the bell as soon as its COMMIT returned.
    if (!this.writer) ringCommitBell(this.bell);
    for (const subscription of this.subscriptions) subscription.notify();
    for (const listener of this.commitListeners) listener();
  }

  /**
   * Calls `listener` after each commit of this connection, e.g. to wake a reader in another thread at once instead
   * of at its next poll. Returns the function that removes it.
   */
  onCommit(listener: () => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Another connection wrote (another thread said so): subscriptions read now instead of at their next poll. */
  notifyExternalWrite(): void {
    this.commitsHeard++;
    for (const subscription of this.subscriptions) subscription.notify();
  }
}

/**
 * Serialises an append's data for the data column and counts its bytes, or rejects it (the caller's error: nothing of
 * it reaches the database) when its data or metadata has no JSON encoding. Done when its group is formed, in the same
 * turn as the events are hashed, so that what is stored is what was hashed even if the caller changes the objects
 * after append() returned.
 */
function encode(append: PendingAppend): number | undefined {
  let bytes = 0;
  try {
    for (const { streamName, rows } of append.writes) {
      for (const row of rows) {
        if (!row.encoded) Object.assign(row, encodeData(streamName, row));
        bytes += row.dataJson!.length + JSON.stringify(row.metadata).length;
      }
    }
  } catch (error) {
    append.reject(error);
    return undefined;
  }
  return bytes;
}

/** The data column and the canonical text that is hashed, both made from the data as it is now. */
function encodeData(streamName: string, row: Pick<InsertRow, 'eventId' | 'data'>): { dataJson: string; dataText: string } {
  try {
    const dataText = canonicalDataText(row.data);
    const dataJson = JSON.stringify(row.data);
    return { dataJson, dataText };
  } catch (error) {
    throw new TypeError(`Append to ${streamName}: event ${row.eventId} has data with no JSON encoding (${messageOf(error)})`);
  }
}

/** For a writer thread: what is stored (and hashed there) is what the objects said when append was called. */
function encodeForWriter({ streamName, rows, expected }: PreparedWrite): EncodedWrite {
  return {
    streamName,
    expected,
    rows: rows.map((row) => ({ eventId: row.eventId, type: row.type, ...encodeData(streamName, row), metadataJson: JSON.stringify(row.metadata) })),
  };
}

function traceCommit(group: PendingAppend[], outcomes: Array<{ results: AppendResult[] } | { error: unknown }>, tBegin: number, tCommit: number, tCommitted: number): void {
  const positions = outcomes.flatMap((outcome) => ('results' in outcome ? outcome.results.map((r) => Number(r.position)) : []));
  trace('commit', { n: group.length, minPos: Math.min(...positions), maxPos: Math.max(...positions), tBegin, tCommit, tCommitted, tRung: traceNow() });
}

/** The writer thread's entry point: a store on its own connection that commits what the API thread's store posts. */
export const serveSqliteWriterThread = (data: SqliteWriterData, port: MessagePort): void =>
  serveSqliteWriter(data, port, (settings) => new SqliteEventStore(settings));

function toRecordedEvent(row: EventRow): RecordedEvent {
  return {
    eventId: row.event_id,
    type: row.type,
    streamName: row.stream_name,
    revision: row.revision,
    position: row.position,
    data: parseColumn(row, 'data') as unknown,
    metadata: parseColumn(row, 'metadata') as EventMetadata,
  };
}

function parseColumn(row: EventRow, column: 'data' | 'metadata'): unknown {
  try {
    return JSON.parse(row[column]);
  } catch (error) {
    throw new UnreadableEventError(row.position, row.stream_name, row.revision, row.event_id, `its ${column} is not JSON (${messageOf(error)})`);
  }
}

function limitOf(maxCount: number | undefined): number {
  if (maxCount === undefined) return NO_LIMIT;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be a positive number, got ${value}`);
  return value;
}

/**
 * By the extended result code alone: better-sqlite3's native part builds its errors with the SqliteError class of the
 * first module instance that loaded it, so where modules are loaded more than once per process (jest's registry per
 * test file) `instanceof` fails, even `instanceof Error`.
 */
function isUniqueViolation(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function unavailable(operation: string, error: unknown): Error {
  if (error instanceof StoreUnavailableError || error instanceof WrongExpectedRevisionError) return error;
  return new StoreUnavailableError(`SQLite event store failed to ${operation}: ${messageOf(error)}`, error);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function throwError(error: Error): never {
  throw error;
}

const parseObject = (json: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(json);
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
};
