import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { leafHash, MerkleLog } from '@ledger/integrity';
import { LeafLocations } from './leaf-locations';
import { HeadEntry, NOTARY_STATE_FILES, NotaryStateStore, RestoredState, notaryHeadsFile } from './notary-state.store';

const head = (stream: string, revision: number): HeadEntry => ({ head: { stream, revision: String(revision), hash: String(revision % 10).repeat(64) }, position: BigInt(1000 + revision) });

describe('NotaryStateStore', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'notary-state-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const restored = (store: NotaryStateStore): RestoredState => {
    const state = store.restore();
    if ('none' in state) throw new Error(state.none);
    return state;
  };

  it('appends the heads that changed, writes a new generation once most lines are stale, and reads back the latest of each', async () => {
    const store = NotaryStateStore.open(dir, { staleHeadLines: 5 })!;
    const scratch = store.fresh();
    const tree = new MerkleLog([], scratch);
    const leaves = new LeafLocations(scratch);
    tree.append(leafHash(Buffer.from('a')));
    leaves.push({ eventId: 'e1', streamName: 'incident-a', revision: 0n, position: 1n });
    const heads = new Map<string, HeadEntry>();
    const generations = new Set<string>();
    // One stream rewritten again and again: the file's lines go stale, and a new generation starts over.
    for (let revision = 0; revision < 12; revision++) {
      heads.set('incident-a', head('incident-a', revision));
      if (revision % 4 === 0) heads.set(`incident-${revision}`, head(`incident-${revision}`, revision));
      await store.store({ scratch, tree, leaves, processed: 1n, heads, headsChanged: ['incident-a', `incident-${revision}`] });
      generations.add(readdirSync(dir).filter((file) => file.startsWith('notary-state.heads-')).join());
    }
    // Never two generations side by side once a snapshot is stored, and more than one over the run.
    expect([...generations].every((files) => !files.includes(','))).toBe(true);
    expect(generations.size).toBeGreaterThan(1);
    // A stream that left the heads in force (a checkpoint covered it) is not written again.
    heads.delete('incident-4');
    await store.store({ scratch, tree, leaves, processed: 1n, heads, headsChanged: ['incident-4'] });
    store.close();
    scratch.close();

    const again = NotaryStateStore.open(dir)!;
    const state = restored(again);
    const byStream = new Map(state.headsSince.map((entry) => [entry.head.stream, entry]));
    expect(byStream.get('incident-a')).toEqual(head('incident-a', 11));
    expect(byStream.get('incident-0')).toEqual(head('incident-0', 0));
    expect(byStream.get('incident-8')).toEqual(head('incident-8', 8));
    expect(state.tree.size).toBe(1);
    expect(state.leaves.locationOf(0)).toEqual({ leafIndex: 0, streamName: 'incident-a', revision: 0n, position: 1n });
    state.scratch.close();
    again.close();
  });

  it('stores what it was handed while the follower goes on between the slices of a large snapshot', async () => {
    const store = NotaryStateStore.open(dir)!;
    const scratch = store.fresh();
    const tree = new MerkleLog([], scratch);
    const leaves = new LeafLocations(scratch);
    const heads = new Map<string, HeadEntry>();
    const follow = (n: number) => {
      tree.append(leafHash(Buffer.from(`e${n}`)));
      leaves.push({ eventId: `e${n}`, streamName: `incident-${n}`, revision: 0n, position: BigInt(n + 1) });
      heads.set(`incident-${n}`, head(`incident-${n}`, 0));
    };
    for (let n = 0; n < 12_000; n++) follow(n);
    const handed = new Map(heads);
    let stored = false;
    const storing = store.store({ scratch, tree, leaves, processed: 12_000n, heads, headsChanged: [...heads.keys()] }).finally(() => (stored = true));
    // From its first await on, and at every turn of the event loop: a new stream, and one the snapshot holds moving on.
    let turns = 0;
    while (!stored) {
      follow(12_000 + turns);
      heads.set('incident-0', head('incident-0', ++turns));
      await new Promise((resolve) => setImmediate(resolve));
    }
    await storing;
    expect(turns).toBeGreaterThan(2);
    store.close();
    scratch.close();

    const again = NotaryStateStore.open(dir)!;
    const state = restored(again);
    expect(new Map(state.headsSince.map((entry) => [entry.head.stream, entry]))).toEqual(handed);
    expect(state.tree.size).toBe(12_000);
    expect(state.leaves.locationOf(11_999)).toEqual({ leafIndex: 11_999, streamName: 'incident-11999', revision: 0n, position: 12_000n });
    state.scratch.close();
    again.close();
  });

  it('is held by one process at a time', () => {
    const first = NotaryStateStore.open(dir)!;
    expect(first).toBeDefined();
    expect(NotaryStateStore.open(dir)).toBeUndefined();
    first.close();
    const second = NotaryStateStore.open(dir);
    expect(second).toBeDefined();
    second!.close();
    expect(existsSync(join(dir, NOTARY_STATE_FILES.lock))).toBe(true);
  });

  it('answers why there is nothing to take up when the heads file a snapshot names is gone', async () => {
    const store = NotaryStateStore.open(dir)!;
    const scratch = store.fresh();
    await store.store({ scratch, tree: new MerkleLog([], scratch), leaves: new LeafLocations(scratch), processed: 0n, heads: new Map([['incident-x', head('incident-x', 1)]]), headsChanged: ['incident-x'] });
    scratch.close();
    rmSync(join(dir, notaryHeadsFile(1)));
    expect(store.restore()).toEqual({ none: expect.stringMatching(/ENOENT/) });
    store.close();
  });
});
