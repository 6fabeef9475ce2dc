import { ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, rmdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputTail } from './output-tail';

/**
 * The built ledger as a real child process: what an operator runs, killed
 * the way a crash kills it. For tests that need a process boundary (SIGKILL,
 * restart, the CLI beside the API); everything else uses ledger-test-app.
 */

export const REPO_ROOT = join(__dirname, '..', '..');
export const API_MAIN = join(REPO_ROOT, 'dist/apps/ledger-api/main.js');
export const CLI_MAIN = join(REPO_ROOT, 'dist/apps/ledger-cli/main.js');

/** Generous: a webpack build of the API takes ~20 s on an idle machine, much more on a busy one. */
export const BUILD_TIMEOUT_MS = 240_000;

const BUILD_LOCK = join(tmpdir(), 'incident-ledger-e2e-build.lock');

const mainOf = (project: 'ledger-api' | 'ledger-cli'): string => (project === 'ledger-api' ? API_MAIN : CLI_MAIN);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Builds an app with `nest build` when its bundle is missing. Test files run
 * in parallel workers, so builds take a lock directory (mkdir is atomic) and
 * a second worker waits for the first instead of writing the same bundle.
 */
export const ensureBuilt = async (project: 'ledger-api' | 'ledger-cli'): Promise<void> => {
  const main = mainOf(project);
  if (existsSync(main)) return;
  const deadline = Date.now() + BUILD_TIMEOUT_MS;
  for (;;) {
    try {
      mkdirSync(BUILD_LOCK);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      // A lock older than the build timeout was left by a killed run.
      const lockedAt = statSync(BUILD_LOCK, { throwIfNoEntry: false })?.mtimeMs;
      if (lockedAt !== undefined && Date.now() - lockedAt > BUILD_TIMEOUT_MS) rmSync(BUILD_LOCK, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`Timed out waiting for another test worker to build ${project}`);
      await sleep(500);
    }
  }
  try {
    if (existsSync(main)) return;
    await new Promise<void>((resolve, reject) => {
      execFile(
        process.execPath,
        [join(REPO_ROOT, 'node_modules/@nestjs/cli/bin/nest.js'), 'build', project],
        { cwd: REPO_ROOT, timeout: BUILD_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => (error ? reject(new Error(`nest build ${project} failed: ${error.message}\n${stdout}\n${stderr}`)) : resolve()),
      );
    });
    if (!existsSync(main)) throw new Error(`nest build ${project} succeeded but ${main} is missing`);
  } finally {
    rmdirSync(BUILD_LOCK);
  }
};

export const tempDataDir = (prefix = 'ledger-spawned-'): string => mkdtempSync(join(tmpdir(), prefix));

export type SpawnedRole = 'reader' | 'recorder' | 'auditor' | 'integrator' | 'admin';
export type SpawnedTokens = Record<SpawnedRole, string>;

/** `principal  roles  token` lines after '#' comments, as the API writes them on first start. */
export const readInitialTokens = (dataDir: string): SpawnedTokens => {
  const file = join(dataDir, 'initial-tokens.txt');
  const tokens: Partial<SpawnedTokens> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '' || line.startsWith('#')) continue;
    const [, roles, token] = line.trim().split(/\s+/);
    for (const role of roles.split(',')) tokens[role as SpawnedRole] = token;
  }
  for (const role of ['reader', 'recorder', 'auditor', 'integrator', 'admin'] as const) {
    if (!tokens[role]) throw new Error(`${file} has no ${role} token`);
  }
  return tokens as SpawnedTokens;
};

export interface HttpResult<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export interface HealthBody {
  status: string;
  info?: Record<string, Record<string, unknown>>;
  error?: Record<string, Record<string, unknown>>;
  details: {
    eventStore: { status: string; headPosition?: string };
    projections: { status: string; state: string; checkpoint: string; caughtUp: boolean; lastError: unknown };
    eventLoop?: { status: string; sinceMs: number; p50Ms: number; p99Ms: number; maxMs: number; meanMs: number };
    readiness?: { status: string; reasons: { code: string; detail: string }[]; lagMs: number; supervision: Record<string, unknown> };
  };
}

export interface SpawnedLedger {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly dataDir: string;
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  readonly tokens: SpawnedTokens;
  /** Everything the process wrote so far, stdout and stderr interleaved, colours stripped. */
  output(): string;
  /** Settles when the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  request<T = any>(method: string, path: string, options?: { role?: SpawnedRole; body?: unknown; headers?: Record<string, string> }): Promise<HttpResult<T>>;
  health(): Promise<HttpResult<HealthBody>>;
  /**
   * Resolves once the read models' checkpoint equals the log's head position (and the runner is live), and the reading
   * of the whole read-model file that follows a start after a crash has ended (and whatever it found has been healed).
   */
  waitUntilCaughtUp(timeoutMs?: number): Promise<HealthBody>;
  /** SIGKILL: no shutdown hook runs, as in a crash or an OOM kill. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM: the graceful shutdown an operator's stop does. Falls back to SIGKILL after the timeout. */
  stop(timeoutMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** Defaults to a fresh temp directory. */
  dataDir?: string;
  /** Pass --demo (loads the seed scenario into an empty store). */
  demo?: boolean;
  /** Tokens of an earlier start on the same directory, when initial-tokens.txt is gone. */
  tokens?: SpawnedTokens;
  env?: Record<string, string>;
  /** Node options before the script (e.g. --cpu-prof, which NODE_OPTIONS does not take). */
  nodeArgs?: string[];
  startTimeoutMs?: number;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

/** Last resort against leaks if a test forgets: a worker that exits takes its ledgers with it. */
const installExitHook = () => {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
};

/** SIGKILLs every ledger this worker spawned and is still running; for afterAll. */
export const killAllSpawned = async (): Promise<void> => {
  await Promise.all(
    [...live].map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGKILL');
        }),
    ),
  );
};

// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;]*m/g;
const API_LINE = /API:\s+(http:\/\/127\.0\.0\.1:(\d+))\/incidents/;

/** Starts `node dist/apps/ledger-api/main.js` on a data directory, on a free loopback port, and waits for /health. */
export const spawnLedger = async (options: SpawnOptions = {}): Promise<SpawnedLedger> => {
  if (!existsSync(API_MAIN)) throw new Error(`${API_MAIN} is missing: call ensureBuilt('ledger-api') in beforeAll`);
  installExitHook();
  const dataDir = options.dataDir ?? tempDataDir();
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), API_MAIN, ...(options.demo ? ['--demo'] : [])], {
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      NO_COLOR: '1',
      PORT: '0',
      HOST: '127.0.0.1',
      LEDGER_DATA_DIR: dataDir,
      LOG_LEVEL: 'info',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => {
      live.delete(child);
      resolve({ code, signal });
    }),
  );

  const tail = new OutputTail(1024 * 1024);
  const onData = (chunk: Buffer) => tail.push(chunk.toString('utf8').replace(ANSI, ''));
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);

  const killNow = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };

  let baseUrl: string;
  try {
    baseUrl = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ledger did not print its URL within ${startTimeoutMs} ms`)), startTimeoutMs);
      const check = () => {
        const m = API_LINE.exec(tail.text());
        if (m) {
          clearTimeout(timer);
          child.stdout!.off('data', check);
          child.stderr!.off('data', check);
          resolve(m[1]);
        }
      };
      child.stdout!.on('data', check);
      child.stderr!.on('data', check);
      void exited.then(({ code, signal }) => {
        clearTimeout(timer);
        reject(new Error(`ledger exited during startup (code ${code}, signal ${signal})`));
      });
      check();
    });
  } catch (error) {
    await killNow();
    throw new Error(`${(error as Error).message}\n--- ledger output ---\n${tail.text()}`);
  }

  const tokens = options.tokens ?? readInitialTokens(dataDir);

  const request: SpawnedLedger['request'] = async (method, path, { role, body, headers = {} } = {}) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(role ? { authorization: `Bearer ${tokens[role]}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...headers,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      // not JSON: keep the text
    }
    return { status: res.status, headers: res.headers, body: parsed as any };
  };

  const health = () => request<HealthBody>('GET', '/health');

  const ledger: SpawnedLedger = {
    child,
    pid: child.pid!,
    dataDir,
    baseUrl,
    tokens,
    output: () => tail.text(),
    exited,
    request,
    health,
    waitUntilCaughtUp: async (timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      let last: HttpResult<HealthBody> | undefined;
      for (;;) {
        last = await health().catch(() => undefined);
        const d = last?.body?.details;
        const checking = (d?.readiness?.supervision.fileCheck as { state?: string } | null | undefined)?.state === 'checking';
        if (last?.status === 200 && d?.projections.state === 'live' && d.projections.checkpoint === d.eventStore.headPosition && !checking) return last.body;
        if (Date.now() > deadline) throw new Error(`read models did not catch up within ${timeoutMs} ms; last /health: ${JSON.stringify(last?.body)}`);
        await sleep(50);
      }
    },
    kill: killNow,
    stop: async (timeoutMs = 10_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      await exited;
      clearTimeout(timer);
    },
  };

  try {
    const deadline = Date.now() + startTimeoutMs;
    while ((await health().catch(() => undefined))?.status !== 200) {
      if (Date.now() > deadline) throw new Error(`/health did not answer 200 within ${startTimeoutMs} ms`);
      await sleep(50);
    }
  } catch (error) {
    await killNow();
    throw new Error(`${(error as Error).message}\n--- ledger output ---\n${tail.text()}`);
  }
  return ledger;
};

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `node dist/apps/ledger-cli/main.js <args>` and collects its output. */
export const runBuiltCli = (args: string[], options: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<CliResult> =>
  new Promise((resolve, reject) => {
    if (!existsSync(CLI_MAIN)) return reject(new Error(`${CLI_MAIN} is missing: call ensureBuilt('ledger-cli') in beforeAll`));
    execFile(
      process.execPath,
      [CLI_MAIN, ...args],
      {
        cwd: REPO_ROOT,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), NO_COLOR: '1', ...options.env },
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 16 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? ((error as { code?: unknown }).code as number | null) : 0;
        if (error && typeof code !== 'number') return reject(error);
        resolve({ code, stdout, stderr });
      },
    );
  });

export const removeDataDir = (dataDir: string): void => rmSync(dataDir, { recursive: true, force: true });
