import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { EventStore, SqliteEventStore } from '@ledger/event-store';
import { LedgerTestApp, startLedger } from '../support/ledger-test-app';

/**
 * Issue 11: a failed rebuild must be visible and retried, never a silent "pending"; /health/ready says why the ledger
 * should not take traffic, as problem+json, while /health/live stays up.
 */
describe('readiness while the read models fail and recover', () => {
  let ledger: LedgerTestApp;
  let broken = true;

  /** The log, unreadable while `broken`: a rebuild fails until it is mended. */
  const flakyStore = (dataDir: string): EventStore => {
    const store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
    return new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readAll') {
          return async (...args: Parameters<EventStore['readAll']>) => {
            if (broken) throw new Error('the log is unreadable for now');
            return target.readAll(...args);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };

  const get = (url: string, token?: string) =>
    ledger.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ledger-readiness-'));
    ledger = await startLedger({ dataDir, eventStore: () => flakyStore(dataDir) });
  });

  afterAll(() => ledger.close());

  it('is live but not ready while the rebuild fails, shows the failure and its next attempt, and is ready once a retry succeeds', async () => {
    const live = await get('/health/live');
    expect(live.statusCode).toBe(200);

    const notReady = await get('/health/ready');
    expect(notReady.statusCode).toBe(503);
    expect(notReady.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(notReady.headers['retry-after']).toBeDefined();
    expect(notReady.json()).toMatchObject({
      status: 503,
      code: 'not-ready',
      reasons: [{ code: 'read-models-failed', detail: expect.stringContaining('the log is unreadable for now') }],
    });
    expect((await get('/health')).statusCode).toBe(503);

    const failed = (await get('/admin/read-models', ledger.tokens.admin)).json();
    expect(failed).toMatchObject({ state: 'failed', lastError: { message: 'the log is unreadable for now' } });
    expect(failed.supervision.failures).toBeGreaterThanOrEqual(1);
    expect(Date.parse(failed.supervision.nextRetryAt)).not.toBeNaN();

    broken = false;
    const deadline = Date.now() + 15_000;
    while ((await get('/health/ready')).statusCode !== 200) {
      if (Date.now() > deadline) throw new Error(`not ready after the log was mended: ${(await get('/health/ready')).body}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await get('/health')).statusCode).toBe(200);
    const recovered = (await get('/admin/read-models', ledger.tokens.admin)).json();
    expect(recovered).toMatchObject({ state: 'live', lastError: null });
  }, 30_000);
});
