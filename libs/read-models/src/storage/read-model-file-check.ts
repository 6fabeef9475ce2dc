import { ChildProcess, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { isCorruptionError } from './read-model-file';

/** What a whole-file check found: `problem` undefined when SQLite found the file whole. */
export interface ReadModelFileCheckResult {
  problem?: string;
  ms: number;
}

/** The check was stopped before it finished (the ledger stopping, or the file replaced). */
export class ReadModelFileCheckStopped extends Error {
  constructor() {
    super('The check of the read-model file was stopped before it finished');
    this.name = 'ReadModelFileCheckStopped';
  }
}

/**
 * The child's code: better-sqlite3 only, a read-only connection, one `quick_check`, its findings as one JSON line on
 * stdout. A read transaction holds the file's state of the moment for the whole check; in WAL mode the ledger's writer
 * commits meanwhile (its checkpoints cannot pass the reader until it ends).
 */
const SOURCE = `
process.title = 'ledger-rm-check';
// The check is one synchronous call: a thread of its own ends it should the ledger die (SIGKILL leaves no one to stop it).
const { Worker } = require('node:worker_threads');
new Worker("const parent = process.ppid; setInterval(() => { if (process.ppid !== parent) process.kill(process.pid, 'SIGKILL'); }, 200);", { eval: true }).unref();
const Database = require(process.argv[1]);
let db;
let out;
try {
  db = new Database(process.argv[2], { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  const findings = db.pragma('quick_check(20)').map((row) => row.quick_check);
  out = findings.length === 1 && findings[0] === 'ok' ? { whole: true } : { findings };
} catch (error) {
  out = { error: String((error && error.message) || error), code: error && error.code };
} finally {
  try { if (db) db.close(); } catch {}
}
process.stdout.write(JSON.stringify(out) + '\\n');
`;

/**
 * `PRAGMA quick_check` of a read-model file (every page read, each b-tree's structure checked) in a process of its own,
 * so that a start after a crash need not read a file of gigabytes before the ledger answers. A process rather than a
 * thread: SQLite cannot be interrupted from JavaScript, so `terminate()` of a worker thread inside the check waits for
 * it to end (7.9 s for one asked to stop 0.5 s into the 3 GB file of a 1,000,000-event ledger), while a killed
 * process lets go of its read lock at once.
 *
 * Resolves with what SQLite found (damage as `problem`); rejects when the file could not be checked for another reason
 * (it vanished, the disk failed), or with ReadModelFileCheckStopped after stop().
 */
export class ReadModelFileCheck {
  readonly result: Promise<ReadModelFileCheckResult>;
  private readonly child: ChildProcess;
  private stopped = false;
  private readonly exited: Promise<void>;

  constructor(filename: string) {
    // Resolved here, where Node's resolution sees the application's node_modules (an eval'd script resolves from the cwd).
    const driver = createRequire(__filename).resolve('better-sqlite3');
    const started = performance.now();
    // NODE_OPTIONS left out: the ledger's (a profiler, a preloaded module) are no business of a check that loads one driver.
    const env = { ...process.env, NODE_OPTIONS: '' };
    this.child = spawn(process.execPath, ['-e', SOURCE, driver, filename], { stdio: ['ignore', 'pipe', 'pipe'], env });
    this.exited = new Promise((resolve) => this.child.once('close', () => resolve()));
    let stdout = '';
    let stderr = '';
    this.child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    this.child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-2000)));
    this.result = new Promise<ReadModelFileCheckResult>((resolve, reject) => {
      this.child.once('error', reject);
      this.child.once('close', (code, signal) => {
        if (this.stopped) return reject(new ReadModelFileCheckStopped());
        const ms = Math.round(performance.now() - started);
        let out: { whole?: true; findings?: string[]; error?: string; code?: string };
        try {
          out = JSON.parse(stdout) as typeof out;
        } catch {
          return reject(new Error(`The check of ${filename} ended (${signal ?? `exit ${code}`}) without a verdict${stderr ? `: ${stderr.trim()}` : ''}`));
        }
        if (out.whole) return resolve({ ms });
        if (out.findings) return resolve({ problem: `quick_check: ${out.findings.join('; ')}`, ms });
        if (isCorruptionError({ code: out.code })) return resolve({ problem: out.error ?? String(out.code), ms });
        reject(Object.assign(new Error(`The check of ${filename} failed: ${out.error ?? 'no reason given'}`), { code: out.code }));
      });
    });
    // Whoever stops the check does not want its verdict; an unobserved rejection must not take the process down.
    this.result.catch(() => undefined);
    // A check must not keep a process that has nothing else to do alive.
    this.child.unref();
    for (const stream of [this.child.stdout, this.child.stderr]) (stream as unknown as { unref?: () => void }).unref?.();
  }

  /** The checking process's id (for `ps`, and tests). */
  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Kills the check (SIGKILL: nothing in it needs to end cleanly) and resolves once it is gone. */
  stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      this.stopped = true;
      this.child.kill('SIGKILL');
    }
    return this.exited;
  }
}
