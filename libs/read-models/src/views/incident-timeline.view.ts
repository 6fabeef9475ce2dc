import { PointInTime } from '@ledger/domain';
import { EntryMeta } from '../envelope';
import { entryMetaOf } from '../projection/projection-context';
import { TimelineDetail, TimelineEntryKind } from '../projection/timeline.projection';
import { TimelineEntryRow, incidentsTable, timelineEntriesTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { EntriesPage, EntriesPageRequest, entriesPageOf } from './entries-page';

export interface TimelineEntry extends EntryMeta {
  kind: TimelineEntryKind;
  /** Who said it; null for the ledger's own entries (report, amendment). */
  partyId: string | null;
  claimId?: string;
  version?: number;
  denialId?: string;
  amendmentId?: string;
  /** One line for humans, written from the data. */
  summary: string;
  statedAt: PointInTime | null;
  detail: TimelineDetail;
  amendedBy: string[];
}

/** Every entry of an incident in recorded order. */
export interface IncidentTimelineDoc {
  incidentId: string;
  entries: TimelineEntry[];
  lastPosition: string;
}

export interface IncidentTimelinePage extends IncidentTimelineDoc {
  page: EntriesPage;
}

export const timelineEntryOf = (row: TimelineEntryRow): TimelineEntry => ({
  kind: row.kind,
  partyId: row.partyId,
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
  if (!incident) return undefined;
  const { limit, after } = entriesPageOf(request ?? {});
  const rows = t.find(
    timelineEntriesTable,
    { incidentId },
    {
      orderBy: [{ column: 'position' }],
      ...(after !== undefined ? { after: { column: 'position', value: after } } : {}),
      ...(limit !== undefined ? { limit: limit + 1 } : {}),
    },
  );
  const more = limit !== undefined && rows.length > limit;
  const entries = (more ? rows.slice(0, limit) : rows).map(timelineEntryOf);
  const doc: IncidentTimelineDoc = { incidentId, entries, lastPosition: incident.lastPosition.toString() };
  if (!request) return doc;
  const next = more ? entries[entries.length - 1].position : null;
  return { ...doc, page: { limit: limit ?? null, after: request.after ?? null, next } };
}
