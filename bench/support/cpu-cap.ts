/**
 * Holds a process (every thread of it, and those it starts later) to a share of one core, with a cgroup of its own:
 * cgroup v2's `cpu.max`, or v1's CFS quota. For replica-reads, which runs both replicas, PostgreSQL and the load
 * generator on one machine: capped, each replica has a budget of its own, as on machines where replicas do not share
 * their cores with the database. Needs write access to the cgroup file system (root); without it, says why.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const V2_ROOT = '/sys/fs/cgroup';
const V1_CPU = '/sys/fs/cgroup/cpu';
const PERIOD_US = 100_000;

export interface CpuCap {
  /** Where the cap lives. */
  readonly cgroup: string;
  /** Moves the process back where it was and removes the group (the process may have exited). */
  release(): void;
}

const isV2 = (): boolean => existsSync(join(V2_ROOT, 'cgroup.controllers'));

const write = (file: string, text: string): void => writeFileSync(file, text);

/** A cap, or the reason none can be set here. */
export const capCpu = (pid: number, cores: number, name: string): CpuCap | string => {
  if (!(cores > 0)) return `a cap must be a positive share of a core, not ${cores}`;
  const quota = Math.max(1000, Math.round(cores * PERIOD_US));
  try {
    if (isV2()) {
      if (!readFileSync(join(V2_ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/).includes('cpu')) return 'cgroup v2 without its cpu controller';
      const parent = V2_ROOT;
      if (!readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').split(/\s+/).includes('cpu')) write(join(parent, 'cgroup.subtree_control'), '+cpu');
      const dir = join(parent, name);
      mkdirSync(dir, { recursive: true });
      write(join(dir, 'cpu.max'), `${quota} ${PERIOD_US}`);
      write(join(dir, 'cgroup.procs'), String(pid));
      return handle(pid, dir, parent);
    }
    if (!existsSync(join(V1_CPU, 'cpu.cfs_quota_us'))) return 'no cgroup cpu controller is mounted';
    const dir = join(V1_CPU, name);
    mkdirSync(dir, { recursive: true });
    write(join(dir, 'cpu.cfs_period_us'), String(PERIOD_US));
    write(join(dir, 'cpu.cfs_quota_us'), String(quota));
    write(join(dir, 'cgroup.procs'), String(pid));
    return handle(pid, dir, V1_CPU);
  } catch (error) {
    return `the cgroup file system is not writable here (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
  }
};

const handle = (pid: number, dir: string, parent: string): CpuCap => ({
  cgroup: dir,
  release: () => {
    try {
      write(join(parent, 'cgroup.procs'), String(pid));
    } catch {
      // Exited: the group is empty already.
    }
    try {
      rmdirSync(dir);
    } catch {
      // A thread still leaving: the empty group stays behind; each run names its own.
    }
  },
});
