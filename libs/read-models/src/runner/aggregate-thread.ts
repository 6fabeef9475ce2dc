import { MessagePort, Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { StoreUnavailableError, THREAD_NAMES, nameThisThread } from '@ledger/event-store';
import { isCorruptionError } from '../storage/read-model-file';
import { READER_CACHE_MIB, sqliteSqlRows } from '../storage/sqlite-read-model.store';
import { InvalidStatsQueryError, SqlRows, activityStats, incidentsContestedStats } from '../views/dashboard-stats.view';
import { partyDirectory } from '../views/party-directory.view';

/**
 * The dashboards' aggregates, by name: each a GROUP BY over every entry or incident, which on a ledger of a million
 * events takes the better part of a second of SQLite's time. By name, not as a closure, so that a thread of their own
 * can run them (AggregateThread).
 */
export const AGGREGATE_VIEWS = {
  activity: activityStats,
  incidentsContested: incidentsContestedStats,
  partyDirectory,
} as const;

export type AggregateViewName = keyof typeof AGGREGATE_VIEWS;
export type AggregateQuery<N extends AggregateViewName> = Parameters<(typeof AGGREGATE_VIEWS)[N]>[1];
export type AggregateAnswer<N extends AggregateViewName> = ReturnType<(typeof AGGREGATE_VIEWS)[N]>;

/** Runs a named aggregate with `sql` (whatever store and snapshot it reads). */
export const runAggregate = <N extends AggregateViewName>(sql: SqlRows, name: N, query: AggregateQuery<N>): AggregateAnswer<N> =>
  (AGGREGATE_VIEWS[name] as (sql: SqlRows, query: AggregateQuery<N>) => AggregateAnswer<N>)(sql, query);

export const AGGREGATE_THREAD_ROLE = 'ledger-aggregate-thread';

export interface AggregateThreadData {
  role: typeof AGGREGATE_THREAD_ROLE;
  readModelsFile: string;
}

export const isAggregateThreadData = (data: unknown): data is AggregateThreadData =>
  typeof data === 'object' && data !== null && (data as { role?: unknown }).role === AGGREGATE_THREAD_ROLE;

type Request = { id: number; name: AggregateViewName; query: unknown; generation: number };
type Reply = { id: number; answer: unknown } | { id: number; error: { name: string; message: string; code?: string; field?: string } };

/**
 * The thread's side: a read-only connection of its own to the read models' file, one aggregate at a time, each in one
 * read transaction (one snapshot, as on the API's connection). A new file generation (the file moved aside and
 * replaced) reopens it first.
 */
export const serveAggregateThread = (data: AggregateThreadData, port: MessagePort): void => {
  nameThisThread(THREAD_NAMES.aggregates);
  let db: Database.Database | undefined;
  let openGeneration = -1;
  const statements = new Map<string, Database.Statement>();
  const open = (generation: number): Database.Database => {
    if (db && openGeneration === generation) return db;
    db?.close();
    statements.clear();
    db = new Database(data.readModelsFile, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // The API's reading connection's cache: a GROUP BY's sorter spills to temporary files beyond it (SQLite's default
    // 2 MiB made the list page's four statistics half as slow again on a 1,000,000-event ledger).
    db.pragma(`cache_size = -${READER_CACHE_MIB * 1024}`);
    openGeneration = generation;
    return db;
  };
  port.on('message', (request: Request) => {
    let reply: Reply;
    try {
      const connection = open(request.generation);
      const sql = sqliteSqlRows(connection, statements);
      reply = { id: request.id, answer: connection.transaction(() => runAggregate(sql, request.name, request.query as never))() };
    } catch (error) {
      const e = error as { name?: string; message?: string; code?: unknown; field?: unknown };
      // A connection that met an error of the file is opened afresh for the next request.
      if (isCorruptionError(error) || e.name === 'SqliteError') openGeneration = -1;
      reply = {
        id: request.id,
        error: {
          name: String(e.name ?? 'Error'),
          message: String(e.message ?? error),
          ...(typeof e.code === 'string' ? { code: e.code } : {}),
          ...(typeof e.field === 'string' ? { field: e.field } : {}),
        },
      };
    }
    port.postMessage(reply);
  });
};

/** The statistics' thread cannot answer now (it is stopping, or died with the request in hand): a 503, retried shortly. */
export class AggregatesUnavailableError extends StoreUnavailableError {
  constructor(message: string) {
    super(message);
    this.name = 'AggregatesUnavailableError';
  }
}

/** More aggregates waiting than the thread should queue: the ledger is busy counting, try again shortly (503). */
export class AggregatesBusyError extends AggregatesUnavailableError {
  constructor(waiting: number) {
    super(`${waiting} statistics are already being counted; try again shortly`);
    this.name = 'AggregatesBusyError';
  }
}

/** An aggregate that failed in the thread, as it failed there (a SqliteError keeps its code). */
export class AggregateThreadError extends Error {
  constructor(
    name: string,
    message: string,
    readonly code?: string,
  ) {
    super(message);
    this.name = name;
  }
}

export interface AggregateThreadOptions {
  /** The built entry that serves the thread (the API's own, or a test's). */
  script: string;
  readModelsFile: string;
  /** Aggregates queued or running beyond which a new one is refused with AggregatesBusyError (default 16). */
  maxWaiting?: number;
}

/**
 * The host's side: the dashboards' aggregates run in a thread of their own, so that a GROUP BY over a million entries
 * does not hold the HTTP thread (every request, writes included, waited behind the list page's four statistics for
 * about two seconds on such a ledger). One thread, one aggregate at a time: on two cores the rest of the ledger keeps
 * the other. Started on first use; a thread that died is started again by the next request.
 */
export class AggregateThread {
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (answer: unknown) => void; reject: (error: Error) => void }>();
  private readonly maxWaiting: number;
  private closed = false;

  constructor(private readonly options: AggregateThreadOptions) {
    this.maxWaiting = options.maxWaiting ?? 16;
  }

  /** Runs the aggregate on the file's generation `generation` (see SqliteReadModelStore.fileGeneration). */
  run<N extends AggregateViewName>(name: N, query: AggregateQuery<N>, generation: number): Promise<AggregateAnswer<N>> {
    if (this.closed) return Promise.reject(new AggregatesUnavailableError('The ledger is stopping'));
    if (this.pending.size >= this.maxWaiting) return Promise.reject(new AggregatesBusyError(this.pending.size));
    const worker = this.started();
    const id = this.nextId++;
    return new Promise<AggregateAnswer<N>>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (answer: unknown) => void, reject });
      worker.postMessage({ id, name, query, generation } satisfies Request);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const worker = this.worker;
    this.worker = undefined;
    this.failAll(new AggregatesUnavailableError('The ledger is stopping'));
    await worker?.terminate();
  }

  /** Nest calls it at shutdown. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.options.script, { workerData: { role: AGGREGATE_THREAD_ROLE, readModelsFile: this.options.readModelsFile } satisfies AggregateThreadData });
    worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if ('answer' in reply) waiter.resolve(reply.answer);
      else waiter.reject(errorOf(reply.error));
    });
    const gone = (why: string) => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      this.failAll(new AggregatesUnavailableError(`The statistics thread ${why}; try again`));
    };
    worker.on('error', (error) => gone(`failed: ${error.message}`));
    worker.on('exit', (code) => gone(`exited (code ${code})`));
    // An idle thread must not keep the process alive; one with work in hand is waited for by its callers anyway.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private failAll(error: Error): void {
    const waiters = [...this.pending.values()];
    this.pending.clear();
    for (const waiter of waiters) waiter.reject(error);
  }
}

const errorOf = (error: { name: string; message: string; code?: string; field?: string }): Error => {
  if (error.name === 'InvalidStatsQueryError' && error.field !== undefined) return new InvalidStatsQueryError(error.message, error.field);
  return new AggregateThreadError(error.name, error.message, error.code);
};
