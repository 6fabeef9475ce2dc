import type { Readable } from 'node:stream';
import { parse } from 'csv-parse';
import type { DatasetEvent, DatasetName, DatasetRow, DatasetRowProblem } from './dataset-event';

/** A field that cannot be read: the row is reported with it, and skipped. */
class FieldProblem extends Error {
  constructor(
    readonly column: string,
    problem: string,
  ) {
    super(problem);
  }
}

type Record_ = Record<string, string>;

/** Reads one layout's record into a DatasetEvent (throwing FieldProblem for a field it cannot read). */
interface Layout {
  name: DatasetName;
  /** Columns a file must have (others are ignored, so a newer release's extra columns do not matter). */
  required: readonly string[];
  read(record: Record_, line: number): DatasetEvent;
}

/**
 * Reads a dataset release, streaming: one DatasetRow per CSV record, in file order. The header decides the columns; a
 * file missing a required column fails at once (nothing else in it could be read right), a row that cannot be read is
 * reported with its line and column, and the rest are read on.
 */
export async function* readDatasetCsv(input: Readable, dataset: DatasetName, options: { maxRecordBytes?: number } = {}): AsyncGenerator<DatasetRow> {
  const layout = dataset === 'acled' ? ACLED : UCDP_GED;
  const parser = input.pipe(
    parse({
      // Without a bound one unclosed quote or giant field would be held whole in memory before any row is refused.
      ...(options.maxRecordBytes !== undefined ? { max_record_size: options.maxRecordBytes } : {}),
      columns: (header: string[]) => checkHeader(header.map((h) => h.trim().toLowerCase()), layout),
      bom: true,
      skip_empty_lines: true,
      info: true,
      trim: true,
      // A row with too few or too many fields is that row's problem, not the file's.
      relax_column_count: true,
    }),
  );
  // pipe() does not pass a source's failure on (a file that cannot be read): the parser would wait for ever.
  input.on('error', (error) => parser.destroy(error));
  const records = parser as AsyncIterable<{ record: Record_; info: { lines: number; error?: { code: string }; columns: unknown[] } }>;
  const iterator = records[Symbol.asyncIterator]();
  for (;;) {
    let next: IteratorResult<{ record: Record_; info: { lines: number; error?: { code: string }; columns: unknown[] } }>;
    try {
      next = await iterator.next();
    } catch (error) {
      throw asFileError(error);
    }
    if (next.done) return;
    const { record, info } = next.value;
    const line = info.lines;
    if (info.error?.code === 'CSV_RECORD_INCONSISTENT_COLUMNS') {
      yield { ok: false, problem: { line, problem: `the row does not have the header's ${info.columns.length} fields` } };
      continue;
    }
    // The ledger stores no U+0000 (PostgreSQL text cannot hold it): the row is refused like any unreadable field.
    const nul = Object.keys(record).find((column) => typeof record[column] === 'string' && record[column].includes('\u0000'));
    if (nul !== undefined) {
      const problem: DatasetRowProblem = { line, column: nul, problem: 'holds the NUL character (U+0000), which the ledger does not store' };
      const id = record[layout === ACLED ? 'event_id_cnty' : 'id'];
      if (id) problem.eventId = id;
      yield { ok: false, problem };
      continue;
    }
    try {
      yield { ok: true, event: layout.read(record, line) };
    } catch (error) {
      if (!(error instanceof FieldProblem)) throw error;
      const problem: DatasetRowProblem = { line, column: error.column, problem: error.message };
      const id = record[layout === ACLED ? 'event_id_cnty' : 'id'];
      if (id) problem.eventId = id;
      yield { ok: false, problem };
    }
  }
}

export class DatasetHeaderError extends Error {
  constructor(
    readonly dataset: DatasetName,
    readonly missing: readonly string[],
  ) {
    super(`not an ${dataset === 'acled' ? 'ACLED' : 'UCDP GED'} CSV: the header lacks ${missing.join(', ')}`);
    this.name = 'DatasetHeaderError';
  }
}

/** The file cannot be read on (a quote never closed, a byte sequence that is not text): where, and why. */
export class DatasetFileError extends Error {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    super(message);
    this.name = 'DatasetFileError';
  }
}

function asFileError(error: unknown): Error {
  if (error instanceof DatasetHeaderError) return error;
  const csv = error as { code?: string; message?: string; lines?: number };
  if (typeof csv.code === 'string' && csv.code.startsWith('CSV_')) return new DatasetFileError(`not readable as CSV: ${csv.message}`, csv.lines);
  return error instanceof Error ? error : new Error(String(error));
}

function checkHeader(header: string[], layout: Layout): string[] {
  const missing = layout.required.filter((column) => !header.includes(column));
  if (missing.length > 0) throw new DatasetHeaderError(layout.name, missing);
  return header;
}

// ------------------------------------------------------------------ fields

const text = (r: Record_, column: string): string => {
  const value = r[column]?.trim() ?? '';
  if (value === '') throw new FieldProblem(column, 'is empty');
  return value;
};
const optionalText = (r: Record_, column: string): string | undefined => r[column]?.trim() || undefined;

const count = (r: Record_, column: string): number => {
  const value = text(r, column);
  if (!/^\d{1,9}$/.test(value)) throw new FieldProblem(column, `${JSON.stringify(value)} is not a whole number of people`);
  return Number(value);
};
const optionalCount = (r: Record_, column: string): number | undefined => (optionalText(r, column) === undefined ? undefined : count(r, column));

const code = (r: Record_, column: string, allowed: readonly number[]): number => {
  const value = text(r, column);
  const n = Number(value);
  if (!/^\d+$/.test(value) || !allowed.includes(n)) throw new FieldProblem(column, `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return n;
};

const coordinates = (r: Record_): { latitude: number; longitude: number } | undefined => {
  const lat = optionalText(r, 'latitude');
  const lon = optionalText(r, 'longitude');
  if (lat === undefined && lon === undefined) return undefined;
  const latitude = Number(lat);
  const longitude = Number(lon);
  if (lat === undefined || !Number.isFinite(latitude) || latitude < -90 || latitude > 90) throw new FieldProblem('latitude', `${JSON.stringify(lat ?? '')} is not a latitude`);
  if (lon === undefined || !Number.isFinite(longitude) || longitude < -180 || longitude > 180) throw new FieldProblem('longitude', `${JSON.stringify(lon ?? '')} is not a longitude`);
  return { latitude, longitude };
};

const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** ISO (`2019-05-31`, also with a time after it, as UCDP writes) or ACLED's spreadsheet form (`31 May 2019`). */
const date = (r: Record_, column: string): string => {
  const value = text(r, column);
  let y: number, m: number, d: number;
  const iso = /^(\d{4})-(\d{2})-(\d{2})(?:[ T][\d:.]+Z?)?$/.exec(value);
  const written = /^(\d{1,2})[ -]([A-Za-z]+)[ -](\d{4})$/.exec(value);
  if (iso) [y, m, d] = [Number(iso[1]), Number(iso[2]), Number(iso[3])];
  else if (written) {
    const month = MONTHS.findIndex((name) => name.startsWith(written[2].toLowerCase()) && written[2].length >= 3);
    if (month < 0) throw new FieldProblem(column, `${JSON.stringify(value)} is not a date`);
    [y, m, d] = [Number(written[3]), month + 1, Number(written[1])];
  } else throw new FieldProblem(column, `${JSON.stringify(value)} is not a date (YYYY-MM-DD or 31 May 2019)`);
  const parsed = new Date(Date.UTC(y, m - 1, d));
  if (parsed.getUTCFullYear() !== y || parsed.getUTCMonth() !== m - 1 || parsed.getUTCDate() !== d) throw new FieldProblem(column, `${JSON.stringify(value)} is not a calendar date`);
  return parsed.toISOString().slice(0, 10);
};

const list = (value: string | undefined, separator = ';'): string[] =>
  (value ?? '')
    .split(separator)
    .map((s) => s.trim())
    .filter((s) => s !== '');

// ------------------------------------------------------------------ ACLED

/**
 * ACLED's export layout (the columns of its API and CSV exports): event_id_cnty, event_date, time_precision 1 (day),
 * 2 (within a week), 3 (within a month); geo_precision 1 (the place itself), 2 (near it, or part of a region),
 * 3 (a larger region); one fatality number; sources separated by semicolons; `timestamp` of the row's last change.
 */
const ACLED: Layout = {
  name: 'acled',
  required: ['event_id_cnty', 'event_date', 'time_precision', 'event_type', 'sub_event_type', 'actor1', 'country', 'location', 'geo_precision', 'source', 'fatalities'],
  read(r, line) {
    const day = date(r, 'event_date');
    const precisionCode = code(r, 'time_precision', [1, 2, 3]);
    const actors: DatasetEvent['actors'] = [{ name: text(r, 'actor1'), role: 'actor1' }];
    for (const name of list(r.assoc_actor_1)) actors.push({ name, role: 'associated-actor1' });
    const actor2 = optionalText(r, 'actor2');
    if (actor2) actors.push({ name: actor2, role: 'actor2' });
    for (const name of list(r.assoc_actor_2)) actors.push({ name, role: 'associated-actor2' });
    const timestamp = optionalText(r, 'timestamp');
    if (timestamp !== undefined && !/^\d{9,11}$/.test(timestamp)) throw new FieldProblem('timestamp', `${JSON.stringify(timestamp)} is not a Unix time`);
    const civilianTargeting = optionalText(r, 'civilian_targeting');
    return {
      dataset: 'acled',
      eventId: text(r, 'event_id_cnty'),
      line,
      occurred: { start: day, end: day, precisionCode, precision: precisionCode === 1 ? 'day' : precisionCode === 2 ? 'week' : 'month' },
      place: {
        name: text(r, 'location'),
        ...(optionalText(r, 'admin1') ? { admin1: optionalText(r, 'admin1') } : {}),
        ...(optionalText(r, 'admin2') ? { admin2: optionalText(r, 'admin2') } : {}),
        country: text(r, 'country'),
        precisionCode: code(r, 'geo_precision', [1, 2, 3]),
        ...withCoordinates(coordinates(r)),
      },
      acled: {
        ...(optionalText(r, 'disorder_type') ? { disorderType: optionalText(r, 'disorder_type') } : {}),
        eventType: text(r, 'event_type'),
        subEventType: text(r, 'sub_event_type'),
        ...(optionalText(r, 'inter1') ? { inter1: optionalText(r, 'inter1') } : {}),
        ...(optionalText(r, 'interaction') ? { interaction: optionalText(r, 'interaction') } : {}),
        ...(civilianTargeting !== undefined ? { civilianTargeting: /^civilian targeting$/i.test(civilianTargeting) } : {}),
      },
      actors,
      fatalities: { best: count(r, 'fatalities') },
      sources: list(r.source).map((name) => ({ name })),
      ...(optionalText(r, 'notes') ? { notes: optionalText(r, 'notes') } : {}),
      tags: list(r.tags),
      ...(timestamp ? { revisedAt: new Date(Number(timestamp) * 1000).toISOString() } : {}),
    };
  },
};

// ------------------------------------------------------------------ UCDP GED

const UCDP_DATE_PRECISION: Record<number, DatasetEvent['occurred']['precision']> = { 1: 'day', 2: 'days', 3: 'week', 4: 'month', 5: 'year' };

/**
 * UCDP GED's layout: id, date_start/date_end with date_prec 1 (the day) to 5 (the year), where_prec 1 (the exact
 * place) to 7 (international waters or air space), best/low/high estimates and the best one split into deaths_a,
 * deaths_b, deaths_civilians and deaths_unknown, type_of_violence 1 (state-based), 2 (non-state), 3 (one-sided);
 * source_article lists the articles (semicolons), source_office the publisher, source_original the originator.
 */
const UCDP_GED: Layout = {
  name: 'ucdp-ged',
  required: ['id', 'type_of_violence', 'side_a', 'side_b', 'where_prec', 'country', 'date_prec', 'date_start', 'date_end', 'best', 'low', 'high'],
  read(r, line) {
    const start = date(r, 'date_start');
    const end = date(r, 'date_end');
    if (end < start) throw new FieldProblem('date_end', `${end} is before date_start ${start}`);
    const precisionCode = code(r, 'date_prec', [1, 2, 3, 4, 5]);
    const best = count(r, 'best');
    const low = count(r, 'low');
    const high = count(r, 'high');
    if (!(low <= best && best <= high)) throw new FieldProblem('best', `low ${low} ≤ best ${best} ≤ high ${high} does not hold`);
    const sides = ['deaths_a', 'deaths_b', 'deaths_civilians', 'deaths_unknown'].map((c) => optionalCount(r, c));
    const bySide = sides.every((n) => n !== undefined) ? { sideA: sides[0]!, sideB: sides[1]!, civilians: sides[2]!, unknown: sides[3]! } : undefined;
    if (bySide && bySide.sideA + bySide.sideB + bySide.civilians + bySide.unknown !== best) {
      throw new FieldProblem('best', `deaths_a + deaths_b + deaths_civilians + deaths_unknown is not best (${best})`);
    }
    const articles = list(r.source_article);
    const office = optionalText(r, 'source_office');
    const sourceDate = optionalText(r, 'source_date');
    const headline = optionalText(r, 'source_headline');
    const originator = optionalText(r, 'source_original');
    const clarity = optionalText(r, 'event_clarity');
    return {
      dataset: 'ucdp-ged',
      eventId: text(r, 'id'),
      line,
      occurred: { start, end, precisionCode, precision: UCDP_DATE_PRECISION[precisionCode] },
      place: {
        name: optionalText(r, 'where_coordinates') ?? optionalText(r, 'adm_2') ?? optionalText(r, 'adm_1') ?? text(r, 'country'),
        ...(optionalText(r, 'adm_1') ? { admin1: optionalText(r, 'adm_1') } : {}),
        ...(optionalText(r, 'adm_2') ? { admin2: optionalText(r, 'adm_2') } : {}),
        country: text(r, 'country'),
        precisionCode: code(r, 'where_prec', [1, 2, 3, 4, 5, 6, 7]),
        ...withCoordinates(coordinates(r)),
      },
      ucdp: {
        typeOfViolence: code(r, 'type_of_violence', [1, 2, 3]) as 1 | 2 | 3,
        ...(optionalText(r, 'conflict_name') ? { conflictName: optionalText(r, 'conflict_name') } : {}),
        ...(optionalText(r, 'dyad_name') ? { dyadName: optionalText(r, 'dyad_name') } : {}),
        ...(clarity ? { eventClarity: code(r, 'event_clarity', [1, 2]) } : {}),
      },
      actors: [
        { name: text(r, 'side_a'), role: 'side-a' },
        { name: text(r, 'side_b'), role: 'side-b' },
      ],
      fatalities: { best, low, high, ...(bySide ? { bySide } : {}) },
      sources: (articles.length > 0 ? articles : office ? [office] : []).map((name) => ({
        name,
        ...(sourceDate ? { date: sourceDate } : {}),
        ...(headline ? { headline } : {}),
        ...(originator ? { originator } : {}),
      })),
      tags: [],
    };
  },
};

const withCoordinates = (c: { latitude: number; longitude: number } | undefined) => (c ? { coordinates: c } : {});
