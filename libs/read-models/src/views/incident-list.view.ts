import { CasualtyReport, IncidentCategory, Place, TimeInterval } from '@ledger/domain';
import { IncidentCounts, IncidentRow, incidentPartiesTable, incidentsTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { InstantRange } from '../time-range';
import { PartyNameLookup, PartyNames } from './party-names';
import { mergedIntoOf } from './party-versions.view';

/** One row of the dashboards' incident list. */
export interface IncidentListItem {
  incidentId: string;
  title: string;
  summary: string;
  /** ACLED event type and sub-event type, with free tags. */
  category: IncidentCategory;
  /** The incident's toll by casualty group, as the ledger reports it; absent when none was given. */
  toll?: CasualtyReport[];
  occurred: TimeInterval;
  /** `occurred` as UTC instants, date-only bounds widened to whole days; what date filters and ordering use. */
  occurredRange: InstantRange;
  location: Place;
  /** Recorded time of IncidentReported. */
  reportedAt: string;
  /** Parties that made or denied claims, sorted. */
  partyIds: string[];
  /** Their registered names by id (null while a party is only named by entries). */
  partyNames: PartyNames;
  counts: IncidentCounts;
  /** True when the parties' versions disagree anywhere (see the disagreements table). */
  contested: boolean;
  disagreementCount: number;
  lastRecordedAt: string;
  lastPosition: string;
  revision: string;
  /** The incident this one was merged into (the end of the chain of merges): its claims count there. Absent: not merged. */
  mergedInto?: string;
}

/** The list item of a reported incident; undefined while its report is not in the log. */
export const incidentListItemOf = (row: IncidentRow, partyIds: string[], nameOf: (partyId: string) => string | null = () => null): IncidentListItem | undefined => {
  if (!row.data || row.occurredStart === null || row.occurredEnd === null) return undefined;
  const { title, summary, category, occurred, location, toll } = row.data;
  return {
    incidentId: row.incidentId,
    title,
    summary,
    category,
    ...(toll !== undefined ? { toll } : {}),
    occurred,
    occurredRange: { start: row.occurredStart, end: row.occurredEnd },
    location,
    reportedAt: row.reportedAt ?? '',
    partyIds: [...partyIds].sort(),
    partyNames: Object.fromEntries([...partyIds].sort().map((id) => [id, nameOf(id)])),
    counts: {
      claims: row.claims,
      activeClaims: row.activeClaims,
      denials: row.denials,
      corrections: row.corrections,
      retractions: row.retractions,
      amendments: row.amendments,
    },
    contested: row.contested,
    disagreementCount: row.disagreements,
    lastRecordedAt: row.lastRecordedAt,
    lastPosition: row.lastPosition.toString(),
    revision: row.revision.toString(),
  };
};

export const incidentView = (t: TableAccess, incidentId: string): IncidentListItem | undefined => {
  const row = t.get(incidentsTable, { incidentId });
  if (!row) return undefined;
  const names = new PartyNameLookup(t);
  const item = incidentListItemOf(row, t.find(incidentPartiesTable, { incidentId }).map((p) => p.partyId), (id) => names.nameOf(id));
  return item && { ...item, ...mergedIntoOf(t, row) };
};
