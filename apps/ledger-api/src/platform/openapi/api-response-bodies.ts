import type { ExportedEvent, JwkSet, SignedCheckpoint, VerificationReport } from '@ledger/integrity';
import type {
  ActivityStats,
  ClaimHistoryAsOf,
  ClaimHistoryDoc,
  IncidentCasualties,
  IncidentsContestedStats,
  CurrentClaimView,
  IncidentChanges,
  IncidentListItem,
  IncidentTimelinePage,
  Page,
  PartyRecordDoc,
  PartyVersionsPage,
  PartyDirectory,
  VersionsAsOf,
  EntriesPage,
} from '@ledger/read-models';
import type { AsyncApiDocument } from '@ledger/contracts';
import type { EventSchemaIndexDoc } from '../../contracts/list-event-schemas/list-event-schemas.controller';
import type { AccessLogPage } from '../../integrity/get-access-log/get-access-log.controller';
import type { CheckpointList } from '../../integrity/list-checkpoints/list-checkpoints.controller';
import type { ConsistencyProofBundle } from '../../integrity/get-consistency-proof/get-consistency-proof.controller';
import type { InclusionProofBundle } from '../../integrity/get-inclusion-proof/get-inclusion-proof.controller';
import type { CreatedBody } from '../http/command-http';
import type { ReadModelStatusBody } from '../../admin/shared/read-model-status';
import type { Liveness } from '../../health/health.controller';
import type { Readiness } from '../../health/readiness.service';

/** A JSON Schema document served as is (the event and envelope schemas). */
export type JsonSchemaDocument = Record<string, unknown>;

/**
 * The body of each success response, under the name its schema has in the OpenAPI document (components.schemas).
 * `npm run schemas` turns this interface into response-schemas.json; a controller names its body with
 * `@ApiOkResponse(responseBody('PartyList'))`, so a name that is not here does not compile.
 */
export interface ApiResponseBodies {
  Created: CreatedBody;
  PartyRecord: PartyRecordDoc;
  PartyList: Page<PartyRecordDoc>;
  Incident: IncidentListItem;
  IncidentList: Page<IncidentListItem>;
  IncidentTimelinePage: IncidentTimelinePage;
  PartyVersionsPage: PartyVersionsPage;
  CurrentClaim: CurrentClaimView;
  ClaimHistory: ClaimHistoryDoc;
  ClaimHistoryAsOf: ClaimHistoryAsOf;
  IncidentChanges: IncidentChanges & { page?: EntriesPage };
  VersionsAsOf: VersionsAsOf;
  SignedCheckpoint: SignedCheckpoint;
  CheckpointList: CheckpointList;
  ExportedEvent: ExportedEvent;
  AccessLogPage: AccessLogPage;
  ConsistencyProofBundle: ConsistencyProofBundle;
  InclusionProofBundle: InclusionProofBundle;
  JwkSet: JwkSet;
  VerificationReport: VerificationReport;
  AsyncApiDocument: AsyncApiDocument;
  JsonSchemaDocument: JsonSchemaDocument;
  EventSchemaIndex: EventSchemaIndexDoc;
  ReadModelStatus: ReadModelStatusBody;
  Liveness: Liveness;
  Readiness: Readiness;
  ActivityStats: ActivityStats;
  IncidentsContestedStats: IncidentsContestedStats;
  IncidentCasualties: IncidentCasualties;
  PartyDirectory: PartyDirectory;
}

export type ResponseBodyName = keyof ApiResponseBodies;

/** The `schema` of a success response: `@ApiOkResponse({ description, ...responseBody('PartyList') })`. */
export const responseBody = (name: ResponseBodyName): { schema: { $ref: string } } => ({ schema: { $ref: `#/components/schemas/${name}` } });
