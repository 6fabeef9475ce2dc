// Child processes the benchmarks start: TypeScript files of bench/ run by Node, the no-op server, the built ledger.
import { ChildProcess, spawn } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { OutputTail } from '../../tests/support/output-tail';
import { SpawnedLedger, removeDataDir, spawnLedger, tempDataDir } from '../../tests/support/spawned-ledger';
import { demoIncidentBody } from './demo-bodies';

const REGISTER = join(__dirname, '../../scripts/swc-register.js');

/** argv for running a TypeScript file of bench/ in a fresh Node process, the way the suite runs every benchmark. */
export const tsNodeArgs = (file: string, nodeFlags: string[] = []): string[] => ['--enable-source-maps', ...nodeFlags, '--require', REGISTER, file];

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/** A server of bench/ run from its TypeScript source in a child process, which prints `listening on <URL>`. */
export interface ScriptServer {
  baseUrl: string;
  pid: number;
  stop(): Promise<void>;
}

const spawnScriptServer = (name: string, file: string, env: Record<string, string> = {}): Promise<ScriptServer> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, tsNodeArgs(file), { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PORT: '0', ...env } });
    live.add(child);
    const exited = new Promise<void>((done) => child.once('exit', () => (live.delete(child), done())));
    const output = new OutputTail(64 * 1024);
    let started = false;
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`${name} did not start: ${output.text()}`))), 30_000);
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString('utf8'));
      if (started) return;
      const match = /listening on (http:\/\/\S+)/.exec(output.text());
      if (!match) return;
      started = true;
      clearTimeout(timer);
      resolve({
        baseUrl: match[1],
        pid: child.pid!,
        stop: async () => {
          child.kill('SIGTERM');
          await exited;
        },
      });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`${name} exited (${code}): ${output.text()}`))));
  });

export const spawnNoopServer = (): Promise<ScriptServer> => spawnScriptServer('no-op server', join(__dirname, '../noop-server/main.ts'));

/** http-claims' floor: the no-op server committing each claim's event row (`row`, as the store writes it) to `file` first. */
export const spawnDurableFloorServer = (file: string, row: object): Promise<ScriptServer> =>
  spawnScriptServer('durable floor server', join(__dirname, '../noop-server/main.ts'), { BENCH_NOOP_DURABLE_FILE: file, BENCH_NOOP_DURABLE_ROW: JSON.stringify(row) });

/** feed-fanout's floor (fanout-floor-server/main.ts), framing `event` (one of the ledger's CloudEvents) as its own. */
export const spawnFanOutFloorServer = (event: object): Promise<ScriptServer> =>
  spawnScriptServer('fan-out floor server', join(__dirname, '../fanout-floor-server/main.ts'), { BENCH_FLOOR_EVENT: JSON.stringify(event) });

/**
 * The built ledger (on a fresh data directory unless one is given; with the demo data unless told otherwise: its
 * parties are the claimants), as shipped except for the notary's timer: a checkpoint signed in the middle of one
 * measurement and not the other would be noise; and the per-token rate limit, set out of reach. With BENCH_SERVER_CPU_PROF=<dir>, each of its threads writes a V8 CPU
 * profile there when it stops (`--cpu-prof`).
 */
/** BENCH_LEDGER_ENV='{"LEDGER_STORE_WRITER_THREAD":"inline"}': settings for the ledger under test, to compare variants in one build. */
const benchLedgerEnv = (): Record<string, string> => {
  const raw = process.env.BENCH_LEDGER_ENV;
  if (!raw) return {};
  const parsed: unknown = JSON.parse(raw);
  if (parsed === null || typeof parsed !== 'object' || Object.values(parsed).some((v) => typeof v !== 'string')) {
    throw new Error('BENCH_LEDGER_ENV must be a JSON object of strings');
  }
  return parsed as Record<string, string>;
};

export const spawnBenchLedger = async (options: { dataDir?: string; demo?: boolean; env?: Record<string, string> } = {}): Promise<SpawnedLedger> => {
  const dataDir = options.dataDir ?? tempDataDir('ledger-bench-');
  try {
    const profileDir = process.env.BENCH_SERVER_CPU_PROF;
    return await spawnLedger({
      demo: options.demo ?? true,
      dataDir,
      // One bench client drives one token far past any per-token limit: the limiter still runs, it just never refuses.
      env: { LEDGER_CHECKPOINT_INTERVAL_MS: '0', LEDGER_RATE_LIMIT_MAX: '1000000000', ...benchLedgerEnv(), ...options.env },
      nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
      startTimeoutMs: 120_000,
    });
  } catch (error) {
    // A ledger that did not start leaves no handle to clean up with: its fresh directory goes here.
    if (!options.dataDir) removeDataDir(dataDir);
    throw error;
  }
};

/** Reports `count` incidents (the demo's body) with a few requests in flight; returns their ids. */
export const reportIncidents = async (ledger: SpawnedLedger, count: number, inFlight = 8): Promise<string[]> => {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(inFlight, count) }, async () => {
      while (next < count) {
        const n = next++;
        const res = await ledger.request('POST', '/incidents', { role: 'recorder', body: { ...demoIncidentBody(), title: `Bench incident ${n}` } });
        if (res.status !== 201) throw new Error(`POST /incidents answered ${res.status}: ${JSON.stringify(res.body)}`);
        ids[n] = String(res.body.incidentId ?? res.headers.get('location')!.split('/').pop());
      }
    }),
  );
  return ids;
};

/** An event-loop delay figure from /health when the server publishes one (any key naming the event loop), else undefined. */
export const eventLoopReportOf = async (ledger: SpawnedLedger): Promise<unknown> => {
  const health = await ledger.health();
  const found: unknown[] = [];
  const walk = (value: unknown) => {
    if (!value || typeof value !== 'object') return;
    for (const [key, inner] of Object.entries(value)) {
      if (/event.?loop/i.test(key)) found.push({ [key]: inner });
      else walk(inner);
    }
  };
  walk(health.body);
  return found.length ? found : undefined;
};

/** Runs a TypeScript worker of bench/ in its own process; resolves with the JSON of its last stdout line. */
export const runTsWorker = <T>(file: string, args: string[], nodeFlags: string[] = []): Promise<T> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...tsNodeArgs(file, nodeFlags), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-4000);
      process.stderr.write(chunk);
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      const last = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0) return reject(new Error(`${file} ${args.join(' ')} exited (code ${code}, signal ${signal})\n${stderr}`));
      try {
        resolve(JSON.parse(last) as T);
      } catch {
        reject(new Error(`${file} printed no JSON result: ${last.slice(0, 200)}`));
      }
    });
  });

/** POST /imports of an NDJSON file (recorder token), streamed as the body; resolves with the answer. */
export const postFile = (ledger: SpawnedLedger, file: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = httpRequest(
      `${ledger.baseUrl}/imports`,
      { method: 'POST', headers: { authorization: `Bearer ${ledger.tokens.recorder}`, 'content-type': 'application/x-ndjson', 'content-length': statSync(file).size } },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    createReadStream(file).pipe(req);
  });
