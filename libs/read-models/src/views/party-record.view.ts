import { AssertionField, PointInTime, Statement } from '@ledger/domain';
import { EntryMeta } from '../envelope';
import { entryMetaOf } from '../projection/projection-context';
import { ClaimRow, ClaimVersionRow, DenialRow, IncidentPartyRow, PartyRecordCounts, PartyRegistration, PartyRow, claimVersionsTable, claimsTable, denialsTable, incidentPartiesTable, incidentsTable, partiesTable } from '../tables/ledger.tables';
import { TableAccess } from '../tables/table-spec';
import { EntriesPage, EntriesPageRequest, MAX_ENTRIES_LIMIT, entriesPageOf } from './entries-page';
import { PartyNameLookup } from './party-names';

export interface PartyRecordClaim extends EntryMeta {
  claimId: string;
  /** Current version. */
  version: number;
  /** The claim's words as they now stand. */
  statement: Statement;
  /** The version those words come from. */
  statementVersion: number;
  /** When its current version was stated (as `statedAt` of a claim means in every response). */
  statedAt: PointInTime;
  /** When the claim was first made (version 1). */
  firstStatedAt: PointInTime;
  answers: string[];
  retracted: boolean;
}

export interface PartyRecordCorrection extends EntryMeta {
  claimId: string;
  version: number;
  reason: string;
  statedAt: PointInTime;
}

export interface PartyRecordRetraction extends EntryMeta {
  claimId: string;
  reason: string;
  statedAt: PointInTime;
}

export interface PartyRecordDenial extends EntryMeta {
  denialId: string;
  claimId: string;
  /** The claimant of the denied claim. */
  claimPartyId: string;
  claimPartyName: string | null;
  /** The denying party. */
  partyId: string;
  partyName: string | null;
  /** The claim version denied. */
  claimVersion: number;
  deniedAssertions: AssertionField[];
  statedAt: PointInTime;
}

export interface PartyIncidentRecord {
  incidentId: string;
  title: string | null;
  claims: PartyRecordClaim[];
  corrections: PartyRecordCorrection[];
  retractions: PartyRecordRetraction[];
  denialsMade: PartyRecordDenial[];
  denialsReceived: PartyRecordDenial[];
}

/** "What has this party said across incidents?" */
export interface PartyRecordDoc extends PartyRegistration {
  /** In order of the party's first entry in each incident; with a page request, that page of them. */
  incidents: PartyIncidentRecord[];
  /** Over the whole record, whatever page is shown. */
  counts: PartyRecordCounts;
  lastPosition: string;
  /** Present when a page was asked for: `next` is the `after` of the following page (null on the last). */
  page?: EntriesPage;
}

/**
 * A page of a party's record: `limit` incidents in the order the party first spoke in them, `after` the `page.next`
 * of the page before (the log position of the party's first entry in the last incident shown).
 */
export type PartyRecordRequest = Pick<EntriesPageRequest, 'limit' | 'after'>;

const denialOf = (d: DenialRow, names: PartyNameLookup): PartyRecordDenial => ({
  denialId: d.denialId,
  claimId: d.claimId,
  claimPartyId: d.claimPartyId,
  claimPartyName: names.nameOf(d.claimPartyId),
  partyId: d.partyId,
  partyName: names.nameOf(d.partyId),
  claimVersion: d.claimVersion,
  deniedAssertions: d.deniedAssertions,
  statedAt: d.statedAt,
  ...entryMetaOf(d),
});

/** A party's entries in one incident as the page reads them, each list in log order. */
interface IncidentLists {
  claims: ClaimRow[];
  /** Every version row (version 1 of each claim too): the words of the claims, and the corrections. */
  versions: ClaimVersionRow[];
  denialsMade: DenialRow[];
  denialsReceived: DenialRow[];
}

const IN_LOG_ORDER = [{ column: 'position' as const }];

/** The party's entries in the incident after a log position, at most `limit` of each list (all when undefined). */
const listsOf = (t: TableAccess, partyId: string, incidentId: string, after?: bigint, limit?: number): IncidentLists => {
  const options = { orderBy: IN_LOG_ORDER, ...(after !== undefined ? { after: { column: 'position' as const, value: after } } : {}), ...(limit !== undefined ? { limit } : {}) };
  return {
    claims: t.find(claimsTable, { partyId, incidentId }, options),
    // The party's versions in the incident in one read, not one lookup per claim: over PostgreSQL each lookup a view
    // makes after another's answer is a round of its own.
    versions: t.find(claimVersionsTable, { partyId, incidentId }, options),
    denialsMade: t.find(denialsTable, { partyId, incidentId }, options),
    denialsReceived: t.find(denialsTable, { claimPartyId: partyId, incidentId }, options),
  };
};

/** The record of the lists' entries up to a log position (all of them when `through` is undefined). */
const incidentRecord = (t: TableAccess, incidentId: string, lists: IncidentLists, names: PartyNameLookup, through?: bigint): PartyIncidentRecord => {
  const within = <R extends { position: bigint }>(rows: R[]) => (through === undefined ? rows : rows.filter((r) => r.position <= through));
  const claims = within(lists.claims);
  const versions = within(lists.versions);
  const statements = new Map(versions.map((v) => [`${v.claimId}\u0001${v.version}`, v.statement]));
  // The current words are the current version's, which a page ending before a later correction has not read.
  const statementOf = (c: ClaimRow) =>
    statements.get(`${c.claimId}\u0001${c.version}`) ?? t.get(claimVersionsTable, { incidentId, claimId: c.claimId, version: c.version })?.statement;
  return {
    incidentId,
    title: t.get(incidentsTable, { incidentId })?.title ?? null,
    claims: claims.map((c) => ({
      claimId: c.claimId,
      version: c.version,
      statement: statementOf(c)!,
      statementVersion: c.statementVersion,
      statedAt: c.statedAt,
      firstStatedAt: c.firstStatedAt,
      answers: c.answers,
      retracted: c.retracted,
      ...entryMetaOf(c),
    })),
    corrections: versions
      .filter((v) => v.kind === 'corrected')
      .map((v) => ({ claimId: v.claimId, version: v.version, reason: v.reason ?? '', statedAt: v.statedAt, ...entryMetaOf(v) })),
    // A retraction comes with the claim it retracts.
    retractions: claims
      .filter((c) => c.retraction !== null)
      .sort((a, b) => (a.retractionPosition! < b.retractionPosition! ? -1 : 1))
      .map((c) => {
        const { data, eventId, recordedAt, recordedBy, position } = c.retraction!;
        return { claimId: c.claimId, reason: data.reason, statedAt: data.statedAt, eventId, recordedAt, recordedBy, position };
      }),
    denialsMade: within(lists.denialsMade).map((d) => denialOf(d, names)),
    denialsReceived: within(lists.denialsReceived).map((d) => denialOf(d, names)),
  };
};

/**
 * How far into the lists a page with room for `room` entries goes: `through`, the log position of the last entry it
 * shows, or undefined when every entry of the incident fits; `entries`, how many it shows. Each list must have been
 * read with more rows than there is room for: a full list then holds more entries than fit before its last row, so
 * the page ends before anything unread. A page never ends between two entries of one log position, and shows at least
 * one position.
 */
const extentOf = (lists: IncidentLists, room: number): { through?: bigint; entries: number } => {
  const weights = new Map<bigint, number>();
  const add = (position: bigint, weight: number) => weights.set(position, (weights.get(position) ?? 0) + weight);
  for (const c of lists.claims) add(c.position, c.retraction !== null ? 2 : 1);
  for (const v of lists.versions) if (v.kind === 'corrected') add(v.position, 1);
  for (const d of lists.denialsMade) add(d.position, 1);
  for (const d of lists.denialsReceived) add(d.position, 1);
  const positions = [...weights.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  let entries = 0;
  for (const [i, position] of positions.entries()) {
    const weight = weights.get(position)!;
    if (entries > 0 && entries + weight > room) return { through: positions[i - 1], entries };
    entries += weight;
  }
  return { entries };
};

/** Ties (a split copies the party's first position into the new incident) in one order on every store. */
const BY_FIRST_ENTRY = [{ column: 'firstPosition' as const }, { column: 'incidentId' as const }];

export const partyRecordView = (t: TableAccess, partyId: string): PartyRecordDoc | undefined => {
  const party = t.get(partiesTable, { partyId });
  // Asked before the party is known to exist: over PostgreSQL both then come in the view's first round.
  const rows = t.find(incidentPartiesTable, { partyId }, { orderBy: BY_FIRST_ENTRY });
  if (!party) return undefined;
  const names = new PartyNameLookup(t);
  const incidents = rows.map((row) => incidentRecord(t, row.incidentId, listsOf(t, partyId, row.incidentId), names));
  const total = (of: (i: PartyIncidentRecord) => unknown[]) => incidents.reduce((n, i) => n + of(i).length, 0);
  return recordOf(party, incidents, {
    incidents: incidents.length,
    claims: total((i) => i.claims),
    corrections: total((i) => i.corrections),
    retractions: total((i) => i.retractions),
    denialsMade: total((i) => i.denialsMade),
    denialsReceived: total((i) => i.denialsReceived),
  });
};

/**
 * A whole record, unasked for, spans at most this many incidents: a party that spoke in more comes as its first page
 * of them (with `page`). On a generated 1,000,000-event ledger one party's whole record was 111 MB of JSON (8 s on the
 * HTTP thread), and `GET /parties` of the 37 whole records 515 MB (38 s), near the longest string V8 can make.
 */
export const WHOLE_RECORD_MAX_INCIDENTS = MAX_ENTRIES_LIMIT;
/** The same bound for each party of `GET /parties` (up to 500 a page). */
export const LISTED_RECORD_MAX_INCIDENTS = 20;
/**
 * Entries (claims, corrections, retractions, denials made and received) a page of a record holds at most, whatever
 * its incidents hold: one incident where a party made 12,500 claims made its record 6.4 MB (0.6 s on the HTTP
 * thread) and `GET /parties` 25 MB (2.2 s). A page may end inside an incident; the next page goes on with it.
 */
export const RECORD_PAGE_MAX_ENTRIES = MAX_ENTRIES_LIMIT;
/** The same bound for each party of `GET /parties`. */
export const LISTED_RECORD_MAX_ENTRIES = 100;
/** Rows of each list read for every incident of a page at once; an incident that holds more is read again alone. */
const FIRST_READ_ROWS = 32;

const entriesOf = ({ claims, corrections, retractions, denialsMade, denialsReceived }: PartyRecordCounts): number =>
  claims + corrections + retractions + denialsMade + denialsReceived;

/** The whole record, or, past `maxIncidents` incidents or `maxEntries` entries, the first page of that many. */
export const boundedPartyRecordView = (t: TableAccess, partyId: string, maxIncidents: number, maxEntries: number): PartyRecordDoc | undefined => {
  const party = t.get(partiesTable, { partyId });
  return party && (party.incidents > maxIncidents || entriesOf(party) > maxEntries)
    ? partyRecordPageView(t, partyId, { limit: maxIncidents }, maxEntries)
    : partyRecordView(t, partyId);
};

/** The counts of a party's whole record as its row keeps them. */
const recordCountsOf = ({ incidents, claims, corrections, retractions, denialsMade, denialsReceived }: PartyRow): PartyRecordCounts => ({
  incidents,
  claims,
  corrections,
  retractions,
  denialsMade,
  denialsReceived,
});

const recordOf = (party: PartyRow, incidents: PartyIncidentRecord[], counts: PartyRecordCounts): PartyRecordDoc => {
  const { partyId, registered, name, kind, description, affiliation, aliases, registeredAt } = party;
  return { partyId, registered, name, kind, description, affiliation, aliases, registeredAt, incidents, counts, lastPosition: party.lastPosition.toString() };
};

/**
 * Where a page of a record starts: after the incidents whose party's first entry is at `after` (a log position, as
 * `page.next` of a page that ended between incidents), or inside an incident, after its entries up to a log position
 * (`<first position>.<incident id>.<entry position>`, as `page.next` of a page that ended inside it).
 */
interface RecordCursor {
  limit?: number;
  after?: bigint;
  within?: { incidentId: string; through: bigint };
}

const WITHIN_INCIDENT = /^(\d{1,19})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.(\d{1,19})$/;

/** Both positions of a cursor inside an incident are checked as any page's `after` is. */
const recordCursorOf = (request: PartyRecordRequest): RecordCursor => {
  const inside = request.after === undefined ? null : WITHIN_INCIDENT.exec(request.after);
  if (!inside) return entriesPageOf(request);
  const [, first, incidentId, through] = inside;
  return { ...entriesPageOf({ limit: request.limit, after: first }), within: { incidentId, through: entriesPageOf({ after: through }).after! } };
};

/**
 * A page of a party's record with the counts of the whole record, which the party's row keeps: a party that spoke
 * in thousands of incidents, or thousands of times in one, is read a page at a time, at the cost of the page.
 */
export const partyRecordPageView = (
  t: TableAccess,
  partyId: string,
  request: PartyRecordRequest,
  maxEntries: number = RECORD_PAGE_MAX_ENTRIES,
): PartyRecordDoc | undefined => {
  const { limit, after, within } = recordCursorOf(request);
  const party = t.get(partiesTable, { partyId });
  // Inside an incident: the rest of it, then the incidents after it in the same order (ties of a split included).
  const notShownBefore = (r: IncidentPartyRow) => !(within && r.firstPosition === after && r.incidentId < within.incidentId);
  const tied = within ? t.find(incidentPartiesTable, { partyId, firstPosition: after! }, { orderBy: BY_FIRST_ENTRY }).filter(notShownBefore) : [];
  const rows = [
    ...tied,
    ...t.find(
      incidentPartiesTable,
      { partyId },
      {
        orderBy: BY_FIRST_ENTRY,
        ...(after !== undefined ? { after: { column: 'firstPosition', value: after } } : {}),
        ...(limit !== undefined ? { limit: limit + 1 } : {}),
      },
    ),
  ];
  if (!party) return undefined;
  const names = new PartyNameLookup(t);
  let shown = limit !== undefined && rows.length > limit ? rows.slice(0, limit) : rows;
  // The cursor between incidents is a position, so a page never ends inside a run of incidents sharing one (a split
  // copies the party's first position into the new incident): the whole run is shown, whatever the limit.
  if (shown.length < rows.length && rows[shown.length].firstPosition === shown[shown.length - 1].firstPosition) {
    const run = shown[shown.length - 1].firstPosition;
    shown = [
      ...shown.filter((r) => r.firstPosition !== run),
      ...t.find(incidentPartiesTable, { partyId, firstPosition: run }, { orderBy: BY_FIRST_ENTRY }).filter(notShownBefore),
    ];
  }
  // After a run of ties the next page may turn out empty (next: null there).
  let next = limit !== undefined && rows.length > limit ? shown[shown.length - 1].firstPosition.toString() : null;
  const entriesAfter = (row: IncidentPartyRow) => (within && row.incidentId === within.incidentId && row.firstPosition === after ? within.through : undefined);
  // Every incident's first rows in one round; only an incident holding more is read again, with the room left.
  const firstReads = shown.map((row) => listsOf(t, partyId, row.incidentId, entriesAfter(row), FIRST_READ_ROWS));
  const incidents: PartyIncidentRecord[] = [];
  let room = maxEntries;
  for (const [i, row] of shown.entries()) {
    if (room <= 0) {
      next = `${row.firstPosition}.${row.incidentId}.${entriesAfter(row) ?? 0n}`;
      break;
    }
    // Read again with more rows than there is room for when the first read may not have been (see extentOf).
    const lists = Object.values(firstReads[i]).some((list) => list.length >= FIRST_READ_ROWS) && room >= FIRST_READ_ROWS
      ? listsOf(t, partyId, row.incidentId, entriesAfter(row), room + 1)
      : firstReads[i];
    const { through, entries } = extentOf(lists, room);
    const record = incidentRecord(t, row.incidentId, lists, names, through);
    // The rest of an incident continued from the page before may hold nothing more.
    if (entries > 0 || entriesAfter(row) === undefined) incidents.push(record);
    room -= entries;
    if (through !== undefined) {
      next = `${row.firstPosition}.${row.incidentId}.${through}`;
      break;
    }
  }
  return { ...recordOf(party, incidents, recordCountsOf(party)), page: { limit: limit ?? null, after: request.after ?? null, next } };
};
