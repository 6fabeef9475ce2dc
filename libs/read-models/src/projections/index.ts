import { AnyProjection } from '../projection';
import { claimHistoryProjection } from './claim-history.projection';
import { incidentListProjection } from './incident-list.projection';
import { incidentTimelineProjection } from './incident-timeline.projection';
import { partyRecordProjection } from './party-record.projection';
import { partyVersionsProjection } from './party-versions.projection';

export * from './claim-history.projection';
export * from './incident-list.projection';
export * from './incident-timeline.projection';
export * from './party-record.projection';
export * from './party-versions.projection';

/** Every read model of the ledger, as the runner hosts them by default. */
export const LEDGER_PROJECTIONS: readonly AnyProjection[] = [
  incidentListProjection,
  partyVersionsProjection,
  claimHistoryProjection,
  incidentTimelineProjection,
  partyRecordProjection,
];
