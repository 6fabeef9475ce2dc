import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { CHECKPOINT_SIGNED_TYPE, CHECKPOINT_STREAM, SignedCheckpoint, generateNotaryKey, signCheckpoint } from '@ledger/integrity';
import { CheckpointIndex } from './checkpoint-index';

const key = generateNotaryKey();
const checkpointOf = (treeSize: number): SignedCheckpoint =>
  signCheckpoint(
    {
      origin: 'incident-ledger',
      treeSize,
      rootHash: 'ab'.repeat(32),
      lastPosition: String(treeSize * 2),
      timestamp: new Date(Date.UTC(2026, 0, 1) + treeSize * 60_000).toISOString(),
      keyId: key.keyId,
      streamHeads: [{ stream: `incident-${treeSize}`, revision: '0', hash: 'cd'.repeat(32) }],
    },
    key,
  );

describe('CheckpointIndex: the notary\'s checkpoints as two numbers each, read from the stream when asked for', () => {
  let dir: string;
  let store: SqliteEventStore;
  let index: CheckpointIndex;
  const append = async (...data: unknown[]) => {
    for (const d of data) await store.append(CHECKPOINT_STREAM, [{ eventId: crypto.randomUUID(), type: CHECKPOINT_SIGNED_TYPE, data: d as Record<string, unknown>, metadata: { recordedAt: '2026-01-01T00:00:00.000Z', recordedBy: 'notary', correlationId: 'c', causationId: 'c' } }]);
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'checkpoint-index-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    index = new CheckpointIndex(store);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('pages, finds by tree size and by cover, across more checkpoints than one read takes, and skips what is no checkpoint', async () => {
    // 1,200 checkpoints of tree sizes 3, 6, 9, ... and a stray event that is no signed checkpoint after the 700th.
    const sizes = Array.from({ length: 1200 }, (_, i) => 3 * (i + 1));
    await append(...sizes.slice(0, 700).map(checkpointOf), { note: 'not a checkpoint' }, ...sizes.slice(700).map(checkpointOf));
    await index.load();

    expect(index.count).toBe(1200);
    expect(index.latest?.checkpoint).toEqual(checkpointOf(3600));
    expect(index.signingKeys()).toEqual([key.keyId]);
    expect((await index.page(0, 3)).map((c) => c.treeSize)).toEqual([3, 6, 9]);
    // A page across the stray event and past a read of 500: still `limit` checkpoints, in order.
    const across = await index.page(650, 600);
    expect(across.map((c) => c.treeSize)).toEqual(sizes.slice(650, 1200));
    expect(await index.page(1199, 50)).toEqual([checkpointOf(3600)]);
    expect(await index.page(1200, 50)).toEqual([]);

    expect(await index.ofSize(2103)).toEqual(checkpointOf(2103));
    expect(await index.ofSize(2104)).toBeUndefined();
    expect(index.sizesNear(2104)).toEqual({ below: 2103, above: 2106 });
    expect(index.sizesNear(1)).toEqual({ below: null, above: 3 });
    expect(await index.coveredBy(2105)).toEqual(checkpointOf(2103));
    expect(await index.coveredBy(2)).toBeUndefined();
  });

  it('takes in what was appended since, and only newer checkpoints', async () => {
    await append(checkpointOf(5), checkpointOf(8));
    await index.load();
    await append(checkpointOf(13));
    expect(index.count).toBe(2);
    await index.refresh();
    expect(index.count).toBe(3);
    expect(index.latest).toMatchObject({ revision: 2n, checkpoint: { treeSize: 13 } });
    expect(index.note(1n, checkpointOf(21))).toBe(false);
    expect(index.note(3n, { treeSize: 21 })).toBe(false);
    expect(index.count).toBe(3);
  });

  it('finds a size in a stream whose sizes do not grow (written by hand), without assuming an order', async () => {
    await append(checkpointOf(10), checkpointOf(4), checkpointOf(7));
    await index.load();
    expect(await index.ofSize(4)).toEqual(checkpointOf(4));
    expect(await index.ofSize(7)).toEqual(checkpointOf(7));
    expect(await index.coveredBy(8)).toEqual(checkpointOf(7));
  });
});
