import { PointInTime } from '@ledger/domain';
import { EntryMeta, LedgerEnvelope } from '../envelope';
import { IncidentRow, RecordedRow } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { startInstant } from '../time-range';

/**
 * What the deltas of one incident event work with: the rows, the event, and
 * the incident's own row as a working copy that the event's deltas update
 * (counters, disagreement count) and that is written once at the end.
 */
export interface IncidentContext {
  t: TableAccess;
  e: LedgerEnvelope;
  incidentId: string;
  incident: IncidentRow;
}

export const recordedOf = (e: LedgerEnvelope): RecordedRow => ({
  eventId: e.eventId,
  recordedAt: e.recordedAt,
  recordedBy: e.recordedBy,
  position: e.position,
});

/** The recording facts of a row as the API shows them (positions as decimal strings). */
export const entryMetaOf = (row: RecordedRow): EntryMeta => ({
  eventId: row.eventId,
  recordedAt: row.recordedAt,
  recordedBy: row.recordedBy,
  position: row.position.toString(),
});

/** Stated times order by the start of what they name; an unreadable one sorts first rather than failing the batch. */
export const statedOrderOf = (statedAt: PointInTime): number => {
  const ms = startInstant(statedAt.at);
  return Number.isFinite(ms) ? ms : 0;
};

export const statedStartOf = (statedAt: PointInTime | null): string | null => {
  if (!statedAt) return null;
  let start = statedStarts.get(statedAt.at);
  if (start === undefined) {
    const ms = startInstant(statedAt.at);
    if (statedStarts.size >= 4096) statedStarts.clear();
    statedStarts.set(statedAt.at, (start = Number.isFinite(ms) ? new Date(ms).toISOString() : null));
  }
  return start;
};

/** Every timeline line writes its stated start; the same few days recur, so each is formatted once. */
const statedStarts = new Map<string, string | null>();
