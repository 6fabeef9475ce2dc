import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { threadId } from 'node:worker_threads';

/**
 * Hand-off timestamps of the write path (HTTP thread, store writer thread, projection thread), for finding where a
 * command's latency goes under load. Off unless LEDGER_LATENCY_TRACE names a directory: then each thread appends its
 * records as NDJSON to a file of its own there, a few times a second. Times are milliseconds on one clock shared by
 * every thread of the process (timeOrigin + now), so records of different threads can be set side by side; they are
 * joined by log position (see tools/latency-trace-report.ts).
 */
const directory = process.env.LEDGER_LATENCY_TRACE;

export const latencyTraceOn = directory !== undefined && directory !== '';

export const traceNow = (): number => performance.timeOrigin + performance.now();

const FLUSH_EVERY_MS = 250;
let buffered: string[] = [];
let flushTimer: NodeJS.Timeout | undefined;

/** Writes what this thread has recorded so far (also done a few times a second and at exit). */
export const flushLatencyTrace = (): void => {
  if (buffered.length === 0) return;
  const lines = buffered;
  buffered = [];
  appendFileSync(join(directory!, `trace-${process.pid}-${threadId}.ndjson`), lines.join('\n') + '\n');
};

/** Records one hand-off (a no-op unless tracing is on); positions as numbers, which is exact below 2^53. */
export const trace = (kind: string, fields: Record<string, number | string | boolean>): void => {
  if (!latencyTraceOn) return;
  buffered.push(JSON.stringify({ k: kind, ...fields }));
  flushTimer ??= setInterval(flushLatencyTrace, FLUSH_EVERY_MS).unref();
};

if (latencyTraceOn) process.on('exit', flushLatencyTrace);
