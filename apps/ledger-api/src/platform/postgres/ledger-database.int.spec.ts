import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../../tests/support/postgres';
import { LedgerDatabase } from './ledger-database';
import { LEDGER_MIGRATIONS } from './ledger.migrations';

describe('LedgerDatabase migrations (PostgreSQL)', () => {
  const schemas: string[] = [];
  afterAll(async () => {
    for (const schema of schemas) await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  it('creates its schema and applies every migration once, recording each', async () => {
    const schema = uniqueName('ledger_test');
    schemas.push(schema);
    const db = new LedgerDatabase({ connectionString: TEST_POSTGRES_URL, schema });
    try {
      expect(await db.migrate()).toEqual(LEDGER_MIGRATIONS.map((m) => m.name));
      expect(await db.migrate()).toEqual([]);
      const recorded = await sql<{ name: string }>(`SELECT name FROM ${schema}.migrations ORDER BY name`);
      expect(recorded.map((r) => r.name)).toEqual(LEDGER_MIGRATIONS.map((m) => m.name));
      const tables = await sql<{ table_name: string }>(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name`, [schema]);
      expect(tables.map((t) => t.table_name)).toEqual(['api_tokens', 'migrations', 'notary_key']);
    } finally {
      await db.close();
    }
  });

  it('replicas starting together migrate once between them', async () => {
    const schema = uniqueName('ledger_test');
    schemas.push(schema);
    const replicas = [1, 2, 3].map(() => new LedgerDatabase({ connectionString: TEST_POSTGRES_URL, schema }));
    try {
      const applied = await Promise.all(replicas.map((db) => db.migrate()));
      expect(applied.flat().sort()).toEqual(LEDGER_MIGRATIONS.map((m) => m.name).sort());
    } finally {
      await Promise.all(replicas.map((db) => db.close()));
    }
  });

  it('refuses a schema name that is not a plain lower-case identifier (it is written into SQL)', () => {
    for (const schema of ['Ledger', 'ledger; drop table x', '', '1ledger', 'a'.repeat(64)]) {
      expect(() => new LedgerDatabase({ connectionString: TEST_POSTGRES_URL, schema })).toThrow(RangeError);
    }
  });
});
