import { Client, Pool, type PoolClient } from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';
import { LEDGER_MIGRATIONS, type MigrationContext } from './ledger.migrations';

/** A PostgreSQL identifier the ledger creates unquoted: lower-case letters, digits and underscores. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export const DEFAULT_LEDGER_SCHEMA = 'ledger';

/** Fixed key of the lock that serialises migrations across replicas starting at once (any bigint no one else uses). */
const MIGRATION_LOCK = 'incident-ledger:migrations';

export interface LedgerDatabaseOptions {
  connectionString: string;
  /** The PostgreSQL schema everything of the ledger lives in (default `ledger`). */
  schema?: string;
  /** Pool size for queries (default 10). */
  maxConnections?: number;
}

/**
 * The ledger's PostgreSQL database: a pool, the schema the ledger owns, and its migrations (umzug, the applied ones
 * recorded in `<schema>.migrations`), run under an advisory lock so that replicas starting together migrate once.
 */
export class LedgerDatabase {
  readonly schema: string;
  readonly pool: Pool;

  constructor(readonly options: LedgerDatabaseOptions) {
    this.schema = options.schema ?? DEFAULT_LEDGER_SCHEMA;
    if (!SCHEMA_NAME.test(this.schema)) throw new RangeError(`schema: ${JSON.stringify(this.schema)} is not a lower-case PostgreSQL identifier`);
    this.pool = new Pool({ connectionString: options.connectionString, max: options.maxConnections ?? 10, application_name: 'incident-ledger' });
    this.pool.on('error', () => undefined);
  }

  /** `<schema>.<name>`, for SQL text (both parts are identifiers the ledger chose, never input). */
  table(name: string): string {
    return `${this.schema}.${name}`;
  }

  /** Applies the migrations not yet applied, in order; returns their names. */
  async migrate(): Promise<string[]> {
    const client = await this.pool.connect();
    try {
      await client.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [`${MIGRATION_LOCK}:${this.schema}`]);
      try {
        await client.query(`CREATE SCHEMA IF NOT EXISTS ${this.schema}`);
        await client.query(`CREATE TABLE IF NOT EXISTS ${this.table('migrations')} (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
        const umzug = new Umzug<MigrationContext>({
          migrations: LEDGER_MIGRATIONS.map((m) => ({
            name: m.name,
            // Each migration and the row that records it in one transaction: a failed or interrupted one leaves
            // nothing half done, and none is applied twice.
            up: async ({ context }) =>
              inTransaction(context.client, async () => {
                await m.up(context);
                await context.client.query(`INSERT INTO ${this.table('migrations')} (name) VALUES ($1)`, [m.name]);
              }),
          })),
          context: { client, schema: this.schema },
          storage: migrationTable(client, this.table('migrations')),
          logger: undefined,
        });
        return (await umzug.up()).map((m) => m.name);
      } finally {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [`${MIGRATION_LOCK}:${this.schema}`]);
      }
    } finally {
      client.release();
    }
  }

  /** A connection of its own (not from the pool), e.g. for LISTEN. */
  async dedicatedClient(): Promise<Client> {
    const client = new Client({ connectionString: this.options.connectionString, application_name: 'incident-ledger', keepAlive: true });
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

async function inTransaction<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
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

function migrationTable(client: PoolClient, table: string): UmzugStorage<MigrationContext> {
  return {
    // Already recorded inside the migration's transaction.
    logMigration: async ({ name }) => void (await client.query(`INSERT INTO ${table} (name) VALUES ($1) ON CONFLICT (name) DO NOTHING`, [name])),
    unlogMigration: async ({ name }) => void (await client.query(`DELETE FROM ${table} WHERE name = $1`, [name])),
    executed: async () => (await client.query<{ name: string }>(`SELECT name FROM ${table} ORDER BY name`)).rows.map((row) => row.name),
  };
}
