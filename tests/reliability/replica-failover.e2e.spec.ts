import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EsdbEventStore } from '@ledger/event-store';
import { ProjectionRunner } from '@ledger/read-models';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import { claimBody, seedIncident } from '../support/ledger-bodies';
import { TEST_POSTGRES_URL, sql, uniqueName } from '../support/postgres';
import { ensureBuilt, killAllSpawned, removeDataDir, runBuiltCli, REPO_ROOT, SpawnedLedger, spawnLedger, tempDataDir } from '../support/spawned-ledger';

jest.setTimeout(170_000);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  let problem = '';
  for (;;) {
    const value = await probe().catch((error: unknown) => void (problem = ` (last error: ${String(error)})`));
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${problem}`);
    await sleep(25);
  }
};

/**
 * Three built ledgers as replicas on one EventStoreDB (the in-repo gRPC double, in a process of its own, on a port)
 * and one PostgreSQL, under a write load spread over all of them; the holder of the projector lease is killed with
 * SIGKILL twice. What was acknowledged must be in the PostgreSQL read models exactly once, and those must equal a
 * rebuild of the same log; verify must pass with the one notary key the replicas share.
 */
describe('replicas: projector and notary failover under write load', () => {
  const readModels = uniqueName('rm_failover');
  const ledgerSchema = uniqueName('ledger_failover');
  const rebuiltSchema = uniqueName('rm_failover_rebuilt');
  let double: ChildProcess;
  let connectionString: string;
  const replicas: SpawnedLedger[] = [];
  const dataDirs: string[] = [];

  beforeAll(async () => {
    await Promise.all([ensureBuilt('ledger-api'), ensureBuilt('ledger-cli')]);
    double = spawn(process.execPath, ['-r', './scripts/swc-register.js', 'tests/esdb-double/serve-double.worker.ts'], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    connectionString = await new Promise<string>((resolve, reject) => {
      double.stdout!.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      double.once('exit', (code) => reject(new Error(`the double's process exited with ${code}`)));
    });
    const env = {
      EVENTSTORE_CONNECTION_STRING: connectionString,
      LEDGER_READ_MODELS_URL: TEST_POSTGRES_URL,
      LEDGER_READ_MODELS_SCHEMA: readModels,
      LEDGER_POSTGRES_SCHEMA: ledgerSchema,
      LEDGER_CHECKPOINT_INTERVAL_MS: '500',
      LEDGER_RATE_LIMIT_MAX: '0',
      LEDGER_PROJECTION_THREAD: 'inline',
    };
    // The first replica issues the initial tokens into the shared table (and prints them in its data directory).
    for (let i = 0; i < 3; i++) {
      const dataDir = tempDataDir('ledger-replica-');
      dataDirs.push(dataDir);
      replicas.push(await spawnLedger({ dataDir, env, ...(i > 0 ? { tokens: replicas[0].tokens } : {}) }));
    }
  });

  afterAll(async () => {
    if (process.env.FAILOVER_OUTPUT_DIR) replicas.forEach((r, i) => writeFileSync(join(process.env.FAILOVER_OUTPUT_DIR!, `replica-${i}.log`), r.output()));
    await killAllSpawned();
    double?.kill('SIGKILL');
    for (const dir of dataDirs) removeDataDir(dir);
    for (const schema of [readModels, ledgerSchema, rebuiltSchema]) await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  /** The pid in the application name of the session holding a lease (`ledger <pid>@<host> lease <name>`). */
  const leaseHolderPid = async (lease: string): Promise<number | undefined> => {
    const rows = await sql<{ application_name: string }>(
      `SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
        WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 AND l.objid = (hashtextextended($1, 0) & x'ffffffff'::bigint)::oid`,
      [lease],
    );
    const match = /^ledger (\d+)@/.exec(rows[0]?.application_name ?? '');
    return match ? Number(match[1]) : undefined;
  };
  const projectorLease = `incident-ledger:projector:${readModels}`;
  const notaryLease = `incident-ledger:notary:${ledgerSchema}`;
  const checkpoint = async (): Promise<bigint> => {
    const rows = await sql<{ position: string }>(`SELECT position FROM ${readModels}.read_model_checkpoints WHERE name = 'ledger-read-models'`);
    return rows[0] ? BigInt(rows[0].position) : 0n;
  };

  it('a token issued with ledger-cli works on every replica within a couple of seconds; revoked, it stops working on every one', async () => {
    const env = { LEDGER_DATA_DIR: dataDirs[0], LEDGER_READ_MODELS_URL: TEST_POSTGRES_URL, LEDGER_READ_MODELS_SCHEMA: readModels, LEDGER_POSTGRES_SCHEMA: ledgerSchema };
    const issued = await runBuiltCli(['tokens', 'issue', '--principal', 'analyst-9', '--role', 'reader', '--json'], { env });
    expect(issued.code).toBe(0);
    const { id, token } = JSON.parse(issued.stdout) as { id: string; token: string };
    const statusOn = (r: SpawnedLedger) => r.request('GET', '/parties', { headers: { authorization: `Bearer ${token}` } }).then((res) => res.status);
    const seen = Date.now();
    await until(async () => ((await Promise.all(replicas.map(statusOn))).every((s) => s === 200) ? true : undefined), 2_000, 'the new token on every replica');
    const acceptedAfterMs = Date.now() - seen;
    expect((await runBuiltCli(['tokens', 'revoke', id], { env })).code).toBe(0);
    const revoked = Date.now();
    await until(async () => ((await Promise.all(replicas.map(statusOn))).every((s) => s === 401) ? true : undefined), 2_000, 'the revocation on every replica');
    console.log(`token issued: accepted by all 3 replicas after ${acceptedAfterMs} ms; revoked: refused by all after ${Date.now() - revoked} ms`);
    // The shared table is what the CLI listed: the same token, revoked.
    const listed = await runBuiltCli(['tokens', 'list', '--all', '--json'], { env });
    expect(JSON.parse(listed.stdout)).toEqual(expect.arrayContaining([expect.objectContaining({ id, principal: 'analyst-9', revokedAt: expect.any(String) })]));
  });

  it('SIGKILL of the projector lease holder, twice, under load: every acknowledged claim projected once, the read models equal a rebuild, verify ok with one key', async () => {
    const incidentId = await seedIncident(replicas[0]);
    const live = new Set(replicas);
    const acknowledged = new Map<string, string>();
    let failedOver = 0;
    let stop = false;

    /** One writer: claims round-robin over the live replicas; a claim whose replica died is retried elsewhere with its key. */
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const key = `failover-${w}-${i}`;
        for (let attempt = 0; ; attempt++) {
          const targets = [...live];
          const target = targets[(w + i + attempt) % targets.length];
          const res = await target
            .request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(w * 100_000 + i), headers: { 'idempotency-key': key } })
            .catch(() => undefined);
          if (res?.status === 201) {
            acknowledged.set(key, res.body.claimId);
            break;
          }
          // 503: write contention or the store busy; no answer: the replica died under the request.
          if (res && res.status !== 503) throw new Error(`claim ${key} answered ${res.status}: ${JSON.stringify(res.body)}`);
          failedOver++;
          if (attempt > 50) throw new Error(`claim ${key} found no replica to take it`);
          await sleep(20);
        }
      }
    };
    const failures: unknown[] = [];
    const writers = [0, 1, 2, 3].map((w) =>
      writer(w).catch((error: unknown) => {
        failures.push(error);
        stop = true;
      }),
    );

    const takeovers: { newHolderMs: number; projectingAgainMs: number }[] = [];
    const tookLease = (r: SpawnedLedger, lease: string) => r.output().includes(`lease ${lease} taken`);
    expect(replicas.filter((r) => tookLease(r, projectorLease))).toHaveLength(1);
    expect(replicas.filter((r) => tookLease(r, notaryLease))).toHaveLength(1);
    try {
      for (let kill = 0; kill < 2; kill++) {
        await sleep(2_500);
        const holderPid = await until(() => leaseHolderPid(projectorLease), 10_000, 'a projector lease holder');
        const holder = [...live].find((r) => r.pid === holderPid);
        expect(holder).toBeDefined();
        const before = await checkpoint();
        live.delete(holder!);
        const killedAt = Date.now();
        holder!.child.kill('SIGKILL');
        const newHolder = await until(async () => {
          const pid = await leaseHolderPid(projectorLease);
          return pid !== undefined && pid !== holderPid ? pid : undefined;
        }, 15_000, 'another replica to take the projector lease');
        const newHolderMs = Date.now() - killedAt;
        expect([...live].map((r) => r.pid)).toContain(newHolder);
        await until(async () => ((await checkpoint()) > before ? true : undefined), 15_000, 'the new holder to project');
        takeovers.push({ newHolderMs, projectingAgainMs: Date.now() - killedAt });
        await holder!.exited;
      }
      await sleep(1_500);
    } finally {
      stop = true;
      await Promise.all(writers);
    }
    expect(failures).toEqual([]);

    const survivor = [...live][0];
    const head = BigInt((await survivor.health()).body.details.eventStore.headPosition!);
    // Whichever replica held the notary lease is gone or is the survivor: the survivor signs, and catches up with the log.
    const leaves = async () => {
      const { total } = (await survivor.request('GET', '/integrity/checkpoints?limit=1', { role: 'auditor' })).body as { total: number };
      const latest = await survivor.request('GET', `/integrity/checkpoints?offset=${Math.max(0, total - 1)}&limit=1`, { role: 'auditor' });
      return (latest.body.items as { lastPosition: string }[]).at(-1)?.lastPosition;
    };
    await until(async () => (BigInt((await leaves()) ?? '0') >= head ? true : undefined), 15_000, 'a periodic checkpoint of the whole log');
    expect(await until(() => leaseHolderPid(notaryLease), 10_000, 'a notary lease holder')).toBe(survivor.pid);
    await until(async () => ((await checkpoint()) >= head ? true : undefined), 20_000, 'the read models to reach the head of the log');

    const projected = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema: readModels, readerRole: null });
    const rebuiltStore = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema: rebuiltSchema, readerRole: null });
    const log = new EsdbEventStore({ connectionString });
    try {
        const dump = await projected.dump();
        const claims = dump.claims as Array<{ claimId: string }>;
        const counts = new Map<string, number>();
        for (const row of claims) counts.set(row.claimId, (counts.get(row.claimId) ?? 0) + 1);
        const missing = [...acknowledged.values()].filter((id) => counts.get(id) !== 1);
        expect(missing).toEqual([]);
        expect(claims).toHaveLength(counts.size);

        const rebuild = new ProjectionRunner({ eventStore: log, store: rebuiltStore });
        await rebuild.rebuild();
        expect(dump).toEqual(await rebuiltStore.dump());
    } finally {
      await Promise.all([projected.close(), rebuiltStore.close(), log.close()]);
    }

    const signed = await survivor.request('POST', '/integrity/checkpoints', { role: 'auditor' });
    expect([200, 201]).toContain(signed.status);
    const verify = await survivor.request('GET', '/integrity/verify', { role: 'auditor' });
    expect(verify.body.findings).toEqual([]);
    expect(verify.body).toMatchObject({ ok: true });
    expect(verify.body.checkpoints).toBeGreaterThan(1);
    const keys = (await survivor.request('GET', '/.well-known/ledger-keys.json')).body.keys.map((k: { kid: string }) => k.kid);
    const signers = await sql<{ key_id: string }>(`SELECT key_id FROM ${ledgerSchema}.notary_key`);
    expect(keys).toEqual(signers.map((s) => s.key_id));

    console.log(
      `failover: ${acknowledged.size} claims acknowledged (${failedOver} requests retried on another replica); ` +
        takeovers.map((t, i) => `kill ${i + 1}: new lease holder after ${t.newHolderMs} ms, projecting again after ${t.projectingAgainMs} ms`).join('; '),
    );
    for (const t of takeovers) expect(t.projectingAgainMs).toBeLessThan(10_000);
    expect(acknowledged.size).toBeGreaterThan(50);
  });
});
