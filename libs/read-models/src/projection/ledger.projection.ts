import { IncidentEvent, unhandled } from '@ledger/domain';
import { LedgerEnvelope } from '../envelope';
import { incidentsTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { amendEntry } from './amendments.projection';
import { correctClaim, denyClaim, gradeSource, makeClaim, retractClaim } from './claims.projection';
import { emptyIncident, registerParty, reportIncident, saveIncident, touchParties } from './incidents.projection';
import { homeOf, incidentContext, mergeInto, noteRoutedDenial, saveOtherIncident, splitOff } from './merge-split.projection';
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
  const home = homeOfEvent(t, event);
  if (home !== incidentId) {
    // An entry moved by a merge or split: its rows (and the event's deltas) are the other incident's, the stream's
    // revision is still this one's.
    const ctx = incidentContext(t, e, home);
    applyIncidentEvent(ctx, event);
    if (event.type === 'ClaimDenied') noteRoutedDenial(ctx, incidentId, event.data.denialId, event.data.claimId);
    saveOtherIncident(ctx);
    saveIncident({ t, e, incidentId, incident: { ...(t.get(incidentsTable, { incidentId }) ?? emptyIncident(incidentId)) } });
    return;
  }
  const ctx: IncidentContext = { t, e, incidentId, incident: { ...(t.get(incidentsTable, { incidentId }) ?? emptyIncident(incidentId)) } };
  applyIncidentEvent(ctx, event);
  saveIncident(ctx);
};

/** The incident whose rows an event of an incident stream changes: the stream's own, or where a merge or split moved the entry it is about. */
const homeOfEvent = (t: TableAccess, event: IncidentEvent): string => {
  const recordedIn = event.data.incidentId;
  switch (event.type) {
    case 'ClaimDenied':
    case 'ClaimCorrected':
    case 'ClaimRetracted':
    case 'SourceGraded':
      return homeOf(t, recordedIn, event.data.claimId);
    case 'EntryAmended': {
      const ref = event.data.entry;
      if (ref?.kind === 'denial') return homeOf(t, recordedIn, ref.denialId);
      if (ref?.kind === 'claim' || ref?.kind === 'retraction') return homeOf(t, recordedIn, ref.claimId);
      return recordedIn;
    }
    default:
      return recordedIn;
  }
};

const applyIncidentEvent = (ctx: IncidentContext, event: IncidentEvent): void => {
  const { t, e } = ctx;
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
    case 'IncidentMergedInto':
      addTimelineEntry(ctx, { kind: 'merged-into', data: event.data });
      mergeInto(ctx, event.data);
      break;
    case 'IncidentsMerged':
      addTimelineEntry(ctx, { kind: 'merged', data: event.data });
      break;
    case 'IncidentSplit':
      addTimelineEntry(ctx, { kind: 'split', data: event.data });
      splitOff(ctx, event.data);
      break;
    case 'IncidentSplitFrom':
      addTimelineEntry(ctx, { kind: 'split-from', data: event.data });
      break;
    default:
      unhandledEvent(event);
  }
};
