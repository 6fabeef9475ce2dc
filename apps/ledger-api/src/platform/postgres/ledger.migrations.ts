import type { PoolClient } from 'pg';

export interface MigrationContext {
  client: PoolClient;
  /** The ledger's schema (a validated identifier). */
  schema: string;
}

export interface LedgerMigration {
  /** Applied in name order and recorded by name: never rename or edit one that has shipped, add the next. */
  name: string;
  up(context: MigrationContext): Promise<void>;
}

/** Channel of the NOTIFY sent on every change of the API tokens (see TokenTableFollower). */
export const TOKENS_CHANGED_CHANNEL = 'incident_ledger_tokens';

export const LEDGER_MIGRATIONS: readonly LedgerMigration[] = [
  {
    name: '0001-api-tokens',
    async up({ client, schema }) {
      // Hashes only, as in tokens.json; the table is not for BI tools (grant them the read-model tables, not this).
      await client.query(`
        CREATE TABLE ${schema}.api_tokens (
          id          text PRIMARY KEY,
          principal   text NOT NULL,
          roles       text[] NOT NULL CHECK (cardinality(roles) > 0),
          sha256      text NOT NULL UNIQUE CHECK (sha256 ~ '^[0-9a-f]{64}$'),
          scope       jsonb,
          created_at  timestamptz,
          revoked_at  timestamptz
        )`);
      await client.query(`
        CREATE FUNCTION ${schema}.api_tokens_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          PERFORM pg_notify('${TOKENS_CHANGED_CHANNEL}', '${schema}');
          RETURN NULL;
        END $$`);
      await client.query(`
        CREATE TRIGGER api_tokens_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON ${schema}.api_tokens
        FOR EACH STATEMENT EXECUTE FUNCTION ${schema}.api_tokens_changed()`);
    },
  },
  {
    name: '0002-notary-key',
    async up({ client, schema }) {
      // One row: the key every replica signs with when none is given by LEDGER_NOTARY_PRIVATE_KEY or a key file.
      // A private key: grant this schema to no one but the ledger's own login.
      await client.query(`
        CREATE TABLE ${schema}.notary_key (
          singleton       boolean PRIMARY KEY DEFAULT true CHECK (singleton),
          key_id          text NOT NULL CHECK (key_id ~ '^[0-9a-f]{64}$'),
          private_key_pem text NOT NULL,
          created_at      timestamptz NOT NULL DEFAULT now()
        )`);
    },
  },
];
