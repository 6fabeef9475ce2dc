import { Assertions, CasualtyReport, Estimate, PartyRegisteredData, Place, PointInTime, Source, Statement, TimeInterval } from '@ledger/domain';
import type { FieldChange } from '@ledger/read-models';

/** Registered parties by id, for showing names beside ids. */
export type PartyNames = ReadonlyMap<string, PartyRegisteredData>;

/** "Name (id)"; the bare id when the party is not registered (a casualty side such as civilians). */
export const partyLabel = (partyId: string, names: PartyNames): string => {
  const name = names.get(partyId)?.name;
  return name && name !== partyId ? `${name} (${partyId})` : partyId;
};

export const pointInTime = (p: PointInTime | null | undefined): string => (p ? `${p.at} (${p.precision})` : '-');

export const interval = (t: TimeInterval): string => `${t.from === t.to ? t.from : `${t.from} .. ${t.to}`} (${t.precision})`;

export const place = (p: Place): string =>
  `${p.name} (${p.precision})${p.coordinates ? ` at ${p.coordinates.lat}, ${p.coordinates.lon}` : ''}`;

export const sourceText = (s: Source | null | undefined): string => {
  if (!s) return '-';
  const parts = [`"${s.title}"`, s.publisher, ...(s.publishedAt ? [s.publishedAt] : [])];
  return `${parts.join(', ')}${s.url ? ` <${s.url}>` : ''}`;
};

export const statementText = (s: Statement): string =>
  `"${s.text}" (${s.verbatim ? 'verbatim' : 'paraphrase'}${s.language ? `, ${s.language}` : ''})`;

export const estimate = (e: Estimate): string =>
  e.low !== undefined || e.high !== undefined ? `${e.best} (${e.low ?? '?'}-${e.high ?? '?'})` : `${e.best}`;

export const casualtyText = (r: CasualtyReport, names: PartyNames): string => {
  const figures = [
    ...(r.killed ? [`killed ${estimate(r.killed)}`] : []),
    ...(r.wounded ? [`wounded ${estimate(r.wounded)}`] : []),
    ...(r.named?.length ? [`named ${r.named.map((n) => `${n.name} (${[n.role, n.status].filter(Boolean).join(', ')})`).join(', ')}`] : []),
  ];
  const group = [...(r.side !== undefined ? [partyLabel(r.side, names)] : []), ...(r.category ? [r.category] : []), ...(r.nationality ? [r.nationality] : [])].join(' ');
  return `${group || 'unattributed'}: ${figures.join('; ') || 'no figures'}`;
};

const partyList = (ids: readonly string[] | undefined, names: PartyNames): string => (ids?.length ? ids.map((id) => partyLabel(id, names)).join(', ') : 'nobody named');

export const ceasefireText = (c: NonNullable<Assertions['ceasefire']>, names: PartyNames): string =>
  c.violated ? `violated${c.by?.length ? ` by ${partyList(c.by, names)}` : ''}` : 'not violated';

/** One [label, text] row per asserted field, in the domain's field order; casualties one row per side. */
export const assertionRows = (a: Assertions | undefined, names: PartyNames): Array<[string, string]> => {
  if (!a) return [];
  const rows: Array<[string, string]> = [];
  if (a.responsibleParties !== undefined) rows.push(['responsible', partyList(a.responsibleParties, names)]);
  if (a.ceasefire !== undefined) rows.push(['ceasefire', ceasefireText(a.ceasefire, names)]);
  for (const r of a.casualties ?? []) rows.push(['casualties', casualtyText(r, names)]);
  if (a.casualties?.length === 0) rows.push(['casualties', 'none']);
  if (a.occurred !== undefined) rows.push(['occurred', interval(a.occurred)]);
  if (a.location !== undefined) rows.push(['location', place(a.location)]);
  return rows;
};

/** A diff value as a reader wants it: strings quoted, absent spelt out, structures as compact JSON. */
export const diffValue = (v: unknown): string => (v === null || v === undefined ? '(absent)' : JSON.stringify(v));

export const fieldChangeText = (c: FieldChange): string => `${c.path}: ${diffValue(c.from)} → ${diffValue(c.to)}`;

/** Labelled lines with continuation lines indented under the first value. */
export const labelled = (rows: Array<[string, string | string[]]>, indent = '    ', width = 10): string[] =>
  rows.flatMap(([label, value]) => {
    const values = Array.isArray(value) ? value : [value];
    if (values.length === 0) return [];
    return values.map((v, i) => `${indent}${(i === 0 ? label : '').padEnd(width)}${v}`);
  });

/** Groups repeated labels (e.g. several casualty rows) under one label. */
export const groupRows = (rows: Array<[string, string]>): Array<[string, string[]]> => {
  const grouped: Array<[string, string[]]> = [];
  for (const [label, value] of rows) {
    const last = grouped[grouped.length - 1];
    if (last && last[0] === label) last[1].push(value);
    else grouped.push([label, [value]]);
  }
  return grouped;
};

/** JSON.stringify that writes bigint as decimal strings (positions and revisions are bigint in code). */
export const toJson = (value: unknown, space?: number): string =>
  JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), space);
