import { TEST_POSTGRES_URL, sql, uniqueName } from '../../../../../tests/support/postgres';
import { LEDGER_PROJECTIONS } from '../../projection';
import { ReadModelTimeoutError } from '../../runner/position-waiters';
import { envelopesOf, seedArticleScenario } from '../../testing/seed-article.fixture';
import { PostgresCheckpointWatcher } from './postgres-checkpoint.watcher';
import { PostgresReadModelStore } from './postgres-read-model.store';

const CHECKPOINT = 'ledger-read-models';

describe('PostgresCheckpointWatcher: waiting for the checkpoint another process stores', () => {
  const schema = uniqueName('rm_watch');
  let writer: PostgresReadModelStore;
  let reader: PostgresReadModelStore;
  let watcher: PostgresCheckpointWatcher;
  const envelopes = envelopesOf(seedArticleScenario());

  beforeAll(async () => {
    // Two stores on one schema: the writer stands for another replica's runner, the reader for this process.
    writer = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: null });
    reader = await PostgresReadModelStore.open({ connectionString: TEST_POSTGRES_URL, schema, readerRole: null });
  });

  afterEach(async () => {
    await watcher?.stop();
  });

  afterAll(async () => {
    await writer?.close();
    await reader?.close();
    await sql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  });

  const watch = async (pollIntervalMs: number, reconnectMs = 100) => {
    watcher = new PostgresCheckpointWatcher({
      connectionString: TEST_POSTGRES_URL,
      schema,
      checkpointName: CHECKPOINT,
      readCheckpoint: async () => (await reader.readCheckpoint(CHECKPOINT))?.position,
      pollIntervalMs,
      reconnectMs,
    });
    await watcher.start();
    return watcher;
  };

  it('hears each batch the other writer commits, at once (no polling to wait for)', async () => {
    // Polling every minute: only the notification can resolve the wait within the test.
    await watch(60_000);
    expect(watcher.isListening()).toBe(true);
    const first = envelopes.slice(0, 5);
    const waiting = watcher.waitFor(first.at(-1)!.position, 5_000);
    await writer.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, first, first.at(-1)!.position);
    await expect(waiting).resolves.toBeUndefined();
    expect(watcher.position()).toBe(first.at(-1)!.position);
    // Already there: answered without waiting.
    await expect(watcher.waitFor(2n, 1)).resolves.toBeUndefined();
    await expect(watcher.waitFor(first.at(-1)!.position + 1n, 200)).rejects.toBeInstanceOf(ReadModelTimeoutError);
  });

  it('reads the stored checkpoint while its notifications are lost, and listens again', async () => {
    // Reconnecting only after 2 s: meanwhile only the polling can resolve the wait.
    await watch(100, 2_000);
    await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [`incident-ledger-checkpoints:${schema}`]);
    for (let i = 0; i < 50 && watcher.isListening(); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(watcher.isListening()).toBe(false);
    const stored = (await reader.readCheckpoint(CHECKPOINT))?.position ?? 0n;
    const next = envelopes.filter((e) => e.position > stored).slice(0, 3);
    const waiting = watcher.waitFor(next.at(-1)!.position, 5_000);
    await writer.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, next, next.at(-1)!.position);
    await expect(waiting).resolves.toBeUndefined();
    expect(watcher.isListening()).toBe(false);
    for (let i = 0; i < 100 && !watcher.isListening(); i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(watcher.isListening()).toBe(true);
  });

  it('follows a rebuild elsewhere back to the start: a wait holds until the replay passes its position again', async () => {
    await watch(60_000);
    const before = watcher.position()!;
    expect(before).toBeGreaterThan(0n);
    await writer.reset(CHECKPOINT, LEDGER_PROJECTIONS);
    for (let i = 0; i < 100 && watcher.position() !== 0n; i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(watcher.position()).toBe(0n);
    const waiting = watcher.waitFor(before, 5_000);
    let resolved = false;
    void waiting.then(() => (resolved = true));
    const replay = envelopes.filter((e) => e.position <= before);
    await writer.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, replay.slice(0, 2), replay[1].position);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(resolved).toBe(false);
    await writer.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, replay, before);
    await expect(waiting).resolves.toBeUndefined();
  });
});
