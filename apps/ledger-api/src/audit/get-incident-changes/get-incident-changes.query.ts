import type { EventStore } from '@ledger/event-store';
import { AsOf, IncidentChanges, incidentChanges } from '@ledger/read-models';
import { asOfInput, notAsOf, readIncidentLog } from '../audit-http';

/**
 * What changed between two moments: both are folds of the incident's stream (see versionsAsOf). `to` undefined means
 * now on from's clock; 404 when the incident did not exist at the later moment.
 */
export const changesBetween = async (store: EventStore, now: Date, incidentId: string, from: AsOf, to: AsOf | undefined): Promise<IncidentChanges> => {
  const log = await readIncidentLog(store, incidentId);
  const until: AsOf = to ?? (from.clock === 'position' ? { clock: 'position', position: await store.headPosition() } : { clock: from.clock, at: now.toISOString() });
  const changes = asOfInput(() => incidentChanges(log, incidentId, from, until));
  if (!changes.incident.after) throw notAsOf(`Incident ${incidentId}`, changes.to);
  return changes;
};
