import { AssertionField, PointInTime, Statement } from '@ledger/domain';
import { EntryMeta } from '../envelope';
import { entryMetaOf } from '../projection/projection-context';
import { DenialRow, PartyRecordCounts, PartyRegistration, PartyRow, claimVersionsTable, claimsTable, denialsTable, incidentPartiesTable, incidentsTable, partiesTable } from '../tables/ledger.tables';
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

const incidentRecord = (t: TableAccess, partyId: string, incidentId: string, names: PartyNameLookup): PartyIncidentRecord => {
  const inLogOrder = { orderBy: [{ column: 'position' as const }] };
  const claims = t.find(claimsTable, { partyId, incidentId }, inLogOrder);
  // The party's versions in the incident in one read, not one lookup per claim: over PostgreSQL each lookup a view
  // makes after another's answer is a round of its own.
  const versions = t.find(claimVersionsTable, { partyId, incidentId }, inLogOrder);
  const statements = new Map(versions.map((v) => [`${v.claimId}\u0001${v.version}`, v.statement]));
  return {
    incidentId,
    title: t.get(incidentsTable, { incidentId })?.title ?? null,
    claims: claims.map((c) => ({
      claimId: c.claimId,
      version: c.version,
      // The current words are the current version's.
      statement: statements.get(`${c.claimId}\u0001${c.version}`)!,
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
    retractions: claims
      .filter((c) => c.retraction !== null)
      .sort((a, b) => (a.retractionPosition! < b.retractionPosition! ? -1 : 1))
      .map((c) => {
        const { data, eventId, recordedAt, recordedBy, position } = c.retraction!;
        return { claimId: c.claimId, reason: data.reason, statedAt: data.statedAt, eventId, recordedAt, recordedBy, position };
      }),
    denialsMade: t.find(denialsTable, { partyId, incidentId }, inLogOrder).map((d) => denialOf(d, names)),
    denialsReceived: t.find(denialsTable, { claimPartyId: partyId, incidentId }, inLogOrder).map((d) => denialOf(d, names)),
  };
};

/** Ties (a split copies the party's first position into the new incident) in one order on every store. */
const BY_FIRST_ENTRY = [{ column: 'firstPosition' as const }, { column: 'incidentId' as const }];

export const partyRecordView = (t: TableAccess, partyId: string): PartyRecordDoc | undefined => {
  const party = t.get(partiesTable, { partyId });
  // Asked before the party is known to exist: over PostgreSQL both then come in the view's first round.
  const rows = t.find(incidentPartiesTable, { partyId }, { orderBy: BY_FIRST_ENTRY });
  if (!party) return undefined;
  const names = new PartyNameLookup(t);
  const incidents = rows.map((row) => incidentRecord(t, partyId, row.incidentId, names));
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

/** The whole record, or, when the party spoke in more than `maxIncidents` incidents, the first page of that many. */
export const boundedPartyRecordView = (t: TableAccess, partyId: string, maxIncidents: number): PartyRecordDoc | undefined => {
  const party = t.get(partiesTable, { partyId });
  return party && party.incidents > maxIncidents ? partyRecordPageView(t, partyId, { limit: maxIncidents }) : partyRecordView(t, partyId);
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
 * A page of a party's record with the counts of the whole record, which the party's row keeps: a party that spoke
 * in thousands of incidents is read a page at a time, at the cost of the page.
 */
export const partyRecordPageView = (t: TableAccess, partyId: string, request: PartyRecordRequest): PartyRecordDoc | undefined => {
  const { limit, after } = entriesPageOf(request);
  const party = t.get(partiesTable, { partyId });
  const rows = t.find(
    incidentPartiesTable,
    { partyId },
    {
      orderBy: BY_FIRST_ENTRY,
      ...(after !== undefined ? { after: { column: 'firstPosition', value: after } } : {}),
      ...(limit !== undefined ? { limit: limit + 1 } : {}),
    },
  );
  if (!party) return undefined;
  const names = new PartyNameLookup(t);
  let shown = limit !== undefined && rows.length > limit ? rows.slice(0, limit) : rows;
  // The cursor is a position, so a page never ends inside a run of incidents sharing one (a split copies the party's
  // first position into the new incident): the whole run is shown, whatever the limit.
  if (shown.length < rows.length && rows[shown.length].firstPosition === shown[shown.length - 1].firstPosition) {
    const tied = shown[shown.length - 1].firstPosition;
    shown = [...shown.filter((r) => r.firstPosition !== tied), ...t.find(incidentPartiesTable, { partyId, firstPosition: tied }, { orderBy: BY_FIRST_ENTRY })];
  }
  // After a run of ties the next page may turn out empty (next: null there).
  const next = limit !== undefined && rows.length > limit ? shown[shown.length - 1].firstPosition.toString() : null;
  const incidents = shown.map((row) => incidentRecord(t, partyId, row.incidentId, names));
  return { ...recordOf(party, incidents, recordCountsOf(party)), page: { limit: limit ?? null, after: request.after ?? null, next } };
};
