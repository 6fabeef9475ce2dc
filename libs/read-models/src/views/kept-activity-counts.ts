import stringify from 'safe-stable-stringify';
import { TimelineEntryRow } from '../tables/ledger.tables';
import { ActivityCell, ActivityQuery, ActivityStats, SqlRows, activityAnswer, activityCells } from './dashboard-stats.view';

/**
 * Timeline kinds that only add entries: a claim, denial, correction or retraction adds its own row and changes no
 * other, and a report adds an incident. Every other kind (an amendment, a merge, a split) rewrites, moves or reassigns
 * rows already counted, or changes the category or occurrence of their incident, and writes a row of its own saying
 * so. A kind added later is not in this list, so its rows force a whole count until it is shown to only add.
 */
const ADDING_KINDS: ReadonlySet<TimelineEntryRow['kind']> = new Set(['claim', 'denial', 'correction', 'retraction', 'reported']);
const ADDING_KINDS_SQL = `(${[...ADDING_KINDS].map((kind) => `'${kind}'`).join(', ')})`;

/** Where the timeline stood when a statistic was counted: its last row, by rowid, and the file's schema. */
interface TimelineMark {
  /** 0 for an empty timeline. */
  rowid: number;
  /** The incident and event position of that row, checked besides the cookie. */
  row: string | null;
  /** SQLite's schema cookie: emptying the read models (a reset, a rebuild) makes their indexes again, which moves it. */
  schema: number;
}

interface Kept {
  generation: number;
  mark: TimelineMark;
  cells: Map<string, ActivityCell>;
}

const rowOf = (r: { incident_id: string; position: string } | undefined): string | null => (r ? `${r.incident_id}@${r.position}` : null);

const markOf = (sql: SqlRows): TimelineMark => {
  const [last] = sql.all<{ rowid: number; incident_id: string; position: string }>(
    'SELECT rowid AS rowid, "incident_id" AS incident_id, CAST("position" AS TEXT) AS position FROM "timeline_entries" ORDER BY rowid DESC LIMIT 1',
    {},
  );
  const [{ schema_version: schema }] = sql.all<{ schema_version: number }>('PRAGMA schema_version', {});
  return { rowid: last ? Number(last.rowid) : 0, row: rowOf(last), schema: Number(schema) };
};

/**
 * Whether every timeline row after `was` only added entries, and every row up to it is as it was. Rows are never
 * deleted but by a reset (a rebuild), and SQLite gives a new row a rowid past the largest: the rows after the mark are
 * the ones written since. A report is an addition only for an incident none of whose rows were counted before (a
 * report after its claims, possible only in a cut of the log, would change their occurrence).
 */
const onlyAddedSince = (sql: SqlRows, was: TimelineMark, now: TimelineMark): boolean => {
  if (now.schema !== was.schema || now.rowid < was.rowid) return false;
  if (was.rowid > 0) {
    const [row] = sql.all<{ incident_id: string; position: string }>(
      'SELECT "incident_id" AS incident_id, CAST("position" AS TEXT) AS position FROM "timeline_entries" WHERE rowid = @rowid',
      { rowid: was.rowid },
    );
    if (rowOf(row) !== was.row) return false;
  }
  if (now.rowid === was.rowid) return true;
  const changed = sql.all<{ one: number }>(
    `SELECT 1 AS one FROM "timeline_entries" AS te NOT INDEXED WHERE te.rowid > @after AND (te."kind" NOT IN ${ADDING_KINDS_SQL} OR ` +
      `(te."kind" = 'reported' AND EXISTS (SELECT 1 FROM "timeline_entries" AS o WHERE o."incident_id" = te."incident_id" AND o.rowid <= @after))) LIMIT 1`,
    { after: was.rowid },
  );
  return changed.length === 0;
};

const cellKey = (cell: ActivityCell): string => JSON.stringify([cell.day, cell.key]);

const addCell = (cells: Map<string, ActivityCell>, cell: ActivityCell): void => {
  const key = cellKey(cell);
  const sum = cells.get(key);
  if (!sum) {
    const { day, key: group, claims, denials, corrections, retractions } = cell;
    cells.set(key, { day, key: group, claims: Number(claims), denials: Number(denials), corrections: Number(corrections), retractions: Number(retractions) });
    return;
  }
  sum.claims += Number(cell.claims);
  sum.denials += Number(cell.denials);
  sum.corrections += Number(cell.corrections);
  sum.retractions += Number(cell.retractions);
};

/**
 * Activity statistics on one SQLite file, each kept with where the timeline stood when it was counted. Asked again
 * after the ledger moved, a statistic counts only the timeline rows written since and adds them to what it kept,
 * while those rows only added entries; otherwise (an amendment, merge or split since, a rebuild, another file) it
 * counts every entry again. A whole count read every entry of the ledger (0.1 s at 100,000 events, 0.6 s at
 * 1,000,000), and any write made the next dashboard count again. Party names are read at every answer.
 */
export class KeptActivityCounts {
  private readonly kept = new Map<string, Kept>();

  /**
   * @param capacity statistics kept, the least recently asked dropped first
   * @param maxCells cells (day × group) a statistic may have and be kept: one by day and party over years of a busy
   *   ledger has hundreds of thousands, which the kept ones would hold in memory between answers
   */
  constructor(
    private readonly capacity = 32,
    private readonly maxCells = 20_000,
  ) {}

  get size(): number {
    return this.kept.size;
  }

  /** Forgets everything kept: the file was replaced. */
  clear(): void {
    this.kept.clear();
  }

  /** The statistic on `sql`'s snapshot (one read transaction) of the file of `generation`. */
  answer(sql: SqlRows, q: ActivityQuery, generation: number): ActivityStats {
    const key = stringify(q);
    const mark = markOf(sql);
    const kept = this.kept.get(key);
    this.kept.delete(key);
    let cells: Map<string, ActivityCell>;
    if (kept && kept.generation === generation && onlyAddedSince(sql, kept.mark, mark)) {
      const added = mark.rowid > kept.mark.rowid ? activityCells(sql, q, kept.mark.rowid) : [];
      cells = kept.cells;
      for (const cell of added) addCell(cells, cell);
    } else {
      cells = new Map();
      for (const cell of activityCells(sql, q)) addCell(cells, cell);
    }
    if (cells.size <= this.maxCells) this.kept.set(key, { generation, mark, cells });
    for (const oldest of this.kept.keys()) {
      if (this.kept.size <= this.capacity) break;
      this.kept.delete(oldest);
    }
    return activityAnswer(sql, q, cells.values());
  }
}
