import { MessagePort, Worker } from 'node:worker_threads';
import { AppendResult, ExpectedRevision, StoreUnavailableError, WrongExpectedRevisionError } from '../event-store.port';
import { latencyTraceOn, trace, traceNow } from '../latency-trace';
import { THREAD_NAMES, nameThisThread } from '../thread-cpu';

/**
 * The embedded store's writes in a thread of their own: the API thread encodes each append and posts it; the writer
 * thread runs the same group commit (one transaction and one fsync for the appends that arrive together, each with its
 * own expected-revision check and outcome) and answers once COMMIT has returned. The API thread keeps its connection
 * for reads and subscriptions; INSERT, hashing, COMMIT and fsync no longer hold up its event loop.
 */

export const SQLITE_WRITER_ROLE = 'ledger-sqlite-writer-thread';

/**
 * One stream's part of an append, encoded in the caller's turn: its data as JSON (the column) and as the canonical
 * JSON that is hashed, so that the writer thread neither parses nor encodes it again; its metadata as JSON.
 */
export interface EncodedWrite {
  streamName: string;
  expected: ExpectedRevision;
  rows: Array<{ eventId: string; type: string; dataJson: string; dataText: string; metadataJson: string }>;
}

export interface SqliteWriterSettings {
  filename: string;
  busyTimeoutMs?: number;
  groupCommit?: { maxEvents?: number; maxBytes?: number };
  headCacheStreams?: number;
  /** The API store's commit bell: the writer thread's store rings it after each commit. */
  commitBell?: SharedArrayBuffer;
  /** The committing connection's wal_autocheckpoint (raised when a checkpoint thread does the checkpoints). */
  walAutocheckpointPages?: number;
}

export interface SqliteWriterData extends SqliteWriterSettings {
  role: typeof SQLITE_WRITER_ROLE;
}

export const isSqliteWriterData = (data: unknown): data is SqliteWriterData =>
  typeof data === 'object' && data !== null && (data as { role?: unknown }).role === SQLITE_WRITER_ROLE;

/** What the writer thread's store does with encoded appends; implemented by SqliteEventStore. */
export interface EncodedAppender {
  appendEncoded(writes: EncodedWrite[]): Promise<AppendResult[]>;
  writeStats(): WriterStats;
  close(): Promise<void>;
}

export interface WriterStats {
  commits: number;
  appends: number;
  events: number;
  largestGroup: number;
}

type SerializedError =
  | { kind: 'conflict'; streamName: string; expected: ExpectedRevision; actual: bigint | undefined }
  | { kind: 'type' | 'range' | 'unavailable'; message: string };

type ToWriter = { type: 'append'; batch: Array<{ id: number; writes: EncodedWrite[] }> } | { type: 'close' };

type FromWriter =
  | { type: 'settled'; outcomes: Array<{ id: number; results?: AppendResult[]; error?: SerializedError }>; stats: WriterStats }
  | { type: 'closed' }
  | { type: 'failed'; error: SerializedError };

const serialize = (error: unknown): SerializedError => {
  if (error instanceof WrongExpectedRevisionError) {
    return { kind: 'conflict', streamName: error.streamName, expected: error.expected, actual: error.actual };
  }
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof TypeError) return { kind: 'type', message };
  if (error instanceof RangeError) return { kind: 'range', message };
  return { kind: 'unavailable', message };
};

const deserialize = (error: SerializedError): Error => {
  switch (error.kind) {
    case 'conflict':
      return new WrongExpectedRevisionError(error.streamName, error.expected, error.actual);
    case 'type':
      return new TypeError(error.message);
    case 'range':
      return new RangeError(error.message);
    case 'unavailable':
      return new StoreUnavailableError(error.message);
  }
};

/**
 * The writer thread's side: one store on its own connection, fed by the API thread's messages. Appends of one message
 * (and of any others waiting in the same turn) join one group commit.
 */
export const serveSqliteWriter = (data: SqliteWriterData, port: MessagePort, open: (settings: SqliteWriterSettings) => EncodedAppender): void => {
  nameThisThread(THREAD_NAMES.storeWriter);
  let store: EncodedAppender;
  try {
    store = open(data);
  } catch (error) {
    port.postMessage({ type: 'failed', error: serialize(error) } satisfies FromWriter);
    return;
  }
  // Every answer is posted before 'closed', which lets the other side stop the thread.
  const answering = new Set<Promise<void>>();
  port.on('message', (message: ToWriter) => {
    if (message.type === 'close') {
      store
        .close()
        .then(() => Promise.all(answering))
        .then(
          () => port.postMessage({ type: 'closed' } satisfies FromWriter),
          (error: unknown) => port.postMessage({ type: 'failed', error: serialize(error) } satisfies FromWriter),
        );
      return;
    }
    const tReceived = latencyTraceOn ? traceNow() : 0;
    const answered = Promise.all(
      message.batch.map(({ id, writes }) =>
        store.appendEncoded(writes).then(
          (results) => ({ id, results }),
          (error: unknown) => ({ id, error: serialize(error) }),
        ),
      ),
    ).then((outcomes) => {
      port.postMessage({ type: 'settled', outcomes, stats: store.writeStats() } satisfies FromWriter);
      answering.delete(answered);
      if (latencyTraceOn) {
        const positions = outcomes.flatMap((o) => ('results' in o ? o.results.map((r) => Number(r.position)) : []));
        trace('writerMessage', { n: outcomes.length, minPos: Math.min(...positions), maxPos: Math.max(...positions), tReceived, tAnswered: traceNow() });
      }
    });
    answering.add(answered);
  });
};

interface InFlight {
  resolve: (results: AppendResult[]) => void;
  reject: (error: unknown) => void;
  /** Trace only: when it was submitted and posted. */
  tSubmitted?: number;
  tPosted?: number;
}

/**
 * The API thread's side: posts the appends of one turn in one message and settles each with the writer's outcome.
 * `settled` runs after each answer (the store notifies its subscriptions and commit listeners there).
 */
export class SqliteWriterClient {
  private readonly worker: Worker;
  private readonly inFlight = new Map<number, InFlight>();
  private outgoing: Array<{ id: number; writes: EncodedWrite[] }> = [];
  private postScheduled = false;
  private nextId = 1;
  private failure: Error | undefined;
  private closing: Promise<void> | undefined;
  private closed: (() => void) | undefined;
  stats: WriterStats = { commits: 0, appends: 0, events: 0, largestGroup: 0 };

  constructor(
    script: string,
    settings: SqliteWriterSettings,
    private readonly settled: () => void,
  ) {
    this.worker = new Worker(script, { workerData: { role: SQLITE_WRITER_ROLE, ...settings } satisfies SqliteWriterData });
    this.worker.on('message', (message: FromWriter) => this.receive(message));
    this.worker.on('error', (error) => this.fail(new StoreUnavailableError(`SQLite writer thread failed: ${error.message}`, error)));
    this.worker.on('exit', (code) => this.fail(new StoreUnavailableError(`SQLite writer thread exited (code ${code})`)));
  }

  submit(writes: EncodedWrite[]): Promise<AppendResult[]> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new StoreUnavailableError('SQLite event store is closing'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.inFlight.set(id, { resolve, reject, ...(latencyTraceOn ? { tSubmitted: traceNow() } : {}) });
      this.outgoing.push({ id, writes });
      if (this.postScheduled) return;
      this.postScheduled = true;
      // As with the group commit itself: every append of this turn travels in one message.
      setImmediate(() => this.post());
    });
  }

  /** Lets every append already submitted commit, then stops the thread. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.post();
      if (!this.failure) {
        await new Promise<void>((resolve) => {
          this.closed = resolve;
          this.worker.postMessage({ type: 'close' } satisfies ToWriter);
        });
      }
      await this.worker.terminate();
    })();
    return this.closing;
  }

  private post(): void {
    this.postScheduled = false;
    if (this.outgoing.length === 0) return;
    const batch = this.outgoing;
    this.outgoing = [];
    if (this.failure) {
      for (const { id } of batch) this.settle(id, undefined, this.failure);
      return;
    }
    if (latencyTraceOn) {
      const tPosted = traceNow();
      for (const { id } of batch) this.inFlight.get(id)!.tPosted = tPosted;
    }
    this.worker.postMessage({ type: 'append', batch } satisfies ToWriter);
  }

  private receive(message: FromWriter): void {
    switch (message.type) {
      case 'settled':
        this.stats = message.stats;
        for (const { id, results, error } of message.outcomes) this.settle(id, results, error ? deserialize(error) : undefined);
        this.settled();
        return;
      case 'closed':
        this.closed?.();
        return;
      case 'failed':
        this.fail(deserialize(message.error));
        return;
    }
  }

  private settle(id: number, results: AppendResult[] | undefined, error: Error | undefined): void {
    const waiting = this.inFlight.get(id);
    this.inFlight.delete(id);
    if (latencyTraceOn && waiting && results) {
      trace('clientAppend', { pos: Number(results[results.length - 1].position), tSubmitted: waiting.tSubmitted!, tPosted: waiting.tPosted!, tSettled: traceNow() });
    }
    if (error) waiting?.reject(error);
    else waiting?.resolve(results!);
  }

  /** Nothing more will come from the thread: whatever waits fails, and so does every later append. */
  private fail(error: Error): void {
    this.failure ??= error instanceof StoreUnavailableError ? error : new StoreUnavailableError(error.message, error);
    for (const id of [...this.inFlight.keys()]) this.settle(id, undefined, this.failure);
    this.closed?.();
  }
}
