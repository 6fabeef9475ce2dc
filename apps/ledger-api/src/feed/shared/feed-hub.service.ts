import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { EVENT_STORE, EventStore, RecordedEvent, Subscription } from '@ledger/event-store';
import { LEDGER_CONFIG, LedgerConfig } from '../../platform/config/ledger-config';
import { ProblemException } from '../../platform/problem/problem.exception';
import { LedgerMetrics } from '../../metrics/ledger-metrics.service';
import { isLedgerStreamName } from '@ledger/domain';
import type { FeedEntry } from './feed-entry';
import type { FeedFilter } from './feed-filter';
import { FeedLog } from './feed-log.service';
import { FeedRing } from './feed-ring';

/** What the hub needs from each open event stream. */
export interface FeedListener {
  readonly filter: FeedFilter;
  /** The principal whose token opened the stream: the per-token cap counts by it. */
  readonly owner: string;
  /** New events are readable (or the hub restarted): read on. Only for streams that are not live. */
  wake(): void;
  /**
   * Live streams only: the frames of the pass's events that match its filter (`frames` undefined when none does;
   * `last` the position of the last of them), and `to`, where the stream now is. False when the stream could not take
   * them (its socket has not drained, or it closed): it is no longer live and reads on from its own position.
   */
  push(frames: Buffer | undefined, last: bigint | undefined, to: bigint): boolean;
  /** The hub stopped writing to this live stream (the ring overtook the live position): read on from your position. */
  release(): void;
  /** Time for a heartbeat comment (a stream that wrote anything since the previous one needs none). */
  heartbeat(at: string): void;
  /** The app is stopping: send the cut-off and close; resolves once the connection is gone. */
  shutdown(): Promise<void>;
}

/**
 * Catch-up writes (streams reading the ring or the store, and cut-offs; not the live fan-out), each at most a 64 KiB
 * chunk and a frame, are granted from one bucket: at most CATCH_UP_WRITES_BURST in a row, refilled at
 * CATCH_UP_WRITES_PER_SECOND (about 128 MB/s in all). Thousands of streams catching up at once would otherwise write
 * as fast as the kernel takes bytes: a client that never reads takes megabytes into socket buffers (tens on loopback)
 * before it pushes back, every byte a copy on the HTTP thread, and every other request waits behind the copying.
 */
const CATCH_UP_WRITES_BURST = 8;
const CATCH_UP_WRITES_PER_SECOND = 2_000;

/** What a refused client is told to wait: streams end by themselves (cut-offs, clients leaving) within seconds. */
const CAP_RETRY_AFTER_SECONDS = 5;

/** How long the app waits for open streams to close on shutdown before it stops anyway. */
const SHUTDOWN_WAIT_MS = 2_000;
const HEARTBEATS_PER_TURN = 100;
const RESUBSCRIBE_MIN_MS = 250;
const RESUBSCRIBE_MAX_MS = 10_000;
/** At most this much of the ring per fan-out pass: what a live socket may be handed beyond its buffer at once. */
const PASS_MAX_ENTRIES = 256;
const PASS_MAX_BYTES = 256 * 1024;
/** A pass over many connections hands the event loop back this often, so that commands and reads keep being served. */
const PASS_SLICE_MS = 20;
/**
 * After a pass, the next one waits as long as that one kept the thread busy (at most this): fan-out takes at most
 * about half of the thread, and under load more events share one pass. The cost of a pass is mostly one write
 * syscall per stream, not per event, so fewer, fuller passes are what lets many streams keep up with many writes.
 */
const PASS_PAUSE_MAX_MS = 20;

/** One filter's share of a pass: its matching frames, joined, and the position of the last of them. */
interface PassShape {
  frames: Buffer | undefined;
  last: bigint | undefined;
}

/**
 * The one store subscription behind every live event stream. It keeps the most recent ledger events, converted,
 * serialised and encoded once, in a ring. Streams that are caught up are live: after each batch of new events one
 * fan-out pass selects each filter's frames once, joined into one buffer, and writes that same buffer to every live
 * stream with that filter, so 1000 subscribers cost one subscription, one JSON.stringify per event and one write per
 * stream per batch. A live stream whose socket has not drained is left out of the pass and reads on by itself, from
 * the ring or, further behind, the store (FeedLog), until it is caught up again.
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
  /**
   * Where live streams are: every ledger event up to it is written, or being written by the current pass, to every
   * live stream. Reads from the ring stop here, so that a stream catching up arrives exactly where it can go live.
   */
  private fanned = 0n;
  private readonly listeners = new Set<FeedListener>();
  /** Open streams per owner, for the per-token cap. */
  private readonly owned = new Map<string, number>();
  /** Live streams and the position each has been written up to (the pass start or end). */
  private readonly live = new Map<FeedListener, bigint>();
  private passScheduled = false;
  private passing = false;
  /** performance.now() before which no pass starts (see PASS_PAUSE_MAX_MS). */
  private nextPassAt = 0;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** Catch-up write grants left, refilled with time (see CATCH_UP_WRITES_PER_SECOND), and when they last were. */
  private writeGrants = CATCH_UP_WRITES_BURST;
  private grantsAt = performance.now();
  private readonly writeQueue: Array<() => void> = [];
  private grantsRefill: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopping = false;

  constructor(
    private readonly log: FeedLog,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    private readonly metrics: LedgerMetrics,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.heartbeatTimer = setInterval(() => this.beat(), this.config.feed.heartbeatMs);
    this.heartbeatTimer.unref();
    await this.start();
  }

  /** Cut-off frames to every open stream, then the subscription stops: nothing keeps the server from closing. */
  async onModuleDestroy(): Promise<void> {
    await this.cutOffAll();
    await this.subscription?.stop();
    this.subscription = undefined;
  }

  /**
   * Sends every open stream its `shutdown` cut-off and waits (at most SHUTDOWN_WAIT_MS) for them to close; new streams
   * are refused from now on. Graceful shutdown calls it while the server drains, since an open stream never ends itself.
   */
  async cutOffAll(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.retryTimer);
    const open = [...this.listeners].map((listener) => listener.shutdown());
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(open), new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }

  get closing(): boolean {
    return this.stopping;
  }

  /** How many event streams are open. */
  get connections(): number {
    return this.listeners.size;
  }

  /**
   * Throws the problem for a stream `owner` may not open now: 429 when the token holds its share
   * (LEDGER_FEED_MAX_STREAMS_PER_TOKEN), 503 when the ledger holds all it serves (LEDGER_FEED_MAX_STREAMS); both with
   * Retry-After. Checked and followed by attach() in the same turn, so no two requests pass on one free slot.
   */
  admit(owner: string): void {
    const { maxStreams, maxStreamsPerToken } = this.config.feed;
    const retry = { headers: { 'Retry-After': String(CAP_RETRY_AFTER_SECONDS) } };
    if ((this.owned.get(owner) ?? 0) >= maxStreamsPerToken) {
      this.metrics.sseRefused.inc({ cap: 'per-token' });
      throw new ProblemException(429, 'too-many-streams', `This token already holds ${maxStreamsPerToken} open event streams, the most one token may hold; close one or retry later.`, { limit: maxStreamsPerToken }, { title: 'Too many event streams', ...retry });
    }
    if (this.listeners.size >= maxStreams) {
      this.metrics.sseRefused.inc({ cap: 'total' });
      throw new ProblemException(503, 'streams-exhausted', `The ledger serves ${maxStreams} open event streams, its most; retry later.`, { limit: maxStreams }, { title: 'No event stream available', ...retry });
    }
  }

  attach(listener: FeedListener): void {
    if (this.listeners.has(listener)) return;
    this.listeners.add(listener);
    this.owned.set(listener.owner, (this.owned.get(listener.owner) ?? 0) + 1);
    this.metrics.sseSubscribers.set(this.listeners.size);
  }

  detach(listener: FeedListener): void {
    this.live.delete(listener);
    if (!this.listeners.delete(listener)) return;
    const left = (this.owned.get(listener.owner) ?? 1) - 1;
    if (left > 0) this.owned.set(listener.owner, left);
    else this.owned.delete(listener.owner);
    this.metrics.sseSubscribers.set(this.listeners.size);
  }

  /** Resolves when a catch-up stream may write its next chunk: at once while grants are left and nobody waits. */
  writeTurn(): Promise<void> | undefined {
    this.refillGrants();
    if (this.writeGrants >= 1 && this.writeQueue.length === 0) {
      this.writeGrants -= 1;
      return undefined;
    }
    const turn = new Promise<void>((resolve) => this.writeQueue.push(resolve));
    this.grantSoon();
    return turn;
  }

  private refillGrants(): void {
    const now = performance.now();
    this.writeGrants = Math.min(CATCH_UP_WRITES_BURST, this.writeGrants + ((now - this.grantsAt) * CATCH_UP_WRITES_PER_SECOND) / 1000);
    this.grantsAt = now;
  }

  /** Grants waiting writers in a later turn, when the bucket has refilled enough for the first of them. */
  private grantSoon(): void {
    if (this.grantsRefill || this.writeQueue.length === 0) return;
    const grant = (): void => {
      this.grantsRefill = undefined;
      this.refillGrants();
      const granted = this.writeQueue.splice(0, Math.floor(this.writeGrants));
      this.writeGrants -= granted.length;
      for (const resolve of granted) resolve();
      this.grantSoon();
    };
    // Not an immediate while the bucket is empty: the loop would spin on it.
    this.grantsRefill = this.writeGrants >= 1 ? setImmediate(grant) : setTimeout(grant, Math.max(1, ((1 - this.writeGrants) * 1000) / CATCH_UP_WRITES_PER_SECOND));
  }

  /** A stream ended with a cut-off frame. */
  cutOff(reason: string): void {
    this.metrics.sseCutOffs.inc({ reason });
  }

  /** Makes an attached stream live when it is exactly where live streams are; false otherwise (read on first). */
  goLive(listener: FeedListener, cursor: bigint): boolean {
    if (!this.ring || cursor !== this.fanned || !this.listeners.has(listener)) return false;
    this.live.set(listener, cursor);
    return true;
  }

  /**
   * Up to `max` ledger events after `cursor` from memory, up to where live streams are, and the position they bring a
   * reader to (`upTo`: past the bookkeeping events too when the batch is the last). Undefined when the ring does not
   * reach back to `cursor`: the reader must read the store.
   */
  read(cursor: bigint, max: number): { entries: FeedEntry[]; upTo: bigint } | undefined {
    const ring = this.ring;
    if (!ring || cursor < ring.floor) return undefined;
    const entries = ring.after(cursor, max);
    let cut = entries.length;
    while (cut > 0 && entries[cut - 1].position > this.fanned) cut -= 1;
    if (cut < entries.length) entries.length = cut;
    const upTo = cut === max ? entries[cut - 1].position : this.fanned > cursor ? this.fanned : cursor;
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
        this.fanned = head;
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

  /** One fan-out pass for all the events the subscription handed over meanwhile: in the next turn, or after the pause. */
  private notifySoon(): void {
    if (this.passScheduled || this.passing) return;
    this.passScheduled = true;
    const run = (): void => {
      this.passScheduled = false;
      this.fanOut();
    };
    const wait = this.nextPassAt - performance.now();
    if (wait >= 1) setTimeout(run, wait);
    else setImmediate(run);
  }

  /**
   * Writes the events after the live position (up to a bounded batch) to every live stream, in slices of at most
   * PASS_SLICE_MS, then wakes the others, which read up to the new live position by themselves.
   */
  private fanOut(): void {
    const ring = this.ring!;
    const from = this.fanned;
    if (from < ring.floor) {
      // The loop was held up for longer than the ring holds: the live streams read the store from where they are.
      this.fanned = this.position;
      const released = [...this.live.keys()];
      this.live.clear();
      for (const listener of released) listener.release();
      return this.wakeOthers();
    }
    const entries = ring.after(from, PASS_MAX_ENTRIES);
    let bytes = 0;
    for (let i = 0; i < entries.length; i++) {
      bytes += entries[i].frame.length;
      if (bytes >= PASS_MAX_BYTES) entries.length = i + 1;
    }
    const full = entries.length === PASS_MAX_ENTRIES || bytes >= PASS_MAX_BYTES;
    const to = full ? entries[entries.length - 1].position : this.position;
    this.fanned = to;
    const shapes = new Map<string, PassShape>();
    const shapeOf = (filter: FeedFilter): PassShape => {
      let shape = shapes.get(filter.key);
      if (!shape) {
        const matching = filter.selective ? entries.filter((entry) => filter.matches(entry)) : entries;
        shape = {
          frames: matching.length === 0 ? undefined : matching.length === 1 ? matching[0].frame : Buffer.concat(matching.map((entry) => entry.frame)),
          last: matching.at(-1)?.position,
        };
        shapes.set(filter.key, shape);
      }
      return shape;
    };
    const targets = [...this.live.keys()];
    let next = 0;
    let busyMs = 0;
    const slice = (): void => {
      const started = performance.now();
      while (next < targets.length) {
        const listener = targets[next++];
        // Left out: gone, or fell out and came back at `to` during an earlier slice.
        if (this.live.get(listener) !== from) continue;
        const { frames, last } = shapeOf(listener.filter);
        if (listener.push(frames, last, to)) this.live.set(listener, to);
        else this.live.delete(listener);
        if ((next & 31) === 0 && next < targets.length && performance.now() - started > PASS_SLICE_MS) {
          busyMs += performance.now() - started;
          setImmediate(slice);
          return;
        }
      }
      this.passing = false;
      const ended = performance.now();
      busyMs += ended - started;
      this.nextPassAt = ended + Math.min(busyMs, PASS_PAUSE_MAX_MS);
      this.wakeOthers();
      if (this.position > this.fanned) this.notifySoon();
    };
    this.passing = true;
    slice();
  }

  private wakeOthers(): void {
    for (const listener of this.listeners) if (!this.live.has(listener)) listener.wake();
  }

  /** Heartbeats in slices of HEARTBEATS_PER_TURN: each is a write syscall, and thousands in one turn hold the loop. */
  private beat(): void {
    const at = new Date().toISOString();
    const listeners = [...this.listeners];
    const slice = (from: number): void => {
      const to = Math.min(from + HEARTBEATS_PER_TURN, listeners.length);
      for (let i = from; i < to; i++) listeners[i].heartbeat(at);
      if (to < listeners.length && !this.stopping) setImmediate(slice, to);
    };
    slice(0);
  }
}
