import { LedgerEnvelope } from '../envelope';
import { TableProjection } from '../projection';
import { TableAccess } from '../tables/table-spec';
import { ReadModelDump, SqliteReadModelStore, StoredCheckpoint } from './sqlite-read-model.store';

/**
 * The read models' store as the runner and the contract suite see it, whatever keeps the rows: the embedded SQLite
 * file or a PostgreSQL schema. Asynchronous because a database server is; the projections and the views stay
 * synchronous code over TableAccess, and each store decides how to hand them the rows they read.
 */
export interface ReadModelStore {
  /** Makes sure the store has the projections' tables. */
  host(projections: readonly TableProjection[]): Promise<void>;
  readCheckpoint(name: string): Promise<StoredCheckpoint | undefined>;
  /**
   * Folds the envelopes after the stored checkpoint into the projections' tables and moves the checkpoint to
   * `checkpoint`, in one transaction; returns how many envelopes were applied (0 when the checkpoint already covers
   * them). A projection's throw rolls the whole batch back and rejects with ProjectionError.
   */
  applyBatch(checkpointName: string, projections: readonly TableProjection[], envelopes: readonly LedgerEnvelope[], checkpoint: bigint): Promise<number>;
  /** Empties the tables of the projections (and of every table the store holds) and rewinds the checkpoint, atomically. */
  reset(checkpointName: string, projections: readonly TableProjection[]): Promise<void>;
  /** `reset`, then the tables without their secondary indexes until `endRebuild`. */
  beginRebuild(checkpointName: string, projections: readonly TableProjection[]): Promise<void>;
  endRebuild(): Promise<void>;
  /**
   * Runs a synchronous view (the code the API answers with) over the committed rows, from one snapshot.
   * The view must only read, and must depend on nothing but the rows it reads (it may be run more than once).
   */
  answer<T>(view: (t: TableAccess) => T): Promise<T>;
  /** Every row of every table in primary-key order, positions as decimal strings: equal dumps, equal read models. */
  dump(): Promise<ReadModelDump>;
  tableCounts(): Promise<Record<string, number>>;
  close(): Promise<void>;
}

/** The SQLite store behind the port: its calls are synchronous, so each answers with a settled promise. */
export class SqliteReadModelStoreAdapter implements ReadModelStore {
  constructor(readonly sqlite: SqliteReadModelStore) {}

  async host(projections: readonly TableProjection[]): Promise<void> {
    this.sqlite.host(projections);
  }

  async readCheckpoint(name: string): Promise<StoredCheckpoint | undefined> {
    return this.sqlite.readCheckpoint(name);
  }

  async applyBatch(checkpointName: string, projections: readonly TableProjection[], envelopes: readonly LedgerEnvelope[], checkpoint: bigint): Promise<number> {
    return this.sqlite.applyBatch(checkpointName, projections, envelopes, checkpoint);
  }

  async reset(checkpointName: string, projections: readonly TableProjection[]): Promise<void> {
    this.sqlite.reset(checkpointName, projections);
  }

  async beginRebuild(checkpointName: string, projections: readonly TableProjection[]): Promise<void> {
    this.sqlite.beginRebuild(checkpointName, projections);
  }

  async endRebuild(): Promise<void> {
    this.sqlite.endRebuild();
  }

  async answer<T>(view: (t: TableAccess) => T): Promise<T> {
    return this.sqlite.answer(view);
  }

  async dump(): Promise<ReadModelDump> {
    return this.sqlite.dump();
  }

  async tableCounts(): Promise<Record<string, number>> {
    return this.sqlite.tableCounts();
  }

  async close(): Promise<void> {
    this.sqlite.close();
  }
}
