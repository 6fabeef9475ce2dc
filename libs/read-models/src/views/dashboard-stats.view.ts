import { CasualtyCategory, CasualtyReport, Estimate, PointInTime, casualtyGroupKey } from '@ledger/domain';
import { INCIDENT_DAY_CLOCKS, incidentPartiesTable, incidentsTable, partiesTable, partyPositionsTable } from '../tables/ledger.tables';
import { TableAccess, snakeCase } from '../tables/table-spec';
import { endInstant, startInstant } from '../time-range';

/** Hand-written SQL over the read-model tables, with named parameters (`@name`); rows as plain objects, counts as numbers. */
export interface SqlRows {
  /** The SQL the store speaks: the few constructs SQLite and PostgreSQL write differently go through it. */
  readonly dialect: SqlDialect;
  all<R>(sql: string, params: Record<string, SqlParam>): R[];
}

export type SqlParam = string | number | boolean | null;

/**
 * Where the statistics' SQL differs between the read models' two stores. Everything else they write (substr, CASE,
 * GROUP BY ordinals, LIMIT/OFFSET, ESCAPE '\') both run as it is. Each form answers exactly as the other: LIKE folds
 * ASCII letters only (SQLite's LIKE; PostgreSQL's ILIKE under the "C" collation), NULLs sort as SQLite sorts them.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgres';
  /** A flag column is set. */
  isSet(column: string): string;
  /** A flag as a parameter value. */
  flag(value: boolean): SqlParam;
  /** How many rows of the group meet a condition. */
  countWhere(condition: string): string;
  /** `column` (text, or JSON searched as its text) contains the `@param` LIKE pattern, ASCII case-insensitively, backslash escaping. */
  like(column: string, param: string): string;
  /** The texts of a JSON array parameter, as the rows of a subquery (for `IN (…)`). */
  textsOf(param: string): string;
  /** A descending sort key, NULLs last (SQLite's order). */
  descending(column: string): string;
  /** The Monday (YYYY-MM-DD) of the week a day (YYYY-MM-DD text) falls in. */
  weekStart(day: string): string;
}

export const SQLITE_DIALECT: SqlDialect = {
  name: 'sqlite',
  isSet: (column) => `${column} = 1`,
  flag: (value) => (value ? 1 : 0),
  countWhere: (condition) => `SUM(${condition})`,
  like: (column, param) => `${column} LIKE @${param} ESCAPE '\\'`,
  textsOf: (param) => `SELECT value FROM json_each(@${param})`,
  descending: (column) => `${column} DESC`,
  weekStart: (day) => `date(${day}, '-' || ((CAST(strftime('%w', ${day}) AS INTEGER) + 6) % 7) || ' days')`,
};

export const POSTGRES_DIALECT: SqlDialect = {
  name: 'postgres',
  isSet: (column) => column,
  flag: (value) => value,
  countWhere: (condition) => `COUNT(*) FILTER (WHERE ${condition})`,
  // Under "C", lower() and so ILIKE fold ASCII letters only, as SQLite's LIKE does.
  like: (column, param) => `CAST(${column} AS text) COLLATE "C" ILIKE @${param} ESCAPE '\\'`,
  textsOf: (param) => `SELECT json_array_elements_text(CAST(@${param} AS json))`,
  descending: (column) => `${column} DESC NULLS LAST`,
  weekStart: (day) => `to_char(date_trunc('week', CAST(${day} AS date)), 'YYYY-MM-DD')`,
};

export const STAT_BUCKETS = ['day', 'week', 'month', 'none'] as const;
export type StatBucket = (typeof STAT_BUCKETS)[number];
export const ACTIVITY_CLOCKS = ['occurred', 'stated', 'recorded'] as const;
export type ActivityClock = (typeof ACTIVITY_CLOCKS)[number];
export const ACTIVITY_GROUPS = ['party', 'category', 'none'] as const;
export type ActivityGroup = (typeof ACTIVITY_GROUPS)[number];
export const INCIDENT_CLOCKS = ['occurred', 'recorded'] as const;
export type IncidentClock = (typeof INCIDENT_CLOCKS)[number];

export class InvalidStatsQueryError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'InvalidStatsQueryError';
  }
}

/** How many entries of each kind. */
export interface ActivityCounts {
  claims: number;
  denials: number;
  corrections: number;
  retractions: number;
}

/** One cell of an activity chart: a time bucket (null when not bucketed) × a group (none when not grouped). */
export interface ActivityRow extends ActivityCounts {
  /** First day of the bucket (YYYY-MM-DD; weeks start on Monday); null with bucket=none. */
  bucket: string | null;
  /** by=party: who said it (the denier for a denial). */
  partyId?: string;
  /** by=party: the party's registered name; null while it is not registered. */
  partyName?: string | null;
  /** by=category: the incident's category. */
  category?: string;
}

export interface ActivityQuery {
  bucket: StatBucket;
  clock: ActivityClock;
  by: ActivityGroup;
  /** Bounds on the chosen clock, ISO-8601 dates or date-times; a date-only bound covers its whole day. */
  from?: string;
  to?: string;
  partyId?: string;
  category?: string;
}

/** Counts of claims, denials, corrections and retractions for tiles and charts. */
export interface ActivityStats {
  bucket: StatBucket;
  clock: ActivityClock;
  by: ActivityGroup;
  from: string | null;
  to: string | null;
  /** Cells with at least one entry, by bucket then group. */
  rows: ActivityRow[];
  totals: ActivityCounts;
}

export interface IncidentsContestedQuery {
  bucket: StatBucket;
  clock: IncidentClock;
  from?: string;
  to?: string;
  category?: string;
}

export interface IncidentsContestedRow {
  bucket: string | null;
  incidents: number;
  /** The parties' versions disagree somewhere now. */
  contested: number;
  uncontested: number;
}

/** Reported incidents, contested or not as the read models stand, by when they happened or were recorded. */
export interface IncidentsContestedStats {
  bucket: StatBucket;
  clock: IncidentClock;
  from: string | null;
  to: string | null;
  rows: IncidentsContestedRow[];
  totals: Omit<IncidentsContestedRow, 'bucket'>;
}

/** One side's figures as one party states them. */
export interface CasualtyFigure {
  /** The group counted, as a key: `side=<party>`, `category=civilians`, `nationality=NL` (joined by commas) or `unattributed`. */
  group: string;
  /** The party whose people these are; null: attributed to no side. */
  side: string | null;
  /** The side's registered name; null for no side or a party not registered. */
  sideName: string | null;
  category: CasualtyCategory | null;
  /** ISO 3166-1 alpha-2. */
  nationality: string | null;
  killed: Estimate | null;
  wounded: Estimate | null;
  /** Named victims the party lists for the side. */
  namedVictims: number;
}

export interface PartyCasualties {
  partyId: string;
  partyName: string | null;
  /**
   * The figures of the party's standing claim stated latest that gives any; null: the party said nothing about
   * casualties. An empty list is a claim that states casualties and names none.
   */
  figures: CasualtyFigure[] | null;
  /** The claim the figures come from; null when the party said nothing about casualties. */
  claimId: string | null;
  /** When that claim's current version was stated. */
  statedAt: PointInTime | null;
}

/** Casualty figures of each party's version of one incident, for a chart of best/low/high per side. */
export interface IncidentCasualties {
  incidentId: string;
  title: string | null;
  /** Every party that spoke about the incident, in order of its first entry. */
  parties: PartyCasualties[];
  /** Every party side some party gives figures for, in order of first mention. */
  sides: string[];
  /** Every group some party gives figures for (see CasualtyFigure.group), in order of first mention. */
  groups: string[];
}

const CLOCK_COLUMNS: Record<ActivityClock, string> = {
  occurred: 'i."occurred_start"',
  stated: 'te."stated_start"',
  recorded: 'te."recorded_at"',
};

/** The column each clock reads: the same one incidents_by_day takes its days from. */
const INCIDENT_CLOCK_COLUMNS = Object.fromEntries(INCIDENT_CLOCKS.map((clock) => [clock, `"${snakeCase(INCIDENT_DAY_CLOCKS[clock])}"`])) as Record<IncidentClock, string>;

/** The first day of the bucket a UTC instant (ISO text) falls in; weeks start on Monday, as ISO 8601 has them. */
export const bucketSql = (bucket: StatBucket, column: string, dialect: SqlDialect = SQLITE_DIALECT): string => {
  const day = `substr(${column}, 1, 10)`;
  switch (bucket) {
    case 'day':
      return day;
    case 'week':
      return dialect.weekStart(day);
    case 'month':
      return `substr(${column}, 1, 7) || '-01'`;
    case 'none':
      return 'NULL';
  }
};

const instant = (value: string | undefined, toInstant: (iso: string) => number, field: string): string | null => {
  if (value === undefined) return null;
  const ms = toInstant(value);
  if (!Number.isFinite(ms)) throw new InvalidStatsQueryError(`${field} must be an ISO-8601 date or date-time`, field);
  return new Date(ms).toISOString();
};

/** Instant bounds of [from, to] (date-only bounds widened to whole days), refused when from is after to. */
const boundsOf = (from: string | undefined, to: string | undefined): { from: string | null; to: string | null } => {
  const bounds = { from: instant(from, startInstant, 'from'), to: instant(to, endInstant, 'to') };
  if (bounds.from !== null && bounds.to !== null && bounds.from > bounds.to) throw new InvalidStatsQueryError('`from` must not be after `to`', 'from');
  return bounds;
};

const ENTRY_KINDS = `('claim', 'denial', 'correction', 'retraction')`;

/** The first day of the week (Monday) or month a day (YYYY-MM-DD) falls in. */
export const bucketOfDay = (day: string, bucket: 'day' | 'week' | 'month'): string => {
  if (bucket === 'day') return day;
  if (bucket === 'month') return `${day.slice(0, 7)}-01`;
  const ms = Date.parse(`${day}T00:00:00Z`);
  const sinceMonday = (new Date(ms).getUTCDay() + 6) % 7;
  return new Date(ms - sinceMonday * 86_400_000).toISOString().slice(0, 10);
};

/** Counts of the entries of one day (null when not bucketed) and group (null when not grouped), as SQL groups them. */
export type ActivityCell = ActivityCounts & { day: string | null; key: string | null };

/**
 * One GROUP BY over the timeline's entry rows (one row per claim, denial, correction and retraction) by day and
 * group, read from the covering index timeline_entries_for_stats when the clock is the entry's own (the incident is
 * joined only when its category or occurrence is asked for). Days are rolled into weeks or months here: a few
 * thousand cells, where a date function per row in SQL cost more than the scan.
 */
export const activityStats = (sql: SqlRows, q: ActivityQuery): ActivityStats => activityAnswer(sql, q, activityCells(sql, q));

/**
 * The cells of an activity statistic, before days are rolled into buckets. With `afterRow`, only the timeline rows
 * SQLite stored after that rowid, read by a range of the table's own b-tree (SQLite only; see KeptActivityCounts).
 */
export const activityCells = (sql: SqlRows, q: ActivityQuery, afterRow?: number): ActivityCell[] => {
  if (afterRow !== undefined && sql.dialect.name !== 'sqlite') throw new Error('Counting the entries after a rowid needs SQLite');
  const { from, to } = boundsOf(q.from, q.to);
  const needsIncident = q.clock === 'occurred' || q.by === 'category' || q.category !== undefined;
  // With a value of the incident needed (its category, its occurrence day), the entries are first counted per incident
  // (and per day and party where those are the entries' own), from the covering index; only those groups, not every
  // entry, are then joined to their incident.
  const entryClock = q.clock === 'occurred' ? null : CLOCK_COLUMNS[q.clock];
  const clock = entryClock ?? 'i."occurred_start"';
  const inner = [`te."kind" IN ${ENTRY_KINDS}`];
  const outer: string[] = [];
  const params: Record<string, SqlParam> = {};
  const onClock = entryClock !== null || !needsIncident ? inner : outer;
  onClock.push(`${clock} IS NOT NULL`);
  if (from !== null) (onClock.push(`${clock} >= @from`), (params.from = from));
  if (to !== null) (onClock.push(`${clock} <= @to`), (params.to = to));
  if (q.partyId !== undefined) (inner.push('te."party_id" = @partyId'), (params.partyId = q.partyId));
  // The planner would rather scan the covering index whole than seek the rowid range (it cannot know the range is short).
  const entries = afterRow === undefined ? '"timeline_entries" AS te' : '"timeline_entries" AS te NOT INDEXED';
  if (afterRow !== undefined) (inner.push('te.rowid > @afterRow'), (params.afterRow = afterRow));
  if (q.category !== undefined) (outer.push('i."category" = @category'), (params.category = q.category));
  const count = (kind: string) => sql.dialect.countWhere(`te."kind" = '${kind}'`);
  const counts = `${count('claim')} AS claims, ${count('denial')} AS denials, ${count('correction')} AS corrections, ${count('retraction')} AS retractions`;
  const dayOf = (column: string) => (q.bucket === 'none' ? 'NULL' : `substr(${column}, 1, 10)`);
  let statement: string;
  // When the incident only filters, the entries are looked up in the set of its ids instead: per party on the occurred
  // clock over 10,000 incidents and 110,000 entries, 74 ms against 105-115 grouped and joined.
  // Not for the rows after a rowid: the set of ids is every matching incident's, where a join seeks only theirs.
  const incidentOnlyFilters = afterRow === undefined && needsIncident && q.by !== 'category' && (entryClock !== null || q.bucket === 'none');
  if (!needsIncident || incidentOnlyFilters) {
    const key = q.by === 'party' ? 'te."party_id"' : 'NULL';
    const where = incidentOnlyFilters ? [...inner, `te."incident_id" IN (SELECT i."incident_id" FROM "incidents" AS i WHERE ${outer.join(' AND ')})`] : inner;
    statement = `SELECT ${dayOf(clock)} AS day, ${key} AS key, ${counts} FROM ${entries} WHERE ${where.join(' AND ')} GROUP BY 1, 2`;
  } else {
    const perIncident =
      `SELECT te."incident_id" AS incident_id, ${entryClock ? dayOf(entryClock) : 'NULL'} AS day, ${q.by === 'party' ? 'te."party_id"' : 'NULL'} AS party_id, ${counts} ` +
      `FROM ${entries} WHERE ${inner.join(' AND ')} GROUP BY 1, 2, 3`;
    const key = q.by === 'party' ? 'g.party_id' : q.by === 'category' ? 'i."category"' : 'NULL';
    const joined = 'i."incident_id" = g.incident_id';
    // For the rows after a rowid, SQLite's CROSS JOIN keeps their groups the outer loop, each seeking its incident by id:
    // otherwise the planner may read the incidents of a category (or a range of occurrence) by their index for each.
    const from = afterRow === undefined ? `(${perIncident}) AS g JOIN "incidents" AS i ON ${joined}` : `(${perIncident}) AS g CROSS JOIN "incidents" AS i`;
    const where = afterRow === undefined ? outer : [joined, ...outer];
    statement =
      `SELECT ${entryClock ? 'g.day' : dayOf(clock)} AS day, ${key} AS key, SUM(g.claims) AS claims, SUM(g.denials) AS denials, ` +
      `SUM(g.corrections) AS corrections, SUM(g.retractions) AS retractions ` +
      `FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY 1, 2`;
  }
  return sql.all<ActivityCell>(statement, params);
};

/** The statistic from its cells: days rolled into buckets, parties named, rows in order, totals. */
export const activityAnswer = (sql: SqlRows, q: ActivityQuery, cells: Iterable<ActivityCell>): ActivityStats => {
  const { from, to } = boundsOf(q.from, q.to);
  const byBucket = new Map<string, ActivityCell & { bucket: string | null }>();
  for (const cell of cells) {
    const bucket = cell.day === null || q.bucket === 'none' ? null : bucketOfDay(cell.day, q.bucket);
    const id = `${bucket}\u0000${cell.key}`;
    const sum = byBucket.get(id);
    if (!sum) byBucket.set(id, { ...cell, bucket });
    else (sum.claims += cell.claims), (sum.denials += cell.denials), (sum.corrections += cell.corrections), (sum.retractions += cell.retractions);
  }
  const names = new Map<string, string | null>();
  if (q.by === 'party') {
    const ids = [...new Set([...byBucket.values()].map((c) => c.key ?? ''))];
    for (const row of sql.all<{ id: string; name: string | null }>(`SELECT "party_id" AS id, "name" AS name FROM "parties" WHERE "party_id" IN (${sql.dialect.textsOf('ids')})`, { ids: JSON.stringify(ids) })) {
      names.set(row.id, row.name);
    }
  }
  const order = (a: string | null, b: string | null) => (a ?? '').localeCompare(b ?? '');
  const sorted = [...byBucket.values()].sort((a, b) => order(a.bucket, b.bucket) || order(a.key, b.key));
  const totals: ActivityCounts = { claims: 0, denials: 0, corrections: 0, retractions: 0 };
  const rows = sorted.map(({ bucket, key: group, claims, denials, corrections, retractions }): ActivityRow => {
    totals.claims += claims;
    totals.denials += denials;
    totals.corrections += corrections;
    totals.retractions += retractions;
    return {
      bucket,
      ...(q.by === 'party' ? { partyId: group ?? '', partyName: names.get(group ?? '') ?? null } : {}),
      ...(q.by === 'category' ? { category: group ?? '' } : {}),
      claims,
      denials,
      corrections,
      retractions,
    };
  });
  return { bucket: q.bucket, clock: q.clock, by: q.by, from, to, rows, totals };
};

type CountedRow = { bucket: string | null; incidents: number | string; contested: number | string | null };

/** The rows' counts summed by bucket, in bucket order, with their totals. */
const contestedAnswer = (q: IncidentsContestedQuery, from: string | null, to: string | null, counted: CountedRow[]): IncidentsContestedStats => {
  const cells = new Map<string | null, IncidentsContestedRow>();
  for (const r of counted) {
    const cell = cells.get(r.bucket) ?? { bucket: r.bucket, incidents: 0, contested: 0, uncontested: 0 };
    cell.incidents += Number(r.incidents);
    cell.contested += Number(r.contested ?? 0);
    cell.uncontested = cell.incidents - cell.contested;
    cells.set(r.bucket, cell);
  }
  const rows = [...cells.values()].sort((a, b) => (a.bucket === b.bucket ? 0 : a.bucket === null ? -1 : b.bucket === null ? 1 : a.bucket < b.bucket ? -1 : 1));
  const totals = rows.reduce((sum, r) => ({ incidents: sum.incidents + r.incidents, contested: sum.contested + r.contested, uncontested: sum.uncontested + r.uncontested }), {
    incidents: 0,
    contested: 0,
    uncontested: 0,
  });
  return { bucket: q.bucket, clock: q.clock, from, to, rows, totals };
};

/** Incident rows reported, with the clock set, of the category asked and between `low` and `high` on the clock, counted by bucket. */
const countIncidentRows = (sql: SqlRows, q: IncidentsContestedQuery, range: { low: string | null; high: string | null; highIncluded: boolean }): CountedRow[] => {
  const clock = INCIDENT_CLOCK_COLUMNS[q.clock];
  const { dialect } = sql;
  const where = [dialect.isSet('"reported"'), `${clock} IS NOT NULL`];
  const params: Record<string, SqlParam> = {};
  if (q.category !== undefined) (where.push('"category" = @category'), (params.category = q.category));
  if (range.low !== null) (where.push(`${clock} >= @low`), (params.low = range.low));
  if (range.high !== null) (where.push(`${clock} ${range.highIncluded ? '<=' : '<'} @high`), (params.high = range.high));
  return sql.all<CountedRow>(
    `SELECT ${bucketSql(q.bucket, clock, dialect)} AS bucket, COUNT(*) AS incidents, ${dialect.countWhere(dialect.isSet('"contested"'))} AS contested ` +
      `FROM "incidents" WHERE ${where.join(' AND ')} GROUP BY 1`,
    params,
  );
};

/** One GROUP BY over every incident row in the bounds: the count the day counts must always equal (and the fallback). */
export const incidentsContestedWhole = (sql: SqlRows, q: IncidentsContestedQuery): IncidentsContestedStats => {
  const { from, to } = boundsOf(q.from, q.to);
  return contestedAnswer(q, from, to, countIncidentRows(sql, q, { low: from, high: to, highIncluded: true }));
};

const REGULAR_INSTANT = /^\d{4}-\d{2}-\d{2}T/;

/** The least text of a day's shape above every instant of `day`: its last digit up by one, carried (9999-12-31 too). */
const textAfter = (day: string): string => {
  const chars = [...day];
  for (let i = chars.length - 1; i >= 0; i--) {
    if (chars[i] === '-') continue;
    if (chars[i] !== '9') return ((chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1)), chars.join(''));
    chars[i] = '0';
  }
  return `${day}~`;
};

/**
 * Whole days from incidents_by_day (kept by deltas as incident rows change), and only the rows of a bound's own day
 * from the incidents table, by the clock's index: the cost is the days asked and the incidents of two days, not
 * every incident of the ledger. An instant's day is its first 10 characters, so a day strictly between the bounds'
 * days holds only instants within them, as text compares, which is how the whole count compares them.
 */
export const incidentsContestedStats = (sql: SqlRows, q: IncidentsContestedQuery): IncidentsContestedStats => {
  const { from, to } = boundsOf(q.from, q.to);
  // Bounds outside years 0000-9999 are written with a sign and compare as text unlike days: counted as they always were.
  if ((from !== null && !REGULAR_INSTANT.test(from)) || (to !== null && !REGULAR_INSTANT.test(to))) return incidentsContestedWhole(sql, q);
  const [fromDay, toDay] = [from?.slice(0, 10) ?? null, to?.slice(0, 10) ?? null];

  const days: string[] = ['"clock" = @clock'];
  const dayParams: Record<string, SqlParam> = { clock: q.clock };
  if (fromDay !== null) (days.push('"day" > @fromDay'), (dayParams.fromDay = fromDay));
  if (toDay !== null) (days.push('"day" < @toDay'), (dayParams.toDay = toDay));
  if (q.category !== undefined) (days.push('"category" = @category'), (dayParams.category = q.category));
  const counted = sql.all<CountedRow>(
    `SELECT ${bucketSql(q.bucket, '"day"', sql.dialect)} AS bucket, SUM("incidents") AS incidents, SUM("contested") AS contested ` +
      `FROM "incidents_by_day" WHERE ${days.join(' AND ')} GROUP BY 1`,
    dayParams,
  );

  // The bounds' own days, each a range of the clock's index: [from, the next day) and [to's day, to], or [from, to].
  if (from !== null && to !== null && fromDay === toDay) counted.push(...countIncidentRows(sql, q, { low: from, high: to, highIncluded: true }));
  else {
    // With fromDay before toDay, textAfter(fromDay) is at most toDay: the two ranges neither overlap nor pass the other bound.
    if (from !== null) counted.push(...countIncidentRows(sql, q, { low: from, high: textAfter(fromDay!), highIncluded: false }));
    if (to !== null) counted.push(...countIncidentRows(sql, q, { low: toDay!, high: to, highIncluded: true }));
  }
  return contestedAnswer(q, from, to, counted);
};

/** Reads the incident's parties and each one's casualties position: rows of one incident, found by key. */
export const incidentCasualtiesView = (t: TableAccess, incidentId: string): IncidentCasualties | undefined => {
  const incident = t.get(incidentsTable, { incidentId });
  if (!incident?.reported) return undefined;
  const names = new Map<string, string | null>();
  const nameOf = (partyId: string): string | null => {
    if (!names.has(partyId)) names.set(partyId, t.get(partiesTable, { partyId })?.name ?? null);
    return names.get(partyId)!;
  };
  const positions = new Map(t.find(partyPositionsTable, { incidentId, field: 'casualties' }).map((p) => [p.partyId, p]));
  const sides: string[] = [];
  const groups: string[] = [];
  const parties = t.find(incidentPartiesTable, { incidentId }, { orderBy: [{ column: 'firstPosition' }] }).map((p): PartyCasualties => {
    const position = positions.get(p.partyId);
    const reports = position ? (position.value as CasualtyReport[]) : null;
    const figures =
      reports?.map((r): CasualtyFigure => {
        const group = casualtyGroupKey(r);
        if (r.side !== undefined && !sides.includes(r.side)) sides.push(r.side);
        if (!groups.includes(group)) groups.push(group);
        return {
          group,
          side: r.side ?? null,
          sideName: r.side !== undefined ? nameOf(r.side) : null,
          category: r.category ?? null,
          nationality: r.nationality ?? null,
          killed: r.killed ?? null,
          wounded: r.wounded ?? null,
          namedVictims: r.named?.length ?? 0,
        };
      }) ?? null;
    return { partyId: p.partyId, partyName: nameOf(p.partyId), figures, claimId: position?.claimId ?? null, statedAt: position?.statedAt ?? null };
  });
  return { incidentId, title: incident.title, parties, sides, groups };
};
