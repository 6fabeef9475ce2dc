import { MessagePort } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { StoreUnavailableError, THREAD_NAMES, nameThisThread } from '@ledger/event-store';
import { isCorruptionError } from '../storage/read-model-file';
import { READER_CACHE_MIB, sqliteSqlRows } from '../storage/sqlite-read-model.store';
import { ActivityQuery, InvalidStatsQueryError, SqlRows, activityStats, incidentsContestedStats } from '../views/dashboard-stats.view';
import { KeptActivityCounts } from '../views/kept-activity-counts';
import { partyDirectory } from '../views/party-directory.view';
import { RequestThread, ThreadErrorJson, serveRequests } from './request-thread';

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

/** The activity statistics kept on one SQLite file, and which file (SqliteReadModelStore.fileGeneration). */
export interface KeptAggregates {
  activity: KeptActivityCounts;
  generation: number;
}

/**
 * Runs a named aggregate with `sql` (whatever store and snapshot it reads); with `kept` (a SQLite file's), an activity
 * statistic asked before counts only what the timeline gained since.
 */
export const runAggregate = <N extends AggregateViewName>(sql: SqlRows, name: N, query: AggregateQuery<N>, kept?: KeptAggregates): AggregateAnswer<N> => {
  if (kept && name === 'activity') return kept.activity.answer(sql, query as ActivityQuery, kept.generation) as AggregateAnswer<N>;
  return (AGGREGATE_VIEWS[name] as (sql: SqlRows, query: AggregateQuery<N>) => AggregateAnswer<N>)(sql, query);
};

export const AGGREGATE_THREAD_ROLE = 'ledger-aggregate-thread';

export interface AggregateThreadData {
  role: typeof AGGREGATE_THREAD_ROLE;
  readModelsFile: string;
}

export const isAggregateThreadData = (data: unknown): data is AggregateThreadData =>
  typeof data === 'object' && data !== null && (data as { role?: unknown }).role === AGGREGATE_THREAD_ROLE;

type Request = { name: AggregateViewName; query: unknown; generation: number };

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
  const activity = new KeptActivityCounts();
  const open = (generation: number): Database.Database => {
    if (db && openGeneration === generation) return db;
    db?.close();
    statements.clear();
    activity.clear();
    db = new Database(data.readModelsFile, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // The API's reading connection's cache: a GROUP BY's sorter spills to temporary files beyond it (SQLite's default
    // 2 MiB made the list page's four statistics half as slow again on a 1,000,000-event ledger).
    db.pragma(`cache_size = -${READER_CACHE_MIB * 1024}`);
    openGeneration = generation;
    return db;
  };
  serveRequests(
    port,
    (request: Request) => {
      const connection = open(request.generation);
      const sql = sqliteSqlRows(connection, statements);
      return connection.transaction(() => runAggregate(sql, request.name, request.query as never, { activity, generation: request.generation }))();
    },
    {
      onError: (error) => {
        // A connection that met an error of the file is opened afresh for the next request.
        if (isCorruptionError(error) || (error as { name?: unknown }).name === 'SqliteError') openGeneration = -1;
      },
    },
  );
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
  private readonly thread: RequestThread<Request, unknown>;

  constructor(options: AggregateThreadOptions) {
    this.thread = new RequestThread({
      script: options.script,
      workerData: { role: AGGREGATE_THREAD_ROLE, readModelsFile: options.readModelsFile } satisfies AggregateThreadData,
      maxWaiting: options.maxWaiting ?? 16,
      busy: (waiting) => new AggregatesBusyError(waiting),
      unavailable: (why) => new AggregatesUnavailableError(why === undefined ? 'The ledger is stopping' : `The statistics thread ${why}; try again`),
      errorOf,
    });
  }

  /** Runs the aggregate on the file's generation `generation` (see SqliteReadModelStore.fileGeneration). */
  run<N extends AggregateViewName>(name: N, query: AggregateQuery<N>, generation: number): Promise<AggregateAnswer<N>> {
    return this.thread.run({ name, query, generation }) as Promise<AggregateAnswer<N>>;
  }

  close(): Promise<void> {
    return this.thread.close();
  }

  /** Nest calls it at shutdown. */
  onApplicationShutdown(): Promise<void> {
    return this.close();
  }
}

const errorOf = (error: ThreadErrorJson): Error => {
  if (error.name === 'InvalidStatsQueryError' && error.field !== undefined) return new InvalidStatsQueryError(error.message, error.field);
  return new AggregateThreadError(error.name, error.message, error.code);
};
