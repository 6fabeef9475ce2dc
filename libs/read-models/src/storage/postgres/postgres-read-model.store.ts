import { Pool, type CustomTypesConfig, type PoolClient } from 'pg';
import { LedgerEnvelope } from '../../envelope';
import { LEDGER_PROJECTIONS, TableProjection } from '../../projection';
import { AnyTable, TableAccess, TableSpec } from '../../tables/table-spec';
import { ReadModelStore } from '../read-model-store.port';
import { ProjectionError, ReadModelDump, StoredCheckpoint, foldEnvelopes, projectionVersionsOf } from '../sqlite-read-model.store';
import { BI_VIEWS } from './postgres-bi.views';
import { READ_MODEL_MIGRATIONS, ReadModelMigrationContext, validIdentifier } from './postgres-read-model.migrations';
import { OverlayStatistics, PostgresRowOverlay } from './postgres-row.overlay';
import { PostgresSnapshotReader } from './postgres-snapshot.reader';
import { pgQuote, pgTableDdl } from './postgres-tables';
import { inTransaction, migrateSchema } from './schema-migrations';

export const DEFAULT_READ_MODEL_SCHEMA = 'ledger_read_models';
export const DEFAULT_READER_ROLE = 'ledger_bi';

const MIGRATION_LOCK = 'incident-ledger:read-model-migrations';
const TABLES_LOCK = 'incident-ledger:read-model-tables';

export interface PostgresReadModelStoreOptions {
  /** postgres://… (LEDGER_READ_MODELS_URL). */
  connectionString: string;
  /** The schema the read models live in, apart from everything else of the ledger (default `ledger_read_models`). */
  schema?: string;
  /** The NOLOGIN role granted SELECT on the schema, for BI tools (default `ledger_bi`; null: none). */
  readerRole?: string | null;
  /** The projections whose tables the schema holds; defaults to the ledger's read models. */
  projections?: readonly TableProjection[];
  /** Rows the writer keeps in memory between batches (see PostgresRowOverlay). */
  rowCache?: number;
  /**
   * Rows kept during a rebuild (default 20,000): its pages touch only the few incidents the log interleaves at that
   * point and the parties speaking, so a small cache is rarely missed, and a million-event rebuild stays within a few
   * hundred MB (with 200,000 it grew past 900 MB, most of it the collector's slack over the rows held).
   */
  rebuildRowCache?: number;
  /** Pool size (default 4: the writer's connection, and a few for answers and dumps). */
  maxConnections?: number;
}

const jsonSafe = (row: object): unknown =>
  Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? value.toString() : value]));

/** Reads within one snapshot of the read models (see PostgresReadModelStore.read). */
export interface PostgresSnapshot {
  /** Plain SQL with positional parameters; `types` parses its columns (e.g. counts as numbers). */
  query<R>(text: string, values: readonly unknown[], types?: CustomTypesConfig): Promise<R[]>;
  /** A table's rows, decoded as the views see them, selected by `clause` (WHERE / ORDER BY / LIMIT, positional parameters). */
  rows<R extends object>(table: TableSpec<R>, clause: string, values: readonly unknown[]): Promise<R[]>;
  view<T>(view: (t: TableAccess) => T): Promise<T>;
}

/** The channel a checkpoint's commit is announced on, payload `<schema> <checkpoint name> <position>`. */
export const CHECKPOINT_CHANNEL = 'incident_ledger_read_model_checkpoints';

/** The stored checkpoint went back behind the batch's start: another writer reset the read models. */
export class ReadModelsRewoundError extends Error {
  constructor(
    readonly checkpointName: string,
    readonly stored: bigint,
    readonly from: bigint,
  ) {
    super(`Read models ${checkpointName}: the stored checkpoint ${stored} is behind ${from}, where this batch starts: another writer reset them; rebuild or resume from the stored checkpoint`);
    this.name = 'ReadModelsRewoundError';
  }
}

/**
 * The read models in a PostgreSQL schema of their own: the same tables as the SQLite file (derived from the same
 * specs), fed by the same projections through PostgresRowOverlay, each batch's rows and checkpoint written in one
 * transaction with one multi-row statement per table. BI tools read the tables and the views of BI_VIEWS as the
 * reader role.
 *
 * One writer at a time is the fast case: the overlay keeps rows in memory between batches and trusts them while the
 * stored checkpoint is the one it wrote last. A batch that finds another checkpoint (another replica or process
 * wrote meanwhile) drops them and reads what it needs again; batches of several writers are serialised by the lock
 * on the checkpoint row. The replicas' advisory lock will choose one writer. Readers may be many.
 */
export class PostgresReadModelStore implements ReadModelStore {
  readonly schema: string;
  readonly readerRole: string | null;
  private readonly pool: Pool;
  private readonly overlay: PostgresRowOverlay;
  private readonly rebuildRowCache: number;
  private readonly hosted = new Map<string, AnyTable>();
  /** Every declaration of a table hosted (a projection constructed twice declares its tables twice). */
  private readonly declarations = new Set<AnyTable>();
  /**
   * The checkpoint this store last wrote, by name. Found otherwise at the next batch, someone else wrote the tables
   * (another replica, a rebuild from elsewhere): the rows in memory may be stale, so they are dropped.
   */
  private readonly written = new Map<string, bigint>();
  /** Writes (batches, resets, table changes) one at a time: the overlay is one batch's. */
  private writes: Promise<unknown> = Promise.resolve();
  /** Between beginRebuild and endRebuild: batches commit without waiting for the WAL flush (see applyBatch). */
  private rebuilding = false;

  private constructor(options: PostgresReadModelStoreOptions) {
    this.schema = validIdentifier(options.schema ?? DEFAULT_READ_MODEL_SCHEMA, 'schema');
    this.readerRole = options.readerRole === null ? null : validIdentifier(options.readerRole ?? DEFAULT_READER_ROLE, 'readerRole');
    // Named after the schema, as the checkpoint watcher's: an operator (or a test) tells whose connections these are.
    this.pool = new Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 4, application_name: `incident-ledger-read-models:${this.schema}` });
    this.pool.on('error', () => undefined);
    // A client checked out when its connection drops emits 'error' with no listener of the pool's: unhandled, that
    // would end the process. Its query rejects anyway, and whoever ran it answers 503 or retries.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
    this.overlay = new PostgresRowOverlay(this.schema, { rowCache: options.rowCache });
    this.rebuildRowCache = options.rebuildRowCache ?? 20_000;
  }

  /** Connects, migrates the schema's bookkeeping and makes sure the projections' tables exist. */
  static async open(options: PostgresReadModelStoreOptions): Promise<PostgresReadModelStore> {
    const store = new PostgresReadModelStore(options);
    try {
      await store.migrate();
      await store.host(options.projections ?? LEDGER_PROJECTIONS);
      return store;
    } catch (error) {
      await store.close();
      throw error;
    }
  }

  private async migrate(): Promise<string[]> {
    return this.withClient((client) =>
      migrateSchema<ReadModelMigrationContext>({ client, schema: this.schema, readerRole: this.readerRole }, READ_MODEL_MIGRATIONS, MIGRATION_LOCK),
    );
  }

  /**
   * Creates each projection table the schema lacks, and drops and recreates one whose DDL differs from the one it
   * was made with (its spec changed): its rows are gone, so every checkpoint is dropped too and the runner rebuilds.
   * The BI views are recreated over the tables. Under a lock, for replicas starting together.
   */
  host(projections: readonly TableProjection[]): Promise<void> {
    const tables = projections.flatMap((p) => p.tables).filter((t) => !this.declarations.has(t));
    if (!tables.length) return Promise.resolve();
    return this.writing(async () => {
      // Known to this store only once the transaction that made them has committed.
      const made: Array<{ table: AnyTable; empty: boolean }> = [];
      await this.underTablesLock(async (client) => {
        let recreated = false;
        for (const table of tables) {
          const same = this.hosted.get(table.name) ?? made.find((m) => m.table.name === table.name)?.table;
          if (same) {
            if (JSON.stringify(pgTableDdl(same, this.schema)) !== JSON.stringify(pgTableDdl(table, this.schema))) {
              throw new Error(`Two different tables are both named ${table.name}`);
            }
            made.push({ table, empty: false });
            continue;
          }
          const ddl = pgTableDdl(table, this.schema);
          const recorded = JSON.stringify(ddl);
          const stored = await client.query<{ ddl: string }>(`SELECT ddl FROM ${this.schema}.read_model_tables WHERE name = $1`, [table.name]);
          if (stored.rows[0]?.ddl !== recorded) {
            await client.query(`DROP TABLE IF EXISTS ${this.schema}.${pgQuote(table.name)} CASCADE`);
            await client.query(ddl.table);
            for (const index of ddl.indexes) await client.query(index);
            await client.query(
              `INSERT INTO ${this.schema}.read_model_tables (name, ddl) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET ddl = EXCLUDED.ddl`,
              [table.name, recorded],
            );
            recreated ||= stored.rows.length > 0;
          } else {
            // A rebuild cut short (its process died between beginRebuild and endRebuild) left the table without them.
            // Only missing ones, and never waiting: another replica's rebuild running now has them dropped and holds
            // the table, and would wait behind this CREATE INDEX (a deadlock); that rebuild builds them at its end.
            const present = new Set(
              (await client.query<{ indexname: string }>('SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = $2', [this.schema, table.name])).rows.map(
                (r) => r.indexname,
              ),
            );
            for (const [i, index] of ddl.indexes.entries()) {
              if (present.has(table.indexes![i].name)) continue;
              await client.query('SAVEPOINT put_back_index');
              try {
                await client.query("SET LOCAL lock_timeout = '200ms'");
                await client.query(index);
                await client.query('RELEASE SAVEPOINT put_back_index');
              } catch {
                await client.query('ROLLBACK TO SAVEPOINT put_back_index');
              }
            }
            await client.query('SET LOCAL lock_timeout = 0');
          }
          const empty = await client.query(`SELECT NOT EXISTS (SELECT 1 FROM ${this.schema}.${pgQuote(table.name)}) AS empty`);
          made.push({ table, empty: empty.rows[0].empty === true });
        }
        if (recreated) await client.query(`DELETE FROM ${this.schema}.read_model_checkpoints`);
        await this.createViews(client);
      });
      for (const { table, empty } of made) {
        this.overlay.register(table, empty);
        if (!this.hosted.has(table.name)) this.hosted.set(table.name, table);
        this.declarations.add(table);
      }
    });
  }

  /** Every BI view whose tables exist, made again (a dropped table took its views with it). */
  private async createViews(client: PoolClient): Promise<void> {
    const existing = new Set(
      (await client.query<{ table_name: string }>('SELECT table_name FROM information_schema.tables WHERE table_schema = $1', [this.schema])).rows.map((r) => r.table_name),
    );
    for (const view of BI_VIEWS) {
      if (!view.tables.every((t) => existing.has(t))) continue;
      await client.query(`DROP VIEW IF EXISTS ${this.schema}.${view.name}`);
      await client.query(`CREATE VIEW ${this.schema}.${view.name} AS ${view.select(this.schema)}`);
      if (this.readerRole) await client.query(`GRANT SELECT ON ${this.schema}.${view.name} TO ${this.readerRole}`);
    }
    if (this.readerRole) await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${this.schema} TO ${this.readerRole}`);
  }

  /** The writer's queries so far (see OverlayStatistics). */
  get statistics(): OverlayStatistics {
    return { ...this.overlay.statistics };
  }

  async readCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
    const { rows } = await this.pool.query<{ position: string; projection_versions: string }>(
      `SELECT position, projection_versions FROM ${this.schema}.read_model_checkpoints WHERE name = $1`,
      [name],
    );
    return rows[0] ? { name, position: BigInt(rows[0].position), projectionVersions: JSON.parse(rows[0].projection_versions) as Record<string, number> } : undefined;
  }

  /**
   * With `from` (the checkpoint the caller's batch follows), a stored checkpoint behind it is refused with
   * ReadModelsRewoundError: another writer reset the tables (a rebuild elsewhere), and writing this batch would move
   * the checkpoint past events that rebuild has not replayed yet. The caller must rebuild or resume from the store.
   */
  async applyBatch(
    checkpointName: string,
    projections: readonly TableProjection[],
    envelopes: readonly LedgerEnvelope[],
    checkpoint: bigint,
    from?: bigint,
  ): Promise<number> {
    await this.host(projections);
    return this.writing(() =>
      this.withClient(async (client) => {
        // A rebuild's pages do not wait for their commit to reach the disk: should PostgreSQL crash, it loses the last
        // pages whole, each with its checkpoint, and the rebuild resumes from the one kept. endRebuild's index builds
        // commit synchronously, which flushes every page before them: a finished rebuild is as durable as any write.
        await client.query(this.rebuilding ? 'BEGIN; SET LOCAL synchronous_commit = off' : 'BEGIN');
        try {
          // FOR UPDATE: should a second writer slip in, it waits here and then finds the batch applied.
          const { rows } = await client.query<{ position: string }>(
            `SELECT position FROM ${this.schema}.read_model_checkpoints WHERE name = $1 FOR UPDATE`,
            [checkpointName],
          );
          const stored = rows[0] ? BigInt(rows[0].position) : 0n;
          if (this.written.get(checkpointName) !== stored) this.overlay.forget();
          if (from !== undefined && stored < from) throw new ReadModelsRewoundError(checkpointName, stored, from);
          if (checkpoint <= stored) {
            await client.query('COMMIT');
            return 0;
          }
          const fresh = envelopes.filter((e) => e.position > stored);
          await this.fold(client, projections, fresh);
          await this.overlay.flush(client);
          await this.saveCheckpoint(client, checkpointName, checkpoint, projections);
          await client.query('COMMIT');
          this.overlay.committed();
          this.written.set(checkpointName, checkpoint);
          return fresh.length;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          // A projection's throw leaves memory as it was; a failed write or commit may not have.
          if (error instanceof ProjectionError) this.overlay.discard();
          else {
            this.overlay.forget();
            this.written.delete(checkpointName);
          }
          throw error;
        }
      }),
    );
  }

  /** Runs the fold in rounds until one needs no group it lacks (see PostgresRowOverlay). */
  private async fold(client: PoolClient, projections: readonly TableProjection[], envelopes: readonly LedgerEnvelope[]): Promise<void> {
    this.overlay.expect(envelopes);
    for (;;) {
      await this.overlay.fetchMissing(client);
      const t = this.overlay.round();
      let failure: unknown;
      let failed = false;
      try {
        foldEnvelopes(t, projections, envelopes);
      } catch (error) {
        failure = error;
        failed = true;
      }
      if (this.overlay.spoiled) continue;
      if (failed) throw failure;
      return;
    }
  }

  /** Saves the checkpoint and announces it (NOTIFY is delivered at commit, so a listener never hears of rows it cannot see). */
  private async saveCheckpoint(client: PoolClient, name: string, position: bigint, projections: readonly TableProjection[]): Promise<void> {
    await client.query(
      `WITH saved AS (INSERT INTO ${this.schema}.read_model_checkpoints (name, position, projection_versions) VALUES ($1, $2, $3) ` +
        'ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, projection_versions = EXCLUDED.projection_versions RETURNING position) ' +
        `SELECT pg_notify($4::text, $5::text || ' ' || $1::text || ' ' || position) FROM saved`,
      [name, position.toString(), JSON.stringify(projectionVersionsOf(projections)), CHECKPOINT_CHANNEL, this.schema],
    );
  }

  async reset(checkpointName: string, projections: readonly TableProjection[]): Promise<void> {
    await this.host(projections);
    await this.writing(() =>
      this.withClient(async (client) => {
        const tables = [...this.hosted.values()];
        try {
          await inTransaction(client, async () => {
            await client.query(`TRUNCATE ${tables.map((t) => `${this.schema}.${pgQuote(t.name)}`).join(', ')}`);
            await this.saveCheckpoint(client, checkpointName, 0n, projections);
          });
        } catch (error) {
          this.overlay.forget();
          this.written.clear();
          throw error;
        }
        this.overlay.emptied(tables);
        // Every other checkpoint name's rows are gone too: their next batch must not trust what memory held.
        this.written.clear();
        this.written.set(checkpointName, 0n);
      }),
    );
  }

  /** `reset`, then the secondary indexes dropped: a replay writes the rows alone and each index is built once at the end. */
  async beginRebuild(checkpointName: string, projections: readonly TableProjection[]): Promise<void> {
    await this.reset(checkpointName, projections);
    await this.writing(() =>
      this.underTablesLock(async (client) => {
        for (const table of this.hosted.values()) for (const index of table.indexes ?? []) await client.query(`DROP INDEX IF EXISTS ${this.schema}.${pgQuote(index.name)}`);
      }),
    );
    this.rebuilding = true;
    this.overlay.cap(this.rebuildRowCache);
  }

  async endRebuild(): Promise<void> {
    // Under the tables' lock: a replica starting meanwhile puts back the indexes this rebuild dropped (see host), and two
    // CREATE INDEX IF NOT EXISTS of one name running at once fail the second with a unique violation in pg_class, which
    // left the projector stuck in its rebuild. The starting replica waits for the index build instead.
    await this.writing(() =>
      this.underTablesLock(async (client) => {
        for (const table of this.hosted.values()) for (const index of pgTableDdl(table, this.schema).indexes) await client.query(index);
        // Makes the commit flush the rebuild's pages to disk even when no table has an index to build.
        await client.query('SELECT txid_current()');
      }),
    );
    this.rebuilding = false;
    this.overlay.cap(undefined);
  }

  answer<T>(view: (t: TableAccess) => T): Promise<T> {
    return this.snapshot((client) => new PostgresSnapshotReader((table) => this.overlay.codecOf(table)).run(client, view));
  }

  /**
   * Several reads from one committed snapshot: plain SQL (unqualified names resolve to this schema), a table's rows
   * by a hand-written clause, and views. The API's lists and statistics are answered this way.
   */
  read<T>(work: (snapshot: PostgresSnapshot) => Promise<T>): Promise<T> {
    const snapshot = (client: PoolClient): PostgresSnapshot => ({
      query: async <R>(text: string, values: readonly unknown[], types?: CustomTypesConfig) => (await client.query({ text, values: [...values], ...(types ? { types } : {}) })).rows as R[],
      rows: async <R extends object>(table: TableSpec<R>, clause: string, values: readonly unknown[]) => {
        const codec = this.overlay.codecOf(table);
        return (await client.query(`SELECT ${codec.selectList} FROM ${codec.qualified} ${clause}`, [...values])).rows.map((raw) => codec.decode(raw) as R);
      },
      view: <V>(view: (t: TableAccess) => V) => new PostgresSnapshotReader((table) => this.overlay.codecOf(table)).run(client, view),
    });
    // Unqualified names in the plain SQL resolve to this schema: set with the BEGIN, not in a round trip of its own.
    return this.snapshot((client) => work(snapshot(client)), `SET LOCAL search_path TO ${this.schema}`);
  }

  dump(): Promise<ReadModelDump> {
    return this.snapshot(async (client) => {
      const dump: ReadModelDump = {};
      for (const table of this.hosted.values()) {
        const codec = this.overlay.codecOf(table);
        const { text, values } = codec.findSql({}, {});
        dump[table.name] = (await client.query(text, values)).rows.map((raw) => jsonSafe(codec.decode(raw)));
      }
      return dump;
    });
  }

  tableCounts(): Promise<Record<string, number>> {
    return this.snapshot(async (client) => {
      const counts: Record<string, number> = {};
      for (const table of this.hosted.values()) {
        counts[table.name] = Number((await client.query(`SELECT COUNT(*) AS n FROM ${this.schema}.${pgQuote(table.name)}`)).rows[0].n);
      }
      return counts;
    });
  }

  /** Waits for the write under way; closing twice is harmless. */
  async close(): Promise<void> {
    await this.writes.catch(() => undefined);
    if (!this.pool.ended && !this.pool.ending) await this.pool.end();
  }

  /** One read-only snapshot: a view's rounds, or a dump's tables, see the same committed state. */
  /** `then`: a statement without parameters sent with the BEGIN, in the same round trip (a simple query of two). */
  private snapshot<T>(work: (client: PoolClient) => Promise<T>, then?: string): Promise<T> {
    return this.withClient(async (client) => {
      await client.query(`BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY${then ? `; ${then}` : ''}`);
      try {
        return await work(client);
      } finally {
        await client.query('ROLLBACK').catch(() => undefined);
      }
    });
  }

  /** One transaction holding the schema's table lock: every change to the tables' DDL or indexes, from any replica. */
  private underTablesLock<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    return this.withClient((client) =>
      inTransaction(client, async () => {
        await client.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [`${TABLES_LOCK}:${this.schema}`]);
        return work(client);
      }),
    );
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }

  private writing<T>(work: () => Promise<T>): Promise<T> {
    const run = this.writes.then(work, work);
    this.writes = run.catch(() => undefined);
    return run;
  }
}
