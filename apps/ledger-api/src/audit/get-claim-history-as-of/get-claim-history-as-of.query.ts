import type { EventStore } from '@ledger/event-store';
import { AsOf, AsOfJson, asOfToJson, ClaimHistoryDoc, claimHistoryAsOf as foldClaimHistoryAsOf, incidentEnvelopesAsOf, lastPositionOf } from '@ledger/read-models';
import { readIncidentLog } from '../audit-http';

/** A claim's full history as of a moment, with the moment and the log position it corresponds to. */
export type ClaimHistoryAsOf = { asOf: AsOfJson; position: string } & ClaimHistoryDoc;

/** Folds the claim-history projection over the incident's stream up to the moment (see versionsAsOf). */
export const claimHistoryAsOf = async (store: EventStore, incidentId: string, claimId: string, asOf: AsOf): Promise<ClaimHistoryAsOf | undefined> => {
  const log = await readIncidentLog(store, incidentId);
  const doc = foldClaimHistoryAsOf(log, incidentId, claimId, asOf);
  if (!doc) return undefined;
  // The incident's cut, like the versions answer: asking again at this position gives the same history.
  return { asOf: asOfToJson(asOf), position: lastPositionOf(incidentEnvelopesAsOf(log, incidentId, asOf)), ...doc };
};
