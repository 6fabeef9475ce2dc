import { INCIDENT_DAY_CLOCKS, IncidentDayClock, IncidentRow, UNCODED_CATEGORY, incidentsByDayTable, incidentsTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';

interface DayCell {
  clock: IncidentDayClock;
  day: string;
  category: string;
  contested: boolean;
}

const CLOCKS = Object.keys(INCIDENT_DAY_CLOCKS) as IncidentDayClock[];

/** Where an incident row counts in incidents_by_day on one clock: nowhere until it is reported and has that instant. */
const cellOf = (row: IncidentRow | undefined, clock: IncidentDayClock): DayCell | undefined => {
  const instant = row?.reported ? row[INCIDENT_DAY_CLOCKS[clock]] : null;
  if (!row || instant === null) return undefined;
  return { clock, day: instant.slice(0, 10), category: row.category ?? UNCODED_CATEGORY, contested: row.contested };
};

const sameCell = (a: DayCell | undefined, b: DayCell | undefined): boolean =>
  a === b || (a !== undefined && b !== undefined && a.day === b.day && a.category === b.category && a.contested === b.contested);

const count = (t: TableAccess, cell: DayCell, by: 1 | -1): void => {
  const key = { clock: cell.clock, day: cell.day, category: cell.category };
  const row = t.get(incidentsByDayTable, key) ?? { ...key, incidents: 0, contested: 0 };
  const incidents = row.incidents + by;
  if (incidents === 0) t.delete(incidentsByDayTable, key);
  else t.put(incidentsByDayTable, { ...row, incidents, contested: row.contested + (cell.contested ? by : 0) });
};

/**
 * Every write of an incident row goes through here, so that the day counts the contested statistic reads move with
 * it: by the difference between the row stored and the row put (most writes change neither the day nor the flag).
 */
export const putIncident = (t: TableAccess, row: IncidentRow): void => {
  const before = t.get(incidentsTable, { incidentId: row.incidentId });
  t.put(incidentsTable, row);
  for (const clock of CLOCKS) {
    const [was, now] = [cellOf(before, clock), cellOf(row, clock)];
    if (sameCell(was, now)) continue;
    if (was) count(t, was, -1);
    if (now) count(t, now, 1);
  }
};
