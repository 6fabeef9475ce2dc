import { isLedgerStreamName, UnknownEventTypeError } from '@ledger/domain';
import { latencyTraceOn, START, trace, traceNow, type EventStore, type RecordedEvent, type Subscription } from '@ledger/event-store';
import { LedgerEnvelope, toEnvelope } from '../envelope';
import { AnyProjection, LEDGER_PROJECTIONS } from '../projection';
import { StoredCheckpoint, projectionVersionsOf } from '../storage/sqlite-read-model.store';
import { PositionWaiters, RunnerStoppedError } from './position-waiters';
import { ReadModelProjector } from './read-model-projector';

export const DEFAULT_CHECKPOINT_NAME = 'ledger-read-models';

/**
 * What the runner needs of a read-model store: the SQLite file answers at once, a database server (the PostgreSQL
 * store) with promises. With a synchronous store the runner commits each batch before it takes the next event, as it
 * always has; with an asynchronous one, events arriving while a batch is being written wait for the next batch.
 */
export interface RunnerStore {
  host(projections: readonly AnyProjection[]): void | Promise<void>;
  readCheckpoint(name: string): StoredCheckpoint | undefined | Promise<StoredCheckpoint | undefined>;
  /** `from`: the checkpoint the runner last saw; a store shared with other writers may refuse a batch when its own is behind it. */
  applyBatch(checkpointName: string, projections: readonly AnyProjection[], envelopes: readonly LedgerEnvelope[], checkpoint: bigint, from?: bigint): number | Promise<number>;
  beginRebuild(checkpointName: string, projections: readonly AnyProjection[]): void | Promise<void>;
  endRebuild(): void | Promise<void>;
  /**
   * One event the read models were built from (its id and log position), when they hold any: the runner checks that
   * the log holds it there before resuming, so that read models of another ledger's log (a file its configuration
   * shares with this one) are rebuilt instead of being taken for this log's.
   */
  recordedEventSample?(): { eventId: string; position: bigint } | undefined;
}

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as Promise<unknown> | undefined)?.then === 'function';

export interface ProjectionRunnerOptions {
  eventStore: EventStore;
  store: RunnerStore;
  /** Defaults to every ledger read model. */
  projections?: readonly AnyProjection[];
  /** Name of the checkpoint row; one per runner sharing a read-model file. */
  name?: string;
  /** Most events per live transaction. */
  batchSize?: number;
  /** Events per readAll page (and per transaction) during a rebuild. */
  rebuildPageSize?: number;
  /** Streams whose events are ledger events; others (integrity digests, system streams) only move the checkpoint. */
  isLedgerStream?: (streamName: string) => boolean;
  logger?: { log(message: string): void; error(message: string): void };
  /** Told the status whenever the checkpoint moves or the state changes (a projection thread reports to its host with it). */
  onProgress?: (status: RunnerStatus) => void;
}

export type RunnerState = 'stopped' | 'starting' | 'rebuilding' | 'live' | 'failed';

export interface RunnerError {
  name: string;
  message: string;
  /** The error's own code (SQLite's `SQLITE_CORRUPT`, a system call's `ENOSPC`), telling a damaged file from a full disk. */
  code?: string;
  /** The event the runner stopped at, when one is to blame. */
  position?: string;
  eventId?: string;
  streamName?: string;
  at: string;
}

export interface RunnerStatus {
  name: string;
  state: RunnerState;
  /** Position of the last event whose effects are in the read models. */
  checkpoint: bigint;
  /** True when every event stored so far has been applied. */
  caughtUp: boolean;
  lastError: RunnerError | null;
  projectionVersions: Record<string, number>;
}

/** A ledger stream holds an event type the running code cannot read; skipping it would silently falsify the read models. */
export class UnknownStoredEventError extends Error {
  constructor(
    readonly event: Pick<RecordedEvent, 'eventId' | 'position' | 'streamName' | 'type'>,
    override readonly cause?: unknown,
  ) {
    super(
      `Read models stopped before event ${event.eventId} at position ${event.position} in ${event.streamName}: ` +
        `stored type "${event.type}" is unknown to the event registry. Run a ledger version that knows it (or add an upcaster), then restart the read models.`,
    );
    this.name = 'UnknownStoredEventError';
  }
}

export { ReadModelTimeoutError, RunnerStoppedError } from './position-waiters';



const errorFields = (error: unknown): Omit<RunnerError, 'at'> => {
  // Duck-typed: an error from another realm (a native addon's class under a test sandbox) is no `instanceof Error`.
  const e = error instanceof Error || typeof (error as Error | null)?.message === 'string' ? (error as Error) : new Error(String(error));
  const located = e as Partial<{ position: bigint; eventId: string; streamName: string; event: RecordedEvent }>;
  const position = located.position ?? located.event?.position;
  const eventId = located.eventId ?? located.event?.eventId;
  const streamName = located.streamName ?? located.event?.streamName;
  // A projection's error wraps SQLite's: its code (a damaged file, a full disk) is what decides how to recover.
  const code = (e as { code?: unknown }).code ?? (e.cause as { code?: unknown } | undefined)?.code;
  return {
    name: e.name,
    message: e.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(position !== undefined ? { position: position.toString() } : {}),
    ...(eventId !== undefined ? { eventId } : {}),
    ...(streamName !== undefined ? { streamName } : {}),
  };
};

/** An error as status reports show it: its name, message, when, and the event it stopped at when one is named. */
export const runnerErrorOf = (error: unknown): RunnerError => ({ ...errorFields(error), at: new Date().toISOString() });

/**
 * Keeps the read models up to date from the store's global log. Events are
 * applied in small batches, each batch with its checkpoint in one SQLite
 * transaction; the subscription resumes from that checkpoint, so a crash at
 * any point neither loses nor repeats an event.
 */
export class ProjectionRunner extends ReadModelProjector {
  private readonly eventStore: EventStore;
  private readonly store: RunnerStore;
  private readonly projections: readonly AnyProjection[];
  private readonly name: string;
  private readonly batchSize: number;
  private readonly rebuildPageSize: number;
  private readonly isLedgerStream: (streamName: string) => boolean;
  private readonly logger?: ProjectionRunnerOptions['logger'];
  private readonly onProgress?: ProjectionRunnerOptions['onProgress'];
  private readonly versions: Record<string, number>;

  private state: RunnerState = 'stopped';
  /** Between start() and stop(): a rebuild resumes the subscription afterwards, even after a failure. */
  private started = false;
  /**
   * The last rebuild replayed the log but its end (the store's index build) failed: the rows and checkpoint are
   * committed, the indexes are not. The next start finishes it before resuming.
   */
  private rebuildUnfinished = false;
  private checkpoint: bigint = START;
  private caughtUp = false;
  private lastError: RunnerError | null = null;
  private failure: unknown;
  private subscription: Subscription | undefined;
  /** Envelopes received but not yet committed, and the position the batch covers (skipped events included). */
  private buffer: LedgerEnvelope[] = [];
  private bufferedUpTo: bigint = START;
  private bufferedCount = 0;
  /** Trace only: when the pending batch received its first event. */
  private bufferStartedAt = 0;
  private flushScheduled: NodeJS.Immediate | undefined;
  /** An asynchronous store's batch being written, and whether events arrived meanwhile that want a flush after it. */
  private writing: Promise<void> | undefined;
  private flushAfterWrite = false;
  private readonly waiters = new PositionWaiters();
  /** start/stop/rebuild run one at a time. */
  private lifecycle: Promise<unknown> = Promise.resolve();

  constructor(options: ProjectionRunnerOptions) {
    super();
    this.eventStore = options.eventStore;
    this.onProgress = options.onProgress;
    this.store = options.store;
    this.projections = options.projections ?? LEDGER_PROJECTIONS;
    this.name = options.name ?? DEFAULT_CHECKPOINT_NAME;
    this.batchSize = options.batchSize ?? 1000;
    this.rebuildPageSize = options.rebuildPageSize ?? 2000;
    this.isLedgerStream = options.isLedgerStream ?? isLedgerStreamName;
    this.logger = options.logger;
    this.versions = projectionVersionsOf(this.projections);
    const hosted = this.store.host(this.projections);
    // applyBatch hosts them again; a failure here shows there, where the runner reports it.
    if (isPromise(hosted)) hosted.catch(() => undefined);
    const names = this.projections.map((p) => p.name);
    if (new Set(names).size !== names.length) throw new Error(`Projection names must be unique: ${names.join(', ')}`);
  }

  /**
   * Resumes from the stored checkpoint, or rebuilds first when there is none
   * or the stored projection versions differ from the code's. Resolves once
   * the subscription is running (not when it has caught up). A failure while
   * doing so (an unreadable event, a projection error, the store being
   * unavailable) does not reject: it stops the runner and shows in status(),
   * exactly as a failure in live operation does, so that the ledger keeps
   * accepting writes while its read models are repaired.
   */
  start(): Promise<void> {
    return this.serialised(async () => {
      if (this.subscription) return;
      this.started = true;
      this.state = 'starting';
      this.lastError = null;
      this.failure = undefined;
      let reason: string | undefined;
      let stored: StoredCheckpoint | undefined;
      try {
        if (this.rebuildUnfinished) await this.finishRebuild();
        stored = await this.store.readCheckpoint(this.name);
        reason = stored ? await this.rebuildReason(stored) : `no checkpoint, building from the log`;
      } catch (error) {
        this.fail(error);
        return;
      }
      if (reason !== undefined || !stored) {
        this.logger?.log(`Read models ${this.name}: ${reason}`);
        try {
          await this.rebuildFromLog();
        } catch {
          return;
        }
      } else {
        this.checkpoint = stored.position;
      }
      this.subscribe();
    });
  }

  /**
   * Why the stored read models cannot be resumed, if they cannot: other projection versions, or a checkpoint past the
   * log's head (the store was reset or replaced under the read models, which would otherwise answer with events the log
   * no longer holds and skip the new ones up to the old checkpoint).
   */
  private async rebuildReason(stored: { position: bigint; projectionVersions: Record<string, number> }): Promise<string | undefined> {
    if (!sameVersions(stored.projectionVersions, this.versions)) {
      return `projection versions changed (${JSON.stringify(stored.projectionVersions)} -> ${JSON.stringify(this.versions)}), rebuilding`;
    }
    const head = await this.eventStore.headPosition();
    if (stored.position > head) return `checkpoint ${stored.position} is past the event log's head ${head} (the log was reset or replaced), rebuilding`;
    const sample = this.store.recordedEventSample?.();
    if (sample) {
      const [atLog] = await this.eventStore.readAll({ fromPosition: sample.position - 1n, maxCount: 1 });
      if (atLog?.position !== sample.position || atLog.eventId !== sample.eventId) {
        return `the read models hold event ${sample.eventId} at position ${sample.position}, which the event log does not (they were built from another log), rebuilding`;
      }
    }
    return undefined;
  }

  /** Stops the subscription after committing what it has received. Pending waitForPosition calls are rejected. */
  stop(): Promise<void> {
    return this.serialised(async () => {
      this.started = false;
      await this.unsubscribe();
      if (this.state !== 'failed') this.state = 'stopped';
      this.caughtUp = false;
      this.rejectWaiters((position) => new RunnerStoppedError(position));
      this.report();
    });
  }

  /**
   * Drops every read model and replays the whole log from the start in
   * batched transactions; a running subscription is paused and resumes from
   * the new checkpoint afterwards (also after a failure, if the runner was
   * started). Rejects if the replay fails (the runner is then stopped, with
   * the error in status()).
   */
  rebuild(): Promise<void> {
    return this.serialised(async () => {
      await this.unsubscribe();
      this.lastError = null;
      this.failure = undefined;
      await this.rebuildFromLog();
      if (this.started) this.subscribe();
      else this.state = 'stopped';
    });
  }

  status(): RunnerStatus {
    return {
      name: this.name,
      state: this.state,
      checkpoint: this.checkpoint,
      caughtUp: this.caughtUp,
      lastError: this.lastError,
      projectionVersions: { ...this.versions },
    };
  }

  /**
   * Resolves once the read models include the event at `position` (e.g. the
   * position an append returned), for read-your-writes. Rejects with
   * ReadModelTimeoutError, with the runner's error if it fails, or with
   * RunnerStoppedError if it is stopped first.
   */
  waitForPosition(position: bigint, timeoutMs = 5000): Promise<void> {
    if (this.checkpoint >= position) return Promise.resolve();
    if (this.state === 'failed') return Promise.reject(this.failure);
    return this.waiters.wait(position, timeoutMs, () => this.checkpoint);
  }

  private serialised<T>(operation: () => Promise<T>): Promise<T> {
    const run = this.lifecycle.then(operation, operation);
    this.lifecycle = run.catch(() => undefined);
    return run;
  }

  private subscribe(): void {
    this.state = 'live';
    this.report();
    this.caughtUp = false;
    this.subscription = this.eventStore.subscribeToAll(
      { fromPosition: this.checkpoint },
      {
        onEvent: (event) => this.onEvent(event),
        onCaughtUp: () => this.onCaughtUp(),
        onError: (error) => {
          if (this.state !== 'failed') this.fail(error);
        },
      },
    );
  }

  private async unsubscribe(): Promise<void> {
    const subscription = this.subscription;
    this.subscription = undefined;
    if (subscription) await subscription.stop();
    this.cancelScheduledFlush();
    if (this.state !== 'failed') {
      try {
        this.flush();
      } catch (error) {
        this.fail(error);
      }
    }
    await this.settled();
    this.discardBuffer();
  }

  private onEvent(event: RecordedEvent): void {
    if (this.state === 'failed') throw this.failure;
    this.caughtUp = false;
    this.ingest(event);
    if (this.bufferedCount >= this.batchSize) this.flushOrFail();
    else this.scheduleFlush();
  }

  private onCaughtUp(): void {
    if (this.state === 'failed') return;
    this.cancelScheduledFlush();
    this.flushOrFail();
    if (this.writing) {
      // An asynchronous store's batch is caught up once written, if nothing arrived meanwhile.
      void this.settled().then(() => {
        if (!this.caughtUp && this.state === 'live' && this.bufferedCount === 0) {
          this.caughtUp = true;
          this.report();
        }
      });
      return;
    }
    if (!this.caughtUp) {
      this.caughtUp = true;
      this.report();
    }
  }

  /** Adds one event to the pending batch; an unreadable ledger event commits what came before it and fails the runner. */
  private ingest(event: RecordedEvent): void {
    // Guards against a store that redelivers what the checkpoint already covers.
    if (event.position <= this.checkpoint || event.position <= this.bufferedUpTo) return;
    if (latencyTraceOn && this.bufferedCount === 0) this.bufferStartedAt = traceNow();
    if (this.isLedgerStream(event.streamName)) {
      let envelope: LedgerEnvelope;
      try {
        envelope = toEnvelope(event);
      } catch (error) {
        this.flushOrFail();
        const failure = error instanceof UnknownEventTypeError ? new UnknownStoredEventError(event, error) : error;
        this.fail(failure);
        throw failure;
      }
      this.buffer.push(envelope);
    }
    this.bufferedUpTo = event.position;
    this.bufferedCount++;
  }

  private flush(): void {
    if (this.writing) {
      this.flushAfterWrite = true;
      return;
    }
    if (this.bufferedUpTo <= this.checkpoint) return;
    const envelopes = this.buffer;
    const upTo = this.bufferedUpTo;
    const from = this.checkpoint;
    const tIngested = this.bufferStartedAt;
    const tApply = latencyTraceOn ? traceNow() : 0;
    this.discardBuffer();
    const applied = this.store.applyBatch(this.name, this.projections, envelopes, upTo, from);
    if (isPromise(applied)) {
      // What arrives meanwhile is buffered after upTo, never before it: the batch's positions are kept as the floor.
      this.bufferedUpTo = upTo;
      this.writing = applied.then(
        () => {
          this.writing = undefined;
          this.committed(upTo);
          if (this.flushAfterWrite) {
            this.flushAfterWrite = false;
            this.flushOrFail();
          }
        },
        (error: unknown) => {
          this.writing = undefined;
          this.flushAfterWrite = false;
          this.fail(error);
        },
      );
      // Failures are the runner's state (fail above); whoever awaits the write learns of it from there.
      this.writing.catch(() => undefined);
      return;
    }
    this.committed(upTo);
    if (latencyTraceOn) trace('project', { from: Number(from), upTo: Number(upTo), n: envelopes.length, tIngested, tApply, tApplied: traceNow(), tReported: traceNow() });
  }

  private committed(upTo: bigint): void {
    this.checkpoint = upTo;
    this.resolveWaiters();
    this.report();
  }

  /** Resolves once an asynchronous store has written every batch handed to it (at once for a synchronous one). */
  private async settled(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
  }

  private flushOrFail(): void {
    if (this.state === 'failed') return;
    try {
      this.flush();
    } catch (error) {
      this.fail(error);
      throw error;
    }
  }

  private scheduleFlush(): void {
    // Batches end where the subscription pauses (the end of a page, a live event arriving alone).
    this.flushScheduled ??= setImmediate(() => {
      this.flushScheduled = undefined;
      try {
        this.flushOrFail();
      } catch {
        // fail() has recorded the error and stopped the subscription.
      }
    });
  }

  private cancelScheduledFlush(): void {
    if (this.flushScheduled) clearImmediate(this.flushScheduled);
    this.flushScheduled = undefined;
  }

  private discardBuffer(): void {
    this.buffer = [];
    this.bufferedUpTo = this.checkpoint;
    this.bufferedCount = 0;
  }

  private async rebuildFromLog(): Promise<void> {
    this.state = 'rebuilding';
    this.report();
    this.caughtUp = false;
    this.checkpoint = START;
    this.discardBuffer();
    try {
      // Inside the try: a file that cannot even be emptied must fail the runner, not leave it "rebuilding" for good.
      this.rebuildUnfinished = true;
      await this.store.beginRebuild(this.name, this.projections);
      for (;;) {
        const page = await this.eventStore.readAll({ direction: 'forwards', fromPosition: this.checkpoint, maxCount: this.rebuildPageSize });
        if (page.length === 0) break;
        for (const event of page) this.ingest(event);
        this.flushOrFail();
        await this.settled();
        if ((this.state as RunnerState) === 'failed') throw this.failure;
        // Lets HTTP handlers run between pages of a long replay.
        await new Promise((resolve) => setImmediate(resolve));
      }
    } catch (error) {
      // ingest/flush have already failed the runner with the same error; a readAll error has not.
      this.fail(error);
      try {
        await this.finishRebuild();
      } catch {
        // The next start finishes it (so does the store's next open); the replay's own error is the one to report.
      }
      throw error;
    }
    try {
      await this.finishRebuild();
    } catch (error) {
      // Unreported, this left the runner "rebuilding" for good: start() swallows the rejection, and nothing restarts a
      // runner that has not failed.
      this.fail(error);
      throw error;
    }
    this.logger?.log(`Read models ${this.name}: rebuilt up to position ${this.checkpoint}`);
  }

  private async finishRebuild(): Promise<void> {
    await this.store.endRebuild();
    this.rebuildUnfinished = false;
  }

  private fail(error: unknown): void {
    if (this.state === 'failed' && this.failure === error) return;
    this.state = 'failed';
    this.caughtUp = false;
    this.failure = error;
    this.lastError = runnerErrorOf(error);
    this.logger?.error(`Read models ${this.name} stopped at checkpoint ${this.checkpoint}: ${this.lastError.message}`);
    this.cancelScheduledFlush();
    this.discardBuffer();
    // Not awaited: fail() may run inside the subscription's own callback, which stop() would otherwise wait for.
    const subscription = this.subscription;
    this.subscription = undefined;
    void subscription?.stop();
    this.rejectWaiters(() => error);
    this.report();
  }

  private report(): void {
    this.onProgress?.(this.status());
  }

  private resolveWaiters(): void {
    this.waiters.resolveUpTo(this.checkpoint);
  }

  private rejectWaiters(reason: (position: bigint) => unknown): void {
    this.waiters.rejectAll(reason);
  }
}

const sameVersions = (a: Record<string, number>, b: Record<string, number>): boolean => {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
};

