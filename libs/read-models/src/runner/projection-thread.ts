import { MessagePort, Worker } from 'node:worker_threads';
import {
  CHECKPOINT_BACKSTOP_PAGES,
  createCommitBell,
  EsdbEventStore,
  EventStore,
  latencyTraceOn,
  ringCommitBell,
  SqliteEventStore,
  THREAD_NAMES,
  nameThisThread,
  trace,
  traceNow,
  WalCheckpointer,
  watchCommitBell,
} from '@ledger/event-store';
import { SqliteReadModelStore, WRITER_STORE_OPTIONS } from '../storage/sqlite-read-model.store';
import { PositionWaiters, RunnerStoppedError } from './position-waiters';
import { ProjectionRunner, RunnerError, RunnerStatus, runnerErrorOf } from './projection.runner';
import { ReadModelProjector } from './read-model-projector';

/** Where the projection thread reads the log from: it opens its own connection, never shares the API's. */
export type EventLogSource = { kind: 'sqlite'; filename: string; pollIntervalMs?: number } | { kind: 'esdb'; connectionString: string };

/** What a worker needs to tell that it is the projection thread, and what it opens. */
export interface ProjectionThreadData {
  role: typeof PROJECTION_THREAD_ROLE;
  eventLog: EventLogSource;
  readModelsFile: string;
  /**
   * The commit bell rung on every commit to the log (see ringCommitBell): the SQLite store's own (`commitBell`), which
   * its writer rings, or one of the runner's that the host rings through poke().
   */
  commits?: SharedArrayBuffer;
  /** The read-model connection's wal_autocheckpoint (raised when the host runs a checkpoint thread for the file). */
  walAutocheckpointPages?: number;
  /** The read models' `synchronous` (see SqliteReadModelStoreOptions): the checkpoint thread's too. */
  synchronous?: 'NORMAL' | 'OFF';
}

export const PROJECTION_THREAD_ROLE = 'ledger-projection-thread';

export const isProjectionThreadData = (data: unknown): data is ProjectionThreadData =>
  typeof data === 'object' && data !== null && (data as { role?: unknown }).role === PROJECTION_THREAD_ROLE;

type Command = { type: 'start' | 'stop' | 'rebuild'; id: number };

type Report =
  | { type: 'status'; status: RunnerStatus }
  | { type: 'done'; id: number; error?: RunnerError }
  | { type: 'log'; level: 'log' | 'error'; message: string };

/** A failure of the projection thread, as its host sees it: the runner's error, named and located as it was. */
export class ProjectionThreadError extends Error {
  readonly position?: string;
  readonly eventId?: string;
  readonly streamName?: string;

  constructor(readonly error: RunnerError) {
    super(error.message);
    this.name = error.name;
    Object.assign(this, { position: error.position, eventId: error.eventId, streamName: error.streamName });
  }
}

/**
 * The log as a thread opens it: a connection or client of its own. Such a thread serves no requests, so its
 * subscription takes whole pages (a projection's batches end where a page does).
 */
export const openEventLog = (source: EventLogSource): EventStore =>
  source.kind === 'sqlite'
    ? new SqliteEventStore({ filename: source.filename, handlerSliceMs: Number.POSITIVE_INFINITY, ...(source.pollIntervalMs ? { pollIntervalMs: source.pollIntervalMs } : {}) })
    : new EsdbEventStore({ connectionString: source.connectionString });

/**
 * The projection thread's side: a ProjectionRunner on its own connections to
 * the log and to the read-model file, driven by its host's messages and
 * reporting every move of its checkpoint back.
 */
export const serveProjectionThread = (data: ProjectionThreadData, port: MessagePort): void => {
  nameThisThread(THREAD_NAMES.projection);
  const post = (report: Report) => port.postMessage(report);
  const eventStore = openEventLog(data.eventLog);
  const store = new SqliteReadModelStore({
    filename: data.readModelsFile,
    ...WRITER_STORE_OPTIONS,
    ...(data.walAutocheckpointPages !== undefined ? { walAutocheckpointPages: data.walAutocheckpointPages } : {}),
    ...(data.synchronous ? { synchronous: data.synchronous } : {}),
  });
  const runner = new ProjectionRunner({
    eventStore,
    store,
    logger: { log: (message) => post({ type: 'log', level: 'log', message }), error: (message) => post({ type: 'log', level: 'error', message }) },
    onProgress: (status) => post({ type: 'status', status }),
  });
  let stopped = false;
  if (data.commits && eventStore instanceof SqliteEventStore) {
    const woken = () => {
      if (latencyTraceOn) trace('wake', { t: traceNow() });
      eventStore.notifyExternalWrite();
    };
    void watchCommitBell(new Int32Array(data.commits), woken, () => stopped);
  }
  port.on('message', (command: Command) => {
    const run = async () => {
      if (command.type === 'start') await runner.start();
      if (command.type === 'rebuild') await runner.rebuild();
      if (command.type === 'stop') {
        stopped = true;
        await runner.stop();
        store.close();
        await eventStore.close();
      }
    };
    run().then(
      () => post({ type: 'done', id: command.id }),
      (error: unknown) => post({ type: 'done', id: command.id, error: runnerErrorOf(error) }),
    );
  });
  post({ type: 'status', status: runner.status() });
};

export interface ThreadedProjectionRunnerOptions {
  /** The script the worker runs; it must call serveProjectionThread when it finds ProjectionThreadData in workerData. */
  script: string;
  data: Omit<ProjectionThreadData, 'role'>;
  logger?: { log(message: string): void; error(message: string): void };
  /**
   * Checkpoint the read models' WAL from a thread of its own (see WalCheckpointer) rather than inside the projection
   * transaction that crosses SQLite's threshold, which every command waiting for read-your-writes would wait for.
   */
  checkpointThread?: boolean;
}

/**
 * Keeps the read models up to date from a worker thread: the HTTP thread
 * only learns where the checkpoint is (for read-your-writes and health), while
 * the projection's JSON, SQL and commits run beside it on another core.
 * Rebuilds run there too, so the API keeps answering during one.
 */
export class ThreadedProjectionRunner extends ReadModelProjector {
  private worker: Worker | undefined;
  private last: RunnerStatus;
  private failure: ProjectionThreadError | undefined;
  private readonly waiters = new PositionWaiters();
  private readonly replies = new Map<number, { resolve: () => void; reject: (error: unknown) => void }>();
  private nextId = 1;
  private readonly commits: Int32Array;
  private checkpointer: WalCheckpointer | undefined;

  constructor(private readonly options: ThreadedProjectionRunnerOptions) {
    super();
    this.commits = new Int32Array(options.data.commits ?? createCommitBell());
    this.last = { name: 'ledger-read-models', state: 'stopped', checkpoint: 0n, caughtUp: false, lastError: null, projectionVersions: {} };
  }

  async start(): Promise<void> {
    this.worker ??= this.spawn();
    await this.send('start');
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    if (!worker) {
      await this.stopCheckpointer();
      return;
    }
    try {
      await this.send('stop');
    } finally {
      this.poke();
      this.worker = undefined;
      await worker.terminate();
      // Before the supervisor may move the file aside: nothing else may hold it then.
      await this.stopCheckpointer();
      this.last = { ...this.last, state: this.last.state === 'failed' ? 'failed' : 'stopped', caughtUp: false };
      this.rejectWaiters((position) => new RunnerStoppedError(position));
    }
  }

  async rebuild(): Promise<void> {
    this.worker ??= this.spawn();
    this.failure = undefined;
    await this.send('rebuild');
  }

  /**
   * The writer committed: the thread's subscription reads now rather than at its next poll. A shared counter and a
   * futex wake, not a message: a postMessage per commit cost the HTTP thread several percent of its time, and
   * commits that land while the thread is busy are all covered by its next read.
   */
  poke(): void {
    ringCommitBell(this.commits);
  }

  /** Whether the thread listens to this bell (a store's commitBell given as `data.commits`): its commits need no poke. */
  hears(bell: SharedArrayBuffer): boolean {
    return this.commits.buffer === bell;
  }

  status(): RunnerStatus {
    return { ...this.last, projectionVersions: { ...this.last.projectionVersions } };
  }

  waitForPosition(position: bigint, timeoutMs = 5000): Promise<void> {
    if (this.last.checkpoint >= position) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return this.waiters.wait(position, timeoutMs, () => this.last.checkpoint);
  }

  private async stopCheckpointer(): Promise<void> {
    const checkpointer = this.checkpointer;
    this.checkpointer = undefined;
    await checkpointer?.stop();
  }

  private spawn(): Worker {
    const checkpoints = this.options.checkpointThread === true;
    // Started with the thread whose commits it checkpoints (the file must exist: the API's own connection opened it).
    if (checkpoints) {
      this.checkpointer ??= new WalCheckpointer({
        filename: this.options.data.readModelsFile,
        synchronous: this.options.data.synchronous ?? 'NORMAL',
        threadName: THREAD_NAMES.readModelCheckpoints,
        onError: (message) => this.options.logger?.error(message),
      });
    }
    const workerData: ProjectionThreadData = {
      role: PROJECTION_THREAD_ROLE,
      ...this.options.data,
      commits: this.commits.buffer as SharedArrayBuffer,
      ...(checkpoints ? { walAutocheckpointPages: CHECKPOINT_BACKSTOP_PAGES } : {}),
    };
    const worker = new Worker(this.options.script, { workerData });
    worker.on('message', (report: Report) => this.receive(report));
    worker.on('error', (error) => this.crashed(runnerErrorOf(error)));
    worker.on('exit', (code) => {
      if (this.worker === worker) this.crashed({ name: 'ProjectionThreadExited', message: `The projection thread exited (code ${code})`, at: new Date().toISOString() });
    });
    return worker;
  }

  private send(type: 'start' | 'stop' | 'rebuild'): Promise<void> {
    const worker = this.worker;
    if (!worker) return Promise.reject(new Error('The projection thread is not running'));
    const id = this.nextId++;
    return new Promise<void>((resolve, reject) => {
      this.replies.set(id, { resolve, reject });
      worker.postMessage({ type, id } satisfies Command);
    });
  }

  private receive(report: Report): void {
    switch (report.type) {
      case 'status':
        if (latencyTraceOn && report.status.checkpoint !== this.last.checkpoint) trace('checkpointSeen', { cp: Number(report.status.checkpoint), t: traceNow() });
        this.last = report.status;
        if (report.status.state === 'failed' && report.status.lastError) {
          this.failure = new ProjectionThreadError(report.status.lastError);
          this.rejectWaiters(() => this.failure);
        } else {
          if (report.status.state !== 'failed') this.failure = undefined;
          this.resolveWaiters();
        }
        return;
      case 'done': {
        const reply = this.replies.get(report.id);
        this.replies.delete(report.id);
        if (report.error) reply?.reject(new ProjectionThreadError(report.error));
        else reply?.resolve();
        return;
      }
      case 'log':
        if (report.level === 'error') this.options.logger?.error(report.message);
        else this.options.logger?.log(report.message);
        return;
    }
  }

  /** The thread itself died (not a projection failure, which the runner reports): nothing more will come from it. */
  private crashed(error: RunnerError): void {
    this.worker = undefined;
    this.failure = new ProjectionThreadError(error);
    this.last = { ...this.last, state: 'failed', caughtUp: false, lastError: error };
    this.options.logger?.error(`Read models stopped: ${error.message}`);
    this.rejectWaiters(() => this.failure);
    for (const reply of this.replies.values()) reply.reject(this.failure);
    this.replies.clear();
  }

  private resolveWaiters(): void {
    this.waiters.resolveUpTo(this.last.checkpoint);
  }

  private rejectWaiters(reason: (position: bigint) => unknown): void {
    this.waiters.rejectAll(reason);
  }
}
