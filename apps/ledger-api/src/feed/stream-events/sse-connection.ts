import type { ServerResponse } from 'node:http';
import type { Logger } from '@nestjs/common';
import { StoreRefusedError } from '@ledger/event-store';
import type { FeedEntry } from '../shared/feed-entry';
import type { FeedFilter } from '../shared/feed-filter';
import type { FeedHub, FeedListener } from '../shared/feed-hub.service';
import type { FeedLog, ScanResult } from '../shared/feed-log.service';

/** Sent first: how long an EventSource waits before reconnecting with Last-Event-ID. */
export const SSE_RETRY_MS = 2_000;
/** Entries taken from the ring per step, so one connection never holds much of it. */
const RING_BATCH = 256;
/** Matching events per store read while catching up, and events looked at per read under a rare filter. */
const STORE_PAGE = 500;
const STORE_SCAN = 5_000;
/** Frames are joined into writes of about this size: fewer syscalls, and back-pressure is checked per write. */
const CHUNK_BYTES = 64 * 1024;
/** An idle connection re-checks this often even without a wake-up (e.g. while the hub's subscription is down). */
const IDLE_RECHECK_MS = 1_000;
const STORE_RETRY_MAX_MS = 5_000;
/** After a cut-off, how long a consumer that still reads nothing keeps its socket before it is destroyed. */
const CUT_OFF_GRACE_MS = 30_000;
const SHUTDOWN_GRACE_MS = 1_000;

export type CutOffReason = 'slow-consumer' | 'shutdown';

export interface SseConnectionOptions {
  hub: FeedHub;
  log: FeedLog;
  filter: FeedFilter;
  /** The principal that opened it (see FeedHub.admit). */
  owner: string;
  /** Exclusive: the first event sent is the first matching one after it. */
  from: bigint;
  response: ServerResponse;
  slowConsumerMs: number;
  logger: Logger;
}

/**
 * One subscriber's event stream. Caught up, it is live: the hub writes each batch's frames to it (see FeedHub).
 * Behind, it reads the shared ring while it can and the store while it is further behind, until it is caught up
 * again. Either way it is written to only while the socket takes more: a live stream whose socket has not drained
 * is left out of the hub's pass, and a reading one waits for 'drain', so its memory stays bounded by one batch and one
 * chunk whatever the client does (the hub's batches are shared by all streams). A consumer that takes nothing for
 * `slowConsumerMs`, or that the ring overtakes while it is blocked, gets a cut-off frame with the position to resume
 * from and is closed.
 *
 * `cursor` only ever grows, and every matching event at or before it has been written: that is what makes the
 * stream gap-free and duplicate-free across the switch between store and ring.
 */
export class SseConnection implements FeedListener {
  private cursor: bigint;
  /** Position of the last frame written (the start when none): the cut-off's `resumeFrom`. */
  private lastWritten: bigint;
  /** No more writes: the client left, or it was cut off. */
  private closed = false;
  /**
   * Has been live or read from the ring at least once: it had caught up. Only such a stream is cut off for lagging more
   * than the ring while blocked; one still catching up from far behind is expected to lag, and reads the store meanwhile.
   */
  private wasLive = false;
  private blocked = false;
  /** A wake-up arrived since the loop last looked: don't sleep on it. */
  private signalled = false;
  private wakeUp: (() => void) | undefined;
  private onWakeWhileBlocked: (() => void) | undefined;
  /** Set while live: called when the hub stops writing to it (`blocked`: its socket had not drained). */
  private leaveLive: ((blocked: boolean) => void) | undefined;
  private storeFailures = 0;
  /** An event frame was written since the last heartbeat. */
  private wroteSinceBeat = false;
  private readonly gone: Promise<void>;
  private markGone!: () => void;

  constructor(private readonly options: SseConnectionOptions) {
    this.cursor = options.from;
    this.lastWritten = options.from;
    this.gone = new Promise((resolve) => (this.markGone = resolve));
  }

  /** Headers must already be written. Runs until the client leaves or is cut off. */
  start(): void {
    const { response, hub } = this.options;
    response.on('error', () => undefined);
    response.once('close', () => this.onClose());
    response.socket?.setNoDelay(true);
    hub.attach(this);
    response.write(`retry: ${SSE_RETRY_MS}\n\n`);
    this.pump().catch((error: unknown) => {
      this.options.logger.error(`event stream failed: ${error instanceof Error ? error.message : String(error)}`);
      // The client reconnects with its Last-Event-ID; better than a stream that silently stopped.
      response.destroy();
    });
  }

  get filter(): FeedFilter {
    return this.options.filter;
  }

  get owner(): string {
    return this.options.owner;
  }

  push(frames: Buffer | undefined, last: bigint | undefined, to: bigint): boolean {
    const { response } = this.options;
    if (this.closed || !this.leaveLive) return false;
    if (response.writableNeedDrain) {
      this.leaveLive(true);
      return false;
    }
    if (frames) {
      // Corked around the write, the socket sends it now (one writev) instead of in a tick after the whole pass: the
      // hub's slices then measure, and bound, what the writes really cost.
      response.cork();
      response.write(frames);
      response.uncork();
      this.lastWritten = last!;
      this.wroteSinceBeat = true;
    }
    this.cursor = to;
    return true;
  }

  release(): void {
    this.leaveLive?.(false);
  }

  wake(): void {
    this.signalled = true;
    if (this.onWakeWhileBlocked) this.onWakeWhileBlocked();
    else this.wakeUp?.();
  }

  heartbeat(at: string): void {
    // Frames written since the last beat showed the stream alive already: one write syscall fewer per busy stream.
    const busy = this.wroteSinceBeat;
    this.wroteSinceBeat = false;
    if (busy || this.closed || this.blocked || this.options.response.writableNeedDrain) return;
    this.options.response.write(`: heartbeat ${at}\n\n`);
  }

  shutdown(): Promise<void> {
    this.cutOff('shutdown');
    return this.gone;
  }

  private async pump(): Promise<void> {
    const { hub, log, filter } = this.options;
    while (!this.closed) {
      this.signalled = false;
      if (hub.goLive(this, this.cursor)) {
        this.wasLive = true;
        const blocked = await new Promise<boolean>((resolve) => (this.leaveLive = resolve));
        this.leaveLive = undefined;
        if (blocked) await this.drained();
        continue;
      }
      const fromMemory = hub.read(this.cursor, RING_BATCH);
      if (fromMemory) {
        this.wasLive = true;
        if (fromMemory.entries.length === 0 && fromMemory.upTo <= this.cursor) {
          await this.idle(IDLE_RECHECK_MS);
          continue;
        }
        await this.send(fromMemory.entries, (entry) => filter.matches(entry));
        if (fromMemory.upTo > this.cursor) this.cursor = fromMemory.upTo;
        continue;
      }

      let page: ScanResult;
      try {
        page = await log.scan(this.cursor, { filter, limit: STORE_PAGE, maxScan: STORE_SCAN });
        this.storeFailures = 0;
      } catch (error) {
        // Refused for good (access denied, a position the store will never read from): retrying cannot help, and the
        // stream ends (see start) rather than waiting forever.
        if (error instanceof StoreRefusedError) throw error;
        // The store is down (EventStoreDB outage): keep the connection and its position, try again with backoff.
        this.storeFailures += 1;
        if (this.storeFailures === 1) {
          this.options.logger.warn(`event stream paused at ${this.cursor}: ${error instanceof Error ? error.message : String(error)}`);
        }
        await this.idle(Math.min(250 * 2 ** (this.storeFailures - 1), STORE_RETRY_MAX_MS), false);
        continue;
      }
      if (page.scanned === 0) {
        await this.idle(IDLE_RECHECK_MS);
        continue;
      }
      await this.send(page.entries, () => true);
      if (page.next > this.cursor) this.cursor = page.next;
    }
  }

  private async send(entries: readonly FeedEntry[], matches: (entry: FeedEntry) => boolean): Promise<void> {
    let chunk: Buffer[] = [];
    let size = 0;
    let last = this.lastWritten;
    for (const entry of entries) {
      if (this.closed) return;
      if (!matches(entry)) continue;
      chunk.push(entry.frame);
      size += entry.frame.length;
      last = entry.position;
      if (size >= CHUNK_BYTES) {
        await this.write(chunk, last);
        chunk = [];
        size = 0;
      }
    }
    if (chunk.length > 0) await this.write(chunk, last);
  }

  private async write(frames: Buffer[], last: bigint): Promise<void> {
    const turn = this.options.hub.writeTurn();
    if (turn) await turn;
    if (this.closed) return;
    // The ring's frames as they are, gathered by one writev: joining them first copied every byte once more and made
    // a 64 KiB buffer per write, whose churn (thousands of streams catching up) set off full collections.
    const { response } = this.options;
    let accepted = true;
    response.cork();
    for (const frame of frames) accepted = response.write(frame);
    response.uncork();
    this.lastWritten = last;
    this.wroteSinceBeat = true;
    if (!accepted) await this.drained();
  }

  /** Waits for 'drain'; cuts the consumer off when it takes too long or the ring overtakes it meanwhile. */
  private async drained(): Promise<void> {
    const { response, hub, slowConsumerMs } = this.options;
    if (this.closed || !response.writableNeedDrain) return;
    this.blocked = true;
    const outcome = await new Promise<'drained' | 'slow' | 'closed'>((resolve) => {
      const finish = (result: 'drained' | 'slow' | 'closed'): void => {
        clearTimeout(timer);
        response.off('drain', onDrain);
        this.onWakeWhileBlocked = undefined;
        resolve(result);
      };
      const onDrain = (): void => finish('drained');
      const timer = setTimeout(() => finish('slow'), slowConsumerMs);
      response.on('drain', onDrain);
      this.onWakeWhileBlocked = () => {
        if (this.closed) finish('closed');
        else if (this.wasLive && hub.overtook(this.cursor > this.lastWritten ? this.cursor : this.lastWritten)) finish('slow');
      };
    });
    this.blocked = false;
    if (outcome === 'slow') {
      // Streams that stalled together time out together: their cut-offs take turns like catch-up writes, so thousands
      // of them do not hold the event loop in one timer phase.
      const turn = hub.writeTurn();
      if (turn) await turn;
      this.cutOff('slow-consumer');
    }
  }

  private idle(ms: number, wakeable = true): Promise<void> {
    if (this.closed || (wakeable && this.signalled)) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakeUp = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakeUp = wakeable ? done : () => (this.closed ? done() : undefined);
    });
  }

  /**
   * The last frame: why, and where to resume (every matching event up to `resumeFrom` was written before it), then
   * the response ends. The socket stays open for keep-alive (the client may reconnect over it: closing it under a
   * client that already reuses it would fail that request), except on shutdown, when it is closed once flushed. A
   * consumer that never reads what is buffered loses its socket after a grace period.
   */
  private cutOff(reason: CutOffReason): void {
    if (this.closed) return;
    this.closed = true;
    const { response, hub } = this.options;
    hub.detach(this);
    hub.cutOff(reason);
    const socket = response.socket;
    response.end(`event: cut-off\ndata: ${JSON.stringify({ reason, resumeFrom: this.lastWritten.toString() })}\n\n`);
    if (reason === 'shutdown') response.once('finish', () => socket?.end());
    const grace = setTimeout(() => socket?.destroy(), reason === 'shutdown' ? SHUTDOWN_GRACE_MS : CUT_OFF_GRACE_MS);
    grace.unref();
    // On shutdown the socket itself must go, flushed or not; otherwise a flushed response is all that was owed.
    if (reason !== 'shutdown') response.once('finish', () => clearTimeout(grace));
    socket?.once('close', () => clearTimeout(grace));
    this.onWakeWhileBlocked?.();
    this.wakeUp?.();
    this.leaveLive?.(false);
  }

  private onClose(): void {
    this.closed = true;
    this.options.hub.detach(this);
    this.onWakeWhileBlocked?.();
    this.wakeUp?.();
    this.leaveLive?.(false);
    this.markGone();
  }
}
