import { EVENT_STORE, EventStore } from '@ledger/event-store';
import { SqliteReadModelStore } from '@ledger/read-models';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import { PostgresReadModelsHost } from '../../apps/ledger-api/src/application/postgres-read-models.host';
import { ProjectionHost } from '../../apps/ledger-api/src/application/projection.host';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { injectSend } from '../support/http';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../support/postgres';

describe('LEDGER_READ_MODELS_URL: the read models kept in PostgreSQL too', () => {
  const schema = uniqueName('rm_e2e');
  const ledgerSchema = uniqueName('ledger_e2e');
  let ledger: LedgerTestApp;

  beforeAll(async () => {
    ledger = await startLedger({ env: { LEDGER_READ_MODELS_URL: TEST_POSTGRES_URL, LEDGER_READ_MODELS_SCHEMA: schema, LEDGER_POSTGRES_SCHEMA: ledgerSchema, LEDGER_CHECKPOINT_INTERVAL_MS: '0' } });
  });

  afterAll(async () => {
    await ledger?.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await sql(`DROP SCHEMA IF EXISTS ${ledgerSchema} CASCADE`);
  });

  it('follows the log into its schema: after the demo scenario the PostgreSQL tables equal the API’s SQLite read models, row for row', async () => {
    await runScenario(DEMO_SCENARIO, injectSend(ledger.app, ledger.tokens.recorder));
    const head = await ledger.app.get<EventStore>(EVENT_STORE).headPosition();
    expect(await ledger.app.get(ProjectionHost).caughtUpTo(head, 20_000)).toBe(true);
    const postgres = ledger.app.get(PostgresReadModelsHost);
    await postgres.waitForPosition(head, 20_000);
    // Alone, this process takes the projector lease at once; its runner may still be finishing the first rebuild.
    for (const deadline = Date.now() + 10_000; postgres.status()?.state !== 'live' && Date.now() < deadline; ) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(postgres.status()).toMatchObject({ state: 'live', schema, lastError: null, leading: true });
    const reader = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: null });
    try {
      const dump = await reader.dump();
      expect(dump.claims.length).toBeGreaterThan(1);
      expect(dump).toEqual(ledger.app.get(SqliteReadModelStore).dump());
    } finally {
      await reader.close();
    }
  });

  it('refuses a URL that is not PostgreSQL’s, without echoing it (it may carry a password)', async () => {
    await expect(startLedger({ env: { LEDGER_READ_MODELS_URL: 'mysql://user:secret@db/ledger' } })).rejects.toThrow(/LEDGER_READ_MODELS_URL/);
    await expect(startLedger({ env: { LEDGER_READ_MODELS_URL: 'mysql://user:secret@db/ledger' } })).rejects.not.toThrow(/secret/);
  });
});
