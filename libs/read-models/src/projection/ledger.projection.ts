import { unhandled } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { incidentsTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { amendEntry } from './amendments.projection';
import { correctClaim, denyClaim, gradeSource, makeClaim, retractClaim } from './claims.projection';
import { emptyIncident, registerParty, reportIncident, saveIncident, touchParties } from './incidents.projection';
import { IncidentContext } from './projection-context';
import { addTimelineEntry } from './timeline.projection';

/** Compile-time proof that a switch handled every event type: adding one to the domain fails `tsc` here. */
export const unhandledEvent = (event: never): never => unhandled(event, 'read models: event');

/**
 * The ledger's read models as one fold over the log: each event becomes a
 * bounded set of row changes (see tables/ledger.tables.ts). The same function
 * serves the live runner, a rebuild, and time travel (a fold of part of the
 * log into a throwaway store), so the past is answered by the code that
 * answers the present.
 */
export const applyLedgerEvent = (t: TableAccess, e: LedgerEnvelope): void => {
  const event = e.event;
  if (event.type === 'PartyRegistered') {
    registerParty(t, e, event.data);
    return;
  }
  const incidentId = event.data.incidentId;
  const ctx: IncidentContext = { t, e, incidentId, incident: { ...(t.get(incidentsTable, { incidentId }) ?? emptyIncident(incidentId)) } };
  switch (event.type) {
    case 'IncidentReported':
      reportIncident(ctx, event.data);
      addTimelineEntry(ctx, { kind: 'reported', data: event.data });
      break;
    case 'ClaimMade':
      makeClaim(ctx, event.data);
      touchParties(t, e, [event.data.partyId]);
      addTimelineEntry(ctx, { kind: 'claim', data: event.data });
      break;
    case 'ClaimDenied': {
      const denied = denyClaim(ctx, event.data);
      touchParties(t, e, [denied.partyId, denied.claimPartyId]);
      addTimelineEntry(ctx, { kind: 'denial', data: denied });
      break;
    }
    case 'ClaimCorrected':
      correctClaim(ctx, event.data);
      touchParties(t, e, [event.data.partyId]);
      addTimelineEntry(ctx, { kind: 'correction', data: event.data });
      break;
    case 'ClaimRetracted':
      retractClaim(ctx, event.data);
      touchParties(t, e, [event.data.partyId]);
      addTimelineEntry(ctx, { kind: 'retraction', data: event.data });
      break;
    case 'EntryAmended':
      amendEntry(ctx, event.data);
      break;
    case 'SourceGraded':
      gradeSource(ctx, event.data);
      break;
    default:
      unhandledEvent(event);
  }
  saveIncident(ctx);
};
