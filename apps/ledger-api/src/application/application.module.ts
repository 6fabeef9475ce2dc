import { StoreAtStart } from './store-at-start';
import { join } from 'node:path';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { EsdbEventStore, EVENT_STORE, EventStore, SqliteEventStore } from '@ledger/event-store';
import { EventLogSource, ProjectionRunner, ReadModelProjector, SqliteReadModelStore, ThreadedProjectionRunner, WRITER_STORE_OPTIONS } from '@ledger/read-models';
import type { LedgerConfig } from '../platform/config';
import { Clock, SystemClock } from './clock';
import { DecidedStateCache } from './decided-state-cache';
import { ClaimStreams } from './claim-streams';
import { PartyDirectory } from './party-directory';
import { PostgresReadModelsHost } from './postgres-read-models.host';
import { SharedDatabaseHost } from './shared-database.host';
import type { LedgerDatabase } from '../platform/postgres/ledger-database';
import { ProjectionHost } from './projection.host';
import { StreamCommandExecutor } from './stream-command.executor';

export const EVENTS_FILE = 'events.sqlite';
export const READ_MODELS_FILE = 'read-models.sqlite';

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
        // The threaded store also checkpoints its WAL beside the commits, not inside one of them.
        ...(writerThreadScript && config.storeWriterThread === 'worker' ? { writerThread: { script: writerThreadScript }, checkpointThread: true } : {}),
      });

const SERVICES = [EVENT_STORE, SqliteReadModelStore, ReadModelProjector, Clock, ProjectionHost, SharedDatabaseHost, PostgresReadModelsHost, DecidedStateCache, StreamCommandExecutor, PartyDirectory, ClaimStreams];

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
        {
          provide: SqliteReadModelStore,
          // The API's own connection only answers queries when a projection thread writes the tables.
          useFactory: () => {
            // Opened (and checked, and moved aside if damaged or not ours) before the projection thread opens it.
            const logger = new Logger('Projections');
            const heal = { log: (message: string) => logger.warn(message) };
            return new SqliteReadModelStore({ filename: join(config.dataDir, READ_MODELS_FILE), heal, ...(threaded ? {} : WRITER_STORE_OPTIONS) });
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
                readModelsFile: join(config.dataDir, READ_MODELS_FILE),
                // The store rings it on each commit, from its writer thread: the HTTP thread wakes nobody.
                ...(eventStore instanceof SqliteEventStore ? { commits: eventStore.commitBell } : {}),
              },
              logger,
              checkpointThread: true,
            });
          },
        },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        {
          provide: DecidedStateCache,
          useFactory: () => new DecidedStateCache({ maxEvents: config.writeSide.stateCacheEvents, maxStreams: config.writeSide.stateCacheStreams }),
        },
        ProjectionHost,
        { provide: SharedDatabaseHost, useFactory: () => SharedDatabaseHost.open(config, options.ledgerDatabase) },
        {
          provide: PostgresReadModelsHost,
          inject: [EVENT_STORE, SharedDatabaseHost],
          useFactory: (eventStore: EventStore, shared: SharedDatabaseHost) => new PostgresReadModelsHost(config.readModels, eventStore, shared),
        },
        StreamCommandExecutor,
        PartyDirectory,
        ClaimStreams,
        { provide: StoreAtStart, inject: [EVENT_STORE], useFactory: (store: EventStore) => new StoreAtStart(store, config.storeStartTimeoutMs) },
      ],
      exports: SERVICES,
    };
  }
}
