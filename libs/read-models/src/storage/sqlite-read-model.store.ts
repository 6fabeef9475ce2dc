import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { StoreUnavailableError } from '@ledger/event-store';
import { LedgerEnvelope } from '../envelope';
import { LEDGER_PROJECTIONS, TableProjection } from '../projection';
import { PartyRow, incidentPartiesTable, incidentsTable, partiesTable } from '../tables/ledger.tables';
import { AnyTable, TableAccess } from '../tables/table-spec';
import { endInstant, startInstant } from '../time-range';
import { ClaimHistoryDoc, claimHistoryView } from '../views/claim-history.view';
import { IncidentCasualties, SQLITE_DIALECT, SqlDialect, SqlParam, SqlRows, incidentCasualtiesView } from '../views/dashboard-stats.view';
import { PartyNameLookup, fillPartyNames } from '../views/party-names';
import { EntriesPageRequest } from '../views/entries-page';
import { containsPattern, searchWords } from '../views/search-words';
import { IncidentListItem, incidentListItemOf, incidentView } from '../views/incident-list.view';
import { IncidentTimelineDoc, IncidentTimelinePage, incidentTimelineView } from '../views/incident-timeline.view';
import { LISTED_RECORD_MAX_ENTRIES, LISTED_RECORD_MAX_INCIDENTS, PartyRecordDoc, RECORD_PAGE_MAX_ENTRIES, PartyRecordRequest, WHOLE_RECORD_MAX_INCIDENTS, boundedPartyRecordView, partyRecordPageView } from '../views/party-record.view';
import { PartyVersionsDoc, PartyVersionsPage, PartyVersionsRequest, partyVersionsView } from '../views/party-versions.view';
import { GradeFilter, filtersGrade } from '../views/grade-filter';
import { READ_MODEL_APPLICATION_ID, ReadModelFileHealing, ReadModelFileProblem, healReadModelFile, isCorruptionError, markClosedClean, moveAside, unchangedSinceCleanClose } from './read-model-file';
import { clearUnsynced, currentBootId, markUnsynced, syncPath } from './unsynced-marker';
import { SqlValue, SqliteTables } from './sqlite-tables';

/**
 * Version of the file's own bookkeeping (the checkpoint table) and of what a projection's version cannot say (3: an
 * index renamed, which CREATE INDEX IF NOT EXISTS would have added beside the old one); a file of another version is
 * emptied and rebuilt from the log. The tables' contents carry their projection's version.
 */
export const READ_MODEL_SCHEMA_VERSION = 3;

const CHECKPOINTS = `
  CREATE TABLE IF NOT EXISTS read_model_checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    projection_versions TEXT NOT NULL
  );
`;

export interface SqliteReadModelStoreOptions {
  /** A file path, or `:memory:` for a throwaway store. Never the event store's file: read models are disposable, the log is not. */
  filename: string;
  busyTimeoutMs?: number;
  /** The projections whose tables the file holds; defaults to the ledger's read models. */
  projections?: readonly TableProjection[];
  /**
   * SQLite's page cache for this connection, in MiB (default 8). The writer of a large rebuild wants more: the
   * indexes of claims, positions and timeline outgrow a few MiB; a connection that only answers queries does not.
   */
  cacheMiB?: number;
  /**
   * Check the file before opening it and move it aside when it is damaged or not ours (see healReadModelFile).
   * `wholeCheck: 'in-background'`: a file not known whole (no clean close left it as it is) is opened after the cheap
   * checks only, and its `quick_check` is left to whoever runs a ReadModelFileCheck beside the ledger (the supervisor);
   * by default it is read whole before it is opened.
   */
  heal?: { log?: (message: string) => void; wholeCheck?: 'before-open' | 'in-background' };
  /** This connection's wal_autocheckpoint in pages (SQLite's 1,000 when absent); raised when another thread checkpoints. */
  walAutocheckpointPages?: number;
  /**
   * `OFF`: this connection's writes (and the checkpoints it runs) are never synced, and an unsynced-writes marker naming
   * this boot is left beside the file first (see unsynced-marker.ts); where the boot cannot be told, `NORMAL` instead.
   * Default `NORMAL`: SQLite syncs the WAL and the file at each checkpoint.
   */
  synchronous?: 'NORMAL' | 'OFF';
  /**
   * At close, after every other writer of the file has closed (the projection thread's connection, the checkpoint
   * thread): empty the WAL into the file, sync it, remove the unsynced-writes marker and note the file as closed clean
   * (the next open with `heal` then skips `quick_check` if the file is unchanged). For the connection that closes last.
   */
  syncOnClose?: boolean;
}

/** Page size of a new read-model file (an existing file keeps its own). */
export const READ_MODEL_PAGE_SIZE = 16_384;
/** The page cache of a connection that only reads (the API's, the statistics' thread's), in MiB. */
export const READER_CACHE_MIB = 8;
/** For the connection that writes the tables (the runner's), whose working set in a rebuild is large. */
export const WRITER_CACHE_MIB = 64;
/** How the connection that writes the tables is opened: the runner's, a CLI rebuild or import, an export's scratch file. */
export const WRITER_STORE_OPTIONS = { cacheMiB: WRITER_CACHE_MIB } as const;

export interface StoredCheckpoint {
  name: string;
  /** Global position of the last event whose effects are in the tables. */
  position: bigint;
  projectionVersions: Record<string, number>;
}

export interface PageRequest {
  /** Default 50, at most 500. */
  limit?: number;
  offset?: number;
}

export interface Page<T> {
  items: T[];
  /** Matching rows before limit/offset. */
  total: number;
  limit: number;
  offset: number;
}

export interface IncidentListFilter extends PageRequest {
  /** Incidents in which this party made or denied a claim. */
  partyId?: string;
  category?: string;
  contested?: boolean;
  /** Incidents whose occurrence interval overlaps [occurredFrom, occurredTo]; a date-only bound covers its whole day. */
  occurredFrom?: string;
  occurredTo?: string;
  /**
   * Words every one of which appears (case-insensitively, ASCII) in the title, the summary, the place name or the name
   * or id of a party that spoke in the incident: the dashboard's search box, over the whole list rather than one page.
   */
  search?: string;
  /** Incidents with at least one standing claim whose current version is graded at least this well. */
  minGrade?: GradeFilter;
}

/** table -> its rows in primary-key order, as JSON (positions as decimal strings), for comparing two states of the read models. */
export type ReadModelDump = Record<string, unknown[]>;

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;
/** Far beyond any list the ledger holds, and within SQLite's integers. */
export const MAX_PAGE_OFFSET = 1_000_000_000;

export class InvalidQueryError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'InvalidQueryError';
  }
}

/** A query found the read-model file damaged; the ledger moves it aside and rebuilds it (a 503 meanwhile, never a 500). */
export class ReadModelsUnavailableError extends StoreUnavailableError {
  constructor(cause: unknown) {
    super(`The read models are damaged and being rebuilt from the event log: ${cause instanceof Error ? cause.message : String(cause)}`, cause);
    this.name = 'ReadModelsUnavailableError';
  }
}

/** A projection threw on an event; the batch it was part of is rolled back. */
export class ProjectionError extends Error {
  readonly position: bigint;
  readonly eventId: string;
  readonly streamName: string;

  constructor(
    readonly projection: string,
    envelope: LedgerEnvelope,
    override readonly cause: unknown,
  ) {
    super(
      `Projection ${projection} failed on event ${envelope.eventId} (${envelope.event.type}) at position ${envelope.position} ` +
        `in ${envelope.streamName}: ${cause instanceof Error ? cause.message : String(cause)}`,
    );
    this.name = 'ProjectionError';
    this.position = envelope.position;
    this.eventId = envelope.eventId;
    this.streamName = envelope.streamName;
  }
}

/** Every projection applied to every envelope, in order, then settled: one batch, whatever store keeps the rows. */
export const foldEnvelopes = (t: TableAccess, projections: readonly TableProjection[], envelopes: Iterable<LedgerEnvelope>): void => {
  for (const e of envelopes) {
    for (const projection of projections) {
      try {
        projection.apply(t, e);
      } catch (error) {
        throw new ProjectionError(projection.name, e, error);
      }
    }
  }
  for (const projection of projections) projection.settle?.(t);
};

export const pageOf = (request: PageRequest): { limit: number; offset: number } => {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = request.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidQueryError(`limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`, 'limit');
  }
  if (!Number.isInteger(offset) || offset < 0 || offset > MAX_PAGE_OFFSET) {
    throw new InvalidQueryError(`offset must be a whole number from 0 to ${MAX_PAGE_OFFSET}`, 'offset');
  }
  return { limit, offset };
};

const instantBound = (value: string, toInstant: (iso: string) => number, field: string): string => {
  const ms = toInstant(value);
  if (!Number.isFinite(ms)) throw new InvalidQueryError(`${field} must be an ISO-8601 date or date-time`, field);
  return new Date(ms).toISOString();
};

const jsonSafe = (row: object): unknown =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]));

/**
 * The incident list's WHERE clause, sort order and parameters (named, `@name`) for either store, from the same
 * filters: the SQLite file and PostgreSQL list the same incidents in the same order, however filtered.
 */
export const incidentListQuery = (
  filter: IncidentListFilter,
  dialect: SqlDialect,
): { clause: string; order: string; params: Record<string, SqlParam>; limit: number; offset: number } => {
  const { limit, offset } = pageOf(filter);
  const where = [dialect.isSet('"reported"'), '"merged_into" IS NULL'];
  const params: Record<string, SqlParam> = {};
  if (filter.partyId !== undefined) {
    where.push('EXISTS (SELECT 1 FROM "incident_parties" AS p WHERE p."incident_id" = "incidents"."incident_id" AND p."party_id" = @partyId)');
    params.partyId = filter.partyId;
  }
  if (filter.category !== undefined) {
    where.push('"category" = @category');
    params.category = filter.category;
  }
  if (filter.contested !== undefined) {
    where.push('"contested" = @contested');
    params.contested = dialect.flag(filter.contested);
  }
  if (filter.occurredFrom !== undefined) {
    where.push('"occurred_end" >= @occurredFrom');
    params.occurredFrom = instantBound(filter.occurredFrom, startInstant, 'occurredFrom');
  }
  if (filter.occurredTo !== undefined) {
    where.push('"occurred_start" <= @occurredTo');
    params.occurredTo = instantBound(filter.occurredTo, endInstant, 'occurredTo');
  }
  if (params.occurredFrom !== undefined && params.occurredTo !== undefined && (params.occurredFrom as string) > (params.occurredTo as string)) {
    throw new InvalidQueryError('occurredFrom is after occurredTo', 'occurredFrom');
  }
  searchWords(filter.search).forEach((word, n) => {
    const name = `search${n}`;
    params[name] = containsPattern(word);
    const like = (column: string) => dialect.like(column, name);
    where.push(
      // The parties a word names are found once (the parties table is small); each incident then only asks its own
      // speakers whether one of them is among them.
      `(${like('"title"')} OR ${like('"summary"')} OR ${like('"location_name"')} OR EXISTS (SELECT 1 FROM "incident_parties" AS sp ` +
        `WHERE sp."incident_id" = "incidents"."incident_id" AND sp."party_id" IN (SELECT pn."party_id" FROM "parties" AS pn WHERE ${like('pn."party_id"')} OR ${like('pn."name"')})))`,
    );
  });
  if (filtersGrade(filter.minGrade)) {
    // Reliability letters sort as their ranks (A best) and credibility numbers too; a NULL grade compares false.
    const scales = [
      ...(filter.minGrade.minReliability !== undefined ? ['g."reliability" <= @minReliability'] : []),
      ...(filter.minGrade.minCredibility !== undefined ? ['g."credibility" <= @minCredibility'] : []),
    ];
    where.push(`EXISTS (SELECT 1 FROM "claims" AS g WHERE g."incident_id" = "incidents"."incident_id" AND g."retracted" = ${dialect.flag(false)} AND ${scales.join(' AND ')})`);
    if (filter.minGrade.minReliability !== undefined) params.minReliability = filter.minGrade.minReliability;
    if (filter.minGrade.minCredibility !== undefined) params.minCredibility = filter.minGrade.minCredibility;
  }
  return { clause: `WHERE ${where.join(' AND ')}`, order: `${dialect.descending('"occurred_start"')}, "incident_id" ASC`, params, limit, offset };
};

/** SQLite has no booleans: flags are 1 and 0. */
const sqliteParams = (params: Record<string, SqlParam>): Record<string, SqlValue> =>
  Object.fromEntries(Object.entries(params).map(([k, v]) => [k, typeof v === 'boolean' ? (v ? 1 : 0) : v]));

/** The aggregates' SQL over a SQLite connection, each statement prepared once per text (kept in `prepared`). */
export const sqliteSqlRows = (db: Database.Database, prepared: Map<string, Database.Statement>): SqlRows => ({
  dialect: SQLITE_DIALECT,
  all: <R>(sql: string, params: Record<string, SqlParam>) => {
    let statement = prepared.get(sql);
    if (!statement) prepared.set(sql, (statement = db.prepare(sql)));
    return statement.all(sqliteParams(params)) as R[];
  },
});

/** Versions of the projections, keyed by name in a stable order, as the checkpoint stores them. */
export const projectionVersionsOf = (projections: readonly TableProjection[]): Record<string, number> =>
  Object.fromEntries([...projections].sort((a, b) => a.name.localeCompare(b.name)).map((p) => [p.name, p.version]));

/**
 * The read models' own SQLite file: the projections' tables and the
 * runner's checkpoint, changed together in one transaction, so what a reader
 * sees is always the fold of the log up to the checkpoint: never half an
 * event, never one twice. Answers are assembled from the rows at query time
 * by the views, each in one read transaction.
 */
export class SqliteReadModelStore {
  private db!: Database.Database;
  private rows!: SqliteTables;
  private statements!: {
    getCheckpoint: Database.Statement<[string], { position: bigint; projection_versions: string }>;
    upsertCheckpoint: Database.Statement<[string, bigint, string]>;
  };
  /** Prepared aggregate statements by SQL text (a bounded set: the stats views build them from enumerated choices). */
  private aggregates = new Map<string, Database.Statement>();
  /** Every projection hosted so far, hosted again when the file is replaced. */
  private readonly hosted = new Set<TableProjection>();
  private corruptionListener: ((error: unknown) => void) | undefined;
  /** What the last check at open or replacement moved aside, if anything. */
  healed: ReadModelFileHealing | undefined;
  /**
   * How the file was checked at open (with `heal`): read whole, found exactly as a clean close left it, or opened after
   * the cheap checks with its reading whole left to a check beside the ledger (`heal.wholeCheck`).
   */
  openCheck: 'quick_check' | 'unchanged since a clean close' | 'quick_check in the background' | undefined;
  /** Counts the files this store has had open: a check that began on an earlier one says nothing of the present one. */
  fileGeneration = 0;
  /** The boot this connection writes unsynced in, when it does (`synchronous: 'OFF'` and a boot id to name). */
  private unsyncedBoot: string | undefined;

  constructor(private readonly options: SqliteReadModelStoreOptions) {
    if (options.heal) {
      this.openCheck = unchangedSinceCleanClose(options.filename)
        ? 'unchanged since a clean close'
        : options.heal.wholeCheck === 'in-background' && existsSync(options.filename)
          ? 'quick_check in the background'
          : 'quick_check';
      this.healed = healReadModelFile(options.filename, options.heal.log, undefined, { quickCheck: this.openCheck === 'quick_check' });
      // Moved aside by the cheap checks: the file opened below is a new, empty one, with nothing to read whole.
      if (this.healed && this.openCheck === 'quick_check in the background') this.openCheck = 'quick_check';
    }
    try {
      this.open();
    } catch (error) {
      // Damage quick_check did not see (or no check asked for): the file is disposable, so it never stops a start.
      if (!options.heal || !isCorruptionError(error)) throw error;
      this.healed = moveAside(options.filename, 'damaged', error instanceof Error ? error.message : String(error), options.heal.log);
      if (this.openCheck === 'quick_check in the background') this.openCheck = 'quick_check';
      this.open();
    }
  }

  private open(): void {
    const options = this.options;
    this.db = new Database(options.filename);
    try {
      this.unsyncedBoot = options.synchronous === 'OFF' && !this.db.memory ? currentBootId() : undefined;
      // Before the first write of this connection: a crash of the machine from here on leaves the marker behind.
      if (this.unsyncedBoot !== undefined) markUnsynced(options.filename, this.unsyncedBoot);
      this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
      // Only a new, empty file takes a page size. Rows of a kilobyte (claim versions, timeline lines) fill 4 KiB pages
      // in a few rows each: 16 KiB pages cut the rebuild's SQLite time by about a fifth, and small live batches cost the same.
      if (!this.db.memory) this.db.pragma(`page_size = ${READ_MODEL_PAGE_SIZE}`);
      const journalMode = String(this.db.pragma('journal_mode = WAL', { simple: true }));
      if (!this.db.memory && journalMode.toLowerCase() !== 'wal') {
        throw new Error(`read-model store ${options.filename}: journal_mode is ${journalMode}, WAL is required`);
      }
      // NORMAL: WAL keeps each transaction whole through a power loss even without an fsync per commit: the rows and
      // their checkpoint survive or roll back together, and what rolled back is replayed from the durable event log. An
      // fsync per projection batch bought nothing but stalls of the event loop. OFF: not even the checkpoints sync; the
      // marker written above has the file rebuilt if the machine goes down before a clean close syncs it.
      this.db.pragma(`synchronous = ${this.unsyncedBoot !== undefined ? 'OFF' : 'NORMAL'}`);
      this.db.pragma(`cache_size = -${Math.round((options.cacheMiB ?? READER_CACHE_MIB) * 1024)}`);
      if (options.walAutocheckpointPages !== undefined) this.db.pragma(`wal_autocheckpoint = ${Math.floor(options.walAutocheckpointPages)}`);
      this.migrate();
      this.rows = new SqliteTables(this.db);
      this.aggregates = new Map();
      this.host(options.projections ?? LEDGER_PROJECTIONS);
      for (const projection of this.hosted) this.host([projection]);
      this.statements = {
        getCheckpoint: this.db.prepare('SELECT position, projection_versions FROM read_model_checkpoints WHERE name = ?'),
        upsertCheckpoint: this.db.prepare(
          'INSERT INTO read_model_checkpoints (name, position, projection_versions) VALUES (?, ?, ?) ' +
            'ON CONFLICT (name) DO UPDATE SET position = excluded.position, projection_versions = excluded.projection_versions',
        ),
      };
      this.statements.getCheckpoint.safeIntegers(true);
    } catch (error) {
      this.db.close();
      throw error;
    }
  }

  /**
   * Closes the file, moves it aside (kept, renamed with the problem and the time) and opens an empty one in its place,
   * for the runner to rebuild from the log. Whoever else has the file open (a projection thread) must have closed it.
   */
  replaceFile(problem: ReadModelFileProblem, detail: string, log?: (message: string) => void): ReadModelFileHealing {
    this.close();
    this.healed = moveAside(this.options.filename, problem, detail, log);
    this.fileGeneration++;
    this.open();
    return this.healed;
  }

  get filename(): string {
    return this.options.filename;
  }

  /** `PRAGMA quick_check` on this connection: undefined when the file is whole, else what SQLite found. */
  integrityProblem(): string | undefined {
    try {
      const findings = (this.db.pragma('quick_check(20)') as { quick_check: string }[]).map((row) => row.quick_check);
      return findings.length === 1 && findings[0] === 'ok' ? undefined : findings.join('; ');
    } catch (error) {
      if (isCorruptionError(error)) return error instanceof Error ? error.message : String(error);
      throw error;
    }
  }

  /** Told of a query that found the file damaged (once per query); the query itself fails with ReadModelsUnavailableError. */
  onCorruption(listener: (error: unknown) => void): void {
    this.corruptionListener = listener;
  }

  /** Row access for the views and for tests; reads outside a batch see committed rows only. */
  get tables(): TableAccess {
    return this.rows;
  }

  incident(incidentId: string): IncidentListItem | undefined {
    return this.read((t) => incidentView(t, incidentId));
  }

  partyVersions(incidentId: string): PartyVersionsDoc | undefined;
  partyVersions(incidentId: string, page: PartyVersionsRequest): PartyVersionsPage | undefined;
  partyVersions(incidentId: string, page?: PartyVersionsRequest): PartyVersionsDoc | PartyVersionsPage | undefined {
    return this.read((t) => (page ? partyVersionsView(t, incidentId, page) : partyVersionsView(t, incidentId)));
  }

  claimHistory(incidentId: string, claimId: string): ClaimHistoryDoc | undefined {
    return this.read((t) => claimHistoryView(t, incidentId, claimId));
  }

  incidentTimeline(incidentId: string): IncidentTimelineDoc | undefined;
  incidentTimeline(incidentId: string, page: EntriesPageRequest): IncidentTimelinePage | undefined;
  incidentTimeline(incidentId: string, page?: EntriesPageRequest): IncidentTimelineDoc | IncidentTimelinePage | undefined {
    return this.read((t) => (page ? incidentTimelineView(t, incidentId, page) : incidentTimelineView(t, incidentId)));
  }

  partyRecord(partyId: string, page?: PartyRecordRequest): PartyRecordDoc | undefined {
    if (!page) return this.read((t) => boundedPartyRecordView(t, partyId, WHOLE_RECORD_MAX_INCIDENTS, RECORD_PAGE_MAX_ENTRIES));
    return this.read((t) => partyRecordPageView(t, partyId, page));
  }

  listPartyRecords(request: PageRequest = {}): Page<PartyRecordDoc> {
    const { limit, offset } = pageOf(request);
    return this.read((t) => ({
      items: this.rows
        .select<PartyRow>(partiesTable, 'ORDER BY "party_id" LIMIT @limit OFFSET @offset', { limit, offset })
        .map((party) => boundedPartyRecordView(t, party.partyId, LISTED_RECORD_MAX_INCIDENTS, LISTED_RECORD_MAX_ENTRIES)!),
      total: this.rows.count(partiesTable),
      limit,
      offset,
    }));
  }

  /** The dashboards' incident list, newest occurrence first (then incidentId); a merged incident is listed as its survivor only. */
  listIncidents(filter: IncidentListFilter = {}): Page<IncidentListItem> {
    const { clause, order, params, limit, offset } = incidentListQuery(filter, SQLITE_DIALECT);
    return this.read((t) => {
      const names = new PartyNameLookup(t);
      return {
        items: this.rows
          .select(incidentsTable, `${clause} ORDER BY ${order} LIMIT @limit OFFSET @offset`, { ...sqliteParams(params), limit, offset })
          .map((row) => incidentListItemOf(row, t.find(incidentPartiesTable, { incidentId: row.incidentId }).map((p) => p.partyId), (id) => names.nameOf(id))!),
        total: this.rows.scalar(`SELECT COUNT(*) FROM "incidents" ${clause}`, sqliteParams(params)),
        limit,
        offset,
      };
    });
  }

  /** Names the parties of a document folded elsewhere (time travel) from the registry here; see fillPartyNames. */
  nameParties<T>(doc: T): T {
    return this.read((t) => {
      const names = new PartyNameLookup(t);
      return fillPartyNames(doc, (partyId) => names.nameOf(partyId));
    });
  }

  incidentCasualties(incidentId: string): IncidentCasualties | undefined {
    return this.read((t) => incidentCasualtiesView(t, incidentId));
  }

  /** Hand-written aggregate SQL (the dashboards' statistics) from one snapshot; statements are prepared once per text. */
  aggregate<T>(query: (sql: SqlRows) => T): T {
    return this.read(() => query(sqliteSqlRows(this.db, this.aggregates)));
  }

  /**
   * A query found the file damaged, on this connection or another one to it (the aggregates' thread): tells the
   * listener, and returns the error to throw (a 503).
   */
  damageFound(error: unknown): ReadModelsUnavailableError {
    this.corruptionListener?.(error);
    return new ReadModelsUnavailableError(error);
  }

  /** The timeline row written last: every incident event writes one, with the id and position of its event. */
  recordedEventSample(): { eventId: string; position: bigint } | undefined {
    // A store hosting only some projections may have no timeline.
    if (!this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'timeline_entries'").get()) return undefined;
    const row = this.db.prepare('SELECT event_id, position FROM timeline_entries ORDER BY rowid DESC LIMIT 1').safeIntegers(true).get() as
      | { event_id: string; position: bigint }
      | undefined;
    return row && { eventId: row.event_id, position: row.position };
  }

  readCheckpoint(name: string): StoredCheckpoint | undefined {
    const row = this.statements.getCheckpoint.get(name);
    return row ? { name, position: row.position, projectionVersions: JSON.parse(row.projection_versions) as Record<string, number> } : undefined;
  }

  /**
   * Folds envelopes into every projection's tables and moves the checkpoint
   * to `checkpoint` (at least the last envelope's position; events the runner
   * skipped, such as other categories' streams, may lie beyond it), all in one
   * transaction. Envelopes at or before the stored checkpoint are already in
   * the tables and are skipped, so a re-delivery cannot apply an event twice.
   * Any throw rolls the whole batch back. Returns how many envelopes were
   * applied.
   */
  applyBatch(checkpointName: string, projections: readonly TableProjection[], envelopes: readonly LedgerEnvelope[], checkpoint: bigint): number {
    this.host(projections);
    return this.writing(() => {
      const stored = this.readCheckpoint(checkpointName)?.position ?? 0n;
      if (checkpoint <= stored) return 0;
      const fresh = envelopes.filter((e) => e.position > stored);
      this.fold(projections, fresh);
      this.statements.upsertCheckpoint.run(checkpointName, checkpoint, JSON.stringify(projectionVersionsOf(projections)));
      return fresh.length;
    });
  }

  /** Folds envelopes into the tables without a checkpoint: a throwaway store answering for part of the log (time travel, the CLI). */
  apply(envelopes: Iterable<LedgerEnvelope>, projections: readonly TableProjection[] = LEDGER_PROJECTIONS): void {
    this.host(projections);
    this.writing(() => this.fold(projections, envelopes));
  }

  /**
   * Empties the tables of the given projections and of every projection the
   * old checkpoint knew (so a removed read model does not linger), and sets
   * the checkpoint back to the start with the new versions, atomically: an
   * interrupted rebuild resumes from its own checkpoint.
   */
  reset(checkpointName: string, projections: readonly TableProjection[]): void {
    this.host(projections);
    this.writing(() => {
      for (const table of this.rows.tables) this.rows.clear(table);
      // The emptied tables' indexes made again, at no cost: the schema cookie moves, which tells a reader keeping counts
      // by the timeline's rowids (KeptActivityCounts) that every row is written anew, whatever rowid it gets.
      this.rows.dropIndexes();
      this.rows.createIndexes();
      this.statements.upsertCheckpoint.run(checkpointName, 0n, JSON.stringify(projectionVersionsOf(projections)));
    });
  }

  /**
   * `reset`, then the tables without their secondary indexes until
   * `endRebuild` (which a rebuild calls however it ends): the replay writes
   * the rows alone and each index is built once at the end. Queries meanwhile
   * answer from partial tables anyway, only slower.
   */
  beginRebuild(checkpointName: string, projections: readonly TableProjection[]): void {
    this.reset(checkpointName, projections);
    this.rows.dropIndexes();
  }

  endRebuild(): void {
    this.rows.createIndexes();
  }

  /** Every row of every table, for comparing two states of the read models. */
  dump(): ReadModelDump {
    return this.read(() => Object.fromEntries(this.rows.tables.map((table) => [table.name, this.rows.all(table).map(jsonSafe)])));
  }

  /** Rows per table, for status reports. */
  tableCounts(): Record<string, number> {
    return this.read(() => Object.fromEntries(this.rows.tables.map((table: AnyTable) => [table.name, this.rows.count(table)])));
  }

  /** What the connection actually runs with, for health reports and for tests guarding durability. */
  storageSettings(): { journalMode: string; synchronous: number; schemaVersion: number } {
    return {
      journalMode: String(this.db.pragma('journal_mode', { simple: true })),
      synchronous: Number(this.db.pragma('synchronous', { simple: true })),
      schemaVersion: Number(this.db.pragma('user_version', { simple: true })),
    };
  }

  close(): void {
    if (!this.db.open) return;
    if (this.options.syncOnClose && !this.db.memory) this.syncWhole();
    this.db.close();
  }

  /**
   * Empties the WAL into the file and syncs the file, then removes the unsynced-writes marker. The checkpoint itself
   * syncs nothing under OFF (and a checkpoint thread may already have copied every frame), hence the explicit sync; the
   * marker goes only after it. Anything short of that (a reader still in the WAL) leaves the marker: the file is then
   * rebuilt if the machine restarts before another clean close.
   */
  private syncWhole(): void {
    try {
      const [done] = this.db.pragma('wal_checkpoint(TRUNCATE)') as Array<{ busy: number; log: number }>;
      if (!done || done.busy !== 0 || done.log !== 0) return;
      syncPath(this.options.filename);
      clearUnsynced(this.options.filename);
      markClosedClean(this.options.filename);
    } catch (error) {
      this.options.heal?.log?.(`Read models ${this.options.filename}: not synced at close (${error instanceof Error ? error.message : String(error)}); rebuilt if the machine restarts first`);
    }
  }

  private fold(projections: readonly TableProjection[], envelopes: Iterable<LedgerEnvelope>): void {
    this.rows.batch(() => foldEnvelopes(this.rows, projections, envelopes));
  }

  /** One write transaction; a rollback (a projection's throw, a failed commit) also drops the rows held and cached in memory. */
  private writing<T>(work: () => T): T {
    try {
      return this.db.transaction(work)();
    } catch (error) {
      this.rows.forget();
      throw error;
    }
  }

  /** Any synchronous view over the tables, from one snapshot (the ReadModelStore port's way of asking). */
  answer<T>(view: (t: TableAccess) => T): T {
    return this.read(view);
  }

  /** A view's several queries from one snapshot. */
  private read<T>(view: (t: TableAccess) => T): T {
    try {
      return this.db.transaction(() => view(this.rows))();
    } catch (error) {
      if (!isCorruptionError(error)) throw error;
      throw this.damageFound(error);
    }
  }

  /** Makes sure the file has the projections' tables (dumps and resets then cover them). */
  host(projections: readonly TableProjection[]): void {
    for (const projection of projections) {
      this.hosted.add(projection);
      for (const table of projection.tables) this.rows.register(table);
    }
  }

  /** The document-per-key schema of version 1 is dropped: read models are rebuilt from the log, never migrated. */
  private migrate(): void {
    this.db.transaction(() => {
      const version = Number(this.db.pragma('user_version', { simple: true }));
      if (version !== READ_MODEL_SCHEMA_VERSION) {
        const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").pluck().all() as string[];
        for (const name of tables) this.db.exec(`DROP TABLE IF EXISTS "${name.replace(/"/g, '""')}"`);
      }
      this.db.exec(CHECKPOINTS);
      this.db.pragma(`user_version = ${READ_MODEL_SCHEMA_VERSION}`);
      this.db.pragma(`application_id = ${READ_MODEL_APPLICATION_ID}`);
    }).immediate();
  }
}
