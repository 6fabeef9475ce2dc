import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '@ledger/event-store';
import { CHECKPOINT_SIGNED_TYPE, CHECKPOINT_STREAM, SignedCheckpoint, generateNotaryKey, signCheckpoint } from '@ledger/integrity';
import { CheckpointIndex, KeptCheckpoints } from './checkpoint-index';
import { NotaryStateStore } from './notary-state.store';

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

  describe('kept between runs in the notary\'s state store', () => {
    let kept: NotaryStateStore;
    /** The checkpoint stream's revisions each read of the store started from. */
    let readsFrom: bigint[];
    const indexOn = (keptIn: KeptCheckpoints | undefined): CheckpointIndex => {
      const counting = Object.create(store) as SqliteEventStore;
      counting.readStream = (stream, options) => {
        if (stream === CHECKPOINT_STREAM) readsFrom.push(options?.fromRevision ?? 0n);
        return store.readStream(stream, options);
      };
      const next = new CheckpointIndex(counting);
      next.keepIn(keptIn);
      return next;
    };
    const sameAnswers = async (a: CheckpointIndex, b: CheckpointIndex): Promise<void> => {
      expect(b.count).toBe(a.count);
      expect(b.latest).toEqual(a.latest);
      expect(b.signingKeys()).toEqual(a.signingKeys());
      expect(await b.page(0, 1000)).toEqual(await a.page(0, 1000));
      expect(await b.ofSize(300)).toEqual(await a.ofSize(300));
      expect(b.sizesNear(301)).toEqual(a.sizesNear(301));
    };

    beforeEach(() => {
      kept = NotaryStateStore.open(dir)!;
      readsFrom = [];
    });
    afterEach(() => kept.close());

    it('a start takes up the kept index and reads only what the stream gained since', async () => {
      const sizes = Array.from({ length: 1200 }, (_, i) => 3 * (i + 1));
      await append(...sizes.map(checkpointOf));
      const first = indexOn(kept.checkpoints);
      await first.load();
      expect(readsFrom[0]).toBe(0n);
      await append(checkpointOf(3603), checkpointOf(3606));

      readsFrom = [];
      const second = indexOn(kept.checkpoints);
      await second.load();
      // One read to check the last kept checkpoint against the stream, one from the next revision on.
      expect(readsFrom).toEqual([1199n, 1200n]);
      expect(second.count).toBe(1202);
      await first.refresh();
      await sameAnswers(first, second);
      expect(second.latest?.checkpoint.treeSize).toBe(3606);
    });

    it('keeps a checkpoint noted from the subscription at once', async () => {
      await append(checkpointOf(5));
      const first = indexOn(kept.checkpoints);
      await first.load();
      await append(checkpointOf(8));
      expect(first.note(1n, checkpointOf(8))).toBe(true);
      expect(kept.checkpoints.read()).toMatchObject({ revisions: [0, 1], treeSizes: [5, 8] });
    });

    it('reads the whole stream again when the kept index describes another stream', async () => {
      await append(checkpointOf(5), checkpointOf(8));
      kept.checkpoints.add([
        { revision: 0, treeSize: 5, keyId: key.keyId, rootHash: 'ef'.repeat(32) },
        // The same size at the same revision, over another log.
        { revision: 1, treeSize: 8, keyId: key.keyId, rootHash: 'ef'.repeat(32) },
      ]);
      const index = indexOn(kept.checkpoints);
      await index.load();
      expect(readsFrom).toEqual([1n, 0n]);
      expect(await index.ofSize(8)).toEqual(checkpointOf(8));
      expect(kept.checkpoints.read()).toMatchObject({ revisions: [0, 1], treeSizes: [5, 8], lastRootHash: 'ab'.repeat(32) });
      // A kept index longer than the stream (a log restored from an older backup) too.
      kept.checkpoints.add([{ revision: 2, treeSize: 13, keyId: key.keyId, rootHash: 'ab'.repeat(32) }]);
      readsFrom = [];
      const again = indexOn(kept.checkpoints);
      await again.load();
      expect(readsFrom).toEqual([2n, 0n]);
      expect(again.count).toBe(2);
    });

    it('never answers a checkpoint the stream does not hold at the revision kept for it', async () => {
      await append(checkpointOf(5), checkpointOf(8), checkpointOf(13));
      await indexOn(kept.checkpoints).load();
      // A damaged row in the middle: the index looks where it says, and finds another size there.
      kept.checkpoints.add([{ revision: 1, treeSize: 9, keyId: key.keyId, rootHash: 'ab'.repeat(32) }]);
      const index = indexOn(kept.checkpoints);
      await index.load();
      expect(await index.ofSize(9)).toBeUndefined();
    });

    it('stops keeping after a write that fails, and the next start reads the rest from the stream', async () => {
      await append(checkpointOf(5));
      let failing = false;
      const flaky: KeptCheckpoints = {
        read: () => kept.checkpoints.read(),
        add: (rows) => {
          if (failing) throw new Error('disk full');
          kept.checkpoints.add(rows);
        },
        clear: () => kept.checkpoints.clear(),
      };
      const first = indexOn(flaky);
      await first.load();
      failing = true;
      await append(checkpointOf(8), checkpointOf(13));
      expect(first.note(1n, checkpointOf(8))).toBe(true);
      failing = false;
      // Not kept after the failure, though the write would succeed now: what is kept stays a prefix of the stream.
      expect(first.note(2n, checkpointOf(13))).toBe(true);
      expect(kept.checkpoints.read().revisions).toEqual([0]);
      readsFrom = [];
      const second = indexOn(kept.checkpoints);
      await second.load();
      expect(readsFrom).toEqual([0n, 1n]);
      await sameAnswers(first, second);
    });
  });
});
