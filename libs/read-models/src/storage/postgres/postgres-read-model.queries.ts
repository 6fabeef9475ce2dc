import { types as pgTypes, type CustomTypesConfig } from 'pg';
import { DEFAULT_CHECKPOINT_NAME } from '../../runner/projection.runner';
import { IncidentRow, PartyRow, incidentPartiesTable, incidentsTable, partiesTable } from '../../tables/ledger.tables';
import { ClaimHistoryDoc, claimHistoryView } from '../../views/claim-history.view';
import { IncidentCasualties, POSTGRES_DIALECT, SqlParam, SqlRows, incidentCasualtiesView } from '../../views/dashboard-stats.view';
import { EntriesPageRequest } from '../../views/entries-page';
import { IncidentListItem, incidentListItemOf, incidentView } from '../../views/incident-list.view';
import { IncidentTimelinePage, incidentTimelineView } from '../../views/incident-timeline.view';
import { PartyNameLookup, fillPartyNames } from '../../views/party-names';
import { LISTED_RECORD_MAX_ENTRIES, LISTED_RECORD_MAX_INCIDENTS, PartyRecordDoc, RECORD_PAGE_MAX_ENTRIES, PartyRecordRequest, WHOLE_RECORD_MAX_INCIDENTS, boundedPartyRecordView, partyRecordPageView } from '../../views/party-record.view';
import { PartyVersionsPage, PartyVersionsRequest, partyVersionsView } from '../../views/party-versions.view';
import { ReadModelQueries, ReadModelsUnreachableError } from '../read-model-queries.port';
import { IncidentListFilter, Page, PageRequest, StoredCheckpoint, incidentListQuery, pageOf } from '../sqlite-read-model.store';
import { PostgresReadModelStore, PostgresSnapshot } from './postgres-read-model.store';

/** `@name` parameters (as the shared SQL texts write them) as PostgreSQL's `$n`, each name one position. */
export const positional = (sql: string, params: Record<string, SqlParam>): { text: string; values: SqlParam[] } => {
  const values: SqlParam[] = [];
  const positions = new Map<string, number>();
  const text = sql.replace(/@([A-Za-z_][A-Za-z0-9_]*)/g, (_, name: string) => {
    if (!(name in params)) throw new Error(`SQL parameter @${name} has no value`);
    let n = positions.get(name);
    if (n === undefined) positions.set(name, (n = values.push(params[name])));
    return `$${n}`;
  });
  return { text, values };
};

/** Counts as numbers, as SQLite gives them (node-postgres hands bigint and numeric as text; the counts are far below 2^53). */
const NUMBERS: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === pgTypes.builtins.INT8 || oid === pgTypes.builtins.NUMERIC ? (value: string) => Number(value) : pgTypes.getTypeParser(oid, format as 'text')) as CustomTypesConfig['getTypeParser'],
};

/**
 * Runs synchronous statistics code (SqlRows) over PostgreSQL in rounds, as PostgresSnapshotReader runs views: a
 * statement not fetched yet answers no rows and spoils the round, which runs again once its statements are fetched. A
 * statistic's later statements depend only on the rows of earlier ones, so it takes as many rounds as they are deep.
 */
const aggregateInRounds = async <T>(snapshot: PostgresSnapshot, query: (sql: SqlRows) => T): Promise<T> => {
  const answers = new Map<string, unknown[]>();
  for (;;) {
    const wanted = new Map<string, { text: string; values: SqlParam[] }>();
    let result: T | undefined;
    let failure: unknown;
    let failed = false;
    try {
      result = query({
        dialect: POSTGRES_DIALECT,
        all: <R>(sql: string, params: Record<string, SqlParam>): R[] => {
          const key = `${sql}\u0000${JSON.stringify(params)}`;
          const answer = answers.get(key);
          if (answer) return answer as R[];
          wanted.set(key, positional(sql, params));
          return [];
        },
      });
    } catch (error) {
      failure = error;
      failed = true;
    }
    if (wanted.size === 0) {
      if (failed) throw failure;
      return result as T;
    }
    for (const [key, { text, values }] of wanted) answers.set(key, await snapshot.query(text, values, NUMBERS));
  }
};

/** Lost connections, a server shutting down or refusing more clients: PostgreSQL is away, not the query wrong. */
const isUnreachable = (error: unknown): boolean => {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (/^(ECONN|ENOTFOUND|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|EPIPE)/.test(code)) return true;
    // SQLSTATE classes 08 (connection), 53 (insufficient resources), 57 (operator intervention: shutdown, cancel).
    if (/^(08|53|57)/.test(code)) return true;
  }
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|Cannot use a pool after calling end/i.test(message);
};

/**
 * The API's answers from the read models in PostgreSQL: the views through the store's `answer` (the same code as on
 * SQLite, so the same JSON text), the incident list, the party list and the statistics as plain SQL from the same
 * filter and statement code in PostgreSQL's dialect. Each answer reads one REPEATABLE READ snapshot.
 */
export class PostgresReadModelQueries extends ReadModelQueries {
  /** `store`: the open store, or a throw (ReadModelsUnreachableError) while there is none. */
  constructor(private readonly store: () => PostgresReadModelStore) {
    super();
  }

  incident(incidentId: string): Promise<IncidentListItem | undefined> {
    return this.reach((store) => store.answer((t) => incidentView(t, incidentId)));
  }

  partyVersions(incidentId: string, page: PartyVersionsRequest): Promise<PartyVersionsPage | undefined> {
    return this.reach((store) => store.answer((t) => partyVersionsView(t, incidentId, page)));
  }

  incidentTimeline(incidentId: string, page: EntriesPageRequest): Promise<IncidentTimelinePage | undefined> {
    return this.reach((store) => store.answer((t) => incidentTimelineView(t, incidentId, page)));
  }

  claimHistory(incidentId: string, claimId: string): Promise<ClaimHistoryDoc | undefined> {
    return this.reach((store) => store.answer((t) => claimHistoryView(t, incidentId, claimId)));
  }

  partyRecord(partyId: string, page?: PartyRecordRequest): Promise<PartyRecordDoc | undefined> {
    return this.reach((store) => store.answer((t) => (page ? partyRecordPageView(t, partyId, page) : boundedPartyRecordView(t, partyId, WHOLE_RECORD_MAX_INCIDENTS, RECORD_PAGE_MAX_ENTRIES))));
  }

  async listPartyRecords(request: PageRequest = {}): Promise<Page<PartyRecordDoc>> {
    const { limit, offset } = pageOf(request);
    return this.reach((store) =>
      store.read(async (s) => {
        const parties = await s.rows<PartyRow>(partiesTable, 'ORDER BY "party_id" LIMIT $1 OFFSET $2', [limit, offset]);
        const total = (await s.query<{ n: number }>(`SELECT COUNT(*) AS n FROM "parties"`, [], NUMBERS))[0].n;
        const items = await s.view((t) => parties.map((party) => boundedPartyRecordView(t, party.partyId, LISTED_RECORD_MAX_INCIDENTS, LISTED_RECORD_MAX_ENTRIES)!));
        return { items, total, limit, offset };
      }),
    );
  }

  async listIncidents(filter: IncidentListFilter = {}): Promise<Page<IncidentListItem>> {
    const { clause, order, params, limit, offset } = incidentListQuery(filter, POSTGRES_DIALECT);
    return this.reach((store) =>
      store.read(async (s) => {
        const page = positional(`${clause} ORDER BY ${order} LIMIT @limit OFFSET @offset`, { ...params, limit, offset });
        const rows = await s.rows<IncidentRow>(incidentsTable, page.text, page.values);
        const count = positional(`SELECT COUNT(*) AS n FROM "incidents" ${clause}`, params);
        const total = (await s.query<{ n: number }>(count.text, count.values, NUMBERS))[0].n;
        const items = await s.view((t) => {
          const names = new PartyNameLookup(t);
          return rows.map((row) => incidentListItemOf(row, t.find(incidentPartiesTable, { incidentId: row.incidentId }).map((p) => p.partyId), (id) => names.nameOf(id))!);
        });
        return { items, total, limit, offset };
      }),
    );
  }

  nameParties<T>(doc: T): Promise<T> {
    return this.reach((store) =>
      store.answer((t) => {
        const names = new PartyNameLookup(t);
        return fillPartyNames(doc, (partyId) => names.nameOf(partyId));
      }),
    );
  }

  incidentCasualties(incidentId: string): Promise<IncidentCasualties | undefined> {
    return this.reach((store) => store.answer((t) => incidentCasualtiesView(t, incidentId)));
  }

  aggregate<T>(query: (sql: SqlRows) => T): Promise<T> {
    return this.reach((store) => store.read((s) => aggregateInRounds(s, query)));
  }

  readCheckpoint(name: string = DEFAULT_CHECKPOINT_NAME): Promise<StoredCheckpoint | undefined> {
    return this.reach((store) => store.readCheckpoint(name));
  }

  /** A lost server is a 503 to the client (ReadModelsUnreachableError); the query's own errors pass as they are. */
  private async reach<T>(work: (store: PostgresReadModelStore) => Promise<T>): Promise<T> {
    const store = this.store();
    try {
      return await work(store);
    } catch (error) {
      if (isUnreachable(error)) throw new ReadModelsUnreachableError(error);
      throw error;
    }
  }
}
