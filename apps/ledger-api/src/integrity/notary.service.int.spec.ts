import { randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, SqliteEventStore, SubscriptionHandlers } from '@ledger/event-store';
import { CHECKPOINT_STREAM, eventLeafHash, MerkleLog, storedHashOf } from '@ledger/integrity';
import { Clock } from '../application/clock';
import type { SharedDatabaseHost } from '../application/shared-database.host';
import type { LedgerConfig } from '../platform';
import { NotaryService } from './notary.service';
import { NOTARY_STATE_FILES, notaryHeadsFile } from './notary-state.store';

/** The store, except that its first `failures` subscriptions stop with an error after delivering `after` events. */
const failingSubscriptions = (store: SqliteEventStore, failures: number, after: number): EventStore & { subscribed: number } => {
  const wrapped = Object.create(store) as EventStore & { subscribed: number };
  wrapped.subscribed = 0;
  wrapped.subscribeToAll = (options, handlers: SubscriptionHandlers) => {
    wrapped.subscribed += 1;
    if (wrapped.subscribed > failures) return store.subscribeToAll(options, handlers);
    let delivered = 0;
    return store.subscribeToAll(options, {
      ...handlers,
      onEvent: (event) => {
        if (++delivered > after) throw new Error('ENOSPC: no space left on device, write');
        return handlers.onEvent(event);
      },
    });
  };
  return wrapped;
};

/** `count` claims over `streams` incidents, round robin; `perAppend` events an append (a long log quickly). */
const appendClaims = async (store: EventStore, count: number, streams = 4, perAppend = 1): Promise<void> => {
  for (let i = 0; i < count; i += perAppend) {
    const correlationId = randomUUID();
    const events = Array.from({ length: Math.min(perAppend, count - i) }, (_, j) => ({
      eventId: randomUUID(),
      type: 'ClaimMade.v3',
      data: { n: i + j },
      metadata: { recordedAt: '2019-06-01T00:00:00Z', recordedBy: 'analyst:test', correlationId, causationId: correlationId },
    }));
    await store.append(`incident-${(i / perAppend) % streams}`, events);
  }
};

/** The tree of the log's ledger events, made here from the log alone. */
const treeOf = async (store: EventStore): Promise<MerkleLog> => {
  const tree = new MerkleLog();
  for (const event of (await store.readAll()).filter((e) => e.streamName.startsWith('incident-'))) tree.append(eventLeafHash(storedHashOf(event.metadata) as string));
  return tree;
};

const hex = (hashes: Buffer[]): string[] => hashes.map((hash) => hash.toString('hex'));

const notaryWith = (eventStore: EventStore, notaryDir: string, snapshotIntervalMs?: number) =>
  new NotaryService(
    eventStore,
    { dataDir: notaryDir, notary: { origin: 'test', checkpointIntervalMs: 0, ...(snapshotIntervalMs !== undefined ? { snapshotIntervalMs } : {}) } } as unknown as LedgerConfig,
    { now: () => new Date('2019-06-02T00:00:00Z') } as Clock,
    { db: undefined, lease: () => undefined } as unknown as SharedDatabaseHost,
  );

describe.each([
  ['rebuilt at every start', undefined],
  ['kept between runs', 50],
])('NotaryService, its tree %s, when its log subscription stops', (_, snapshotIntervalMs) => {
  let dataDir: string;
  let store: SqliteEventStore;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'notary-'));
    store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
    await appendClaims(store, 30);
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const notaryOn = (eventStore: EventStore, notaryDir = dataDir) => notaryWith(eventStore, notaryDir, snapshotIntervalMs);

  it('follows the log again from its start with a fresh tree, and signs the whole log, not the part it had', async () => {
    const flaky = failingSubscriptions(store, 2, 10);
    const notary = notaryOn(flaky);
    await notary.onModuleInit();
    await notary.onApplicationBootstrap();
    try {
      // Two failures: after 1 s, then after 2 s more; the checkpoint waits for the third subscription to catch up.
      const { checkpoint, created } = await notary.checkpoint('auditor:test');
      expect(flaky.subscribed).toBe(3);
      const expected = new MerkleLog();
      for (const event of (await store.readAll()).filter((e) => e.streamName.startsWith('incident-'))) expected.append(eventLeafHash(storedHashOf(event.metadata) as string));
      expect(created).toBe(true);
      expect(checkpoint.treeSize).toBe(30);
      expect(checkpoint.rootHash).toBe(expected.root().toString('hex'));
      expect(notary.inclusionProof(29, 30).map((hash) => hash.toString('hex'))).toEqual(expected.inclusionProof(29, 30).map((hash) => hash.toString('hex')));
    } finally {
      await notary.onModuleDestroy();
    }
  }, 20_000);

  it('tries again later when it cannot open a fresh scratch file, rather than throwing in a timer', async () => {
    const notaryDir = mkdtempSync(join(tmpdir(), 'notary-scratch-'));
    const flaky = failingSubscriptions(store, 1, 5);
    const notary = notaryOn(flaky, notaryDir);
    await notary.onModuleInit();
    await notary.onApplicationBootstrap();
    try {
      // Gone when the first restart comes (after 1 s), back before the second (2 s later).
      rmSync(notaryDir, { recursive: true });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(flaky.subscribed).toBe(1);
      mkdirSync(notaryDir);
      const { checkpoint } = await notary.checkpoint('auditor:test');
      expect(flaky.subscribed).toBe(2);
      expect(checkpoint.treeSize).toBe(30);
    } finally {
      await notary.onModuleDestroy();
      rmSync(notaryDir, { recursive: true, force: true });
    }
  }, 20_000);

  it('does not start over once it is shut down', async () => {
    const flaky = failingSubscriptions(store, 1, 5);
    const notary = notaryOn(flaky);
    await notary.onModuleInit();
    await notary.onApplicationBootstrap();
    await new Promise((resolve) => setTimeout(resolve, 100));
    await notary.onModuleDestroy();
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(flaky.subscribed).toBe(1);
  });
});

/** The store, noting where each subscription starts and how many events they deliver. */
const counting = (store: EventStore): EventStore & { from: bigint[]; delivered: number } => {
  const wrapped = Object.create(store) as EventStore & { from: bigint[]; delivered: number };
  wrapped.from = [];
  wrapped.delivered = 0;
  wrapped.subscribeToAll = (options, handlers: SubscriptionHandlers) => {
    wrapped.from.push(options.fromPosition ?? 0n);
    return store.subscribeToAll(options, {
      ...handlers,
      onEvent: (event) => {
        wrapped.delivered += 1;
        return handlers.onEvent(event);
      },
    });
  };
  return wrapped;
};

describe('NotaryService keeping its tree between runs', () => {
  let dataDir: string;
  let store: SqliteEventStore;
  const running: NotaryService[] = [];
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'notary-kept-'));
    store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
    await appendClaims(store, 30);
  });
  afterEach(async () => {
    for (const notary of running.splice(0)) await notary.onModuleDestroy();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = async (eventStore: EventStore, notaryDir = dataDir, snapshotIntervalMs = 60_000): Promise<NotaryService> => {
    const notary = notaryWith(eventStore, notaryDir, snapshotIntervalMs);
    running.push(notary);
    await notary.onModuleInit();
    await notary.onApplicationBootstrap();
    await notary.caughtUpTo(await eventStore.headPosition());
    return notary;
  };
  const stop = async (notary: NotaryService): Promise<void> => {
    running.splice(running.indexOf(notary), 1);
    await notary.onModuleDestroy();
  };
  const storedAt = (notaryDir = dataDir): bigint | undefined => {
    const path = join(notaryDir, NOTARY_STATE_FILES.snapshot);
    return existsSync(path) ? BigInt((JSON.parse(readFileSync(path, 'utf8')) as { processed: string }).processed) : undefined;
  };
  /** Signs, and checks the checkpoint and proofs of old and new leaves against a tree made from the log alone. */
  const signsTheWholeLog = async (notary: NotaryService): Promise<void> => {
    const expected = await treeOf(store);
    const { checkpoint } = await notary.checkpoint('auditor:test');
    expect(checkpoint.treeSize).toBe(expected.size);
    expect(checkpoint.rootHash).toBe(expected.root().toString('hex'));
    const events = (await store.readAll()).filter((e) => e.streamName.startsWith('incident-'));
    for (const leaf of [0, 3, 29, expected.size - 1]) {
      expect(hex(notary.inclusionProof(leaf, expected.size))).toEqual(hex(expected.inclusionProof(leaf, expected.size)));
      expect(notary.candidates(events[leaf].eventId).map((c) => [c.leafIndex, c.streamName, c.revision, c.position])).toContainEqual([
        leaf,
        events[leaf].streamName,
        events[leaf].revision,
        events[leaf].position,
      ]);
    }
    expect(hex(notary.consistencyProof(30, expected.size))).toEqual(hex(expected.consistencyProof(30, expected.size)));
  };

  it('reads only the events after the stored tree at the next start, and signs and proves the whole log', async () => {
    await stop(await start(store));
    const head = await store.headPosition();
    expect(storedAt()).toBe(head);
    expect(readdirSync(dataDir).filter((f) => f.startsWith('notary-state')).sort()).toEqual([...Object.values(NOTARY_STATE_FILES), notaryHeadsFile(1)].sort());
    await appendClaims(store, 12, 7);
    const counted = counting(store);
    const second = await start(counted);
    expect(counted.from).toEqual([head]);
    expect(counted.delivered).toBe(12);
    expect(second.status()).toEqual({ state: 'following', tree: 'kept', leaves: 42, followedTo: (await store.headPosition()).toString(), snapshotAt: head.toString(), refusing: false });
    await signsTheWholeLog(second);
    // A third start, after the second stored what it added (stream names included).
    await stop(second);
    const again = counting(store);
    const third = await start(again);
    expect(again.from).toEqual([await store.headPosition()]);
    await signsTheWholeLog(third);
  });

  it('takes up its checkpoint index at the next start, reading only the checkpoints signed since', async () => {
    const first = await start(store);
    for (let i = 0; i < 3; i++) {
      await appendClaims(store, 2);
      await first.caughtUpTo(await store.headPosition());
      await first.checkpoint('auditor:test');
    }
    const listed = await first.checkpointPage(0, 50);
    await stop(first);
    // Another replica (or a process whose index was not kept) signs one more meanwhile.
    await appendClaims(store, 2);
    const otherDir = mkdtempSync(join(tmpdir(), 'notary-other-'));
    const other = notaryWith(store, otherDir, 0);
    await other.onModuleInit();
    await other.onApplicationBootstrap();
    await other.caughtUpTo(await store.headPosition());
    const { checkpoint: latest } = await other.checkpoint('auditor:test');
    await other.onModuleDestroy();
    rmSync(otherDir, { recursive: true, force: true });

    const readsFrom: bigint[] = [];
    const watched = Object.create(store) as SqliteEventStore;
    watched.readStream = (stream, options) => {
      if (stream === CHECKPOINT_STREAM) readsFrom.push(options?.fromRevision ?? 0n);
      return store.readStream(stream, options);
    };
    const second = await start(watched);
    // The last kept checkpoint checked against the stream, then what was signed after it.
    expect(readsFrom.slice(0, 2)).toEqual([2n, 3n]);
    expect(await second.checkpointPage(0, 50)).toEqual({ items: [...listed.items, latest], total: 4 });
    expect((await second.checkpointOfSize(listed.items[1].treeSize)).checkpoint).toEqual(listed.items[1]);
  });

  it('signs, after a restart, the heads of every stream written since the last checkpoint, before the restart and after', async () => {
    const expectedHeads = async (after: bigint) => {
      const heads = new Map<string, { stream: string; revision: string; hash: string }>();
      for (const event of await store.readAll({ fromPosition: after })) {
        if (event.streamName.startsWith('incident-')) heads.set(event.streamName, { stream: event.streamName, revision: event.revision.toString(), hash: storedHashOf(event.metadata)! });
      }
      return [...heads.values()].sort((a, b) => (a.stream < b.stream ? -1 : 1));
    };
    const first = await start(store, dataDir, 20);
    const { checkpoint: signed } = await first.checkpoint('auditor:test');
    // Several snapshots while streams are written: each adds the heads changed since the one before.
    for (let round = 0; round < 4; round++) {
      await appendClaims(store, 6, 3 + round);
      await first.caughtUpTo(await store.headPosition());
      await new Promise((resolve) => setTimeout(resolve, 60));
    }
    await stop(first);
    await appendClaims(store, 4, 9);
    const second = await start(store);
    const { checkpoint } = await second.checkpoint('auditor:test');
    expect(checkpoint.streamHeads).toEqual(await expectedHeads(BigInt(signed.lastPosition)));
    expect(checkpoint.streamHeads.map((head) => head.stream)).toEqual([0, 1, 2, 3, 4, 5].map((n) => `incident-${n}`));
    // Signed: the next start has nothing to carry over.
    await stop(second);
    await appendClaims(store, 2, 2);
    const third = await start(store);
    expect((await third.checkpoint('auditor:test')).checkpoint.streamHeads).toEqual(await expectedHeads(BigInt(checkpoint.lastPosition)));
  });

  it('writes the heads file anew once most of its lines are stale (at the shipped threshold), and signs the right heads after a restart', async () => {
    const streams = 260;
    const headsFiles = () => readdirSync(dataDir).filter((file) => file.startsWith('notary-state.heads-'));
    // Every round moves the heads of streams 10 to 259, and a snapshot (every 20 ms) appends a line for each: past
    // 2 × 260 + 10,000 lines, the next snapshot starts a new generation of the file instead. Streams 0 to 9 move only
    // before the loop: the new generation must carry their heads over, not only those that just changed.
    const round = async (n: number, from = 10) => {
      const correlationId = randomUUID();
      await store.appendMany(
        Array.from({ length: streams - from }, (_, s) => ({
          streamName: `incident-${from + s}`,
          events: [{ eventId: randomUUID(), type: 'ClaimMade.v3', data: { round: n }, metadata: { recordedAt: '2019-06-01T00:00:00Z', recordedBy: 'analyst:test', correlationId, causationId: correlationId } }],
        })),
      );
    };
    const first = await start(store, dataDir, 20);
    const { checkpoint: signed } = await first.checkpoint('auditor:test');
    await round(0, 0);
    expect(headsFiles()).toEqual([notaryHeadsFile(1)]);
    let rounds = 0;
    while (headsFiles().includes(notaryHeadsFile(1))) {
      if (++rounds > 80) throw new Error(`no new generation of the heads file after ${rounds - 1} rounds: ${headsFiles().join()}`);
      await round(rounds);
      await first.caughtUpTo(await store.headPosition());
      const stored = await store.headPosition();
      for (let waited = 0; storedAt() !== stored && waited < 2000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(rounds).toBeGreaterThanOrEqual(Math.floor((2 * streams + 10_000) / (streams - 10)) - 1);
    expect(headsFiles()).toEqual([notaryHeadsFile(2)]);
    // A rewritten file holds one line a stream, not the run's history.
    expect(readFileSync(join(dataDir, notaryHeadsFile(2)), 'utf8').trim().split('\n').length).toBeLessThanOrEqual(2 * streams);
    await stop(first);
    const snapshotAt = storedAt()!;
    await round(rounds + 1);

    // Taken up at its snapshot (not read again from the log's start, which would find every head anyway).
    const counted = counting(store);
    const second = await start(counted);
    expect(counted.from).toEqual([snapshotAt]);
    expect(counted.delivered).toBe(streams - 10);
    const { checkpoint } = await second.checkpoint('auditor:test');
    const expected = new Map<string, { stream: string; revision: string; hash: string }>();
    for (const event of await store.readAll({ fromPosition: BigInt(signed.lastPosition) })) {
      if (event.streamName.startsWith('incident-')) expected.set(event.streamName, { stream: event.streamName, revision: event.revision.toString(), hash: storedHashOf(event.metadata)! });
    }
    expect(checkpoint.streamHeads).toEqual([...expected.values()].sort((a, b) => (a.stream < b.stream ? -1 : 1)));
    expect(checkpoint.streamHeads).toHaveLength(streams);
  }, 60_000);

  it('after a crash, takes up the last snapshot stored, whatever was written to its files since, and reads the log after it', async () => {
    // 20,030 leaves: the snapshot refers to extents of every structure, the id index's first sorted run among them.
    await appendClaims(store, 20_000, 50, 100);
    await stop(await start(store));
    const storedPosition = storedAt()!;
    expect(storedPosition).toBe(await store.headPosition());
    // The next run follows 50,000 more and takes no snapshot (60 s apart): its index sorts three times more and merges
    // twice, freeing the extents of the run the snapshot refers to and allocating new ones. A kill -9 now leaves the
    // files as they are.
    const second = await start(store);
    await appendClaims(store, 50_000, 50, 100);
    await second.caughtUpTo(await store.headPosition());
    const crashed = mkdtempSync(join(tmpdir(), 'notary-crashed-'));
    try {
      for (const file of readdirSync(dataDir).filter((f) => f.startsWith('notary-state'))) copyFileSync(join(dataDir, file), join(crashed, file));
      const counted = counting(store);
      const taken = await start(counted, crashed);
      expect(counted.from).toEqual([storedPosition]);
      expect(counted.delivered).toBe(50_000);
      await signsTheWholeLog(taken);
    } finally {
      rmSync(crashed, { recursive: true, force: true });
    }
  }, 60_000);

  it('drops a kept tree that does not describe the log, and reads the log from its start', async () => {
    await stop(await start(store));
    const otherDir = mkdtempSync(join(tmpdir(), 'notary-other-'));
    const other = new SqliteEventStore({ filename: join(otherDir, 'events.sqlite') });
    try {
      await appendClaims(other, 31);
      // Another log, one event longer: its last leaf is another event.
      const counted = counting(other);
      const notary = await start(counted);
      expect(counted.from).toEqual([0n]);
      const { checkpoint } = await notary.checkpoint('auditor:test');
      expect(checkpoint.rootHash).toBe((await treeOf(other)).root().toString('hex'));
      await stop(notary);
    } finally {
      await other.close();
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it.each([
    ['the snapshot file is not JSON', () => writeFileSync(join(dataDir, NOTARY_STATE_FILES.snapshot), '{"format": 1, "proc')],
    ['the extents file is cut short', () => truncateSync(join(dataDir, NOTARY_STATE_FILES.extents), 100)],
    ['the stream names file is empty', () => truncateSync(join(dataDir, NOTARY_STATE_FILES.streams), 0)],
    ['the snapshot is of another format', () => writeFileSync(join(dataDir, NOTARY_STATE_FILES.snapshot), JSON.stringify({ ...JSON.parse(readFileSync(join(dataDir, NOTARY_STATE_FILES.snapshot), 'utf8')), format: 99 }))],
    ['the snapshot claims more of the log than there is', () => writeFileSync(join(dataDir, NOTARY_STATE_FILES.snapshot), JSON.stringify({ ...JSON.parse(readFileSync(join(dataDir, NOTARY_STATE_FILES.snapshot), 'utf8')), processed: '99' }))],
  ])('reads the log from its start when %s', async (_, damage) => {
    // 2,100 leaves: the tree's first level fills an extent, so the file holds what the snapshot refers to.
    await appendClaims(store, 2100, 4, 50);
    await stop(await start(store));
    damage();
    const counted = counting(store);
    const notary = await start(counted);
    expect(counted.from).toEqual([0n]);
    await signsTheWholeLog(notary);
  }, 30_000);

  it('keeps a throwaway tree, and still signs and proves, when it cannot write its kept files', async () => {
    // A path it cannot open as a file (as files of another account would be): the kept state cannot start afresh.
    mkdirSync(join(dataDir, NOTARY_STATE_FILES.streams));
    const counted = counting(store);
    const notary = await start(counted, dataDir, 20);
    expect(counted.from).toEqual([0n]);
    expect(notary.status()).toMatchObject({ state: 'following', tree: 'throwaway', snapshotAt: null });
    await signsTheWholeLog(notary);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stop(notary);
    expect(existsSync(join(dataDir, NOTARY_STATE_FILES.snapshot))).toBe(false);
    // The lock is given back: a later process that can write the files keeps them.
    rmSync(join(dataDir, NOTARY_STATE_FILES.streams), { recursive: true });
    await stop(await start(store));
    expect(storedAt()).toBe(await store.headPosition());
  });

  it('leaves the kept tree to the process holding it: a second one on the same directory keeps a throwaway tree', async () => {
    const first = await start(store);
    await appendClaims(store, 5);
    const counted = counting(store);
    const second = await start(counted);
    expect(counted.from).toEqual([0n]);
    await signsTheWholeLog(second);
    await stop(second);
    await first.caughtUpTo(await store.headPosition());
    await stop(first);
    expect(storedAt()).toBe(await store.headPosition());
    const again = counting(store);
    await start(again);
    expect(again.from).toEqual([await store.headPosition()]);
  });

  it('takes up the stored tree again when its subscription stops, not the half-followed one', async () => {
    await stop(await start(store));
    const head = await store.headPosition();
    await appendClaims(store, 10);
    const flaky = failingSubscriptions(store, 1, 4);
    const counted = counting(flaky);
    const notary = notaryWith(counted, dataDir, 60_000);
    running.push(notary);
    await notary.onModuleInit();
    await notary.onApplicationBootstrap();
    // Between the stopped subscription and the next (1 s later), /health says so.
    for (let tries = 0; tries < 50 && notary.status().state !== 'restarting'; tries++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(notary.status()).toMatchObject({ state: 'restarting', tree: 'kept' });
    const { checkpoint } = await notary.checkpoint('auditor:test');
    expect(notary.status().state).toBe('following');
    expect(counted.from).toEqual([head, head]);
    expect(checkpoint.treeSize).toBe(40);
    await signsTheWholeLog(notary);
  }, 20_000);
});
