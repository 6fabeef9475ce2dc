// Timing and process statistics shared by the benchmarks.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseTaskStat } from '@ledger/event-store';

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** Nearest-rank percentile of an ascending list. */
export const percentile = (sorted: ArrayLike<number>, p: number): number => {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
};

export const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

export const timed = async (run: () => Promise<void>): Promise<Timing> => {
  const cpu = process.cpuUsage();
  const start = nowMs();
  await run();
  const wallMs = nowMs() - start;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
};

/** Fastest wall clock and least CPU over the repeats (each taken on its own: other processes only ever add time). */
export const best = (timings: Timing[]): Timing => ({
  wallMs: Math.min(...timings.map((t) => t.wallMs)),
  cpuMs: Math.min(...timings.map((t) => t.cpuMs)),
});

const statusField = (pid: number, field: string): number => {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${field}:`));
  if (!line) throw new Error(`/proc/${pid}/status has no ${field}`);
  return Number(line.split(/\s+/)[1]) * 1024;
};

/** Resident set size of a process now, in bytes. */
export const rssOf = (pid: number): number => statusField(pid, 'VmRSS');

/** Peak resident set size of a process so far, in bytes. */
export const peakRssOf = (pid: number): number => statusField(pid, 'VmHWM');

/**
 * For a process that exits when done (ledger-cli), which VmHWM cannot be read from afterwards: NODE_OPTIONS preloading
 * report-peak-rss.js, which writes `bench-peak-rss <bytes>` to stderr as it exits; `reportedPeakRss` reads it back.
 */
export const PEAK_RSS_NODE_OPTIONS = `--require ${join(__dirname, 'report-peak-rss.js')}`;

/** The peak RSS a process preloaded with PEAK_RSS_NODE_OPTIONS wrote (the largest, should a worker thread have written too). */
export const reportedPeakRss = (stderr: string): number | undefined => {
  const reported = [...stderr.matchAll(/^bench-peak-rss (\d+)$/gm)].map((m) => Number(m[1]));
  return reported.length ? Math.max(...reported) : undefined;
};

const cpuSecondsIn = (statFile: string): number => parseTaskStat(readFileSync(statFile, 'utf8')).seconds;

/** User + system CPU seconds of a process so far. */
export const cpuSecondsOf = (pid: number): number => cpuSecondsIn(`/proc/${pid}/stat`);

/** User + system CPU seconds of a process's main thread so far (the one whose event loop answers HTTP). */
export const mainThreadCpuSecondsOf = (pid: number): number => cpuSecondsIn(`/proc/${pid}/task/${pid}/stat`);

/** User + system CPU seconds of every PostgreSQL server process (a local server shares the machine with what it serves). */
export const postgresCpuSeconds = (): number => {
  let sum = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      sum += cpuSecondsIn(`/proc/${entry}/stat`);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return sum;
};

/** CPU seconds the whole machine spent busy (every state but idle and iowait) and in all, over every core. */
export const machineCpuSeconds = (): { busy: number; total: number } => {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = fields.reduce((a, b) => a + b, 0) / 100;
  return { busy: total - (fields[3] + fields[4]) / 100, total };
};

export const MiB = 2 ** 20;
