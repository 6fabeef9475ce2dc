import type { EventStore } from '@ledger/event-store';
import { ReadModelFileHealing, ReadModelFileProblem, isCorruptionError } from '../storage/read-model-file';
import { ReadModelFileCheck, ReadModelFileCheckStopped } from '../storage/read-model-file-check';
import { SqliteReadModelStore } from '../storage/sqlite-read-model.store';
import type { RunnerError, RunnerStatus } from './projection.runner';
import { ReadModelProjector } from './read-model-projector';

export interface ReadModelSupervisorOptions {
  runner: ReadModelProjector;
  /**
   * The SQLite file's connection that answers queries, replaced when the file is found damaged; none when the read
   * models live in PostgreSQL (a database server is not healed by moving a file aside: failures are retried).
   */
  store?: SqliteReadModelStore;
  eventStore: EventStore;
  logger?: { log(message: string): void; error(message: string): void };
  /** First retry after a failure; each further one waits twice as long, up to maxRetryMs. */
  firstRetryMs?: number;
  maxRetryMs?: number;
  /** How often the runner's state is looked at (no I/O). */
  watchIntervalMs?: number;
  /** How often the checkpoint is compared with the log's head (one read of the store). */
  headCheckIntervalMs?: number;
}

export interface SupervisionStatus {
  /** Failed attempts since the read models were last live and caught up. */
  failures: number;
  /** When the next attempt runs, while the read models are failed. */
  nextRetryAt: string | null;
  /** The error of the last failed attempt (kept after the runner recovers, until it is caught up again). */
  lastFailure: RunnerError | null;
  /** The last time the read-model file was moved aside, and why. */
  lastHealing: ReadModelFileHealing | null;
  /**
   * The reading of the whole file (`quick_check`) beside the ledger, after a start that found the file not known whole
   * (no clean stop left it as it is); null when the start needed none.
   */
  fileCheck: ReadModelFileCheckStatus | null;
}

export interface ReadModelFileCheckStatus {
  /**
   * `checking` while it reads; `whole`; `damaged` (the file is then moved aside and rebuilt, as lastHealing says);
   * `failed` when the file could not be read for another reason (in detail; the file is kept and served);
   * `replaced` when the file was moved aside before the check ended; `stopped` when the ledger stopped first.
   */
  state: 'checking' | 'whole' | 'damaged' | 'failed' | 'replaced' | 'stopped';
  startedAt: string;
  finishedAt: string | null;
  /** How long the check took, in milliseconds. */
  ms: number | null;
  /** What SQLite found, or why the check could not run. */
  detail: string | null;
}

const SQLITE_TRANSIENT = new Set(['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_FULL', 'SQLITE_IOERR']);

/**
 * Keeps the read models coming back: a failed runner is retried with backoff (never left failed or "rebuilding" in
 * silence), a damaged file (a failure or a query reporting corruption, or quick_check after an unexplained SQLite
 * error) is moved aside and rebuilt from the log, and a checkpoint past the log's head (a reset store) is answered with
 * a rebuild. What it did and will do shows in status().
 */
export class ReadModelSupervisor {
  private readonly runner: ReadModelProjector;
  private readonly store: SqliteReadModelStore | undefined;
  private readonly eventStore: EventStore;
  private readonly logger?: ReadModelSupervisorOptions['logger'];
  private readonly firstRetryMs: number;
  private readonly maxRetryMs: number;
  private readonly watchIntervalMs: number;
  private readonly headCheckIntervalMs: number;

  private failures = 0;
  private retryAt: number | undefined;
  private lastFailure: RunnerError | null = null;
  private lastHealing: ReadModelFileHealing | null;
  private lastHeadCheck = 0;
  private timer: NodeJS.Timeout | undefined;
  private busy = false;
  private healRequested: { problem: ReadModelFileProblem; detail: string } | undefined;
  private operations: Promise<unknown> = Promise.resolve();
  private fileCheck: ReadModelFileCheckStatus | null = null;
  private fileCheckRun: ReadModelFileCheck | undefined;
  private afterErrorCheck: ReadModelFileCheck | undefined;

  constructor(options: ReadModelSupervisorOptions) {
    this.runner = options.runner;
    this.store = options.store;
    this.eventStore = options.eventStore;
    this.logger = options.logger;
    this.firstRetryMs = options.firstRetryMs ?? 1_000;
    this.maxRetryMs = options.maxRetryMs ?? 60_000;
    this.watchIntervalMs = options.watchIntervalMs ?? 250;
    this.headCheckIntervalMs = options.headCheckIntervalMs ?? 5_000;
    this.lastHealing = options.store?.healed ?? null;
    this.store?.onCorruption((error) => void this.requestHeal('damaged', error instanceof Error ? error.message : String(error)));
  }

  async start(): Promise<void> {
    // Begun first, so that the projection's catching up (a rebuild even) runs beside it on the other core.
    if (this.store?.openCheck === 'quick_check in the background' && this.fileCheck === null) this.checkFileWhole(this.store);
    await this.serialised(() => this.runner.start());
    this.timer ??= setInterval(() => void this.watch(), this.watchIntervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    // Before the file's last connection closes: its reader would keep the clean stop from emptying the WAL.
    await this.stopFileCheck('stopped');
    await this.afterErrorCheck?.stop();
    await this.serialised(() => this.runner.stop());
  }

  /**
   * An operator's rebuild. A file too damaged to be emptied is moved aside first. Resolves with the runner's status
   * however it ended: a failed rebuild is retried like any failure, and shows as failed with its next retry meanwhile.
   */
  rebuild(): Promise<RunnerStatus> {
    return this.serialised(async () => {
      try {
        await this.runner.rebuild();
      } catch (error) {
        const failure = this.runner.status().lastError;
        if (this.store && isCorruptionError(failure ?? error)) await this.replaceAndRestart('damaged', failure?.message ?? String(error));
        else this.noteFailure(failure);
      }
      return this.runner.status();
    });
  }

  status(): SupervisionStatus {
    // A failure shows with its next attempt as soon as anyone asks, not only from the next look of the watch.
    const runner = this.runner.status();
    if (runner.state === 'failed' && this.retryAt === undefined && !this.busy && !this.healRequested) this.noteFailure(runner.lastError);
    return {
      failures: this.failures,
      nextRetryAt: this.retryAt === undefined ? null : new Date(this.retryAt).toISOString(),
      lastFailure: this.lastFailure,
      lastHealing: this.lastHealing,
      fileCheck: this.fileCheck && { ...this.fileCheck },
    };
  }

  /**
   * A query (or the whole-file check) found the file damaged: move it aside and rebuild, once, however many noticed.
   * Resolves when that healing has ended (at once when one is already under way).
   */
  requestHeal(problem: ReadModelFileProblem, detail: string): Promise<void> {
    if (this.healRequested) return Promise.resolve();
    this.healRequested = { problem, detail };
    return this.serialised(async () => {
      const request = this.healRequested;
      if (!request) return;
      try {
        await this.replaceAndRestart(request.problem, request.detail);
      } finally {
        this.healRequested = undefined;
      }
    }).catch((error: unknown) => this.logger?.error(`Read models: healing failed: ${error instanceof Error ? error.message : String(error)}`));
  }

  /** One look at the runner: count a failure and schedule its retry, run a retry that is due, check the head. */
  private async watch(): Promise<void> {
    if (this.busy || this.healRequested) return;
    const status = this.runner.status();
    if (status.state === 'live' && status.caughtUp) {
      this.failures = 0;
      this.lastFailure = null;
    }
    if (status.state !== 'failed') {
      this.retryAt = undefined;
      if (status.state === 'live' && Date.now() - this.lastHeadCheck >= this.headCheckIntervalMs) await this.checkHead(status);
      return;
    }
    if (this.retryAt === undefined) {
      this.noteFailure(status.lastError);
      return;
    }
    if (Date.now() < this.retryAt) return;
    this.retryAt = undefined;
    await this.serialised(() => this.retry(status.lastError)).catch((error: unknown) =>
      this.logger?.error(`Read models: retry failed: ${error instanceof Error ? error.message : String(error)}`),
    );
  }

  private noteFailure(error: RunnerError | null | undefined): void {
    this.failures++;
    this.lastFailure = error ?? null;
    const delay = Math.min(this.maxRetryMs, this.firstRetryMs * 2 ** Math.min(this.failures - 1, 30));
    this.retryAt = Date.now() + delay;
    this.logger?.error(`Read models failed (${error?.message ?? 'no error reported'}); attempt ${this.failures + 1} in ${delay} ms`);
  }

  private async retry(error: RunnerError | null): Promise<void> {
    const damage = !this.store ? undefined : isCorruptionError(error) ? error!.message : await this.checkAfter(this.store, error);
    if (damage !== undefined) return this.replaceAndRestart('damaged', damage);
    this.logger?.log(`Read models: attempt ${this.failures + 1} after: ${error?.message ?? 'a failure'}`);
    await this.runner.stop();
    await this.runner.start();
  }

  /**
   * quick_check after a SQLite error that names no cause (a full disk or a lock explains itself; other errors are not
   * the file's), in a process of its own as at a start: on the HTTP thread it held every request for as long as the
   * file takes to read (seconds for gigabytes). Read here only when that process cannot run at all.
   */
  private async checkAfter(store: SqliteReadModelStore, error: RunnerError | null): Promise<string | undefined> {
    if (error?.name !== 'SqliteError' || SQLITE_TRANSIENT.has(error.code ?? '')) return undefined;
    const check = new ReadModelFileCheck(store.filename);
    this.afterErrorCheck = check;
    try {
      return (await check.result).problem;
    } catch (failure) {
      if (failure instanceof ReadModelFileCheckStopped) return undefined; // the ledger is stopping
      this.logger?.error(`Read models ${store.filename}: the check beside the ledger failed (${failure instanceof Error ? failure.message : String(failure)}); reading the file here`);
      return store.integrityProblem();
    } finally {
      if (this.afterErrorCheck === check) this.afterErrorCheck = undefined;
    }
  }

  private async checkHead(status: RunnerStatus): Promise<void> {
    this.lastHeadCheck = Date.now();
    let head: bigint;
    try {
      head = await this.eventStore.headPosition();
    } catch {
      return; // the store's outage shows in health on its own
    }
    if (status.checkpoint <= head) return;
    await this.serialised(async () => {
      this.logger?.error(`Read models: checkpoint ${status.checkpoint} is past the event log's head ${head} (the log was reset or replaced); rebuilding`);
      await this.runner.rebuild().catch(() => this.noteFailure(this.runner.status().lastError));
    });
  }

  /**
   * `quick_check` of the file in a process of its own while the ledger answers from it and projects into it. After a
   * crash SQLite's WAL keeps the file consistent; what the check looks for is damage the ledger did not cause (a disk's
   * decay, a stray write), which a query meeting it also reports (a 503, then the same healing). A file of gigabytes
   * takes seconds to read, and a start no longer waits for it.
   */
  private checkFileWhole(store: SqliteReadModelStore): void {
    const generation = store.fileGeneration;
    const check = new ReadModelFileCheck(store.filename);
    this.fileCheckRun = check;
    const status: ReadModelFileCheckStatus = { state: 'checking', startedAt: new Date().toISOString(), finishedAt: null, ms: null, detail: null };
    this.fileCheck = status;
    this.logger?.log(`Read models ${store.filename}: no clean stop left them as they are; reading them whole (quick_check) beside the ledger`);
    const finish = (state: ReadModelFileCheckStatus['state'], ms: number | null, detail: string | null): void => {
      if (status.state !== 'checking') return;
      Object.assign(status, { state, finishedAt: new Date().toISOString(), ms, detail });
      if (this.fileCheckRun === check) this.fileCheckRun = undefined;
    };
    check.result.then(
      ({ problem, ms }) => {
        if (generation !== store.fileGeneration) return finish('replaced', ms, 'the file was moved aside before the check ended');
        if (problem === undefined) {
          finish('whole', ms, null);
          this.logger?.log(`Read models ${store.filename}: read whole in ${ms} ms, no damage found`);
          return;
        }
        // Settled once the file is moved aside and the runner restarted: whoever waits for the check sees the new file.
        if (this.fileCheckRun === check) this.fileCheckRun = undefined;
        void this.requestHeal('damaged', problem).finally(() => finish('damaged', ms, problem));
      },
      (error: unknown) => {
        if (error instanceof ReadModelFileCheckStopped) return; // stopFileCheck said why
        const message = error instanceof Error ? error.message : String(error);
        finish('failed', null, message);
        this.logger?.error(`Read models ${store.filename}: ${message}`);
      },
    );
  }

  private async stopFileCheck(state: 'replaced' | 'stopped'): Promise<void> {
    const check = this.fileCheckRun;
    if (!check) return;
    this.fileCheckRun = undefined;
    if (this.fileCheck?.state === 'checking') {
      Object.assign(this.fileCheck, { state, finishedAt: new Date().toISOString(), detail: state === 'replaced' ? 'the file was moved aside before the check ended' : 'the ledger stopped before the check ended' });
    }
    await check.stop();
  }

  private async replaceAndRestart(problem: ReadModelFileProblem, detail: string): Promise<void> {
    if (!this.store) throw new Error('Read models: no file to heal');
    await this.stopFileCheck('replaced');
    await this.runner.stop();
    this.lastHealing = this.store.replaceFile(problem, detail, (message) => this.logger?.error(message));
    await this.runner.start();
  }

  private serialised<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.operations.then(async () => {
      this.busy = true;
      try {
        return await operation();
      } finally {
        this.busy = false;
      }
    });
    this.operations = run.catch(() => undefined);
    return run;
  }
}
