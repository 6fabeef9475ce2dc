import { stringify } from 'csv-stringify/sync';
import { Assertions, CasualtyReport, PartyRegisteredData, casualtyGroupLabel } from '@ledger/domain';
import {
  FieldChange,
  IncidentRow,
  SqliteReadModelStore,
  amendmentsTable,
  claimVersionsTable,
  claimsTable,
  incidentDisagreements,
  incidentListItemOf,
  incidentPartiesTable,
  incidentsTable,
} from '@ledger/read-models';
import { diffValue } from './text-format';

type CsvRow = Record<string, string | number | boolean | null | undefined>;

/**
 * One CSV file of the export: its name under read-models/, its header, how
 * many rows it has, and its rows produced on demand (values already flat), so
 * that only one chunk of one file is held as text at a time.
 */
export interface CsvTable {
  file: string;
  columns: string[];
  count: number;
  rows(): Iterable<CsvRow>;
}

/** A table whose rows come from items, `countOf` telling cheaply how many rows an item gives (for progress). */
const table = <T>(file: string, columns: string[], items: readonly T[], countOf: (item: T) => number, toRows: (item: T) => CsvRow[]): CsvTable => ({
  file,
  columns,
  count: items.reduce((n, item) => n + countOf(item), 0),
  *rows() {
    for (const item of items) yield* toRows(item);
  },
});

const list = (values: readonly string[] | undefined): string => (values ?? []).join('; ');

const estimateText = (e: { best: number; low?: number; high?: number } | undefined): string =>
  e === undefined ? '' : e.low !== undefined || e.high !== undefined ? `${e.best} (${e.low ?? '?'}-${e.high ?? '?'})` : String(e.best);

/** "side=x: killed 1; wounded 2; named A (role, status)", reports joined by " | " (the group as its key): readable in a spreadsheet cell, ids kept. */
const casualtiesText = (reports: CasualtyReport[] | undefined): string =>
  (reports ?? [])
    .map((r) =>
      [
        `${casualtyGroupLabel(r)}:`,
        [
          ...(r.killed ? [`killed ${estimateText(r.killed)}`] : []),
          ...(r.wounded ? [`wounded ${estimateText(r.wounded)}`] : []),
          ...(r.named?.length ? [`named ${r.named.map((n) => `${n.name} (${[n.role, n.status].filter(Boolean).join(', ')})`).join(', ')}`] : []),
        ].join('; '),
      ].join(' '),
    )
    .join(' | ');

/** Casualty figures summed over the reports of one claim or account, per figure (best estimates). */
const sum = (reports: CasualtyReport[] | undefined, figure: 'killed' | 'wounded'): number | '' => {
  const values = (reports ?? []).flatMap((r) => (r[figure] ? [r[figure]!.best] : []));
  return values.length ? values.reduce((a, b) => a + b, 0) : '';
};

/** The assertion columns shared by party-versions.csv and claim-versions.csv. */
const ASSERTION_COLUMNS = [
  'responsibleParties',
  'ceasefireViolated',
  'ceasefireViolatedBy',
  'killed',
  'wounded',
  'casualties',
  'occurredFrom',
  'occurredTo',
  'occurredPrecision',
  'location',
  'locationPrecision',
  'locationLat',
  'locationLon',
];

const assertionCells = (a: Assertions) => ({
  responsibleParties: list(a.responsibleParties),
  ceasefireViolated: a.ceasefire === undefined ? '' : a.ceasefire.violated,
  ceasefireViolatedBy: list(a.ceasefire?.by),
  killed: sum(a.casualties, 'killed'),
  wounded: sum(a.casualties, 'wounded'),
  casualties: casualtiesText(a.casualties),
  occurredFrom: a.occurred?.from ?? '',
  occurredTo: a.occurred?.to ?? '',
  occurredPrecision: a.occurred?.precision ?? '',
  location: a.location?.name ?? '',
  locationPrecision: a.location?.precision ?? '',
  locationLat: a.location?.coordinates?.lat ?? '',
  locationLon: a.location?.coordinates?.lon ?? '',
});

const changesText = (changes: FieldChange[]): string => changes.map((c) => `${c.path}: ${diffValue(c.from)} -> ${diffValue(c.to)}`).join('; ');

/** What every CSV of the export reads from: the folded tables, incidents in reporting order, party names. */
interface ExportSource {
  store: SqliteReadModelStore;
  incidentRows: IncidentRow[];
  incidentsInOrder: string[];
  parties: ReadonlyMap<string, PartyRegisteredData>;
  nameOf(partyId: string): string;
}

const incidentsCsv = ({ store, incidentRows }: ExportSource): CsvTable =>
  table(
    'incidents.csv',
    [
      'incidentId', 'title', 'category', 'occurredFrom', 'occurredTo', 'occurredPrecision', 'location', 'locationPrecision', 'reportedAt', 'reportedBy',
      'parties', 'claims', 'activeClaims', 'denials', 'corrections', 'retractions', 'amendments', 'contested', 'disagreements', 'lastRecordedAt',
      'lastPosition', 'revision', 'summary', 'locationLat', 'locationLon', 'subEventType', 'tags', 'tollKilled', 'toll',
    ],
    incidentRows,
    () => 1,
    (row) => {
      const item = incidentListItemOf(row, store.tables.find(incidentPartiesTable, { incidentId: row.incidentId }).map((p) => p.partyId))!;
      return [
        {
          incidentId: item.incidentId,
          title: item.title,
          // The ACLED event type ('' for a v1 category with no ACLED counterpart); sub-event type and tags follow at the end.
          category: item.category.eventType ?? '',
          occurredFrom: item.occurred.from,
          occurredTo: item.occurred.to,
          occurredPrecision: item.occurred.precision,
          location: item.location.name,
          locationPrecision: item.location.precision,
          reportedAt: item.reportedAt,
          reportedBy: row.reportedBy,
          parties: list(item.partyIds),
          ...item.counts,
          contested: item.contested,
          disagreements: item.disagreementCount,
          lastRecordedAt: item.lastRecordedAt,
          lastPosition: item.lastPosition,
          revision: item.revision,
          summary: item.summary,
          locationLat: item.location.coordinates?.lat ?? '',
          locationLon: item.location.coordinates?.lon ?? '',
          subEventType: item.category.subEventType ?? '',
          tags: list(item.category.tags),
          tollKilled: sum(item.toll, 'killed'),
          toll: casualtiesText(item.toll),
        },
      ];
    },
  );

const partyVersionsCsv = ({ store, incidentsInOrder, nameOf }: ExportSource): CsvTable =>
  table(
    'party-versions.csv',
    [
      'incidentId', 'partyId', 'partyName', 'claims', 'activeClaims', 'retractedClaims', 'corrections', 'denialsMade', 'denialsReceived',
      ...ASSERTION_COLUMNS, 'accountClaims', 'latestStatedAt',
    ],
    incidentsInOrder,
    (incidentId) => store.tables.find(incidentPartiesTable, { incidentId }).length,
    (incidentId) => {
      const doc = store.partyVersions(incidentId)!;
      return doc.parties.map((party) => {
        const account = party.currentAccount;
        const current: Assertions = Object.fromEntries(Object.entries(account).map(([field, entry]) => [field, entry!.value]));
        const statedTimes = Object.values(account).map((entry) => entry!.statedAt.at).sort();
        return {
          incidentId: doc.incidentId,
          partyId: party.partyId,
          partyName: nameOf(party.partyId),
          claims: party.claims.length,
          activeClaims: party.claims.filter((c) => !c.retracted).length,
          retractedClaims: party.claims.filter((c) => c.retracted).length,
          corrections: party.claims.reduce((n, c) => n + c.versions.length - 1, 0),
          denialsMade: party.denialsMade.length,
          denialsReceived: party.claims.reduce((n, c) => n + c.denials.length, 0),
          ...assertionCells(current),
          accountClaims: list([...new Set(Object.values(account).map((entry) => entry!.claimId))]),
          latestStatedAt: statedTimes[statedTimes.length - 1] ?? '',
        };
      });
    },
  );

const disagreementsCsv = ({ store, incidentsInOrder, nameOf }: ExportSource): CsvTable =>
  table(
    'disagreements.csv',
    ['incidentId', 'disagreement', 'kind', 'field', 'side', 'figure', 'deniedAssertions', 'partyId', 'partyName', 'role', 'claimId', 'denialId', 'value', 'claimVersion'],
    incidentsInOrder.map((incidentId) => ({ incidentId, disagreements: incidentDisagreements(store.tables, incidentId) })),
    (doc) => doc.disagreements.reduce((n, d) => n + d.positions.length, 0),
    (doc) =>
      doc.disagreements.flatMap((d, i) =>
        d.positions.map((p) => ({
          incidentId: doc.incidentId,
          disagreement: i + 1,
          kind: d.kind,
          field: d.field,
          side: d.side ?? '',
          figure: d.figure ?? '',
          deniedAssertions: list(d.deniedAssertions),
          partyId: p.partyId,
          partyName: nameOf(p.partyId),
          role: p.role ?? '',
          claimId: p.claimId,
          denialId: p.denialId ?? '',
          value: p.value === undefined ? '' : JSON.stringify(p.value),
          claimVersion: p.claimVersion ?? '',
        })),
      ),
  );

const claimVersionsCsv = ({ store, nameOf }: ExportSource): CsvTable => {
  const claimsInOrder = store.tables.find(claimsTable, {}, { orderBy: [{ column: 'position' }] });
  return table(
    'claim-versions.csv',
    [
      'incidentId', 'claimId', 'partyId', 'partyName', 'version', 'kind', 'current', 'statedAt', 'statedPrecision', 'recordedAt', 'recordedBy', 'eventId',
      'position', 'sourceTitle', 'sourcePublisher', 'sourceUrl', 'sourcePublishedAt', 'reason', 'statement', 'verbatim', 'language', 'changes',
      'amendedBy', ...ASSERTION_COLUMNS, 'claimRetracted', 'denials',
    ],
    claimsInOrder,
    (claim) => claim.version,
    (claim) =>
      store.tables.find(claimVersionsTable, { incidentId: claim.incidentId, claimId: claim.claimId }, { orderBy: [{ column: 'version' }] }).map((v) => ({
        incidentId: claim.incidentId,
        claimId: claim.claimId,
        partyId: claim.partyId,
        partyName: nameOf(claim.partyId),
        version: v.version,
        kind: v.kind,
        current: v.version === claim.version,
        statedAt: v.statedAt.at,
        statedPrecision: v.statedAt.precision,
        recordedAt: v.recordedAt,
        recordedBy: v.recordedBy,
        eventId: v.eventId,
        position: v.position.toString(),
        sourceTitle: v.source.title,
        sourcePublisher: v.source.publisher,
        sourceUrl: v.source.url ?? '',
        sourcePublishedAt: v.source.publishedAt ?? '',
        reason: v.reason ?? '',
        statement: v.statement.text,
        verbatim: v.statement.verbatim,
        language: v.statement.language ?? '',
        changes: changesText(v.changes),
        amendedBy: list(v.amendedBy),
        ...assertionCells(v.assertions),
        claimRetracted: claim.retracted,
        // Denials addressing this version; a denial of version 1 stays on version 1 after a correction.
        denials: v.denials,
      })),
  );
};

const amendmentsCsv = ({ store, incidentsInOrder }: ExportSource): CsvTable =>
  table(
    'amendments.csv',
    ['incidentId', 'amendmentId', 'entryKind', 'claimId', 'version', 'denialId', 'fields', 'reason', 'recordedAt', 'recordedBy', 'eventId', 'position'],
    incidentsInOrder.map((incidentId) => ({ incidentId, amendments: store.tables.find(amendmentsTable, { incidentId }, { orderBy: [{ column: 'position' }] }) })),
    (doc) => doc.amendments.length,
    (doc) =>
      doc.amendments.map((a) => ({
        incidentId: doc.incidentId,
        amendmentId: a.amendmentId,
        entryKind: a.entry.kind,
        claimId: a.entry.kind === 'claim' || a.entry.kind === 'retraction' ? a.entry.claimId : '',
        version: a.entry.kind === 'claim' ? a.entry.version : '',
        denialId: a.entry.kind === 'denial' ? a.entry.denialId : '',
        fields: list(a.fields),
        reason: a.reason,
        recordedAt: a.recordedAt,
        recordedBy: a.recordedBy,
        eventId: a.eventId,
        position: a.position.toString(),
      })),
  );

const partiesCsv = ({ parties }: ExportSource): CsvTable =>
  table(
    'parties.csv',
    ['partyId', 'name', 'kind', 'affiliationPartyId', 'affiliation', 'aliases', 'description'],
    [...parties.values()],
    () => 1,
    (p) => [
      {
        partyId: p.partyId,
        name: p.name,
        kind: p.kind,
        affiliationPartyId: p.affiliation?.partyId ?? '',
        affiliation: p.affiliation?.description ?? '',
        aliases: list(p.aliases),
        description: p.description ?? '',
      },
    ],
  );

/**
 * The read models as CSV files, from the tables folded by the read models'
 * own projection: incidents (the incident list), party versions (one row per
 * incident and party, its current account flattened), disagreements (one row
 * per position taken), claim versions (one row per version, who recorded it
 * and when on both clocks), ledger amendments, and the party registry.
 */
export const readModelTables = (store: SqliteReadModelStore, parties: ReadonlyMap<string, PartyRegisteredData>): CsvTable[] => {
  const incidentRows: IncidentRow[] = store.tables
    .find(incidentsTable, { reported: true })
    .sort((a, b) => (a.reportedAt! < b.reportedAt! ? -1 : a.reportedAt! > b.reportedAt! ? 1 : a.reportedPosition! < b.reportedPosition! ? -1 : 1));
  const source: ExportSource = {
    store,
    incidentRows,
    incidentsInOrder: incidentRows.map((row) => row.incidentId),
    parties,
    nameOf: (id) => parties.get(id)?.name ?? '',
  };
  return [incidentsCsv, partyVersionsCsv, disagreementsCsv, claimVersionsCsv, amendmentsCsv, partiesCsv].map((csv) => csv(source));
};

/** Rows stringified per chunk: csv-stringify's sync API builds one string, which for a large ledger should stay small. */
const CHUNK_ROWS = 2000;

const CSV_OPTIONS = {
  // Booleans as true/false rather than csv-stringify's default 1/''.
  cast: { boolean: (value: boolean) => (value ? 'true' : 'false') },
  record_delimiter: 'unix' as const,
};

/**
 * RFC 4180 CSV with a header row (written even when there are no rows, so
 * that an empty table still says what it would hold), handed out chunk by
 * chunk. Records go to csv-stringify as arrays in column order, which it
 * writes markedly faster than objects.
 */
export function* csvChunks(t: CsvTable): Generator<{ text: string; rows: number }> {
  yield { text: stringify([t.columns], CSV_OPTIONS), rows: 0 };
  let chunk: unknown[][] = [];
  for (const row of t.rows()) {
    chunk.push(t.columns.map((c) => row[c]));
    if (chunk.length === CHUNK_ROWS) {
      yield { text: stringify(chunk, CSV_OPTIONS), rows: chunk.length };
      chunk = [];
    }
  }
  if (chunk.length) yield { text: stringify(chunk, CSV_OPTIONS), rows: chunk.length };
}

/** The whole table as one string (tests, small tables). */
export const toCsv = (t: CsvTable): string => [...csvChunks(t)].map((c) => c.text).join('');
