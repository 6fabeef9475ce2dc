import { PG_IDENTIFIER } from './postgres-tables';
import { SchemaMigration, SchemaMigrationContext } from './schema-migrations';

export interface ReadModelMigrationContext extends SchemaMigrationContext {
  /** The role BI tools read the read models as (null: none made). */
  readerRole: string | null;
}

/**
 * The read models' own bookkeeping in their PostgreSQL schema. The projection tables are not here: they are derived
 * from the TableSpecs (see PostgresReadModelStore.host), and a table whose shape changes is dropped and rebuilt from
 * the log, as the SQLite file's are, since read models are disposable and the log is not.
 */
export const READ_MODEL_MIGRATIONS: readonly SchemaMigration<ReadModelMigrationContext>[] = [
  {
    name: '0001-read-model-bookkeeping',
    async up({ client, schema }) {
      await client.query(`
        CREATE TABLE ${schema}.read_model_checkpoints (
          name                 text PRIMARY KEY,
          position             bigint NOT NULL,
          projection_versions  text NOT NULL
        )`);
      // The DDL each projection table was created with: another DDL (a column added to its spec) means drop and rebuild.
      await client.query(`CREATE TABLE ${schema}.read_model_tables (name text PRIMARY KEY, ddl text NOT NULL)`);
    },
  },
  {
    name: '0002-bi-reader-role',
    async up({ client, schema, readerRole }) {
      if (readerRole === null) return;
      // NOLOGIN: a BI tool logs in as a role of its own made a member of this one (see the README), with its own password.
      // Roles belong to the whole server: another schema's migration may have made it already.
      await client.query(`
        DO $$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${readerRole}') THEN CREATE ROLE ${readerRole} NOLOGIN; END IF;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END $$`);
      await client.query(`GRANT USAGE ON SCHEMA ${schema} TO ${readerRole}`);
      await client.query(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${readerRole}`);
      // Tables and views made later (the projection tables, a rebuild's new ones) are readable too.
      await client.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA ${schema} GRANT SELECT ON TABLES TO ${readerRole}`);
    },
  },
];

export const validIdentifier = (name: string, what: string): string => {
  if (!PG_IDENTIFIER.test(name)) throw new RangeError(`${what}: ${JSON.stringify(name)} is not a lower-case PostgreSQL identifier`);
  return name;
};
