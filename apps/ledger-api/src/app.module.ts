import { join } from 'node:path';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_INTERCEPTOR } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { EsdbEventStore, EVENT_STORE, EventStore, SqliteEventStore } from '@ledger/event-store';
import { EventLogSource, ProjectionRunner, ReadModelProjector, SqliteReadModelStore, ThreadedProjectionRunner, WRITER_STORE_OPTIONS } from '@ledger/read-models';
import { RebuildReadModelsController } from './admin/rebuild-read-models/rebuild-read-models.controller';
import { RebuildReadModelsHandler } from './admin/rebuild-read-models/rebuild-read-models.handler';
import { AmendEntryController } from './amendments/amend-entry/amend-entry.controller';
import { AmendEntryHandler } from './amendments/amend-entry/amend-entry.handler';
import { GetClaimHistoryAsOfController } from './audit/get-claim-history-as-of/get-claim-history-as-of.controller';
import { GetClaimHistoryAsOfHandler } from './audit/get-claim-history-as-of/get-claim-history-as-of.handler';
import { GetIncidentChangesController } from './audit/get-incident-changes/get-incident-changes.controller';
import { GetIncidentChangesHandler } from './audit/get-incident-changes/get-incident-changes.handler';
import { GetVersionsAsOfController } from './audit/get-versions-as-of/get-versions-as-of.controller';
import { GetVersionsAsOfHandler } from './audit/get-versions-as-of/get-versions-as-of.handler';
import { CorrectClaimController } from './claims/correct-claim/correct-claim.controller';
import { GetAsyncApiController } from './contracts/get-asyncapi/get-asyncapi.controller';
import { GetEnvelopeSchemaController } from './contracts/get-envelope-schema/get-envelope-schema.controller';
import { GetEventSchemaController } from './contracts/get-event-schema/get-event-schema.controller';
import { ListEventSchemasController } from './contracts/list-event-schemas/list-event-schemas.controller';
import { CorrectClaimHandler } from './claims/correct-claim/correct-claim.handler';
import { DenyClaimController } from './claims/deny-claim/deny-claim.controller';
import { DenyClaimHandler } from './claims/deny-claim/deny-claim.handler';
import { GetClaimHistoryController } from './claims/get-claim-history/get-claim-history.controller';
import { GetClaimHistoryHandler } from './claims/get-claim-history/get-claim-history.handler';
import { MakeClaimController } from './claims/make-claim/make-claim.controller';
import { MakeClaimHandler } from './claims/make-claim/make-claim.handler';
import { RetractClaimController } from './claims/retract-claim/retract-claim.controller';
import { RetractClaimHandler } from './claims/retract-claim/retract-claim.handler';
import { ReadFeedPageController } from './feed/read-feed-page/read-feed-page.controller';
import { ReadFeedPageHandler } from './feed/read-feed-page/read-feed-page.handler';
import { ClaimOwners } from './feed/shared/claim-owners.service';
import { FeedHub } from './feed/shared/feed-hub.service';
import { FeedLog } from './feed/shared/feed-log.service';
import { StreamEventsController } from './feed/stream-events/stream-events.controller';
import { EventLoopDelay } from './health/event-loop-delay.service';
import { HealthController } from './health/health.controller';
import { GetIncidentController } from './incidents/get-incident/get-incident.controller';
import { GetIncidentHandler } from './incidents/get-incident/get-incident.handler';
import { GetIncidentTimelineController } from './incidents/get-incident-timeline/get-incident-timeline.controller';
import { GetIncidentTimelineHandler } from './incidents/get-incident-timeline/get-incident-timeline.handler';
import { GetPartyVersionsController } from './incidents/get-party-versions/get-party-versions.controller';
import { GetPartyVersionsHandler } from './incidents/get-party-versions/get-party-versions.handler';
import { ListIncidentsController } from './incidents/list-incidents/list-incidents.controller';
import { ListIncidentsHandler } from './incidents/list-incidents/list-incidents.handler';
import { ImportCommandsController } from './imports/import-commands/import-commands.controller';
import { ImportCommandsHandler } from './imports/import-commands/import-commands.handler';
import { NdjsonBodyParser } from './imports/import-commands/ndjson-body.parser';
import { ReportIncidentController } from './incidents/report-incident/report-incident.controller';
import { ReportIncidentHandler } from './incidents/report-incident/report-incident.handler';
import { CreateCheckpointController } from './integrity/create-checkpoint/create-checkpoint.controller';
import { ExportEventsController } from './integrity/export-events/export-events.controller';
import { GetAccessLogController } from './integrity/get-access-log/get-access-log.controller';
import { GetConsistencyProofController } from './integrity/get-consistency-proof/get-consistency-proof.controller';
import { GetInclusionProofController } from './integrity/get-inclusion-proof/get-inclusion-proof.controller';
import { GetSigningKeysController } from './integrity/get-signing-keys/get-signing-keys.controller';
import { ListCheckpointsController } from './integrity/list-checkpoints/list-checkpoints.controller';
import { NotaryService } from './integrity/notary.service';
import { VerifyLedgerController } from './integrity/verify-ledger/verify-ledger.controller';
import { AuditedReadInterceptor } from './ledger/http/audited-read.interceptor';
import { Clock, SystemClock } from './ledger/clock';
import { ReadYourWritesInterceptor } from './ledger/http/read-your-writes.interceptor';
import { DecidedStateCache } from './ledger/decided-state-cache';
import { PartyDirectory } from './ledger/party-directory';
import { ProjectionHost } from './ledger/projection.host';
import { StreamCommandExecutor } from './ledger/stream-command.executor';
import { GetPartyRecordController } from './parties/get-party-record/get-party-record.controller';
import { GetPartyRecordHandler } from './parties/get-party-record/get-party-record.handler';
import { ListPartiesController } from './parties/list-parties/list-parties.controller';
import { ListPartiesHandler } from './parties/list-parties/list-parties.handler';
import { RegisterPartyController } from './parties/register-party/register-party.controller';
import { RegisterPartyHandler } from './parties/register-party/register-party.handler';
import { LedgerConfig, LedgerPlatformModule, TokenRegistry } from './platform';

export interface LedgerAppOptions {
  config: LedgerConfig;
  tokens: TokenRegistry;
  /** Tests pin the server clock; production uses the system clock. */
  clock?: Clock;
  /** Tests may hand in a store (e.g. the EventStoreDB adapter over its double). */
  eventStore?: EventStore;
  /**
   * The script a projection thread runs (the built API's own main.js, which serves as one when started as a worker).
   * Without it, or with LEDGER_PROJECTION_THREAD=inline, or a store handed in, the read models run in the API's thread.
   */
  projectionThreadScript?: string;
}

export const EVENTS_FILE = 'events.sqlite';
export const READ_MODELS_FILE = 'read-models.sqlite';

/** Where a projection thread opens the log the API writes: its own connection, to the same file or server. */
export const eventLogSource = (config: LedgerConfig): EventLogSource =>
  config.eventStoreConnectionString
    ? { kind: 'esdb', connectionString: config.eventStoreConnectionString }
    : { kind: 'sqlite', filename: join(config.dataDir, EVENTS_FILE) };

/** EventStoreDB when a connection string is configured; the embedded SQLite log otherwise. */
export const createEventStore = (config: LedgerConfig): EventStore =>
  config.eventStoreConnectionString
    ? new EsdbEventStore({ connectionString: config.eventStoreConnectionString })
    : new SqliteEventStore({ filename: join(config.dataDir, EVENTS_FILE) });

const commandHandlers = [
  RegisterPartyHandler,
  ReportIncidentHandler,
  MakeClaimHandler,
  DenyClaimHandler,
  CorrectClaimHandler,
  RetractClaimHandler,
  AmendEntryHandler,
  ImportCommandsHandler,
  RebuildReadModelsHandler,
];
const queryHandlers = [
  ListIncidentsHandler,
  GetIncidentHandler,
  GetPartyVersionsHandler,
  GetIncidentTimelineHandler,
  GetClaimHistoryHandler,
  GetPartyRecordHandler,
  ListPartiesHandler,
  GetVersionsAsOfHandler,
  GetIncidentChangesHandler,
  GetClaimHistoryAsOfHandler,
];

@Module({})
export class AppModule {
  static forRoot(options: LedgerAppOptions): DynamicModule {
    const { config } = options;
    const threaded = options.projectionThreadScript !== undefined && !options.eventStore && config.projectionThread === 'worker';
    return {
      module: AppModule,
      imports: [LedgerPlatformModule.forRoot({ config, tokens: options.tokens }), CqrsModule.forRoot(), TerminusModule],
      controllers: [
        RegisterPartyController,
        ListPartiesController,
        GetPartyRecordController,
        ReportIncidentController,
        ListIncidentsController,
        GetIncidentController,
        GetPartyVersionsController,
        GetIncidentTimelineController,
        MakeClaimController,
        GetClaimHistoryController,
        GetVersionsAsOfController,
        GetIncidentChangesController,
        GetClaimHistoryAsOfController,
        DenyClaimController,
        CorrectClaimController,
        RetractClaimController,
        AmendEntryController,
        ImportCommandsController,
        HealthController,
        RebuildReadModelsController,
        GetSigningKeysController,
        CreateCheckpointController,
        ListCheckpointsController,
        GetInclusionProofController,
        GetConsistencyProofController,
        VerifyLedgerController,
        GetAccessLogController,
        ExportEventsController,
        ReadFeedPageController,
        StreamEventsController,
        GetAsyncApiController,
        ListEventSchemasController,
        GetEventSchemaController,
        GetEnvelopeSchemaController,
      ],
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: (): EventStore => options.eventStore ?? createEventStore(config),
        },
        {
          provide: SqliteReadModelStore,
          // The API's own connection only answers queries when a projection thread writes the tables.
          useFactory: () => new SqliteReadModelStore({ filename: join(config.dataDir, READ_MODELS_FILE), ...(threaded ? {} : WRITER_STORE_OPTIONS) }),
        },
        {
          provide: ReadModelProjector,
          inject: [EVENT_STORE, SqliteReadModelStore],
          useFactory: (eventStore: EventStore, store: SqliteReadModelStore): ReadModelProjector => {
            const logger = new Logger('Projections');
            if (!threaded) return new ProjectionRunner({ eventStore, store, logger });
            return new ThreadedProjectionRunner({
              script: options.projectionThreadScript!,
              data: { eventLog: eventLogSource(config), readModelsFile: join(config.dataDir, READ_MODELS_FILE) },
              logger,
            });
          },
        },
        { provide: Clock, useValue: options.clock ?? new SystemClock() },
        { provide: APP_INTERCEPTOR, useClass: ReadYourWritesInterceptor },
        { provide: APP_INTERCEPTOR, useClass: AuditedReadInterceptor },
        ProjectionHost,
        NotaryService,
        EventLoopDelay,
        ClaimOwners,
        FeedLog,
        FeedHub,
        ReadFeedPageHandler,
        {
          provide: DecidedStateCache,
          useFactory: () =>
            new DecidedStateCache({ maxEvents: config.writeSide.stateCacheEvents, maxStreams: config.writeSide.stateCacheStreams }),
        },
        StreamCommandExecutor,
        PartyDirectory,
        NdjsonBodyParser,
        ...commandHandlers,
        ...queryHandlers,
      ],
    };
  }
}
