import type { EventStore } from '@ledger/event-store';
import { AsOf, AsOfJson, asOfToJson, GradeFilter, PartyVersionsDoc, partyVersionsAsOf } from '@ledger/read-models';
import { readIncidentLog } from '../audit-http';

/** Each party's version and the disagreements as of a moment, with the moment and the log position it corresponds to. */
export type VersionsAsOf = { asOf: AsOfJson; position: string } & PartyVersionsDoc;

/**
 * Folds the party-versions projection over the incident's stream up to the moment: the log, not the stored read
 * model, so the past is answered by the same code as the present, and "now" never by a read model that may lag.
 */
export const versionsAsOf = async (store: EventStore, incidentId: string, asOf: AsOf, minGrade?: GradeFilter): Promise<VersionsAsOf | undefined> => {
  const doc = partyVersionsAsOf(await readIncidentLog(store, incidentId), incidentId, asOf, minGrade);
  if (!doc?.incident) return undefined;
  return { asOf: asOfToJson(asOf), position: doc.lastPosition, ...doc };
};
