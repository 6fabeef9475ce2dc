import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * WAL checkpoints of one SQLite file, run by a small thread of their own.
 *
 * Left to SQLite, a checkpoint runs inside the COMMIT that takes the WAL past 1,000 pages: that commit copies every
 * page back into the database file and fsyncs both files before it returns. On the write path that is one commit in
 * about fifty, and every command waiting on it (a whole group commit, then the read-your-writes of all of them) waits
 * with it: measured under the http-claims load, the store's WAL went past the threshold every ~50 group commits and the
 * read models' (16 KiB pages) every ~40 projection transactions. A PASSIVE checkpoint from another connection takes no
 * write lock, so commits go on while it copies; the committing connection keeps a far higher threshold
 * (CHECKPOINT_BACKSTOP_PAGES) only as a bound should this thread fall behind or stop.
 *
 * Durability is unchanged: a commit is durable once its WAL frames are synced (the committing connection's
 * `synchronous`), and the checkpointer's connection runs with the same `synchronous`, under which SQLite syncs the
 * database file before it lets the WAL be reused. Under OFF (read models only) nothing is synced, and the file's
 * unsynced-writes marker has it rebuilt if the machine goes down first.
 *
 * Under the http-claims load the read models' WAL still reaches the backstop about once a second (some 15,000 frames
 * a second): the WAL restarts only from a transaction that begins when every frame is copied, which a thread beside
 * a busy writer never sees. With NORMAL that COMMIT syncs; ending nearly finished checkpoints on the committing
 * connection between transactions instead was tried, and the committing thread spent as long in fsync (README).
 */

/** The committing connection's wal_autocheckpoint while a checkpointer runs: reached only if it falls behind. */
export const CHECKPOINT_BACKSTOP_PAGES = 10_000;

export interface WalCheckpointerOptions {
  filename: string;
  /**
   * The committing connection's `synchronous` (FULL for the event log, NORMAL or OFF for the read models). OFF only for
   * a file whose writer keeps an unsynced-writes marker: its checkpoints then sync nothing.
   */
  synchronous: 'FULL' | 'NORMAL' | 'OFF';
  /** WAL pages from which a checkpoint is run (SQLite's own autocheckpoint threshold by default). */
  minPages?: number;
  /** How often the WAL's length is looked at. */
  intervalMs?: number;
  /** The thread's name (see thread-cpu.ts), by which its CPU is told apart from its owner's. */
  threadName?: string;
  /** Told each new failure (the file cannot be opened, the thread died): the WAL then grows to the backstop. */
  onError?: (message: string) => void;
}

export interface WalCheckpointerReport {
  /** PASSIVE checkpoints run. */
  checkpoints: number;
  /** The last error, if a look or a checkpoint failed (the next tick tries again). */
  lastError?: string;
}

const DEFAULT_MIN_PAGES = 1000;
const DEFAULT_INTERVAL_MS = 100;

/**
 * The thread's code: plain JavaScript with only better-sqlite3 loaded, not the application bundle the store's writer
 * thread runs. It holds the file open only while it looks and checkpoints, so that it never keeps a file that its owner
 * moves aside (the read models' file when damaged) or checkpoints it under another file's WAL.
 */
const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const { filename, synchronous, minPages, intervalMs, threadName } = workerData;
try {
  require('node:fs').writeFileSync('/proc/thread-self/comm', threadName);
} catch {
  // not Linux: the name is only for people and metrics
}
let checkpoints = 0;
const tick = () => {
  let db;
  try {
    db = new Database(filename, { fileMustExist: true });
    db.pragma('synchronous = ' + synchronous);
    const [{ log }] = db.pragma('wal_checkpoint(NOOP)');
    if (log >= minPages) {
      db.pragma('wal_checkpoint(PASSIVE)');
      checkpoints++;
      parentPort.postMessage({ checkpoints });
    }
  } catch (error) {
    parentPort.postMessage({ checkpoints, lastError: String((error && error.message) || error) });
  } finally {
    db?.close();
  }
};
const timer = setInterval(tick, intervalMs);
parentPort.on('message', (message) => {
  if (message === 'check') return tick();
  clearInterval(timer);
  parentPort.close();
});
`;

export class WalCheckpointer {
  private readonly worker: Worker;
  private last: WalCheckpointerReport = { checkpoints: 0 };
  private stopping: Promise<void> | undefined;
  private readonly exited: Promise<void>;

  constructor(options: WalCheckpointerOptions) {
    // Resolved here, where Node's resolution sees the application's node_modules (an eval'd thread resolves from the cwd).
    const driver = createRequire(__filename).resolve('better-sqlite3');
    this.worker = new Worker(SOURCE, {
      eval: true,
      workerData: {
        driver,
        filename: options.filename,
        synchronous: options.synchronous,
        minPages: options.minPages ?? DEFAULT_MIN_PAGES,
        intervalMs: options.intervalMs ?? DEFAULT_INTERVAL_MS,
        threadName: options.threadName ?? 'ledger-wal-ckpt',
      },
    });
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    const received = (report: WalCheckpointerReport): void => {
      if (report.lastError !== undefined && report.lastError !== this.last.lastError) options.onError?.(`WAL checkpoints of ${options.filename}: ${report.lastError}`);
      this.last = report;
    };
    this.worker.on('message', received);
    // A checkpointer that died costs only the backstop's longer stalls: the store keeps working without it.
    this.worker.on('error', (error) => received({ ...this.last, lastError: error.message }));
    this.worker.unref();
  }

  report(): WalCheckpointerReport {
    return { ...this.last };
  }

  /** Looks at the WAL now rather than at the next tick (for tests). */
  check(): void {
    this.worker.postMessage('check');
  }

  stop(): Promise<void> {
    this.stopping ??= (() => {
      // Unref'd while it runs; ref'd while it stops, or a process with nothing else to do exits before `exit` comes and
      // whoever awaits close() never returns (the store-append benchmark's result went unprinted).
      this.worker.ref();
      this.worker.postMessage('stop');
      return this.exited;
    })();
    return this.stopping;
  }
}
