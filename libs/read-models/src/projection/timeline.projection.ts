import {
  AssertionField,
  ClaimCorrectedData,
  ClaimDeniedData,
  ClaimMadeData,
  ClaimRetractedData,
  EntryAmendedData,
  EntryRef,
  IncidentCategory,
  IncidentMergedIntoData,
  IncidentReportedData,
  IncidentSplitData,
  IncidentSplitFromData,
  IncidentsMergedData,
  PointInTime,
  assertedFields,
} from '@ledger/domain';
import { TimelineEntryRow, timelineEntriesTable } from '../tables/ledger.tables';
import { IncidentContext, recordedOf, statedStartOf } from './projection-context';

export type TimelineEntryKind = TimelineEntryRow['kind'];

/** The data a summary line is written from. */
export type TimelineDetail =
  | { kind: 'reported'; title: string; category: string; place: string }
  | { kind: 'claim'; fields: AssertionField[]; answers: string[] }
  | { kind: 'denial'; claimPartyId: string; deniedAssertions: AssertionField[] }
  | { kind: 'correction'; fields: AssertionField[]; statementChanged: boolean; reason: string }
  | { kind: 'retraction'; reason: string }
  | { kind: 'amendment'; entry: EntryRef; fields: string[]; reason: string }
  | { kind: 'merged-into'; survivorId: string; mergeId: string; reason: string }
  | { kind: 'merged'; absorbedId: string; mergeId: string; reason: string }
  | { kind: 'split'; newIncidentId: string; splitId: string; claimIds: string[]; reason: string }
  | { kind: 'split-from'; sourceId: string; splitId: string; claimIds: string[]; reason: string };

const list = (items: string[]): string => items.join(', ');

/** "battles/armed-clash #ceasefire-violation", or "not coded" for a v1 category with no ACLED counterpart. */
export const categoryText = ({ eventType, subEventType, tags }: IncidentCategory): string =>
  [[eventType ?? 'not coded', ...(subEventType ? [subEventType] : [])].join('/'), ...tags.map((t) => `#${t}`)].join(' ');

const entryRefText = (ref: EntryRef): string => {
  switch (ref.kind) {
    case 'incident':
      return 'the incident report';
    case 'claim':
      return `claim ${ref.claimId} version ${ref.version}`;
    case 'denial':
      return `denial ${ref.denialId}`;
    case 'retraction':
      return `the retraction of claim ${ref.claimId}`;
  }
};

export const summarise = (entry: { partyId: string | null; claimId?: string | null; version?: number | null; detail: TimelineDetail }): string => {
  const d = entry.detail;
  switch (d.kind) {
    case 'reported':
      return `Incident reported: ${d.title} (${d.category}, ${d.place})`;
    case 'claim':
      return (
        `${entry.partyId} made claim ${entry.claimId}` +
        (d.fields.length ? ` (${list(d.fields)})` : '') +
        (d.answers.length ? ` answering ${list(d.answers)}` : '')
      );
    case 'denial':
      return `${entry.partyId} denied claim ${entry.claimId}${entry.version != null ? ` version ${entry.version}` : ''} of ${d.claimPartyId} (${d.deniedAssertions.length ? list(d.deniedAssertions) : 'whole claim'})`;
    case 'correction': {
      const what = [...(d.statementChanged ? ['statement'] : []), ...d.fields];
      return `${entry.partyId} corrected claim ${entry.claimId} to version ${entry.version}` + (what.length ? ` (${list(what)})` : '') + `: ${d.reason}`;
    }
    case 'retraction':
      return `${entry.partyId} retracted claim ${entry.claimId}: ${d.reason}`;
    case 'amendment':
      return `Ledger amended ${entryRefText(d.entry)} (${list(d.fields)}): ${d.reason}`;
    case 'merged-into':
      return `Merged into incident ${d.survivorId}: ${d.reason}`;
    case 'merged':
      return `Absorbed incident ${d.absorbedId}: ${d.reason}`;
    case 'split':
      return `Split off ${d.claimIds.length === 1 ? 'claim' : 'claims'} ${list(d.claimIds)} into incident ${d.newIncidentId}: ${d.reason}`;
    case 'split-from':
      return `Split from incident ${d.sourceId} with ${d.claimIds.length === 1 ? 'claim' : 'claims'} ${list(d.claimIds)}: ${d.reason}`;
  }
};

/** What a timeline line says about an entry, from the entry's data as the ledger now has it (amendments applied). */
export type TimelineSubject =
  | { kind: 'reported'; data: IncidentReportedData }
  | { kind: 'claim'; data: ClaimMadeData }
  | { kind: 'correction'; data: ClaimCorrectedData }
  | { kind: 'denial'; data: ClaimDeniedData }
  | { kind: 'retraction'; data: ClaimRetractedData }
  | { kind: 'amendment'; data: EntryAmendedData }
  | { kind: 'merged-into'; data: IncidentMergedIntoData }
  | { kind: 'merged'; data: IncidentsMergedData }
  | { kind: 'split'; data: IncidentSplitData }
  | { kind: 'split-from'; data: IncidentSplitFromData };

type EntryColumns = Pick<TimelineEntryRow, 'kind' | 'partyId' | 'claimId' | 'version' | 'denialId' | 'amendmentId' | 'statedAt' | 'detail' | 'summary' | 'statedStart'>;

const entryColumns = (subject: TimelineSubject): EntryColumns => {
  const line = (
    partyId: string | null,
    statedAt: PointInTime | null,
    detail: TimelineDetail,
    ids: Partial<Pick<TimelineEntryRow, 'claimId' | 'version' | 'denialId' | 'amendmentId'>> = {},
  ): EntryColumns => {
    const [claimId, version] = [ids.claimId ?? null, ids.version ?? null];
    return {
      kind: subject.kind,
      partyId,
      claimId,
      version,
      denialId: ids.denialId ?? null,
      amendmentId: ids.amendmentId ?? null,
      statedAt,
      statedStart: statedStartOf(statedAt),
      detail,
      summary: summarise({ partyId, claimId, version, detail }),
    };
  };
  switch (subject.kind) {
    case 'reported': {
      const { title, category, location } = subject.data;
      return line(null, null, { kind: 'reported', title, category: categoryText(category), place: location.name });
    }
    case 'claim': {
      const { partyId, claimId, statedAt, assertions, answers } = subject.data;
      return line(partyId, statedAt, { kind: 'claim', fields: assertedFields(assertions), answers }, { claimId, version: 1 });
    }
    case 'correction': {
      const { partyId, claimId, version, statedAt, assertions, statement, reason } = subject.data;
      const detail: TimelineDetail = { kind: 'correction', fields: assertedFields(assertions ?? {}), statementChanged: statement !== undefined, reason };
      return line(partyId, statedAt, detail, { claimId, version });
    }
    case 'denial': {
      const { partyId, claimId, denialId, statedAt, claimPartyId, deniedAssertions, claimVersion } = subject.data;
      return line(partyId, statedAt, { kind: 'denial', claimPartyId, deniedAssertions }, { claimId, version: claimVersion, denialId });
    }
    case 'retraction': {
      const { partyId, claimId, statedAt, reason } = subject.data;
      return line(partyId, statedAt, { kind: 'retraction', reason }, { claimId });
    }
    case 'amendment': {
      const { amendmentId, entry: ref, changes, reason } = subject.data;
      return line(null, null, { kind: 'amendment', entry: ref, fields: Object.keys(changes), reason }, {
        amendmentId,
        ...(ref.kind === 'claim' ? { claimId: ref.claimId, version: ref.version } : {}),
        ...(ref.kind === 'retraction' ? { claimId: ref.claimId } : {}),
        ...(ref.kind === 'denial' ? { denialId: ref.denialId } : {}),
      });
    }
    case 'merged-into': {
      const { survivorId, mergeId, reason } = subject.data;
      return line(null, null, { kind: 'merged-into', survivorId, mergeId, reason });
    }
    case 'merged': {
      const { absorbedId, mergeId, reason } = subject.data;
      return line(null, null, { kind: 'merged', absorbedId, mergeId, reason });
    }
    case 'split': {
      const { newIncidentId, splitId, claimIds, reason } = subject.data;
      return line(null, null, { kind: 'split', newIncidentId, splitId, claimIds, reason });
    }
    case 'split-from': {
      const { sourceId, splitId, claimIds, reason } = subject.data;
      return line(null, null, { kind: 'split-from', sourceId, splitId, claimIds, reason });
    }
  }
};

/** Every incident event adds one line. */
export const addTimelineEntry = (ctx: IncidentContext, subject: TimelineSubject): void => {
  ctx.t.put(timelineEntriesTable, { incidentId: ctx.incidentId, ...entryColumns(subject), amendedBy: [], ...recordedOf(ctx.e) });
};

/** Rewrites the line of an entry the ledger amended (found by the position of the event that recorded it), from the amended data. */
export const amendTimelineEntry = (ctx: IncidentContext, position: bigint, subject: TimelineSubject, amendmentId: string): void => {
  const row = ctx.t.get(timelineEntriesTable, { incidentId: ctx.incidentId, position });
  if (!row) return;
  ctx.t.put(timelineEntriesTable, { ...row, ...entryColumns(subject), amendedBy: [...row.amendedBy, amendmentId] });
};
