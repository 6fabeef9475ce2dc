import { PartyRecordCounts, PartyRegistration } from '../tables/ledger.tables';
import { SqlRows } from './dashboard-stats.view';
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
  incidents: number;
  claims: number;
  corrections: number;
  retractions: number;
  denials_made: number;
  denials_received: number;
}



const json = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);

/**
 * "Which parties are there, and how much has each said?" A page of the parties in id order, each with its counts as
 * its record (GET /parties/{id}) gives them, which the party's row keeps, rather than the record of every incident:
 * what a party picker or a directory page reads on a ledger where one party speaks in thousands of incidents.
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
    `SELECT "party_id", "registered", "name", "kind", "description", "affiliation", "aliases", "registered_at", ` +
      `"incidents", "claims", "corrections", "retractions", "denials_made", "denials_received" FROM "parties" ${clause} ORDER BY "party_id" LIMIT @limit OFFSET @offset`,
    { ...params, limit: q.limit, offset: q.offset },
  );
  const total = sql.all<{ n: number }>(`SELECT COUNT(*) AS n FROM "parties" ${clause}`, params)[0]?.n ?? 0;
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
      counts: {
        incidents: Number(r.incidents),
        claims: Number(r.claims),
        corrections: Number(r.corrections),
        retractions: Number(r.retractions),
        denialsMade: Number(r.denials_made),
        denialsReceived: Number(r.denials_received),
      },
    })),
    total,
    limit: q.limit,
    offset: q.offset,
  };
};
