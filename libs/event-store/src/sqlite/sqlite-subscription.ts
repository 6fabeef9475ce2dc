import { RecordedEvent, Subscription, SubscriptionHandlers } from '../event-store.port';
import { EVENT_LOOP_SLICE_MS, EventLoopSlice } from '../event-loop-slice';
import { reportSubscriptionStopped } from '../store-rules';

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface SqliteSubscriptionOptions {
  /** Exclusive checkpoint. */
  fromPosition: bigint;
  handlers: SubscriptionHandlers;
  pollIntervalMs: number;
  /** Events strictly after `after`, in position order, at most `pageSize`. */
  readPage: (after: bigint) => RecordedEvent[];
  /** The most a page holds: a shorter page reached the head of the log as it was read. */
  pageSize: number;
  onFinished: (subscription: SqliteSubscription) => void;
  /** Handler time after which the catch-up yields within a page (default EVENT_LOOP_SLICE_MS). */
  handlerSliceMs?: number;
  /** Milliseconds, monotonic (tests pass their own). */
  now?: () => number;
}

/**
 * Pulls the global log page by page from its checkpoint. Live delivery is the same pull, woken either by an append
 * through this process's store (notify) or by the poll timer, which is what picks up other processes' writes.
 */
export class SqliteSubscription implements Subscription {
  private checkpoint: bigint;
  private stopped = false;
  /** Set by notify() so that an append landing while the loop is busy is not missed when it goes idle. */
  private signalled = false;
  private wakeUp: (() => void) | undefined;
  private readonly finished: Promise<void>;
  /**
   * True while one of this subscription's callbacks runs its synchronous part, so that a handler stopping its own
   * subscription there does not wait for itself to return. Not an AsyncLocalStorage: in Node 20 the first one run turns
   * on async hooks for the whole process, which every promise of every request then pays for. A handler that stops
   * its own subscription after an await of its own does not await stop() (it would wait for itself).
   */
  private inCallback = false;

  private readonly now: () => number;
  private readonly sliceMs: number;

  constructor(private readonly options: SqliteSubscriptionOptions) {
    this.checkpoint = options.fromPosition;
    this.now = options.now ?? (() => performance.now());
    this.sliceMs = options.handlerSliceMs ?? EVENT_LOOP_SLICE_MS;
    this.finished = this.run().finally(() => options.onFinished(this));
  }

  notify(): void {
    this.signalled = true;
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wakeUp?.();
    if (this.inCallback) return;
    await this.finished;
  }

  private async run(): Promise<void> {
    // Deferred so that the caller holds the Subscription before any callback can refer to it.
    await Promise.resolve();
    let caughtUpReported = false;
    while (!this.stopped) {
      this.signalled = false;
      let page: RecordedEvent[];
      try {
        page = this.options.readPage(this.checkpoint);
      } catch (error) {
        await this.fail(error);
        return;
      }

      if (page.length > 0) {
        caughtUpReported = false;
        const slice = new EventLoopSlice(this.sliceMs, this.now);
        for (const event of page) {
          if (this.stopped) return;
          if (!(await this.invoke(() => this.options.handlers.onEvent(event)))) return;
          this.checkpoint = event.position;
          if (slice.due) await slice.turn();
        }
        // A short page was the head when it was read: unless a commit was heard since, reading again would find
        // nothing. Live, that empty read came after every commit, for every subscription (projection, notary, feed).
        if (page.length >= this.options.pageSize || this.signalled || this.stopped) {
          // A catch-up made of synchronous handlers only ever yields to microtasks; without this, timers and I/O of
          // the whole process would starve until the log is exhausted.
          await yieldToEventLoop();
          continue;
        }
      }
      if (!caughtUpReported) {
        caughtUpReported = true;
        const checkpoint = this.checkpoint;
        if (!(await this.invoke(() => this.options.handlers.onCaughtUp?.(checkpoint)))) return;
      }
      await this.idle();
    }
  }

  private async invoke(callback: () => unknown): Promise<boolean> {
    try {
      await this.inCallbackScope(callback);
      return true;
    } catch (error) {
      await this.fail(error);
      return false;
    }
  }

  private async fail(error: unknown): Promise<void> {
    this.stopped = true;
    await reportSubscriptionStopped(error, this.options.handlers.onError, (callback) => this.inCallbackScope(callback));
  }

  private inCallbackScope(callback: () => unknown): unknown {
    this.inCallback = true;
    try {
      return callback();
    } finally {
      this.inCallback = false;
    }
  }


  private idle(): Promise<void> {
    if (this.signalled || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(), this.options.pollIntervalMs);
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      this.wakeUp = finish;
    });
  }
}
