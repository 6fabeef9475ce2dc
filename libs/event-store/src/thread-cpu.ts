import { readFileSync, readdirSync, writeFileSync } from 'node:fs';

/**
 * The names the ledger's own threads give themselves, so that `top -H`, `ps -L`, `pidstat -t` and the
 * `ledger_thread_cpu_seconds_total` metric tell which one is busy: every thread of a Node process is otherwise called
 * `node`. Linux keeps the first 15 bytes of a name. The main thread is not renamed: its name is the process's, which
 * `ps -C node` and the like look for.
 */
export const THREAD_NAMES = {
  storeWriter: 'ledger-writer',
  projection: 'ledger-project',
  eventLogCheckpoints: 'ledger-log-ckpt',
  readModelCheckpoints: 'ledger-rm-ckpt',
  /** Started by the first request for a dashboard statistic. */
  aggregates: 'ledger-stats',
  /** Started by the first auditor's look at an incident's past. */
  auditReads: 'ledger-audit',
  /** Started by the first GET /integrity/verify. */
  verify: 'ledger-verify',
} as const;

/** What threadCpu() calls the thread whose id is the process's. */
export const MAIN_THREAD = 'main';

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** Names the calling thread (Linux only: elsewhere, or if /proc refuses, it keeps the name it has). */
export const nameThisThread = (name: string): void => {
  try {
    writeFileSync('/proc/thread-self/comm', name);
  } catch {
    // Not Linux, or /proc not mounted: the name is for people and metrics, nothing depends on it.
  }
};

export interface ThreadCpu {
  tid: number;
  /** The thread's name, or MAIN_THREAD for the main thread. */
  name: string;
  /** User + system CPU seconds since the thread started. */
  seconds: number;
}

/**
 * CPU seconds of every thread of a process (this one by default), from /proc; empty where there is no /proc. Threads
 * that end while they are read are left out.
 */
export const threadCpu = (pid: number = process.pid): ThreadCpu[] => {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
  const threads: ThreadCpu[] = [];
  for (const entry of tids) {
    const tid = Number(entry);
    try {
      const { name, seconds } = parseTaskStat(readFileSync(`/proc/${pid}/task/${entry}/stat`, 'utf8'));
      threads.push({ tid, name: tid === pid ? MAIN_THREAD : name, seconds });
    } catch {
      // ended between the listing and the read
    }
  }
  return threads;
};

/** The name and user + system CPU seconds in a line of /proc/<pid>/task/<tid>/stat. */
export const parseTaskStat = (stat: string): { name: string; seconds: number } => {
  // The name sits in parentheses and may itself hold spaces and parentheses: the fields start after the last `) `.
  const end = stat.lastIndexOf(') ');
  const fields = stat.slice(end + 2).split(' ');
  return { name: stat.slice(stat.indexOf('(') + 1, end), seconds: (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND };
};

/** threadCpu() summed by name: the V8 and libuv helpers all share Node's name, `node`. */
export const threadCpuByName = (pid?: number): Map<string, number> => {
  const byName = new Map<string, number>();
  for (const { name, seconds } of threadCpu(pid)) byName.set(name, (byName.get(name) ?? 0) + seconds);
  return byName;
};
