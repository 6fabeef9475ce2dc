import { PartyRegistration } from '../tables/ledger.tables';
import { SqlRows } from './dashboard-stats.view';
import { PartyRecordCounts } from './party-record.view';
import { containsPattern, searchWords } from './search-words';

/** A party as a directory lists it: its registration and its counts, without the record of every incident. */
export interface PartySummary extends Omit<PartyRegistration, 'registeredAt'> {
  registeredAt: string | null;
  counts: PartyRecordCounts;
}

export interface PartyDirectory {
  items: PartySummary[];
  total: number;
  limit: number;
  offset: number;
}

export interface PartyDirectoryQuery {
  /** Words that must all appear in the name, the id or an alias (case-insensitive, ASCII). */
  search?: string;
  limit: number;
  offset: number;
}

interface StoredParty {
  party_id: string;
  registered: unknown;
  name: string | null;
  kind: string | null;
  description: string | null;
  affiliation: unknown;
  aliases: unknown;
  registered_at: string | null;
}


/**
 * Each count reads an index only, never the rows (a claim's row holds its whole statement): by party on claims,
 * versions, denials made and received and incident parties; retractions on the timeline's index, whose leading kind
 * keeps the scan to the retractions. Corrections are the versions beyond each claim's first ('made' or 'corrected').
 */
const counts = (ids: string): readonly [keyof PartyRecordCounts | 'versions', string][] => [
  // @ids: a JSON array of the page's party ids.
  ['incidents', `SELECT "party_id" AS id, COUNT(*) AS n FROM "incident_parties" WHERE "party_id" ${ids} GROUP BY 1`],
  ['claims', `SELECT "party_id" AS id, COUNT(*) AS n FROM "claims" WHERE "party_id" ${ids} GROUP BY 1`],
  ['versions', `SELECT "party_id" AS id, COUNT(*) AS n FROM "claim_versions" WHERE "party_id" ${ids} GROUP BY 1`],
  ['retractions', `SELECT "party_id" AS id, COUNT(*) AS n FROM "timeline_entries" WHERE "kind" = 'retraction' AND "party_id" ${ids} GROUP BY 1`],
  ['denialsMade', `SELECT "party_id" AS id, COUNT(*) AS n FROM "denials" WHERE "party_id" ${ids} GROUP BY 1`],
  ['denialsReceived', `SELECT "claim_party_id" AS id, COUNT(*) AS n FROM "denials" WHERE "claim_party_id" ${ids} GROUP BY 1`],
];

/** The counts of each party's whole record, as GET /parties/{id} gives them (a test holds both), from the indexes. */
const recordCounts = (sql: SqlRows, partyIds: string[]): Map<string, PartyRecordCounts> => {
  const found = new Map<string, PartyRecordCounts & { versions: number }>(
    partyIds.map((id) => [id, { incidents: 0, claims: 0, versions: 0, corrections: 0, retractions: 0, denialsMade: 0, denialsReceived: 0 }]),
  );
  if (partyIds.length > 0) {
    const ids = JSON.stringify(partyIds);
    for (const [field, statement] of counts(`IN (${sql.dialect.textsOf('ids')})`)) for (const { id, n } of sql.all<{ id: string; n: number }>(statement, { ids })) found.get(id)![field] = n;
  }
  return new Map([...found].map(([id, { versions, ...shown }]) => [id, { ...shown, corrections: versions - shown.claims }]));
};

/** The counts of one party's whole record (a page of it shows them whatever the page). */
export const partyRecordCounts = (sql: SqlRows, partyId: string): PartyRecordCounts => recordCounts(sql, [partyId]).get(partyId)!;

const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/**
 * "Which parties are there, and how much has each said?" A page of the parties in id order, each with its counts as
 * its record (GET /parties/{id}) gives them, from index counts rather than the record of every incident: what a party
 * picker or a directory page reads on a ledger where one party speaks in thousands of incidents.
 */
export const partyDirectory = (sql: SqlRows, q: PartyDirectoryQuery): PartyDirectory => {
  const words = searchWords(q.search);
  const params: Record<string, string | number> = {};
  const where = words.map((word, n) => {
    params[`w${n}`] = containsPattern(word);
    const like = (column: string) => sql.dialect.like(column, `w${n}`);
    return `(${like('"party_id"')} OR ${like('"name"')} OR ${like('"aliases"')})`;
  });
  const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
  const rows = sql.all<StoredParty>(
    `SELECT "party_id", "registered", "name", "kind", "description", "affiliation", "aliases", "registered_at" FROM "parties" ${clause} ORDER BY "party_id" LIMIT @limit OFFSET @offset`,
    { ...params, limit: q.limit, offset: q.offset },
  );
  const total = sql.all<{ n: number }>(`SELECT COUNT(*) AS n FROM "parties" ${clause}`, params)[0]?.n ?? 0;
  const found = recordCounts(
    sql,
    rows.map((r) => r.party_id),
  );
  return {
    items: rows.map((r) => ({
      partyId: r.party_id,
      registered: r.registered === 1 || r.registered === true,
      name: r.name ?? null,
      kind: (r.kind as PartyRegistration['kind']) ?? null,
      description: r.description ?? null,
      affiliation: (json(r.affiliation) as PartyRegistration['affiliation']) ?? null,
      aliases: (json(r.aliases) as string[] | null) ?? [],
      registeredAt: r.registered_at ?? null,
      counts: found.get(r.party_id)!,
    })),
    total,
    limit: q.limit,
    offset: q.offset,
  };
};
