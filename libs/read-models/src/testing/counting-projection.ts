import { LedgerEnvelope } from '../envelope';
import { TableProjection } from '../projection';
import { TableAccess, TableSpec } from '../tables/table-spec';

export interface DeliveryRow {
  key: string;
  count: number;
  /** Every position applied, in order: an event applied twice, or skipped, shows here. */
  positions: string[];
}

/**
 * A read model for tests of the machinery around projections (store, runner):
 * one row counting the events it was given, in a table of its own, optionally
 * failing on the events `failOn` picks.
 */
export const countingProjection = (
  name: string,
  options: { version?: number; weight?: number; failOn?: (e: LedgerEnvelope) => boolean } = {},
): TableProjection & { table: TableSpec<DeliveryRow>; read(t: TableAccess): DeliveryRow | undefined } => {
  const table: TableSpec<DeliveryRow> = {
    name: `test_${name.replace(/-/g, '_')}`,
    question: `How many events did ${name} see?`,
    columns: {
      key: { type: 'text', description: 'always "all"' },
      count: { type: 'integer', description: 'events applied (times weight)' },
      positions: { type: 'json', description: 'positions applied' },
    },
    primaryKey: ['key'],
  };
  return {
    name,
    version: options.version ?? 1,
    tables: [table],
    table,
    apply: (t, e) => {
      if (options.failOn?.(e)) throw new Error(`${name} fails on ${e.event.type}`);
      const row = t.get(table, { key: 'all' });
      t.put(table, { key: 'all', count: (row?.count ?? 0) + (options.weight ?? 1), positions: [...(row?.positions ?? []), e.position.toString()] });
    },
    read: (t) => t.get(table, { key: 'all' }),
  };
};
