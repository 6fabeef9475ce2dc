/**
 * replica-reads: API reads served by two ledger replicas against one, in the same run (issue 14: ≥ 1.6×).
 *
 * Both replicas are the built ledger on one event store (the in-repo EventStoreDB gRPC double, in a process of its
 * own) and one PostgreSQL (LEDGER_READ_MODELS_URL: the read models, the tokens, the leases), with one notary key.
 * The data is an NDJSON import (bench/generate-import.ts) posted to the first replica; both must show the read models
 * at the log's head before anything is timed.
 *
 * Reads: a mix a dashboard makes, round-robin: the incident list (20 a page), an incident's versions (first page of
 * 50), its timeline (first page of 50), a party's record (first page of 20 incidents). autocannon with the same number
 * of connections in both runs: all on replica 1, then half on each replica (two autocannon instances in this process).
 * Best of the rounds.
 *
 * Then the same rounds again with each replica held to BENCH_REPLICA_CORES of a core (default 0.5; 0 skips it) by a
 * cgroup of its own (bench/support/cpu-cap.ts), when this machine lets the benchmark set one: on two cores shared with
 * PostgreSQL and the load generator, the uncapped pair fills the machine, and the capped pair shows what a second
 * replica adds when it has CPU of its own. Both figures are reported; each against its own one-replica run.
 *
 * Checks: every answer 200; the two replicas answer the same JSON text for a sample of the reads (they read one set
 * of read models). Not available when PostgreSQL cannot be reached.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { SpawnedLedger, ensureBuilt, spawnLedger } from '../tests/support/spawned-ledger';
import { NotAvailableError, runBenchmark } from './support/bench-child';
import { postFile, tsNodeArgs } from './support/bench-processes';
import { writeImportFile } from './generate-import';
import { CpuCap, capCpu } from './support/cpu-cap';
import { cpuSecondsOf, machineCpuSeconds, mainThreadCpuSecondsOf, nowMs, postgresCpuSeconds, sleep } from './support/measure';

const URL = process.env.LEDGER_BENCH_POSTGRES_URL || process.env.LEDGER_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const CONNECTIONS = 16;

const startDouble = (): Promise<{ connectionString: string; child: ChildProcess }> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsNodeArgs(join(__dirname, '../tests/esdb-double/serve-double.worker.ts')), { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error('the EventStoreDB double did not start'))), 60_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const line = out.split('\n').find((l) => l.startsWith('esdb://'));
      if (line) {
        clearTimeout(timer);
        resolve({ connectionString: line.trim(), child });
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the EventStoreDB double exited (${code})`))));
  });

interface Load {
  requests: number;
  /** Where the CPU went during the run, as shares of one core (1 = a core busy the whole run). */
  cpu?: string;
  seconds: number;
  non2xx: number;
  errors: number;
  p99: number;
}

const readPaths = async (ledger: SpawnedLedger): Promise<string[]> => {
  const list = await ledger.request('GET', '/incidents?limit=200', { role: 'reader' });
  if (list.status !== 200) throw new Error(`GET /incidents answered ${list.status}`);
  const incidents = (list.body.items as Array<{ incidentId: string }>).map((i) => i.incidentId);
  const parties = await ledger.request('GET', '/parties?limit=50', { role: 'reader' });
  const partyIds = (parties.body.items as Array<{ partyId: string }>).map((p) => p.partyId);
  if (incidents.length === 0 || partyIds.length === 0) throw new Error('no incidents or parties to read');
  const paths: string[] = [];
  incidents.forEach((id, n) => {
    paths.push('/incidents?limit=20', `/incidents/${id}/versions?limit=50`, `/incidents/${id}/timeline?limit=50`, `/parties/${encodeURIComponent(partyIds[n % partyIds.length])}?limit=20`);
  });
  return paths;
};

const load = (targets: Array<{ ledger: SpawnedLedger; connections: number }>, paths: string[], seconds: number): Promise<Load> =>
  Promise.all(
    targets.map(
      ({ ledger, connections }, t) =>
        new Promise<autocannon.Result>((resolve, reject) => {
          let next = t * 7;
          autocannon(
            {
              url: ledger.baseUrl,
              connections,
              duration: seconds,
              requests: [{ method: 'GET', headers: { authorization: `Bearer ${ledger.tokens.reader}` }, setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] }) }],
            },
            (error, result) => (error ? reject(error) : resolve(result)),
          );
        }),
    ),
  ).then((results) => ({
    requests: results.reduce((sum, r) => sum + r.requests.total, 0),
    seconds,
    non2xx: results.reduce((sum, r) => sum + r.non2xx, 0),
    errors: results.reduce((sum, r) => sum + r.errors + r.timeouts, 0),
    p99: Math.max(...results.map((r) => r.latency.p99)),
  }));

/**
 * A load run with the CPU each party used meanwhile: the replicas (whole process and event-loop thread), PostgreSQL,
 * the double, this process (the load generator) and the machine's idle share. Two replicas can only be twice one when
 * the rest leaves them the cores: this says whether it did.
 */
const measured = async (ledgers: SpawnedLedger[], doublePid: number, run: () => Promise<Load>): Promise<Load> => {
  const sample = () => ({
    replicas: ledgers.map((l) => [cpuSecondsOf(l.pid), mainThreadCpuSecondsOf(l.pid)]),
    pg: postgresCpuSeconds(),
    double: cpuSecondsOf(doublePid),
    self: process.cpuUsage(),
    machine: machineCpuSeconds(),
    at: nowMs(),
  });
  const before = sample();
  const result = await run();
  const after = sample();
  const seconds = (after.at - before.at) / 1000;
  const share = (used: number) => (used / seconds).toFixed(2);
  const self = process.cpuUsage(before.self);
  const cores = (after.machine.total - before.machine.total) / seconds;
  const replicas = after.replicas
    .map(([whole, main], n) => `replica ${n + 1} ${share(whole - before.replicas[n][0])} (event loop ${share(main - before.replicas[n][1])})`)
    .join(', ');
  const cpu =
    `${replicas}, PostgreSQL ${share(after.pg - before.pg)}, double ${share(after.double - before.double)}, ` +
    `load generator ${share((self.user + self.system) / 1e6)}; machine busy ${share(after.machine.busy - before.machine.busy)} of ${cores.toFixed(1)} cores`;
  return { ...result, cpu };
};

runBenchmark('replica-reads', async (ctx) => {
  const claims = ctx.pick('claims', 2_000, 20_000);
  const incidents = ctx.pick('incidents', 40, 400);
  const seconds = ctx.pick('seconds per run', 3, 10);
  const rounds = ctx.pick('rounds', 2, 3);
  ctx.pick('connections', CONNECTIONS, CONNECTIONS);

  const pg = new Client({ connectionString: URL });
  try {
    await pg.connect();
  } catch (error) {
    throw new NotAvailableError(`PostgreSQL at ${URL} cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  const schema = `bench_replicas_${process.pid}`;
  const ledgerSchema = `bench_replicas_ledger_${process.pid}`;
  await ensureBuilt('ledger-api');
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-replicas-'));
  const double = await startDouble();
  const ledgers: SpawnedLedger[] = [];
  try {
    const key = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const env = {
      EVENTSTORE_CONNECTION_STRING: double.connectionString,
      LEDGER_READ_MODELS_URL: URL,
      LEDGER_READ_MODELS_SCHEMA: schema,
      LEDGER_NOTARY_PRIVATE_KEY: key,
      LEDGER_POSTGRES_SCHEMA: ledgerSchema,
      LEDGER_CHECKPOINT_INTERVAL_MS: '0',
      LEDGER_RATE_LIMIT_MAX: '1000000000',
    };
    const profileDir = process.env.BENCH_SERVER_CPU_PROF;
    const nodeArgs = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
    const first = await spawnLedger({ dataDir: join(dir, 'replica-1'), env, nodeArgs, startTimeoutMs: 120_000 });
    ledgers.push(first);
    const file = join(dir, 'import.ndjson');
    const lines = writeImportFile(file, { claims, incidents });
    const imported = await postFile(first, file);
    ctx.check('import accepted', imported.status === 200 && (JSON.parse(imported.body) as { failed?: number }).failed === 0, `POST /imports answered ${imported.status}: ${imported.body.slice(0, 200)}`);
    const second = await spawnLedger({ dataDir: join(dir, 'replica-2'), env, nodeArgs, tokens: first.tokens, startTimeoutMs: 120_000 });
    ledgers.push(second);
    await Promise.all(ledgers.map((l) => l.waitUntilCaughtUp(600_000)));
    ctx.note(`${lines} import lines; event store: the gRPC double; read models: PostgreSQL schema ${schema}`);

    const paths = await readPaths(first);
    const sample = paths.filter((_, n) => n % Math.max(1, Math.floor(paths.length / 40)) === 0);
    let differing = 0;
    for (const path of sample) {
      const [a, b] = await Promise.all(ledgers.map((l) => l.request('GET', path, { role: 'reader' })));
      if (a.status !== 200 || b.status !== 200 || JSON.stringify(a.body) !== JSON.stringify(b.body)) differing++;
    }
    ctx.check('both replicas answer the same reads', differing === 0, `${differing} of ${sample.length} sampled reads differ or failed`);

    // One read of each kind alone on each replica, to tell a slow kind from a slow replica.
    const kinds = paths.slice(0, 4);
    for (const [n, ledger] of ledgers.entries()) {
      const times: string[] = [];
      for (const path of kinds) {
        const started = nowMs();
        await ledger.request('GET', path, { role: 'reader' });
        times.push(`${path.replace(/[0-9a-f-]{36}/, '{id}').split('?')[0]} ${(nowMs() - started).toFixed(0)} ms`);
      }
      ctx.note(`replica ${n + 1}, one read alone: ${times.join(', ')}`);
    }
    await load([{ ledger: first, connections: CONNECTIONS }], paths, 1); // warm-up
    await load([{ ledger: second, connections: CONNECTIONS }], paths, 1);
    /** Best of the rounds, one replica against two; `label` names the runs in checks and notes. */
    const compare = async (label: string): Promise<{ one: Load; two: Load }> => {
      let one: Load | undefined;
      let two: Load | undefined;
      for (let round = 0; round < rounds; round++) {
        const a = await measured([first], double.child.pid!, () => load([{ ledger: first, connections: CONNECTIONS }], paths, seconds));
        await sleep(500);
        const b = await measured(ledgers, double.child.pid!, () =>
          load(
            [
              { ledger: first, connections: CONNECTIONS / 2 },
              { ledger: second, connections: CONNECTIONS / 2 },
            ],
            paths,
            seconds,
          ),
        );
        if (!one || a.requests > one.requests) one = a;
        if (!two || b.requests > two.requests) two = b;
        for (const [name, run] of [['one replica', a], ['two replicas', b]] as const) {
          ctx.check(`${name}${label}: every read answered 200`, run.non2xx === 0 && run.errors === 0, `${run.non2xx} non-2xx, ${run.errors} errors of ${run.requests}`);
        }
      }
      return { one: one!, two: two! };
    };
    const rate = (l: Load) => l.requests / l.seconds;
    const { one, two } = await compare('');
    ctx.figure({
      figure: `API reads, two replicas (${CONNECTIONS / 2} connections each)`,
      value: rate(two),
      unit: 'req/s',
      baseline: { label: `one replica, ${CONNECTIONS} connections`, value: rate(one), unit: 'req/s' },
      target: { of: 'ratio', op: '>=', threshold: 1.6 },
    });
    ctx.note(`p99 one replica ${one.p99} ms, two replicas ${two.p99} ms; the load generator runs on the same cores as both replicas, PostgreSQL and the double`);
    ctx.note(`CPU in cores, one replica: ${one.cpu}`);
    ctx.note(`CPU in cores, two replicas: ${two.cpu}`);

    const cores = Number(process.env.BENCH_REPLICA_CORES ?? 0.5);
    if (cores > 0) {
      const caps: CpuCap[] = [];
      try {
        for (const [n, ledger] of ledgers.entries()) {
          const cap = capCpu(ledger.pid, cores, `ledger-bench-replica-${process.pid}-${n + 1}`);
          if (typeof cap === 'string') {
            ctx.note(`each replica held to ${cores} of a core: not run, ${cap}`);
            break;
          }
          caps.push(cap);
        }
        if (caps.length === ledgers.length) {
          const capped = await compare(`, each held to ${cores} core`);
          ctx.figure({
            figure: `API reads, two replicas each held to ${cores} of a core (a cgroup each)`,
            value: rate(capped.two),
            unit: 'req/s',
            baseline: { label: `one replica held to ${cores} of a core`, value: rate(capped.one), unit: 'req/s' },
            target: { of: 'ratio', op: '>=', threshold: 1.6 },
          });
          ctx.note(`CPU in cores, one replica held to ${cores}: ${capped.one.cpu}`);
          ctx.note(`CPU in cores, two replicas held to ${cores} each: ${capped.two.cpu}`);
        }
      } finally {
        for (const cap of caps) cap.release();
      }
    }
  } finally {
    await Promise.all(ledgers.map((l) => l.stop().catch(() => undefined)));
    double.child.kill('SIGTERM');
    for (const name of [schema, ledgerSchema]) await pg.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`).catch(() => undefined);
    await pg.end();
    rmSync(dir, { recursive: true, force: true });
  }
});

