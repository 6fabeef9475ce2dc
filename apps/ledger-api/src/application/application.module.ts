import { StoreAtStart } from './store-at-start';
import { join } from 'node:path';
import { DynamicModule, Logger, Module, Provider } from '@nestjs/common';
import { EsdbEventStore, EVENT_STORE, EventStore, SqliteEventStore } from '@ledger/event-store';
import {
  AggregateThread,
  AuditReads,
  AuditThread,
  InlineAuditReads,
  InlineLedgerVerifier,
  LedgerVerifier,
  VerifyThread,
  EventLogSource,
  ProjectionRunner,
  ReadModelProjector,
  ReadModelQueries,
  SqliteReadModelQueries,
  SqliteReadModelStore,
  ThreadedProjectionRunner,
  WRITER_STORE_OPTIONS,
} from '@ledger/read-models';
import { PostgresReadModelQueries } from '@ledger/read-models/storage/postgres/postgres-read-model.queries';
import { EVENTS_FILE_NAME, READ_MODELS_FILE_NAME, type LedgerConfig } from '../platform/config';
import { Clock, SystemClock } from './clock';
import { DecidedStateCache, stateCacheLimitsOf } from './decided-state-cache';
import { ClaimStreams } from './claim-streams';
import { PartyDirectory } from './party-directory';
import { PostgresReadModelsHost } from './postgres-read-models.host';
import { SharedDatabaseHost } from './shared-database.host';
import type { LedgerDatabase } from '../platform/postgres/ledger-database';
import { ProjectionHost } from './projection.host';
import { StreamCommandExecutor } from './stream-command.executor';

export const EVENTS_FILE = EVENTS_FILE_NAME;
export const READ_MODELS_FILE = READ_MODELS_FILE_NAME;

export interface ApplicationOptions {
  config: LedgerConfig;
  /** Tests pin the server clock; production uses the system clock. */
  clock?: Clock;
  /** Tests may hand in a store (e.g. the EventStoreDB adapter over its double). */
  eventStore?: EventStore;
  /**
   * The script a projection thread runs (the built API's own main.js, which serves as one when started as a worker).
   * Without it, or with LEDGER_PROJECTION_THREAD=inline, or a store handed in, the read models run in the API's thread.
   */
  projectionThreadScript?: string;
  /** Likewise the script of the embedded store's writer thread (unless LEDGER_STORE_WRITER_THREAD=inline). */
  storeWriterThreadScript?: string;
  /** With PostgreSQL configured: the ledger schema's database, when main opened it already (for the tokens). */
  ledgerDatabase?: LedgerDatabase;
}

/** Where a projection thread opens the log the API writes: its own connection, to the same file or server. */
export const eventLogSource = (config: LedgerConfig): EventLogSource =>
  config.eventStoreConnectionString
    ? { kind: 'esdb', connectionString: config.eventStoreConnectionString }
    : { kind: 'sqlite', filename: join(config.dataDir, EVENTS_FILE) };

/** EventStoreDB when a connection string is configured; the embedded SQLite log otherwise (its writes in a thread when given one). */
export const createEventStore = (config: LedgerConfig, writerThreadScript?: string): EventStore =>
  config.eventStoreConnectionString
    ? new EsdbEventStore({ connectionString: config.eventStoreConnectionString })
    : new SqliteEventStore({
        filename: join(config.dataDir, EVENTS_FILE),
        // WAL checkpoints beside the commits, not inside one of them, in either mode (wal-checkpointer.ts).
        checkpointThread: true,
        ...(writerThreadScript && config.storeWriterThread === 'worker' ? { writerThread: { script: writerThreadScript } } : {}),
      });

const SERVICES = [EVENT_STORE, ReadModelProjector, ReadModelQueries, AuditReads, LedgerVerifier, Clock, ProjectionHost, SharedDatabaseHost, DecidedStateCache, StreamCommandExecutor, PartyDirectory, ClaimStreams];

/**
 * With LEDGER_READ_MODELS_URL the read models live in PostgreSQL alone: no SQLite file is kept beside them (a second
 * projection would double the work and could answer differently), the API answers from PostgreSQL and waits for its
 * checkpoint.
 */
const postgresReadModels = (readModels: NonNullable<LedgerConfig['readModels']>): Provider[] => [
  {
    provide: PostgresReadModelsHost,
    inject: [EVENT_STORE, SharedDatabaseHost],
    useFactory: (eventStore: EventStore, shared: SharedDatabaseHost) => new PostgresReadModelsHost(readModels, eventStore, shared),
  },
  { provide: ReadModelProjector, useExisting: PostgresReadModelsHost },
  { provide: ReadModelQueries, inject: [PostgresReadModelsHost], useFactory: (host: PostgresReadModelsHost) => new PostgresReadModelQueries(() => host.openStore()) },
  {
    provide: ProjectionHost,
    inject: [PostgresReadModelsHost, EVENT_STORE],
    useFactory: (host: PostgresReadModelsHost, eventStore: EventStore) => new ProjectionHost(host, { schema: readModels.schema, close: () => host.close() }, eventStore),
  },
];

/** The read models in their SQLite file (config.readModelsFile), kept by a projection thread or in the API's own thread. */
const sqliteReadModels = (options: ApplicationOptions, threaded: boolean): Provider[] => {
  const { config } = options;
  const synchronous = config.readModelsSync === 'off' ? 'OFF' : 'NORMAL';
  return [
    {
      provide: SqliteReadModelStore,
      // The API's own connection only answers queries when a projection thread writes the tables.
      useFactory: () => {
        // Opened (and checked, and moved aside if damaged or not ours) before the projection thread opens it.
        const logger = new Logger('Projections');
        // A file no clean stop vouches for is read whole beside the ledger (the supervisor's check), not before it answers.
        const heal = { log: (message: string) => logger.warn(message), wholeCheck: 'in-background' } as const;
        // The connection that closes last: at a clean stop it empties the WAL into the file and syncs it (with unsynced
        // writers, the only sync they get), so that the next start need not read the whole file to trust it.
        const sync = synchronous === 'OFF' ? ({ synchronous, syncOnClose: true } as const) : ({ syncOnClose: true } as const);
        const store = new SqliteReadModelStore({ filename: config.readModelsFile, heal, ...(threaded ? {} : WRITER_STORE_OPTIONS), ...sync });
        logger.log(
          store.openCheck === 'quick_check'
            ? `Read models ${config.readModelsFile}: checked whole (quick_check)`
            : store.openCheck === 'quick_check in the background'
              ? `Read models ${config.readModelsFile}: opened; to be read whole (quick_check) beside the ledger`
              : `Read models ${config.readModelsFile}: as the last clean stop left them, not read whole`,
        );
        return store;
      },
    },
    {
      provide: ReadModelProjector,
      inject: [EVENT_STORE, SqliteReadModelStore],
      useFactory: (eventStore: EventStore, store: SqliteReadModelStore): ReadModelProjector => {
        const logger = new Logger('Projections');
        if (!threaded) return new ProjectionRunner({ eventStore, store, logger });
        return new ThreadedProjectionRunner({
          script: options.projectionThreadScript!,
          data: {
            eventLog: eventLogSource(config),
            readModelsFile: config.readModelsFile,
            synchronous,
            // The store rings it on each commit, from its writer thread: the HTTP thread wakes nobody.
            ...(eventStore instanceof SqliteEventStore ? { commits: eventStore.commitBell } : {}),
          },
          logger,
          checkpointThread: true,
        });
      },
    },
    // The built API (its own script given) counts the dashboards' aggregates in a thread of their own.
    ...(options.projectionThreadScript !== undefined && config.statsThread === 'worker'
      ? [{ provide: AggregateThread, useFactory: () => new AggregateThread({ script: options.projectionThreadScript!, readModelsFile: config.readModelsFile }) }]
      : []),
    {
      provide: ReadModelQueries,
      inject: [SqliteReadModelStore, { token: AggregateThread, optional: true }],
      useFactory: (store: SqliteReadModelStore, aggregates?: AggregateThread) => new SqliteReadModelQueries(store, aggregates),
    },
    {
      provide: ProjectionHost,
      inject: [ReadModelProjector, SqliteReadModelStore, EVENT_STORE],
      useFactory: (runner: ReadModelProjector, file: SqliteReadModelStore, eventStore: EventStore) => new ProjectionHost(runner, { file }, eventStore),
    },
  ];
};

/**
 * The application layer every area uses: the event store, the write recipe (executor, idempotency, per-stream mutex,
 * decided-state cache, party directory, clock) and the read models it waits on. Global, so an area module lists only
 * its own controllers and handlers.
 */
@Module({})
export class ApplicationModule {
  static forRoot(options: ApplicationOptions): DynamicModule {
    const { config } = options;
    const threaded = options.projectionThreadScript !== undefined && !options.eventStore && config.projectionThread === 'worker';
    return {
      module: ApplicationModule,
      global: true,
      providers: [
        { provide: EVENT_STORE, useFactory: (): EventStore => options.eventStore ?? createEventStore(config, options.storeWriterThreadScript) },
        ...(config.readModels ? postgresReadModels(config.readModels) : sqliteReadModels(options, threaded)),
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        {
          provide: AuditReads,
          inject: [EVENT_STORE],
          // The built API folds auditors' looks at the past in a thread of its own, which opens the log itself: not for
          // a store handed in (a test's), which no other thread can open.
          useFactory: (eventStore: EventStore): AuditReads =>
            options.projectionThreadScript !== undefined && !options.eventStore && config.auditThread === 'worker'
              ? new AuditThread({ script: options.projectionThreadScript, eventLog: eventLogSource(config) })
              : new InlineAuditReads(eventStore),
        },
        {
          provide: LedgerVerifier,
          inject: [EVENT_STORE],
          // As the audit reads: the built API walks the log for GET /integrity/verify in a thread of its own.
          useFactory: (eventStore: EventStore): LedgerVerifier =>
            options.projectionThreadScript !== undefined && !options.eventStore && config.auditThread === 'worker'
              ? new VerifyThread({ script: options.projectionThreadScript, eventLog: eventLogSource(config), scratchDirectory: config.dataDir })
              : new InlineLedgerVerifier(eventStore, config.dataDir),
        },
        {
          provide: DecidedStateCache,
          useFactory: () => new DecidedStateCache(stateCacheLimitsOf(config.writeSide)),
        },
        { provide: SharedDatabaseHost, useFactory: () => SharedDatabaseHost.open(config, options.ledgerDatabase) },
        StreamCommandExecutor,
        PartyDirectory,
        ClaimStreams,
        { provide: StoreAtStart, inject: [EVENT_STORE], useFactory: (store: EventStore) => new StoreAtStart(store, config.storeStartTimeoutMs) },
      ],
      // The file's store and the PostgreSQL host for tests and tools that look inside; the API itself reads through ReadModelQueries.
      exports: [...SERVICES, config.readModels ? PostgresReadModelsHost : SqliteReadModelStore],
    };
  }
}
