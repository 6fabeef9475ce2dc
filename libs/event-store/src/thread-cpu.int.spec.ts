import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { MAIN_THREAD, parseTaskStat, threadCpu, threadCpuByName } from './thread-cpu';

const REPO = join(__dirname, '..', '..', '..');

/**
 * A thread that names itself through nameThisThread (the module itself, through the repository's TypeScript loader),
 * then burns CPU whenever told to and answers when done. Stays alive until terminated, so that it can be read.
 */
const SPINNER = `
const { parentPort, workerData } = require('node:worker_threads');
require(workerData.register);
require(workerData.module).nameThisThread(workerData.name);
parentPort.on('message', (ms) => {
  const until = Date.now() + ms;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  parentPort.postMessage(x > 0);
});
parentPort.postMessage('named');
`;

const spinners: Worker[] = [];

const startSpinner = async (name: string): Promise<{ spin: (ms: number) => Promise<void> }> => {
  const worker = new Worker(SPINNER, {
    eval: true,
    workerData: { register: join(REPO, 'scripts', 'swc-register.js'), module: join(__dirname, 'thread-cpu.ts'), name },
  });
  spinners.push(worker);
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
  });
  return {
    spin: (ms) =>
      new Promise<void>((resolve) => {
        worker.once('message', () => resolve());
        worker.postMessage(ms);
      }),
  };
};

afterAll(async () => {
  await Promise.all(spinners.map((worker) => worker.terminate()));
});

const onLinux = process.platform === 'linux';
if (!onLinux) console.log('thread-cpu: skipped, /proc and thread names are Linux only');
const linux = onLinux ? describe : describe.skip;

describe('parseTaskStat', () => {
  it('reads utime and stime (fields 14 and 15) after a name that holds ") " itself', () => {
    // pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime ...
    const line = '4242 (odd) (name) R 1 2 3 4 5 6 7 8 9 10 1234 56 77 88 20 0 1 0';
    expect(parseTaskStat(line)).toEqual({ name: 'odd) (name', seconds: 12.9 });
    expect(parseTaskStat('7 (node) S 1 2 3 4 5 6 7 8 9 10 300 20 0 0 20 0 1 0')).toEqual({ name: 'node', seconds: 3.2 });
  });
});

linux('thread names and their CPU, from /proc', () => {
  it("a thread's own name and its CPU seconds, growing as it works; the main thread as main", async () => {
    const spinner = await startSpinner('ledger-spin');
    await spinner.spin(300);
    const first = threadCpuByName().get('ledger-spin');
    expect(first).toBeGreaterThanOrEqual(0.15);
    await spinner.spin(300);
    expect(threadCpuByName().get('ledger-spin')).toBeGreaterThanOrEqual(first! + 0.15);

    const threads = threadCpu();
    expect(threads.filter((t) => t.name === MAIN_THREAD)).toEqual([expect.objectContaining({ tid: process.pid })]);
    // The process's CPU is its threads' (those still running): the named one's seconds are part of it.
    expect(threads.reduce((sum, t) => sum + t.seconds, 0)).toBeGreaterThanOrEqual(first! + 0.15);
  });

  it('a name is cut to the 15 bytes Linux keeps; a name holding ") " is read whole', async () => {
    await startSpinner('ledger-a-very-long-thread-name');
    const odd = await startSpinner('odd) (name');
    await odd.spin(300);
    const byName = threadCpuByName();
    expect([...byName.keys()]).toContain('ledger-a-very-l');
    // Its CPU read from the fields after the name, not from inside it.
    expect(byName.get('odd) (name')).toBeGreaterThanOrEqual(0.15);
    expect(byName.get('odd) (name')).toBeLessThan(60);
  });

  it("another process's threads, by its pid; none for a process that is not there", () => {
    expect(threadCpu(process.ppid).length).toBeGreaterThan(0);
    expect(threadCpu(2 ** 22 + 12_345)).toEqual([]);
  });
});
