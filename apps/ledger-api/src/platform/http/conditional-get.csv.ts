import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { stringify } from 'csv-stringify/sync';
import type { FastifyRequest } from 'fastify';
import { CasualtyReport, casualtyGroupLabel } from '@ledger/domain';

/**
 * CSV download of the read API's lists (`?format=csv` or `Accept: text/csv`), written from the JSON answer so that
 * both always say the same. Two markers keep apart what an empty cell would merge:
 * - NAMED_NOBODY: a list stated empty (a party that names no one responsible, a claim answering none);
 * - SAID_NOTHING: a point a party's account does not state at all (the who-says-what matrix, casualty figures).
 * Any other empty cell is a value that does not apply to the row (null in the JSON).
 */
export const NAMED_NOBODY = '(none)';
export const SAID_NOTHING = '(not stated)';

export const FORMATS = ['json', 'csv'] as const;

/** The `format` query parameter of a list route that can answer CSV. */
export const CsvFormatQuery = (): PropertyDecorator =>
  applyDecorators(
    ApiPropertyOptional({
      enum: FORMATS,
      default: 'json',
      description: `csv: the list as CSV (also with Accept: text/csv). An empty list is written ${NAMED_NOBODY}; a point not stated ${SAID_NOTHING}.`,
    }),
    IsOptional(),
    IsIn(FORMATS),
  );

/** The OpenAPI content of a 200 that answers JSON (the named schema) or CSV. */
export const jsonOrCsv = (json: { schema: { $ref: string } }): { content: Record<string, { schema: Record<string, unknown> }> } => ({
  content: {
    'application/json': json,
    'text/csv': { schema: { type: 'string', description: `One row per list item, header first; ${NAMED_NOBODY}: an empty list; ${SAID_NOTHING}: not stated` } },
  },
});

type Json = Record<string, unknown>;
type Row = Record<string, unknown>;

const cell = (value: unknown): unknown => {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) {
    if (value.length === 0) return NAMED_NOBODY;
    return value.every((v) => v === null || typeof v !== 'object') ? value.join('; ') : JSON.stringify(value);
  }
  return value;
};

/** Nested objects become dotted columns (counts.claims); lists of plain values one cell joined by "; ". */
const flatten = (value: Json, prefix = '', out: Row = {}): Row => {
  for (const [key, v] of Object.entries(value)) {
    const column = prefix ? `${prefix}.${key}` : key;
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) flatten(v as Json, column, out);
    else out[column] = cell(v);
  }
  return out;
};

const estimate = (e: { best: number; low?: number; high?: number } | null | undefined): string =>
  !e ? '' : e.low !== undefined || e.high !== undefined ? `${e.best} (${e.low ?? '?'}-${e.high ?? '?'})` : String(e.best);

/** A stated value, or SAID_NOTHING when the account does not state it. */
const stated = (entry: { value: unknown } | undefined, write: (value: any) => unknown): unknown => (entry === undefined ? SAID_NOTHING : cell(write(entry.value)));

/** The who-says-what matrix: one row per party, one column per point of the accounts. */
const versionsRows = (doc: Json): Row[] =>
  (doc.parties as Json[]).map((party) => {
    const account = party.currentAccount as Record<string, { value: any; claimId: string } | undefined>;
    return {
      partyId: party.partyId,
      partyName: cell(party.partyName),
      claims: (party.claims as unknown[]).length,
      denialsMade: (party.denialsMade as unknown[]).length,
      responsibleParties: stated(account.responsibleParties, (v: string[]) => v),
      ceasefireViolated: stated(account.ceasefire, (v: { violated: boolean }) => v.violated),
      ceasefireViolatedBy: stated(account.ceasefire, (v: { by?: string[] }) => v.by ?? []),
      casualties: stated(account.casualties, (v: Array<CasualtyReport & { killed?: never; wounded?: never }>) =>
        v.length === 0 ? [] : v.map((r) => `${casualtyGroupLabel(r)}: killed ${estimate(r.killed) || '?'}, wounded ${estimate(r.wounded) || '?'}`).join(' | '),
      ),
      occurredFrom: stated(account.occurred, (v: { from: string }) => v.from),
      occurredTo: stated(account.occurred, (v: { to: string }) => v.to),
      location: stated(account.location, (v: { name: string }) => v.name),
      locationPrecision: stated(account.location, (v: { precision: string }) => v.precision),
      locationLat: stated(account.location, (v: { coordinates?: { lat: number } }) => v.coordinates?.lat ?? null),
      locationLon: stated(account.location, (v: { coordinates?: { lon: number } }) => v.coordinates?.lon ?? null),
    };
  });

/** One row per party and side; a party that gives no figures has one row saying so. */
const casualtyRows = (doc: Json): Row[] =>
  (doc.parties as Json[]).flatMap((party) => {
    const base = { partyId: party.partyId, partyName: cell(party.partyName), claimId: cell(party.claimId) };
    const figures = party.figures as Json[] | null;
    const none = { sideName: '', category: '', nationality: '' };
    if (figures === null) return [{ ...base, group: SAID_NOTHING, side: '', ...none, killed: SAID_NOTHING, wounded: SAID_NOTHING, namedVictims: '' }];
    if (figures.length === 0) return [{ ...base, group: NAMED_NOBODY, side: '', ...none, killed: '', wounded: '', namedVictims: '' }];
    return figures.map((f) => ({
      ...base,
      group: f.group,
      side: cell(f.side),
      sideName: cell(f.sideName),
      category: cell(f.category),
      nationality: cell(f.nationality),
      killed: f.killed === null ? SAID_NOTHING : estimate(f.killed as never),
      wounded: f.wounded === null ? SAID_NOTHING : estimate(f.wounded as never),
      namedVictims: f.namedVictims,
    }));
  });

/** Route pattern -> the rows of its CSV and the file name. Lists not named here have no CSV form. */
const CSV_LISTS: Record<string, { file: string; rows: (doc: Json) => Row[] }> = {
  '/incidents': { file: 'incidents.csv', rows: (doc) => (doc.items as Json[]).map((item) => flatten(item)) },
  '/parties': { file: 'parties.csv', rows: (doc) => (doc.items as Json[]).map(({ incidents: _incidents, ...party }) => flatten(party)) },
  '/incidents/:incidentId/timeline': { file: 'timeline.csv', rows: (doc) => (doc.entries as Json[]).map((entry) => flatten(entry)) },
  '/incidents/:incidentId/versions': { file: 'versions.csv', rows: versionsRows },
  '/incidents/:incidentId/casualties': { file: 'casualties.csv', rows: casualtyRows },
  '/stats/activity': { file: 'activity.csv', rows: (doc) => (doc.rows as Json[]).map((row) => flatten(row)) },
  '/stats/incidents-contested': { file: 'incidents-contested.csv', rows: (doc) => (doc.rows as Json[]).map((row) => flatten(row)) },
  '/stats/parties': { file: 'party-directory.csv', rows: (doc) => (doc.items as Json[]).map((item) => flatten(item)) },
};

/** The route answers JSON or CSV by Accept. */
export const hasCsvForm = (request: FastifyRequest): boolean => (request.routeOptions.url ?? '') in CSV_LISTS;

/** True when the client asks for CSV of a list that has one. */
export const csvRequested = (request: FastifyRequest): boolean => {
  if (!hasCsvForm(request)) return false;
  const format = (request.query as Record<string, unknown> | undefined)?.format;
  if (format !== undefined) return format === 'csv';
  const accept = request.headers.accept ?? '';
  return /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
};

/** The CSV of a JSON list answer; undefined when the route has no CSV form. */
export const toCsvPayload = (request: FastifyRequest, json: string): { text: string; filename: string } | undefined => {
  const list = CSV_LISTS[request.routeOptions.url!];
  if (!list) return undefined;
  const rows = list.rows(JSON.parse(json) as Json);
  const columns: string[] = [];
  for (const row of rows) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  const text = (value: unknown): string => (value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value));
  const records = rows.map((row) => columns.map((column) => text(row[column])));
  return { text: stringify([columns, ...records]), filename: list.file };
};
