import Database from 'better-sqlite3';
import { LedgerEnvelope } from '../envelope';
import { AnyProjection, INTERNAL_KEY_PREFIX, ProjectionContext, isInternalKey } from '../projection';
import { LEDGER_PROJECTIONS } from '../projections';
import { ClaimHistoryDoc } from '../projections/claim-history.projection';
import { IncidentListItem, incidentListProjection } from '../projections/incident-list.projection';
import { IncidentTimelineDoc } from '../projections/incident-timeline.projection';
import { PartyRecordDoc } from '../projections/party-record.projection';
import { PartyVersionsDoc } from '../projections/party-versions.projection';
import { endInstant, startInstant } from '../time-range';
import { decodeDocument, encodeDocument } from './document-json';

export const READ_MODEL_SCHEMA_VERSION = 1;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS read_model_documents (
    projection TEXT NOT NULL,
    key TEXT NOT NULL,
    doc TEXT NOT NULL,
    position INTEGER NOT NULL,
    PRIMARY KEY (projection, key)
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS read_model_checkpoints (
    name TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    projection_versions TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS read_model_incident_list_order
    ON read_model_documents (json_extract(doc, '$.occurredRange.start') DESC, key)
    WHERE projection = 'incident-list';
`;

export interface SqliteReadModelStoreOptions {
  /** A file path, or `:memory:` for a throwaway store. Never the event store's file: read models are disposable, the log is not. */
  filename: string;
  busyTimeoutMs?: number;
  /**
   * The projections whose documents queries return, by name: those stored in
   * parts (see DocumentProjection.parts) are assembled on reading. Defaults
   * to the ledger's read models.
   */
  projections?: readonly AnyProjection[];
}

export interface StoredCheckpoint {
  name: string;
  /** Global position of the last event whose effects are in the documents. */
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
  /** Matching documents before limit/offset. */
  total: number;
  limit: number;
  offset: number;
}

export interface IncidentListFilter extends PageRequest {
  /** Incidents in which this party made, corrected, retracted or denied a claim. */
  partyId?: string;
  category?: string;
  contested?: boolean;
  /** Incidents whose occurrence interval overlaps [occurredFrom, occurredTo]; a date-only bound covers its whole day. */
  occurredFrom?: string;
  occurredTo?: string;
}

export interface StoredDocument {
  doc: unknown;
  /** Position of the last event that changed the document. */
  position: string;
}

/** projection -> key -> document, for comparing states (rebuild vs incremental). */
export type ReadModelDump = Record<string, Record<string, StoredDocument>>;

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 500;

export class InvalidQueryError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
    this.name = 'InvalidQueryError';
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

const pageOf = (request: PageRequest): { limit: number; offset: number } => {
  const limit = request.limit ?? DEFAULT_PAGE_LIMIT;
  const offset = request.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_LIMIT) {
    throw new InvalidQueryError(`limit must be a whole number from 1 to ${MAX_PAGE_LIMIT}`, 'limit');
  }
  if (!Number.isInteger(offset) || offset < 0) throw new InvalidQueryError('offset must be a whole number, 0 or more', 'offset');
  return { limit, offset };
};

const instantBound = (value: string, toInstant: (iso: string) => number, field: string): string => {
  const ms = toInstant(value);
  if (!Number.isFinite(ms)) throw new InvalidQueryError(`${field} must be an ISO-8601 date or date-time`, field);
  return new Date(ms).toISOString();
};

// Positions are 64-bit in EventStoreDB; read them as bigint, never as a lossy double.
const exactIntegers = <S extends Database.Statement<any, any>>(statement: S): S => {
  statement.safeIntegers(true);
  return statement;
};

/** The least string greater than every string starting with `prefix` (keys are compared as bytes, BINARY collation). */
const afterPrefix = (prefix: string): string => prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);

const PUBLIC_KEY = `substr(key, 1, ${INTERNAL_KEY_PREFIX.length}) <> '${INTERNAL_KEY_PREFIX}'`;

/**
 * The read models' own SQLite file. Documents and the runner's checkpoint
 * change together in one transaction, so what a reader sees is always the
 * fold of the log up to the checkpoint: never half an event, never one twice.
 */
export class SqliteReadModelStore {
  private readonly db: Database.Database;
  private readonly statements: {
    getDoc: Database.Statement<[string, string], { doc: string }>;
    getDocWithPosition: Database.Statement<[string, string], { doc: string; position: bigint }>;
    listRange: Database.Statement<[string, string, string], { doc: string }>;
    upsertDoc: Database.Statement<[string, string, string, bigint]>;
    deleteDoc: Database.Statement<[string, string]>;
    getCheckpoint: Database.Statement<[string], { position: bigint; projection_versions: string }>;
    upsertCheckpoint: Database.Statement<[string, bigint, string]>;
    deleteProjection: Database.Statement<[string]>;
    countProjection: Database.Statement<[string], { total: bigint }>;
    listProjection: Database.Statement<[string, number, number], { key: string; doc: string }>;
    dump: Database.Statement<[], { projection: string; key: string; doc: string; position: bigint }>;
  };

  /** Projections stored in parts, by name. */
  private readonly inParts: Map<string, AnyProjection>;

  constructor(options: SqliteReadModelStoreOptions) {
    this.inParts = new Map((options.projections ?? LEDGER_PROJECTIONS).filter((p) => p.parts).map((p) => [p.name, p]));
    this.db = new Database(options.filename);
    this.db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    const journalMode = String(this.db.pragma('journal_mode = WAL', { simple: true }));
    if (!this.db.memory && journalMode.toLowerCase() !== 'wal') {
      this.db.close();
      throw new Error(`read-model store ${options.filename}: journal_mode is ${journalMode}, WAL is required`);
    }
    // A checkpoint that survives a power loss while its documents do not (or the reverse) would be exactly the inconsistency this store exists to prevent.
    this.db.pragma('synchronous = FULL');
    this.db.exec(SCHEMA);
    this.db.pragma(`user_version = ${READ_MODEL_SCHEMA_VERSION}`);
    const publicDocs = `projection = ? AND ${PUBLIC_KEY}`;
    this.statements = {
      getDoc: this.db.prepare('SELECT doc FROM read_model_documents WHERE projection = ? AND key = ?'),
      getDocWithPosition: exactIntegers(this.db.prepare('SELECT doc, position FROM read_model_documents WHERE projection = ? AND key = ?')),
      listRange: this.db.prepare('SELECT doc FROM read_model_documents WHERE projection = ? AND key >= ? AND key < ? ORDER BY key'),
      upsertDoc: this.db.prepare(
        'INSERT INTO read_model_documents (projection, key, doc, position) VALUES (?, ?, ?, ?) ' +
          'ON CONFLICT (projection, key) DO UPDATE SET doc = excluded.doc, position = excluded.position',
      ),
      deleteDoc: this.db.prepare('DELETE FROM read_model_documents WHERE projection = ? AND key = ?'),
      getCheckpoint: exactIntegers(this.db.prepare('SELECT position, projection_versions FROM read_model_checkpoints WHERE name = ?')),
      upsertCheckpoint: this.db.prepare(
        'INSERT INTO read_model_checkpoints (name, position, projection_versions) VALUES (?, ?, ?) ' +
          'ON CONFLICT (name) DO UPDATE SET position = excluded.position, projection_versions = excluded.projection_versions',
      ),
      deleteProjection: this.db.prepare('DELETE FROM read_model_documents WHERE projection = ?'),
      countProjection: exactIntegers(this.db.prepare(`SELECT COUNT(*) AS total FROM read_model_documents WHERE ${publicDocs}`)),
      listProjection: this.db.prepare(`SELECT key, doc FROM read_model_documents WHERE ${publicDocs} ORDER BY key LIMIT ? OFFSET ?`),
      dump: exactIntegers(this.db.prepare('SELECT projection, key, doc, position FROM read_model_documents ORDER BY projection, key')),
    };
  }

  /** A document as clients see it (assembled from its parts, for a projection stored in parts); internal documents as stored. */
  getDocument<T>(projection: string, key: string): T | undefined {
    return this.getStoredDocument<T>(projection, key)?.doc;
  }

  /** A document with the position of the last event that changed it (an ETag for read models). */
  getStoredDocument<T>(projection: string, key: string): { doc: T; position: bigint } | undefined {
    const read = () => {
      const row = this.statements.getDocWithPosition.get(projection, key);
      return row ? { doc: this.presented<T>(projection, key, row.doc), position: row.position } : undefined;
    };
    // A document stored in parts is read in one transaction, so that all its parts come from the same commit.
    return this.inParts.has(projection) ? this.db.transaction(read)() : read();
  }

  /** Public documents of a projection in key order. */
  listDocuments<T>(projection: string, request: PageRequest = {}): Page<T> {
    const { limit, offset } = pageOf(request);
    return this.db.transaction(() => ({
      items: this.statements.listProjection.all(projection, limit, offset).map((row) => this.presented<T>(projection, row.key, row.doc)),
      total: Number(this.statements.countProjection.get(projection)!.total),
      limit,
      offset,
    }))();
  }

  /** The stored text of a document decoded; a public document of a projection stored in parts is assembled with its parts. */
  private presented<T>(projection: string, key: string, text: string): T {
    const doc = decodeDocument<T>(text);
    const parts = this.inParts.get(projection)?.parts;
    if (!parts || isInternalKey(key)) return doc;
    const prefix = parts.prefixOf(key);
    const rows = this.statements.listRange.all(projection, prefix, afterPrefix(prefix));
    return parts.assemble(doc, rows.map((row) => decodeDocument(row.doc))) as T;
  }

  /** A stored document as the projections see it: never assembled. */
  private storedDocument(projection: string, key: string): unknown {
    const row = this.statements.getDoc.get(projection, key);
    return row ? decodeDocument(row.doc) : undefined;
  }

  /** The dashboards' incident list, newest occurrence first (then incidentId). */
  listIncidents(filter: IncidentListFilter = {}): Page<IncidentListItem> {
    const { limit, offset } = pageOf(filter);
    const where = [`d.projection = @projection`, `substr(d.key, 1, ${INTERNAL_KEY_PREFIX.length}) <> '${INTERNAL_KEY_PREFIX}'`];
    const params: Record<string, string | number> = { projection: incidentListProjection.name };
    if (filter.partyId !== undefined) {
      where.push(`EXISTS (SELECT 1 FROM json_each(d.doc, '$.partyIds') AS p WHERE p.value = @partyId)`);
      params.partyId = filter.partyId;
    }
    if (filter.category !== undefined) {
      where.push(`json_extract(d.doc, '$.category') = @category`);
      params.category = filter.category;
    }
    if (filter.contested !== undefined) {
      where.push(`json_extract(d.doc, '$.contested') = @contested`);
      params.contested = filter.contested ? 1 : 0;
    }
    if (filter.occurredFrom !== undefined) {
      where.push(`json_extract(d.doc, '$.occurredRange.end') >= @occurredFrom`);
      params.occurredFrom = instantBound(filter.occurredFrom, startInstant, 'occurredFrom');
    }
    if (filter.occurredTo !== undefined) {
      where.push(`json_extract(d.doc, '$.occurredRange.start') <= @occurredTo`);
      params.occurredTo = instantBound(filter.occurredTo, endInstant, 'occurredTo');
    }
    if (params.occurredFrom !== undefined && params.occurredTo !== undefined && params.occurredFrom > params.occurredTo) {
      throw new InvalidQueryError('occurredFrom is after occurredTo', 'occurredFrom');
    }
    const clause = where.join(' AND ');
    const count = this.db.prepare(`SELECT COUNT(*) AS total FROM read_model_documents AS d WHERE ${clause}`);
    const select = this.db.prepare(
      `SELECT d.doc FROM read_model_documents AS d WHERE ${clause} ` +
        `ORDER BY json_extract(d.doc, '$.occurredRange.start') DESC, d.key ASC LIMIT @limit OFFSET @offset`,
    );
    return this.db.transaction(() => ({
      items: (select.all({ ...params, limit, offset }) as Array<{ doc: string }>).map((row) => decodeDocument<IncidentListItem>(row.doc)),
      total: (count.get(params) as { total: number }).total,
      limit,
      offset,
    }))();
  }

  incident(incidentId: string): IncidentListItem | undefined {
    return this.getDocument<IncidentListItem>('incident-list', incidentId);
  }

  partyVersions(incidentId: string): PartyVersionsDoc | undefined {
    return this.getDocument<PartyVersionsDoc>('party-versions', incidentId);
  }

  claimHistory(claimId: string): ClaimHistoryDoc | undefined {
    return this.getDocument<ClaimHistoryDoc>('claim-history', claimId);
  }

  incidentTimeline(incidentId: string): IncidentTimelineDoc | undefined {
    return this.getDocument<IncidentTimelineDoc>('incident-timeline', incidentId);
  }

  partyRecord(partyId: string): PartyRecordDoc | undefined {
    return this.getDocument<PartyRecordDoc>('party-record', partyId);
  }

  listPartyRecords(request: PageRequest = {}): Page<PartyRecordDoc> {
    return this.listDocuments<PartyRecordDoc>('party-record', request);
  }

  readCheckpoint(name: string): StoredCheckpoint | undefined {
    const row = this.statements.getCheckpoint.get(name);
    return row ? { name, position: row.position, projectionVersions: JSON.parse(row.projection_versions) as Record<string, number> } : undefined;
  }

  /**
   * Folds envelopes into every projection and moves the checkpoint to
   * `checkpoint` (at least the last envelope's position; events the runner
   * skipped, such as other categories' streams, may lie beyond it), all in one
   * transaction. Envelopes at or before the stored checkpoint are already in
   * the documents and are skipped, so a re-delivery cannot apply an event
   * twice. Any throw rolls the whole batch back. Returns how many envelopes
   * were applied.
   */
  applyBatch(checkpointName: string, projections: readonly AnyProjection[], envelopes: readonly LedgerEnvelope[], checkpoint: bigint): number {
    return this.db.transaction(() => {
      const stored = this.readCheckpoint(checkpointName)?.position ?? 0n;
      if (checkpoint <= stored) return 0;
      const fresh = envelopes.filter((e) => e.position > stored);
      // Per projection, the batch's working copy: every document read is parsed once and then owned by the batch, so
      // evolve may update it in place (see DocumentProjection); `written` says which to store, with the position of the
      // last event that changed each.
      const pending: Array<{ projection: AnyProjection; docs: Map<string, unknown>; written: Map<string, bigint> }> = [];
      for (const projection of projections) {
        const docs = new Map<string, unknown>();
        const written = new Map<string, bigint>();
        pending.push({ projection, docs, written });
        const ctx: ProjectionContext<unknown> = {
          get: (key) => {
            if (docs.has(key)) return docs.get(key);
            const doc = this.storedDocument(projection.name, key);
            docs.set(key, doc);
            return doc;
          },
        };
        for (const e of fresh) {
          try {
            for (const key of projection.keysOf(e, ctx)) {
              docs.set(key, projection.evolve(ctx.get(key), e, key, ctx));
              written.set(key, e.position);
            }
          } catch (error) {
            throw new ProjectionError(projection.name, e, error);
          }
        }
      }
      for (const { projection, docs, written } of pending) {
        for (const [key, position] of written) {
          const doc = docs.get(key);
          if (doc === undefined) this.statements.deleteDoc.run(projection.name, key);
          else this.statements.upsertDoc.run(projection.name, key, encodeDocument(doc), position);
        }
      }
      this.statements.upsertCheckpoint.run(checkpointName, checkpoint, JSON.stringify(projectionVersionsOf(projections)));
      return fresh.length;
    })();
  }

  /**
   * Drops the documents of the given projections and of every projection the
   * old checkpoint knew (so a removed read model does not linger), and sets
   * the checkpoint back to the start with the new versions, atomically: an
   * interrupted rebuild resumes from its own checkpoint.
   */
  reset(checkpointName: string, projections: readonly AnyProjection[]): void {
    this.db.transaction(() => {
      const previous = Object.keys(this.readCheckpoint(checkpointName)?.projectionVersions ?? {});
      for (const name of new Set([...previous, ...projections.map((p) => p.name)])) this.statements.deleteProjection.run(name);
      this.statements.upsertCheckpoint.run(checkpointName, 0n, JSON.stringify(projectionVersionsOf(projections)));
    })();
  }

  /** Every document, internal ones included, for comparing two states of the read models. */
  dump(): ReadModelDump {
    const dump: ReadModelDump = {};
    for (const row of this.statements.dump.all()) {
      (dump[row.projection] ??= {})[row.key] = { doc: decodeDocument(row.doc), position: row.position.toString() };
    }
    return dump;
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
    if (this.db.open) this.db.close();
  }
}

export const projectionVersionsOf = (projections: readonly AnyProjection[]): Record<string, number> =>
  Object.fromEntries([...projections].sort((a, b) => a.name.localeCompare(b.name)).map((p) => [p.name, p.version]));
