import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import { projectorLease } from '../../apps/ledger-api/src/application/shared-database.host';
import { dumpReadModels, readLog } from '../support/data-dir';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../support/postgres';
import { BUILD_TIMEOUT_MS, ensureBuilt, killAllSpawned, removeDataDir, runBuiltCli, spawnLedger, tempDataDir } from '../support/spawned-ledger';

/**
 * `ledger-cli rebuild` into PostgreSQL (LEDGER_READ_MODELS_URL or --read-models-url): the built CLI against a data
 * directory the built API wrote, in a database of this test's own (advisory locks, hence the projector lease, belong
 * to a database: other tests taking the lease in `test` must not make this one busy, nor the reverse).
 */
jest.setTimeout(60_000);

const ROOT = join(__dirname, '../..');
const database = uniqueName('cli_rebuild_pg');
const url = TEST_POSTGRES_URL.replace(/\/[^/?]*(\?|$)/, `/${database}$1`);
let dataDir: string;
const children: ChildProcess[] = [];

const openSchema = (schema: string) => PostgresReadModelStore.open({ connectionString: url, schema, readerRole: null });

beforeAll(async () => {
  await sql(`CREATE DATABASE ${database}`);
  await ensureBuilt('ledger-api');
  await ensureBuilt('ledger-cli');
  dataDir = tempDataDir('ledger-cli-pg-');
  const api = await spawnLedger({ dataDir, demo: true });
  await api.waitUntilCaughtUp();
  await api.stop();
}, 2 * BUILD_TIMEOUT_MS + 30_000);

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await killAllSpawned();
  removeDataDir(dataDir);
  await sql(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
});

it('LEDGER_READ_MODELS_URL: rebuilds the PostgreSQL schema from the log, with progress, leaving read-models.sqlite alone; the rows equal the SQLite ones', async () => {
  const schema = uniqueName('rm');
  const sqliteBefore = dumpReadModels(dataDir);
  const log = await readLog(dataDir);
  const head = log[log.length - 1].position;

  const result = await runBuiltCli(['rebuild', '--data-dir', dataDir, '--page-size', '5'], {
    env: { LEDGER_READ_MODELS_URL: url, LEDGER_READ_MODELS_SCHEMA: schema },
  });
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
  expect(result.stderr).toContain(`rebuild: replaying ${join(dataDir, 'events.sqlite')} (head position ${head}) into PostgreSQL schema ${schema} (LEDGER_READ_MODELS_URL), holding the projector lease`);
  expect(result.stderr).toContain(`rebuild: ${log.length} events applied, position ${head} of ${head}`);
  expect(result.stdout.trim()).toMatch(new RegExp(`^Rebuilt read models: ${log.length} events up to position ${head} in \\d+ ms; rows: incidents 1, .*claims 5, `));
  // The URL may carry a password: never echoed.
  expect(result.stderr + result.stdout).not.toContain(url);

  const store = await openSchema(schema);
  try {
    expect((await store.readCheckpoint('ledger-read-models'))?.position).toBe(head);
    expect(await store.dump()).toEqual(sqliteBefore.dump);
  } finally {
    await store.close();
  }
  expect(dumpReadModels(dataDir)).toEqual(sqliteBefore);
});

it('--read-models-url and --read-models-schema say the same as the variables, and win over them', async () => {
  const schema = uniqueName('rm_flag');
  const result = await runBuiltCli(['rebuild', '--data-dir', dataDir, '--quiet', '--read-models-url', url, '--read-models-schema', schema], {
    env: { LEDGER_READ_MODELS_URL: 'postgres://nobody@127.0.0.1:1/nothing', LEDGER_READ_MODELS_SCHEMA: 'not_this_one' },
  });
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0, stderr: '' });
  const store = await openSchema(schema);
  try {
    expect((await store.tableCounts()).claims).toBe(5);
  } finally {
    await store.close();
  }
  expect(await sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', ['not_this_one'])).toEqual([]);
});

it('refuses (exit 3, nothing written) while a running ledger holds the projector lease, and rebuilds once it is gone', async () => {
  const schema = uniqueName('rm_busy');
  // A replica holding the lease the way the ledger does (AdvisoryLockLease, same name), in a process of its own.
  const holder = spawn(process.execPath, ['--require', join(ROOT, 'scripts/swc-register.js'), join(ROOT, 'tests/support/lease-holder.worker.ts'), url, projectorLease(schema)], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(holder);
  let output = '';
  holder.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 20_000;
  while (!output.includes('held') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  expect(output).toContain('held');

  const env = { LEDGER_READ_MODELS_URL: url, LEDGER_READ_MODELS_SCHEMA: schema };
  const refused = await runBuiltCli(['rebuild', '--data-dir', dataDir], { env });
  expect(refused.code).toBe(3);
  expect(refused.stderr).toContain(`A running ledger holds the projector lease ${projectorLease(schema)}`);
  expect(refused.stderr).toContain('Stop every ledger replica that uses this PostgreSQL first');
  expect(refused.stdout).toBe('');
  expect(await sql('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).toEqual([]);

  holder.kill('SIGKILL');
  await new Promise((resolve) => holder.once('exit', resolve));
  // The killed holder's session ends and frees the lock; the CLI does not wait for it, so try until it is free.
  let result = await runBuiltCli(['rebuild', '--data-dir', dataDir, '--quiet'], { env });
  for (let i = 0; result.code === 3 && i < 20; i++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    result = await runBuiltCli(['rebuild', '--data-dir', dataDir, '--quiet'], { env });
  }
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code: 0 });
});
