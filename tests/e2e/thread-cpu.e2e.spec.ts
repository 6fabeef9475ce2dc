import { readFileSync, readdirSync } from 'node:fs';
import { THREAD_NAMES } from '@ledger/event-store';
import { claimBody, seedIncident } from '../support/ledger-bodies';
import { spawnLedger } from '../support/spawned-ledger';
import { spawnedSuite } from '../support/spawned-suite';

/**
 * The built API names its threads, so that `top -H` and `/metrics` say which one is busy: the event log's writer, the
 * projection thread, the two WAL checkpointers, the statistics' thread, the audit reads' thread and the verify thread, beside the main thread (which keeps the process's own name).
 */

const newDir = spawnedSuite('ledger-threads-');

const onLinux = process.platform === 'linux';
if (!onLinux) console.log('thread-cpu e2e: skipped, thread names are Linux only');

(onLinux ? describe : describe.skip)('the API names its threads and counts their CPU', () => {
  it('each named thread runs in the process, the main thread keeps the name node, and /metrics counts the busy ones', async () => {
    const ledger = await spawnLedger({ dataDir: newDir() });
    const incidentId = await seedIncident(ledger);
    for (let i = 0; i < 20; i++) {
      const created = await ledger.request('POST', `/incidents/${incidentId}/claims`, { role: 'recorder', body: claimBody(i) });
      expect(created.status).toBe(201);
    }
    await ledger.waitUntilCaughtUp();
    // The statistics' thread starts with the first statistic asked for.
    expect((await ledger.request('GET', '/stats/activity?by=party', { role: 'reader' })).status).toBe(200);
    // The audit reads' thread with the first look at an incident's past.
    expect((await ledger.request('GET', `/audit/incidents/${incidentId}/changes?from=2000-01-01`, { role: 'auditor' })).status).toBe(200);
    // The verify thread with the first walk of the log.
    const verified = await ledger.request('GET', '/integrity/verify', { role: 'auditor' });
    expect(verified.status).toBe(200);
    expect(verified.body.ok).toBe(true);

    const names = readdirSync(`/proc/${ledger.pid}/task`).map((tid) => readFileSync(`/proc/${ledger.pid}/task/${tid}/comm`, 'utf8').trim());
    for (const name of Object.values(THREAD_NAMES)) expect(names.filter((n) => n === name)).toHaveLength(1);
    expect(readFileSync(`/proc/${ledger.pid}/comm`, 'utf8').trim()).toBe('node');

    const metrics = await ledger.request('GET', '/metrics', { role: 'admin' });
    expect(metrics.status).toBe(200);
    const cpu = new Map(
      [...String(metrics.body).matchAll(/^ledger_thread_cpu_seconds_total\{thread="([^"]+)"\} (\S+)$/gm)].map((m) => [m[1], Number(m[2])] as const),
    );
    // Twenty claims and their projection take well over a tick (10 ms) of CPU on each of these.
    for (const thread of ['main', THREAD_NAMES.storeWriter, THREAD_NAMES.projection]) expect(cpu.get(thread)).toBeGreaterThan(0);
    for (const seconds of cpu.values()) expect(seconds).toBeGreaterThanOrEqual(0);
  });
});
