import { PointInTime } from '@ledger/domain';
import { EntryMeta } from '../envelope';
import { entryMetaOf } from '../projection/projection-context';
import { TimelineDetail, TimelineEntryKind } from '../projection/timeline.projection';
import { ClaimRow, TimelineEntryRow, amendmentsTable, claimVersionsTable, claimsTable, denialsTable, incidentsTable, timelineEntriesTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { EntriesPage, EntriesPageRequest, entriesPageOf } from './entries-page';
import { PartyNameLookup, PartyNames } from './party-names';
import { SummarySubject, readableSummary } from './readable-summary';

export interface TimelineEntry extends EntryMeta {
  kind: TimelineEntryKind;
  /** Who said it; null for the ledger's own entries (report, amendment). */
  partyId: string | null;
  /** The speaker's registered name; null for the ledger's own entries or a party not registered. */
  partyName: string | null;
  claimId?: string;
  version?: number;
  denialId?: string;
  amendmentId?: string;
  /** One line for humans, with parties' names and what was asserted: "X claimed that Y violated the ceasefire". */
  summary: string;
  statedAt: PointInTime | null;
  detail: TimelineDetail;
  amendedBy: string[];
}

/** Every entry of an incident in recorded order. */
export interface IncidentTimelineDoc {
  incidentId: string;
  entries: TimelineEntry[];
  /** Every party the entries mention (speakers, parties named in what they asserted), by id. */
  partyNames: PartyNames;
  lastPosition: string;
}

export interface IncidentTimelinePage extends IncidentTimelineDoc {
  page: EntriesPage;
}

export const timelineEntryOf = (row: TimelineEntryRow): TimelineEntry => ({
  kind: row.kind,
  partyId: row.partyId,
  partyName: null,
  ...(row.claimId !== null ? { claimId: row.claimId } : {}),
  ...(row.version !== null ? { version: row.version } : {}),
  ...(row.denialId !== null ? { denialId: row.denialId } : {}),
  ...(row.amendmentId !== null ? { amendmentId: row.amendmentId } : {}),
  summary: row.summary,
  statedAt: row.statedAt,
  detail: row.detail as TimelineDetail,
  amendedBy: row.amendedBy,
  ...entryMetaOf(row),
});

/** "What was recorded about this incident, in order?", whole or a page at a time. */
export function incidentTimelineView(t: TableAccess, incidentId: string): IncidentTimelineDoc | undefined;
export function incidentTimelineView(t: TableAccess, incidentId: string, request: EntriesPageRequest): IncidentTimelinePage | undefined;
export function incidentTimelineView(t: TableAccess, incidentId: string, request?: EntriesPageRequest): IncidentTimelineDoc | IncidentTimelinePage | undefined {
  const incident = t.get(incidentsTable, { incidentId });
  const { limit, after } = entriesPageOf(request ?? {});
  // Asked before the incident is known to exist: over PostgreSQL both then come in the view's first round.
  const rows = t.find(
    timelineEntriesTable,
    { incidentId },
    {
      orderBy: [{ column: 'position' }],
      ...(after !== undefined ? { after: { column: 'position', value: after } } : {}),
      ...(limit !== undefined ? { limit: limit + 1 } : {}),
    },
  );
  if (!incident) return undefined;
  const more = limit !== undefined && rows.length > limit;
  const names = new PartyNameLookup(t);
  const entries = (more ? rows.slice(0, limit) : rows).map((row) => readableEntryOf(t, row, names));
  const doc: IncidentTimelineDoc = { incidentId, entries, partyNames: names.all(), lastPosition: incident.lastPosition.toString() };
  if (!request) return doc;
  const next = more ? entries[entries.length - 1].position : null;
  return { ...doc, page: { limit: limit ?? null, after: request.after ?? null, next } };
}

/**
 * What the line of an entry is written from: the entry's rows as the ledger now has them (amendments applied), read
 * by key, so a page costs a few lookups per entry whatever the size of the incident. Undefined when a row is missing
 * (a time-travel cut): the stored line is used then.
 */
const subjectOf = (t: TableAccess, row: TimelineEntryRow, names: PartyNameLookup): SummarySubject | undefined => {
  const detail = row.detail as TimelineDetail;
  const { incidentId } = row;
  const claimOf = (claimId: string | null) => (claimId === null ? undefined : t.get(claimsTable, { incidentId, claimId }));
  // A claim row holds no words: they are its current version's.
  const wordsOf = (claim: ClaimRow) => t.get(claimVersionsTable, { incidentId, claimId: claim.claimId, version: claim.version })?.statement;
  switch (detail.kind) {
    case 'reported':
      return detail;
    case 'claim': {
      const version = row.claimId === null ? undefined : t.get(claimVersionsTable, { incidentId, claimId: row.claimId, version: 1 });
      if (!version || row.partyId === null) return undefined;
      names.mention(version.assertions);
      const answered = detail.answers.flatMap((claimId) => claimOf(claimId)?.partyId ?? []);
      return { kind: 'claim', partyId: row.partyId, assertions: version.assertions, statement: version.statement, answersParties: [...new Set(answered)] };
    }
    case 'correction': {
      const version = row.claimId === null || row.version === null ? undefined : t.get(claimVersionsTable, { incidentId, claimId: row.claimId, version: row.version });
      if (!version || row.partyId === null) return undefined;
      names.mention(version.statedAssertions);
      return { kind: 'correction', partyId: row.partyId, version: version.version, changed: version.statedAssertions ?? {}, ...(version.restated ? { statement: version.statement } : {}), reason: detail.reason };
    }
    case 'denial': {
      const denial = row.denialId === null ? undefined : t.get(denialsTable, { incidentId, denialId: row.denialId });
      if (!denial) return undefined;
      const claim = claimOf(denial.claimId);
      names.mention(claim?.assertions);
      names.nameOf(denial.claimPartyId);
      return {
        kind: 'denial',
        partyId: denial.partyId,
        claimPartyId: denial.claimPartyId,
        deniedAssertions: denial.deniedAssertions,
        ...(claim ? { claimAssertions: claim.assertions, claimStatement: wordsOf(claim) } : {}),
        statement: denial.statement,
      };
    }
    case 'retraction': {
      const claim = claimOf(row.claimId);
      if (row.partyId === null) return undefined;
      names.mention(claim?.assertions);
      return { kind: 'retraction', partyId: row.partyId, ...(claim ? { claimAssertions: claim.assertions, claimStatement: wordsOf(claim) } : {}), reason: detail.reason };
    }
    case 'amendment': {
      const amended = row.amendmentId === null ? undefined : t.get(amendmentsTable, { incidentId, amendmentId: row.amendmentId });
      if (amended?.partyId) names.nameOf(amended.partyId);
      return { kind: 'amendment', entry: detail.entry, entryPartyId: amended?.partyId ?? null, fields: detail.fields, reason: detail.reason };
    }
    default:
      // Merges and splits: the stored line says all there is.
      return undefined;
  }
};

/** The entry with its speaker's name and a readable line. */
export const readableEntryOf = (t: TableAccess, row: TimelineEntryRow, names: PartyNameLookup): TimelineEntry => {
  const entry = timelineEntryOf(row);
  const subject = subjectOf(t, row, names);
  return {
    ...entry,
    partyName: row.partyId === null ? null : names.nameOf(row.partyId),
    summary: subject ? readableSummary(subject, (id) => names.label(id)) : row.summary,
  };
};
