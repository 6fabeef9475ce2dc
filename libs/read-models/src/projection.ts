import { LedgerEnvelope } from './envelope';
import { applyLedgerEvent } from './projection/ledger.projection';
import { settleDisagreements } from './projection/positions.projection';
import { LEDGER_TABLES, READ_MODEL_TABLES_VERSION } from './tables/ledger.tables';
import { AnyTable, TableAccess } from './tables/table-spec';

/**
 * A read model as a pure fold of the log into rows: `apply` turns one event
 * into changes of a bounded number of rows of its own tables, read and
 * written through TableAccess, whatever keeps them (the runner's SQLite
 * file, or a throwaway in-memory store for time travel), so the past is
 * answered by the same code as the present.
 *
 * `apply` must depend only on the rows it reads and the event (never on
 * object identity or on how the log was cut into batches), so that folding
 * the log in one go or in batches of any size gives the same rows.
 */
export interface TableProjection {
  /** kebab-case. */
  name: string;
  /** Bump whenever the tables' shape or meaning changes: a mismatch with the stored checkpoint forces a rebuild. */
  version: number;
  tables: readonly AnyTable[];
  apply(t: TableAccess, e: LedgerEnvelope): void;
  /**
   * Brings derived rows up to date once a run of `apply` calls on `t` is over (before its rows are written): work
   * that depends only on rows, not on events, done once per batch instead of once per event.
   */
  settle?(t: TableAccess): void;
}

export type AnyProjection = TableProjection;

/** The ledger's read models: every table of tables/ledger.tables.ts, fed by one fold. */
export const ledgerProjection: TableProjection = {
  name: 'ledger-tables',
  version: READ_MODEL_TABLES_VERSION,
  tables: LEDGER_TABLES,
  apply: applyLedgerEvent,
  settle: settleDisagreements,
};

/** Every read model of the ledger, as the runner hosts them by default. */
export const LEDGER_PROJECTIONS: readonly TableProjection[] = [ledgerProjection];
