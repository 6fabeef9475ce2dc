import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventStore } from '@ledger/event-store';
import type { RunnerStatus, SupervisionStatus } from '@ledger/read-models';
import type { ProjectionHost } from '../application/projection.host';
import type { LedgerConfig } from '../platform/config/ledger-config';
import { ReadinessService } from './readiness.service';

const MAX_LAG_MS = 10_000;

describe('ReadinessService', () => {
  let dir: string;
  let head: bigint;
  let storeDown: Error | undefined;
  let status: RunnerStatus;
  let supervision: SupervisionStatus;
  let now: number;

  const service = (dataDir = dir) =>
    new ReadinessService(
      { headPosition: async () => {
          if (storeDown) throw storeDown;
          return head;
        } } as unknown as EventStore,
      { runner: { status: () => status }, supervision: () => supervision } as unknown as ProjectionHost,
      { readyMaxLagMs: MAX_LAG_MS, dataDir } as LedgerConfig,
    );

  /** Moves the clock, then samples as the background timer would. */
  const after = async (ms: number, readiness: ReadinessService) => {
    now += ms;
    jest.setSystemTime(now);
    await readiness.sample();
  };

  const codes = (readiness: ReadinessService) => readiness.readiness().reasons.map((r) => r.code);

  beforeEach(() => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
    now = Date.parse('2026-12-04T12:00:00Z');
    jest.setSystemTime(now);
    dir = mkdtempSync(join(tmpdir(), 'readiness-'));
    head = 10n;
    storeDown = undefined;
    status = { name: 'ledger-read-models', state: 'live', checkpoint: 10n, caughtUp: true, lastError: null, projectionVersions: {} };
    supervision = { failures: 0, nextRetryAt: null, lastFailure: null, lastHealing: null, fileCheck: null };
  });

  afterEach(() => {
    jest.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it('is ready when the read models are live at the head and the data directory takes writes', async () => {
    const readiness = service();
    await readiness.sample();
    expect(readiness.readiness()).toMatchObject({ ready: true, reasons: [], writeProbe: { ok: true }, eventStore: { reachable: true, headPosition: '10' } });
  });

  it('is not ready while the read models start, rebuild or are failed (with the next attempt)', async () => {
    const readiness = service();
    await readiness.sample();
    status = { ...status, state: 'rebuilding', caughtUp: false };
    expect(codes(readiness)).toEqual(['read-models-rebuilding']);
    status = { ...status, state: 'starting' };
    expect(codes(readiness)).toEqual(['read-models-starting']);
    status = { ...status, state: 'failed', lastError: { name: 'Error', message: 'disk I/O error', at: '' } };
    supervision = { ...supervision, failures: 2, nextRetryAt: '2026-12-04T12:00:04.000Z' };
    expect(readiness.readiness().reasons).toEqual([
      { code: 'read-models-failed', detail: 'the read models failed: disk I/O error; attempt 3 at 2026-12-04T12:00:04.000Z' },
    ]);
  });

  it('is not ready when a write waits longer than the limit though the read models move (behind), and ready again once they catch up', async () => {
    const readiness = service();
    await readiness.sample();
    for (let i = 0; i < 15; i++) {
      head += 100n;
      status = { ...status, checkpoint: status.checkpoint + 10n, caughtUp: false };
      await after(1_000, readiness);
    }
    expect(codes(readiness)).toEqual(['read-models-behind']);
    expect(readiness.readiness().readModels.lagMs).toBeGreaterThan(MAX_LAG_MS);
    status = { ...status, checkpoint: head, caughtUp: true };
    await after(1_000, readiness);
    expect(readiness.readiness()).toMatchObject({ ready: true, readModels: { lagMs: 0 } });
  });

  it('is not ready when the read models do not move while behind (stuck), but an idle spell before a write is not "stuck"', async () => {
    const readiness = service();
    await readiness.sample();
    await after(60_000, readiness);
    head = 11n;
    await after(1_000, readiness);
    expect(codes(readiness)).toEqual([]);
    await after(MAX_LAG_MS + 1_000, readiness);
    expect(codes(readiness)).toEqual(['read-models-stuck']);
  });

  it('is not ready when the data directory refuses writes or the store cannot be reached', async () => {
    const refusing = service(join(dir, 'gone', 'deeper'));
    await refusing.sample();
    expect(codes(refusing)).toEqual(['store-refuses-writes']);

    const readiness = service();
    storeDown = new Error('connection refused');
    await readiness.sample();
    expect(readiness.readiness().reasons).toEqual([{ code: 'event-store-unavailable', detail: 'connection refused' }]);
  });
});
