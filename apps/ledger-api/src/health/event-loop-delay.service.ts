import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';

/** Sampling interval of the delay histogram: fine enough for the 10 ms scale that hurts request latency. */
const RESOLUTION_MS = 10;

export interface EventLoopDelayReading {
  /** Since the previous reading (or the start), in milliseconds. */
  sinceMs: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
}

/** The histogram records the whole interval between samples: the delay is what exceeds the resolution. */
const delayMs = (nanoseconds: number): number => Math.max(0, Math.round(nanoseconds / 1e4 - RESOLUTION_MS * 100) / 100);

/** How late the HTTP thread's event loop ran timers, from start on; each reading covers the window since the last. */
@Injectable()
export class EventLoopDelay implements OnModuleDestroy {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private windowStart = Date.now();

  constructor() {
    this.histogram.enable();
  }

  read(): EventLoopDelayReading {
    const h = this.histogram;
    // An empty window (read twice within one sample) has NaN/huge sentinels: report zeros instead.
    const empty = h.count === 0;
    const reading = {
      sinceMs: Date.now() - this.windowStart,
      p50Ms: empty ? 0 : delayMs(h.percentile(50)),
      p99Ms: empty ? 0 : delayMs(h.percentile(99)),
      maxMs: empty ? 0 : delayMs(h.max),
      meanMs: empty ? 0 : delayMs(h.mean),
    };
    h.reset();
    this.windowStart = Date.now();
    return reading;
  }

  onModuleDestroy(): void {
    this.histogram.disable();
  }
}
