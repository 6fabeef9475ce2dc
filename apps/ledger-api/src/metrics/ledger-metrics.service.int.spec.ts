import { Worker } from 'node:worker_threads';
import { threadCpu } from '@ledger/event-store';
import { LedgerMetrics } from './ledger-metrics.service';

const cpuOf = (text: string, thread: string): number | undefined => {
  const line = text.split('\n').find((l) => l.startsWith(`ledger_thread_cpu_seconds_total{thread="${thread}"} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
};

const spinMain = (ms: number): void => {
  const until = Date.now() + ms;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  expect(x).toBeGreaterThan(0);
};

/** A thread named `name` that spins for `ms`, says so, and waits to be told to end. */
const SPIN_THEN_WAIT = `
const { parentPort, workerData } = require('node:worker_threads');
require('node:fs').writeFileSync('/proc/thread-self/comm', workerData.name);
const until = Date.now() + workerData.ms;
let x = 0;
while (Date.now() < until) x += Math.sqrt(x + 1);
parentPort.postMessage(x > 0);
parentPort.once('message', () => process.exit(0));
`;

const onLinux = process.platform === 'linux';
if (!onLinux) console.log('ledger_thread_cpu_seconds_total: skipped, Linux only');

(onLinux ? describe : describe.skip)('ledger_thread_cpu_seconds_total', () => {
  it("counts each thread's CPU by name, the main thread as main, and never goes back when a thread ends", async () => {
    const metrics = new LedgerMetrics();
    const first = cpuOf((await metrics.render()).body, 'main')!;
    expect(first).toBeGreaterThan(0);
    spinMain(300);
    const second = cpuOf((await metrics.render()).body, 'main')!;
    expect(second).toBeGreaterThanOrEqual(first + 0.15);
    const now = threadCpu().find((t) => t.name === 'main')!.seconds;
    expect(Math.abs(now - second)).toBeLessThan(0.1);

    const worker = new Worker(SPIN_THEN_WAIT, { eval: true, workerData: { name: 'ledger-metric-t', ms: 300 } });
    await new Promise((resolve) => worker.once('message', resolve));
    const working = cpuOf((await metrics.render()).body, 'ledger-metric-t')!;
    expect(working).toBeGreaterThanOrEqual(0.15);
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    worker.postMessage('end');
    await exited;
    expect(cpuOf((await metrics.render()).body, 'ledger-metric-t')).toBe(working);
  });
});
