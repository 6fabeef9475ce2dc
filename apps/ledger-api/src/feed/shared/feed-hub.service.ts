import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, EventStore, RecordedEvent, Subscription } from '@ledger/event-store';
import { LEDGER_CONFIG, LedgerConfig } from '../../platform/config/ledger-config';
import { isLedgerStreamName } from '@ledger/domain';
import type { FeedEntry } from './feed-entry';
import { FeedLog } from './feed-log.service';
import { FeedRing } from './feed-ring';

/** What the hub needs from each open event stream. */
export interface FeedListener {
  /** New events are in the ring (or the hub restarted): read on. Called at most once per event-loop turn. */
  wake(): void;
  /** Time for a heartbeat comment. */
  heartbeat(at: string): void;
  /** The app is stopping: send the cut-off and close; resolves once the connection is gone. */
  shutdown(): Promise<void>;
}

/** How long the app waits for open streams to close on shutdown before it stops anyway. */
const SHUTDOWN_WAIT_MS = 2_000;
const RESUBSCRIBE_MIN_MS = 250;
const RESUBSCRIBE_MAX_MS = 10_000;

/**
 * The one store subscription behind every live event stream. It keeps the most recent ledger events, converted and
 * serialised once, in a ring that all connections read, so 1000 subscribers cost one subscription and one
 * JSON.stringify per event, not a thousand. Connections that are further behind than the ring read the store
 * themselves (FeedLog) until they reach it.
 *
 * When the subscription stops (the store is unreachable beyond what its adapter rides out, or a read for an event's
 * parties failed), it is reopened after the last event it handed over, with backoff: streams pause, keep their
 * position, and resume with neither gap nor duplicate.
 */
@Injectable()
export class FeedHub implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Feed');
  private ring: FeedRing | undefined;
  /** The last position the subscription handed over (any stream), or where it started. */
  private position = 0n;
  private subscription: Subscription | undefined;
  private readonly listeners = new Set<FeedListener>();
  private notifyScheduled = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;

  constructor(
    private readonly log: FeedLog,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.heartbeatTimer = setInterval(() => this.beat(), this.config.feed.heartbeatMs);
    this.heartbeatTimer.unref();
    await this.start();
  }

  /** Cut-off frames to every open stream, then the subscription stops: nothing keeps the server from closing. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.retryTimer);
    const open = [...this.listeners].map((listener) => listener.shutdown());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(open), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  get closing(): boolean {
    return this.stopping;
  }

  /** How many event streams are open. */
  get connections(): number {
    return this.listeners.size;
  }

  attach(listener: FeedListener): void {
    this.listeners.add(listener);
  }

  detach(listener: FeedListener): void {
    this.listeners.delete(listener);
  }

  /**
   * Up to `max` ledger events after `cursor` from memory, and the position they bring a reader to (`upTo`: past the
   * bookkeeping events too when the batch is the ring's last). Undefined when the ring does not reach back to
   * `cursor`: the reader must read the store.
   */
  read(cursor: bigint, max: number): { entries: FeedEntry[]; upTo: bigint } | undefined {
    const ring = this.ring;
    if (!ring || cursor < ring.floor) return undefined;
    const entries = ring.after(cursor, max);
    const upTo = entries.length === max ? entries[entries.length - 1].position : this.position > cursor ? this.position : cursor;
    return { entries, upTo };
  }

  /** True when the ring no longer holds what comes after `progress`: a reader there lags more than the ring's size. */
  overtook(progress: bigint): boolean {
    return this.ring !== undefined && this.ring.floor > progress;
  }

  private async start(): Promise<void> {
    if (this.stopping) return;
    try {
      if (!this.ring) {
        // Live from the head: history is the store's to serve, and a restart does not replay the log into memory.
        const head = await this.store.headPosition();
        this.ring = new FeedRing(this.config.feed.ringSize, head);
        this.position = head;
      }
      this.subscription = this.store.subscribeToAll(
        { fromPosition: this.position },
        {
          onEvent: (event) => this.receive(event),
          onCaughtUp: () => {
            this.failures = 0;
          },
          onError: (error) => this.lost(error),
        },
      );
    } catch (error) {
      this.lost(error);
    }
  }

  private async receive(recorded: RecordedEvent): Promise<void> {
    if (recorded.position <= this.position) return;
    if (isLedgerStreamName(recorded.streamName)) {
      const entry = await this.log.entryOf(recorded, true);
      this.ring!.push(entry.compact());
    }
    this.position = recorded.position;
    this.failures = 0;
    this.notifySoon();
  }

  private lost(error: unknown): void {
    this.subscription = undefined;
    if (this.stopping) return;
    this.failures += 1;
    const delay = Math.min(RESUBSCRIBE_MIN_MS * 2 ** (this.failures - 1), RESUBSCRIBE_MAX_MS);
    this.logger.warn(
      `feed subscription stopped (${error instanceof Error ? error.message : String(error)}); live streams pause at ${this.position} and resume in ${delay} ms`,
    );
    this.retryTimer = setTimeout(() => void this.start(), delay);
  }

  /** One wake-up per event-loop turn, however many events the subscription handed over in it. */
  private notifySoon(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setImmediate(() => {
      this.notifyScheduled = false;
      for (const listener of this.listeners) listener.wake();
    });
  }

  private beat(): void {
    const at = new Date().toISOString();
    for (const listener of this.listeners) listener.heartbeat(at);
  }
}
