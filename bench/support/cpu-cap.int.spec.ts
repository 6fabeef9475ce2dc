import { ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { capCpu } from './cpu-cap';
import { cpuSecondsOf, sleep } from './measure';

const spinner = (): ChildProcess => spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });

/** How much of a core a busy process gets over `ms`. */
const shareOver = async (pid: number, ms: number): Promise<number> => {
  const before = cpuSecondsOf(pid);
  const started = Date.now();
  await sleep(ms);
  return (cpuSecondsOf(pid) - before) / ((Date.now() - started) / 1000);
};

describe('capCpu (replica-reads holds each replica to a share of a core)', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    child?.kill('SIGKILL');
    child = undefined;
  });

  it('holds a process that would use a whole core to the share asked, and lets it go again', async () => {
    child = spinner();
    const pid = child.pid!;
    const cap = capCpu(pid, 0.1, `ledger-cpu-cap-test-${process.pid}`);
    if (typeof cap === 'string') {
      // The benchmark notes the same reason and runs without the capped figure.
      console.log(`capCpu not tested: ${cap}`);
      return;
    }
    try {
      await sleep(200);
      const capped = await shareOver(pid, 1500);
      expect(capped).toBeLessThan(0.17);
      expect(capped).toBeGreaterThan(0.03);
    } finally {
      cap.release();
    }
    expect(existsSync(cap.cgroup)).toBe(false);
    await sleep(200);
    // Released, it runs free again: on two cores shared with other test workers, still three times the cap.
    expect(await shareOver(pid, 1000)).toBeGreaterThan(0.3);
  }, 20_000);

  it('refuses a share that is not positive, without touching the cgroup file system', () => {
    expect(capCpu(process.pid, 0, 'never-made')).toMatch(/positive share/);
    expect(capCpu(process.pid, Number.NaN, 'never-made')).toMatch(/positive share/);
  });
});
