import { ClaimCorrectedData, ClaimDeniedData, ClaimMadeData, ClaimRetractedData, EntryAmendedData, IncidentReportedData, applyEntryChanges } from '@ledger/domain';
import { FieldChange, diffValues } from '../field-diff';
import { AmendmentRow, amendmentsTable } from '../tables/ledger.tables';
import { amendClaimVersion, amendDenial, amendRetraction, changesFor, denialDataOf } from './claims.projection';
import { incidentPartyIds, touchParties, withReport } from './incidents.projection';
import { IncidentContext, recordedOf } from './projection-context';
import { addTimelineEntry, amendTimelineEntry } from './timeline.projection';

const incidentFacts = ({ title, summary, category, toll, occurred, location }: IncidentReportedData) => ({ title, summary, category, toll, occurred, location });
const denialFacts = ({ statement, deniedAssertions, claimVersion, statedAt, source }: ClaimDeniedData) => ({ statement, deniedAssertions, claimVersion, statedAt, source });
const retractionFacts = ({ reason, statement, statedAt, source }: ClaimRetractedData) => ({ reason, statement, statedAt, source });

type Target = Pick<AmendmentRow, 'claimId' | 'version' | 'denialId' | 'partyId' | 'diff'> & { touched: string[] };

/**
 * Applies a ledger amendment to the entry it fixes, with the domain's rule
 * (applyEntryChanges), rewrites that entry's timeline line, and records the
 * amendment itself with what it changed. An amendment of an entry that is
 * not in the log (a time-travel cut) is recorded without a change.
 */
const amendTarget = (ctx: IncidentContext, data: EntryAmendedData): Target => {
  const { entry: ref, changes, amendmentId } = data;
  const none: Target = { claimId: null, version: null, denialId: null, partyId: null, diff: null, touched: [] };
  switch (ref.kind) {
    case 'incident': {
      const before = ctx.incident.data;
      const touched = incidentPartyIds(ctx.t, ctx.incidentId);
      if (!before) return { ...none, touched };
      const after = applyEntryChanges(before, changesFor('incident', changes));
      ctx.incident = { ...withReport(ctx.incident, after), amendedBy: [...ctx.incident.amendedBy, amendmentId] };
      if (ctx.incident.reportedPosition !== null) amendTimelineEntry(ctx, ctx.incident.reportedPosition, { kind: 'reported', data: after }, amendmentId);
      return { ...none, diff: diffValues(incidentFacts(before), incidentFacts(after)), touched };
    }
    case 'claim': {
      const target = { ...none, claimId: ref.claimId, version: ref.version };
      const amended = amendClaimVersion(ctx, ref.claimId, ref.version, changes, amendmentId);
      if (!amended) return target;
      const { after, data } = amended;
      const subject = after.kind === 'made' ? { kind: 'claim' as const, data: data as ClaimMadeData } : { kind: 'correction' as const, data: data as ClaimCorrectedData };
      amendTimelineEntry(ctx, after.position, subject, amendmentId);
      return { ...target, partyId: after.partyId, diff: amended.diff, touched: [after.partyId] };
    }
    case 'denial': {
      const target = { ...none, denialId: ref.denialId };
      const amended = amendDenial(ctx, ref.denialId, changes, amendmentId);
      if (!amended) return target;
      const { before, after } = amended;
      amendTimelineEntry(ctx, after.position, { kind: 'denial', data: denialDataOf(after) }, amendmentId);
      const diff: FieldChange[] = diffValues(denialFacts(denialDataOf(before)), denialFacts(denialDataOf(after)));
      return { ...target, claimId: after.claimId, partyId: after.partyId, diff, touched: [after.partyId, after.claimPartyId] };
    }
    case 'retraction': {
      const target = { ...none, claimId: ref.claimId };
      const amended = amendRetraction(ctx, ref.claimId, changes, amendmentId);
      if (!amended) return target;
      const { before, after, position } = amended;
      amendTimelineEntry(ctx, position, { kind: 'retraction', data: after }, amendmentId);
      return { ...target, partyId: after.partyId, diff: diffValues(retractionFacts(before), retractionFacts(after)), touched: [after.partyId] };
    }
  }
};

export const amendEntry = (ctx: IncidentContext, data: EntryAmendedData): void => {
  const { touched, ...target } = amendTarget(ctx, data);
  ctx.t.put(amendmentsTable, {
    incidentId: ctx.incidentId,
    amendmentId: data.amendmentId,
    entryKind: data.entry.kind,
    entry: data.entry,
    ...target,
    reason: data.reason,
    fields: Object.keys(data.changes),
    changes: data.changes,
    ...recordedOf(ctx.e),
  });
  ctx.incident.amendments += 1;
  touchParties(ctx.t, ctx.e, touched);
  addTimelineEntry(ctx, { kind: 'amendment', data });
};
