// SSE subscribers of GET /feed/stream spread over worker threads (sse-subscribers.worker.ts), for feed-fanout.
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';

const REGISTER = join(__dirname, '../../scripts/swc-register.js');
const WORKER = join(__dirname, 'sse-subscribers.worker.ts');

export type PoolRequest = { type: 'reset' } | { type: 'progress' } | { type: 'tally'; expected: number[] } | { type: 'close' };

export interface SubscriberTally {
  deliveries: number;
  missing: number;
  duplicated: number;
  outOfOrder: number;
  cutOffs: number;
  /** Every delivery's latency: receipt (the subscriber's clock) minus the event's recorded time (the server's, same host). */
  latencies: Float64Array;
  /** Per event [position, ms]: when the last of the subscribers received it, after its recorded time. */
  lastReceipts: Array<[number, number]>;
  /** Event-loop utilisation of the busiest subscriber thread since the reset (0–1). */
  busiestThread: number;
}

export type PoolReply =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'reset' }
  | { type: 'progress'; fewest: number }
  | { type: 'tally'; tally: SubscriberTally }
  | { type: 'closed' };

/** Resolves with the worker's next reply of that type; rejects if it fails or exits first. */
const next = <T extends PoolReply['type']>(worker: Worker, type: T): Promise<Extract<PoolReply, { type: T }>> =>
  new Promise((resolve, reject) => {
    const onMessage = (message: PoolReply) => {
      if (message.type === 'failed') return done(() => reject(new Error(message.message)));
      if (message.type === type) done(() => resolve(message as Extract<PoolReply, { type: T }>));
    };
    const onExit = (code: number) => done(() => reject(new Error(`subscriber worker exited (${code})`)));
    const onError = (error: Error) => done(() => reject(error));
    const done = (settle: () => void) => {
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      worker.off('error', onError);
      settle();
    };
    worker.on('message', onMessage);
    worker.once('exit', onExit);
    worker.once('error', onError);
  });

/** `count` live subscribers over `threads` worker threads; resolves once every one has received its first bytes. */
export class SubscriberPool {
  private constructor(private readonly workers: Worker[]) {}

  /** `from`: a log position to start after (the feed's `from`), so that connecting does not replay the log before it. */
  static async open(options: { baseUrl: string; token: string; count: number; threads: number; from?: string }): Promise<SubscriberPool> {
    const threads = Math.max(1, Math.min(options.threads, options.count));
    const workers = Array.from({ length: threads }, (_, i) => {
      const count = Math.floor(options.count / threads) + (i < options.count % threads ? 1 : 0);
      return new Worker(`require(${JSON.stringify(REGISTER)}); require(${JSON.stringify(WORKER)});`, {
        eval: true,
        workerData: { baseUrl: options.baseUrl, token: options.token, count, from: options.from },
      });
    });
    const pool = new SubscriberPool(workers);
    try {
      await Promise.all(workers.map((w) => next(w, 'ready')));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Forgets what was received so far: the next phase counts from here. */
  async reset(): Promise<void> {
    await this.ask({ type: 'reset' }, 'reset');
  }

  /** Events received by the subscriber that received the fewest. */
  async fewestReceived(): Promise<number> {
    return Math.min(...(await this.ask({ type: 'progress' }, 'progress')).map((r) => r.fewest));
  }

  /** Checks every subscriber's deliveries against the positions written, and gathers their latencies. */
  async tally(expected: number[]): Promise<SubscriberTally> {
    const tallies = (await this.ask({ type: 'tally', expected }, 'tally')).map((r) => r.tally);
    const lastReceipt = new Map<number, number>();
    for (const t of tallies) for (const [position, ms] of t.lastReceipts) lastReceipt.set(position, Math.max(ms, lastReceipt.get(position) ?? -Infinity));
    const latencies = new Float64Array(tallies.reduce((n, t) => n + t.latencies.length, 0));
    let at = 0;
    for (const t of tallies) {
      latencies.set(t.latencies, at);
      at += t.latencies.length;
    }
    const sum = (key: 'deliveries' | 'missing' | 'duplicated' | 'outOfOrder' | 'cutOffs') => tallies.reduce((n, t) => n + t[key], 0);
    return {
      deliveries: sum('deliveries'),
      missing: sum('missing'),
      duplicated: sum('duplicated'),
      outOfOrder: sum('outOfOrder'),
      cutOffs: sum('cutOffs'),
      latencies: latencies.sort(),
      lastReceipts: [...lastReceipt],
      busiestThread: Math.max(...tallies.map((t) => t.busiestThread)),
    };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (w) => {
        await Promise.race([this.askOne(w, { type: 'close' }, 'closed').catch(() => undefined), new Promise((resolve) => setTimeout(resolve, 5_000))]);
        await w.terminate();
      }),
    );
  }

  private ask<T extends PoolReply['type']>(request: PoolRequest, type: T): Promise<Array<Extract<PoolReply, { type: T }>>> {
    return Promise.all(this.workers.map((w) => this.askOne(w, request, type)));
  }

  private askOne<T extends PoolReply['type']>(worker: Worker, request: PoolRequest, type: T): Promise<Extract<PoolReply, { type: T }>> {
    const reply = next(worker, type);
    worker.postMessage(request);
    return reply;
  }
}
