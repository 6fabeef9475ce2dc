import { threadCpu } from '@ledger/event-store';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; from a cached read (well under a millisecond) to a write that waited on a busy disk. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
export const RUNNER_STATES = ['stopped', 'starting', 'rebuilding', 'live', 'failed'] as const;

/**
 * The ledger's Prometheus metrics, in a registry of its own per app (tests start several apps in one process; the
 * global registry would refuse the second). Gauges that read state (projection lag, rebuild state, open streams) are
 * filled at scrape time through `onScrape`, so nothing is polled between scrapes.
 */
export class LedgerMetrics {
  readonly registry = new Registry();

  readonly httpRequests = this.counter('ledger_http_requests_total', 'HTTP requests answered, by method, route pattern and status.', ['method', 'route', 'status'] as const);

  readonly httpDuration = this.histogram('ledger_http_request_duration_seconds', 'Time from the request arriving to its answer being handed to the socket, by method, route pattern and status.', ['method', 'route', 'status'] as const);

  readonly appends = this.counter('ledger_appends_total', 'Appends to the event store (one per append or appendMany call), by outcome.', ['outcome'] as const);

  readonly eventsAppended = this.counter('ledger_events_appended_total', 'Events written by successful appends.');

  readonly commitDuration = this.histogram('ledger_append_commit_duration_seconds', 'Time an append took until the store acknowledged it (on SQLite: the group commit and its fsync).');

  readonly projectionLag = this.gauge('ledger_projection_lag_positions', "Global-log positions between the store's head and the read models' checkpoint.");

  readonly projectionCheckpoint = this.gauge('ledger_projection_checkpoint_position', "The read models' checkpoint (global-log position).");

  readonly projectionState = this.gauge('ledger_projection_state', 'The read-model runner state: 1 for the current one (rebuilding while a rebuild runs).', ['state'] as const);

  readonly sseSubscribers = this.gauge('ledger_feed_stream_subscribers', 'Open /feed/stream connections.');

  readonly sseCutOffs = this.counter('ledger_feed_stream_cut_offs_total', 'Event streams ended with a cut-off frame, by reason.', ['reason'] as const);

  readonly sseRefused = this.counter('ledger_feed_stream_refused_total', 'Event streams refused by a connection cap, by cap (per-token: 429, total: 503).', ['cap'] as const);

  readonly rateLimited = this.counter('ledger_rate_limit_rejections_total', 'Requests refused with 429 by the per-token rate limit.');

  readonly threadCpuSeconds = this.counter(
    'ledger_thread_cpu_seconds_total',
    "User and system CPU seconds of the process's threads, by name (Linux only): main (HTTP, commands, the notary, feeds), ledger-writer (the event log's commits), ledger-project (the read models), ledger-log-ckpt and ledger-rm-ckpt (WAL checkpoints), ledger-stats (the dashboards' statistics), ledger-audit (auditors' looks at an incident's past), node (V8's garbage collector and libuv's pool).",
    ['thread'] as const,
  );

  private readonly scrapeHooks: Array<() => Promise<void> | void> = [];
  /** CPU seconds already counted, by thread id: a thread's seconds only grow, so each scrape adds what is new. */
  private readonly countedThreadCpu = new Map<number, number>();

  constructor() {
    // Heap, RSS, event-loop lag and the like, under the usual process_/nodejs_ names.
    collectDefaultMetrics({ register: this.registry });
    this.onScrape(() => this.countThreadCpu());
  }

  private countThreadCpu(): void {
    const seen = new Set<number>();
    for (const { tid, name, seconds } of threadCpu()) {
      seen.add(tid);
      const counted = this.countedThreadCpu.get(tid) ?? 0;
      // Fewer seconds than counted: the id was reused by a new thread since the last scrape.
      const added = seconds >= counted ? seconds - counted : seconds;
      if (added > 0) this.threadCpuSeconds.inc({ thread: name }, added);
      this.countedThreadCpu.set(tid, seconds);
    }
    for (const tid of this.countedThreadCpu.keys()) if (!seen.has(tid)) this.countedThreadCpu.delete(tid);
  }

  private counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  private gauge<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    return new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []): Histogram<L> {
    return new Histogram({ name, help, labelNames, buckets: LATENCY_BUCKETS, registers: [this.registry] });
  }

  /** Runs before each scrape: for gauges that read state rather than count events. */
  onScrape(hook: () => Promise<void> | void): void {
    this.scrapeHooks.push(hook);
  }

  async render(): Promise<{ contentType: string; body: string }> {
    for (const hook of this.scrapeHooks) await hook();
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
