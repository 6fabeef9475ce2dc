import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EsdbEventStore } from '@ledger/event-store';
import { DEFAULT_NOTARY_KEY_FILE, keyIdOf } from '@ledger/integrity';
import { DEMO_SCENARIO, runScenario } from '../../apps/ledger-api/src/demo/scenario';
import { NotaryService } from '../../apps/ledger-api/src/integrity/notary.service';
import { EsdbDouble, startEsdbDouble } from '../esdb-double';
import { getAs, injectSend } from '../support/http';
// The demo registers the party these claims name.
import { claimBody } from '../support/ledger-bodies';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../support/postgres';

jest.setTimeout(60_000);

type Checkpoint = { treeSize: number; keyId: string; rootHash: string };

/**
 * Replicas on one event store and one PostgreSQL (LEDGER_READ_MODELS_URL): one notary key between them, periodic
 * checkpoints signed by the notary lease's holder alone, and on-demand checkpoints on any replica that never sign one
 * tree twice.
 */
describe('the notary among replicas', () => {
  let double: EsdbDouble;
  const schemas: string[] = [];
  const apps: LedgerTestApp[] = [];

  beforeEach(async () => {
    double = await startEsdbDouble({ port: 0 });
  });
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((a) => a.close()));
    await double?.close();
  });
  afterAll(async () => {
    for (const schema of schemas) await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  /** A deployment: a fresh log, one ledger schema and one read-model schema. */
  const deployment = () => {
    const ledgerSchema = uniqueName('ledger_notary');
    const readModels = uniqueName('rm_notary');
    schemas.push(ledgerSchema, readModels);
    const env = { LEDGER_READ_MODELS_URL: TEST_POSTGRES_URL, LEDGER_READ_MODELS_SCHEMA: readModels, LEDGER_POSTGRES_SCHEMA: ledgerSchema };
    const replica = async (extra: { env?: Record<string, string>; dataDir?: string } = {}) => {
      const app = await startLedger({
        eventStore: () => new EsdbEventStore({ connectionString: double.connectionString, reconnect: { initialDelayMs: 20, maxDelayMs: 200 } }),
        env: { LEDGER_CHECKPOINT_INTERVAL_MS: '0', ...env, ...extra.env },
        ...(extra.dataDir ? { dataDir: extra.dataDir } : {}),
      });
      apps.push(app);
      return app;
    };
    return { ledgerSchema, replica };
  };

  const checkpointsOf = async (app: LedgerTestApp): Promise<Checkpoint[]> => (await getAs(app.app, app.tokens.auditor, '/integrity/checkpoints?limit=500')).body.items;

  it('without a configured key, every replica signs with the one the first stored in the ledger schema; verify is ok on each', async () => {
    const { ledgerSchema, replica } = deployment();
    const [a, b, c] = [await replica(), await replica(), await replica()];
    const keyIds = [a, b, c].map((r) => r.app.get(NotaryService).key.keyId);
    expect(new Set(keyIds).size).toBe(1);
    expect(await sql(`SELECT key_id FROM ${ledgerSchema}.notary_key`)).toEqual([{ key_id: keyIds[0] }]);

    await runScenario(DEMO_SCENARIO, injectSend(a.app, a.tokens.recorder));
    for (const r of [a, b, c]) {
      const signed = await r.app.inject({ method: 'POST', url: '/integrity/checkpoints', headers: { authorization: `Bearer ${r.tokens.auditor}` } });
      expect([200, 201]).toContain(signed.statusCode);
    }
    for (const r of [a, b, c]) {
      const verify = await getAs(r.app, r.tokens.auditor, '/integrity/verify');
      expect(verify.body.findings).toEqual([]);
      expect(verify.body.ok).toBe(true);
      expect((await getAs(r.app, r.tokens.reader, '/.well-known/ledger-keys.json')).body.keys.map((k: { kid: string }) => k.kid)).toEqual([keyIds[0]]);
    }
  });

  it('on-demand checkpoints asked of every replica at once, between writes: never a 500, never two checkpoints of one tree size', async () => {
    const { replica } = deployment();
    const replicas = [await replica(), await replica(), await replica()];
    const refs = await runScenario(DEMO_SCENARIO, injectSend(replicas[0].app, replicas[0].tokens.recorder));
    const statuses: number[] = [];
    for (let round = 0; round < 6; round++) {
      // A write on one replica, then all three asked to sign at once: each decides on the log as it has read it.
      const writer = replicas[round % 3];
      const wrote = await writer.app.inject({
        method: 'POST',
        url: `/incidents/${refs.incident}/claims`,
        payload: claimBody(round),
        headers: { authorization: `Bearer ${writer.tokens.recorder}` },
      });
      expect(wrote.statusCode).toBe(201);
      const answers = await Promise.all(
        replicas.concat(replicas).map((r) => r.app.inject({ method: 'POST', url: '/integrity/checkpoints', headers: { authorization: `Bearer ${r.tokens.auditor}` } })),
      );
      statuses.push(...answers.map((x) => x.statusCode));
      // Whatever each answered, it is a checkpoint that covers the write every replica was asked after.
      const sizes = answers.map((x) => (x.json() as Checkpoint).treeSize);
      expect(new Set(sizes).size).toBe(1);
    }
    expect(statuses.every((s) => s === 200 || s === 201)).toBe(true);
    const stored = await checkpointsOf(replicas[1]);
    const sizes = stored.map((c) => c.treeSize);
    expect(new Set(sizes).size).toBe(sizes.length);
    expect(sizes).toEqual([...sizes].sort((x, y) => x - y));
    expect(stored).toHaveLength(6);
    for (const r of replicas) expect((await getAs(r.app, r.tokens.auditor, '/integrity/verify')).body).toMatchObject({ ok: true, findings: [] });
  });

  it('periodic checkpoints: only the notary lease holder signs; when it goes, another takes over', async () => {
    const { replica } = deployment();
    const first = await replica({ env: { LEDGER_CHECKPOINT_INTERVAL_MS: '100' } });
    const until = async (condition: () => boolean | Promise<boolean>, what: string) => {
      for (const deadline = Date.now() + 10_000; !(await condition()); ) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    const leaseOf = (app: LedgerTestApp) => (app.app.get(NotaryService) as unknown as { lease?: { held: boolean } }).lease;
    await until(() => leaseOf(first)?.held === true, 'the first replica to hold the notary lease');
    const second = await replica({ env: { LEDGER_CHECKPOINT_INTERVAL_MS: '100' } });
    const periodic = [first, second].map((r) => {
      const notary = r.app.get(NotaryService);
      const spy = jest.spyOn(notary, 'checkpoint');
      return () => spy.mock.calls.filter(([by]) => by === 'notary').length;
    });
    const refs = await runScenario(DEMO_SCENARIO, injectSend(second.app, second.tokens.recorder));
    await until(async () => (await checkpointsOf(second)).length > 0, 'a periodic checkpoint');
    expect(leaseOf(second)?.held).toBe(false);
    expect(periodic[0]()).toBeGreaterThan(0);
    expect(periodic[1]()).toBe(0);

    await apps.splice(apps.indexOf(first), 1)[0].close();
    await until(() => leaseOf(second)?.held === true, 'the second replica to take the notary lease');
    const before = (await checkpointsOf(second)).length;
    const wrote = await injectSend(second.app, second.tokens.recorder)({ method: 'POST', url: `/incidents/${refs.incident}/claims`, body: claimBody(99), headers: {} });
    expect(wrote.status).toBe(201);
    await until(async () => (await checkpointsOf(second)).length > before, 'a checkpoint signed by the new holder');
    expect(periodic[1]()).toBeGreaterThan(0);
    expect((await getAs(second.app, second.tokens.auditor, '/integrity/verify')).body).toMatchObject({ ok: true, findings: [] });
  });

  it('a configured key wins and leaves the shared one alone; a replica that ran alone before offers its key file first', async () => {
    const { ledgerSchema, replica } = deployment();
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-notary-'));
    const own = generateKeyPairSync('ed25519').privateKey;
    writeFileSync(join(dataDir, DEFAULT_NOTARY_KEY_FILE), own.export({ type: 'pkcs8', format: 'pem' }) as string, { mode: 0o600 });
    const veteran = await replica({ dataDir });
    expect(veteran.app.get(NotaryService).key.keyId).toBe(keyIdOf(own));
    expect(await sql(`SELECT key_id FROM ${ledgerSchema}.notary_key`)).toEqual([{ key_id: keyIdOf(own) }]);

    const given = generateKeyPairSync('ed25519').privateKey;
    const configured = await replica({ env: { LEDGER_NOTARY_PRIVATE_KEY: given.export({ type: 'pkcs8', format: 'pem' }) as string } });
    expect(configured.app.get(NotaryService).key.keyId).toBe(keyIdOf(given));
    expect(await sql(`SELECT key_id FROM ${ledgerSchema}.notary_key`)).toEqual([{ key_id: keyIdOf(own) }]);
  });
});
