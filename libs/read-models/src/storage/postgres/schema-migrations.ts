import type { PoolClient } from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';

export interface SchemaMigrationContext {
  client: PoolClient;
  /** The schema migrated (a validated identifier). */
  schema: string;
}

export interface SchemaMigration<C extends SchemaMigrationContext = SchemaMigrationContext> {
  /** Applied in name order and recorded by name: never rename or edit one that has shipped, add the next. */
  name: string;
  up(context: C): Promise<void>;
}

/**
 * Applies the migrations not yet applied to one schema, in order (umzug, the applied ones recorded in
 * `<schema>.migrations`), under an advisory lock so that replicas starting together migrate once; returns the names
 * applied. Creates the schema if need be.
 */
export async function migrateSchema<C extends SchemaMigrationContext>(context: C, migrations: readonly SchemaMigration<C>[], lockName: string): Promise<string[]> {
  const { client, schema } = context;
  const table = `${schema}.migrations`;
  await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`${lockName}:${schema}`]);
  try {
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await client.query(`CREATE TABLE IF NOT EXISTS ${table} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
    const umzug = new Umzug<C>({
      migrations: migrations.map((m) => ({
        name: m.name,
        // Each migration and the row that records it in one transaction: a failed or interrupted one leaves
        // nothing half done, and none is applied twice.
        up: async ({ context: c }) =>
          inTransaction(c.client, async () => {
            await m.up(c);
            await c.client.query(`INSERT INTO ${table} (name) VALUES ($1)`, [m.name]);
          }),
      })),
      context,
      storage: migrationTable(client, table),
      logger: undefined,
    });
    return (await umzug.up()).map((m) => m.name);
  } finally {
    await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`${lockName}:${schema}`]);
  }
}

export async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await work();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

function migrationTable<C>(client: PoolClient, table: string): UmzugStorage<C> {
  return {
    // Already recorded inside the migration's transaction.
    logMigration: async ({ name }) => void (await client.query(`INSERT INTO ${table} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name])),
    unlogMigration: async ({ name }) => void (await client.query(`DELETE FROM ${table} WHERE name = $1`, [name])),
    executed: async () => (await client.query<{ name: string }>(`SELECT name FROM ${table} ORDER BY name`)).rows.map((row) => row.name),
  };
}
