import { EsdbEventStore } from '@ledger/event-store';
import { PostgresReadModelsHost } from '../../apps/ledger-api/src/application/postgres-read-models.host';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { EsdbDouble, startEsdbDouble } from '../esdb-double';
import { injectSend } from '../support/http';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../support/postgres';

jest.setTimeout(60_000);

const until = async (condition: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<number> => {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - started;
};

/** Two replicas in this process on one log and one PostgreSQL: the projector lease decides which one projects. */
describe('the PostgreSQL projector among replicas', () => {
  const readModels = uniqueName('rm_projector');
  const ledgerSchema = uniqueName('ledger_projector');
  let double: EsdbDouble;
  const apps: LedgerTestApp[] = [];

  beforeAll(async () => {
    double = await startEsdbDouble({ port: 0 });
  });
  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await double?.close();
    for (const schema of [readModels, ledgerSchema]) await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  const replica = async () => {
    const app = await startLedger({
      eventStore: () => new EsdbEventStore({ connectionString: double.connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }),
      env: { LEDGER_READ_MODELS_URL: TEST_POSTGRES_URL, LEDGER_READ_MODELS_SCHEMA: readModels, LEDGER_POSTGRES_SCHEMA: ledgerSchema, LEDGER_CHECKPOINT_INTERVAL_MS: '0' },
    });
    apps.push(app);
    return app.app.get(PostgresReadModelsHost);
  };
  const storedCheckpoint = async () => BigInt((await sql<{ position: string }>(`SELECT position FROM ${readModels}.read_model_checkpoints WHERE name = 'ledger-read-models'`))[0]?.position ?? '0');

  it('runs on the lease holder alone; when its session is ended under it, it stops at once and the other replica takes over', async () => {
    const first = await replica();
    // A replica's status is 'live' as a follower too (the stored checkpoint's): wait for its own runner.
    await until(() => first.leading && first.projecting && first.status()?.state === 'live', 'the first replica to project', 30_000);
    const second = await replica();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect([first.leading, second.leading]).toEqual([true, false]);
    expect(second.projecting).toBe(false);
    // A follower reports the read models the holder keeps, as the checkpoint stored in PostgreSQL tells.
    expect(second.status()).toMatchObject({ state: 'live', leading: false });
    const refused = await apps[1].app.inject({ method: 'POST', url: '/admin/read-models/rebuild', headers: { authorization: `Bearer ${apps[1].tokens.admin}` } });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ type: expect.stringMatching(/not-the-projector$/), leading: false, state: 'live' });

    await runScenario(DEMO_SCENARIO, injectSend(apps[1].app, apps[1].tokens.recorder));
    const log = new EsdbEventStore({ connectionString: double.connectionString });
    const head = await log.headPosition().finally(() => log.close());
    await until(async () => (await storedCheckpoint()) >= head, 'the holder to project what the other replica wrote');

    // As after a network cut: PostgreSQL ends the holder's lease session, which frees the lock.
    const ended = Date.now();
    const terminated = await sql(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
        WHERE locktype = 'advisory' AND granted AND objsubid = 1 AND objid = (hashtextextended($1, 0) & x'ffffffff'::bigint)::oid`,
      [`incident-ledger:projector:${readModels}`],
    );
    expect(terminated).toHaveLength(1);
    await until(() => !first.projecting && !first.leading, 'the first replica to stop projecting');
    await until(() => second.leading && second.projecting && second.status()?.state === 'live', 'the second replica to project');
    expect(first.status()).toMatchObject({ state: 'live', leading: false });
    const takeoverMs = Date.now() - ended;
    expect(takeoverMs).toBeLessThan(5_000);
  });

  it('opens at most LEDGER_READ_MODELS_POOL_SIZE connections to the read models, however many reads come at once', async () => {
    const schema = uniqueName('rm_pool');
    const app = await startLedger({
      eventStore: () => new EsdbEventStore({ connectionString: double.connectionString }),
      env: { LEDGER_READ_MODELS_URL: TEST_POSTGRES_URL, LEDGER_READ_MODELS_SCHEMA: schema, LEDGER_POSTGRES_SCHEMA: uniqueName('ledger_pool'), LEDGER_CHECKPOINT_INTERVAL_MS: '0', LEDGER_READ_MODELS_POOL_SIZE: '2' },
    });
    apps.push(app);
    try {
      const host = app.app.get(PostgresReadModelsHost);
      const read = (url: string) => app.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${app.tokens.reader}` } });
      let incidents: Array<{ incidentId: string }> = [];
      // Its fresh schema is built from the log the first test wrote.
      await until(async () => host.status()?.state === 'live' && (incidents = (await read('/incidents?limit=5')).json().items ?? []).length > 0, 'the read models to hold the demo', 30_000);
      // Many reads at once, each a snapshot of several rounds: each holds a connection while it runs.
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => read(`/incidents/${incidents[i % incidents.length].incidentId}/versions`)));
      expect(answers.map((a) => a.statusCode)).toEqual(answers.map(() => 200));
      // node-postgres keeps idle connections open for 10 s: what the burst opened is still there to count.
      const [{ n }] = await sql<{ n: string }>('SELECT COUNT(*) AS n FROM pg_stat_activity WHERE application_name = $1', [`incident-ledger-read-models:${schema}`]);
      expect(Number(n)).toBeGreaterThanOrEqual(1);
      expect(Number(n)).toBeLessThanOrEqual(2);
    } finally {
      await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    }
  });
});
