import { Client, Pool } from 'pg';
import { migrateSchema } from '@ledger/read-models/storage/postgres/schema-migrations';
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
    // A client checked out when its connection drops emits 'error' with no listener of the pool's: unhandled, that
    // would end the process. Its query rejects anyway, and whoever ran it answers 503 or retries.
    this.pool.on('connect', (client) => client.on('error', () => undefined));
  }

  /** `<schema>.<name>`, for SQL text (both parts are identifiers the ledger chose, never input). */
  table(name: string): string {
    return `${this.schema}.${name}`;
  }

  /** Applies the migrations not yet applied, in order; returns their names. */
  async migrate(): Promise<string[]> {
    const client = await this.pool.connect();
    try {
      return await migrateSchema<MigrationContext>({ client, schema: this.schema }, LEDGER_MIGRATIONS, MIGRATION_LOCK);
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
