import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, SqliteEventStore, SubscriptionHandlers } from '@ledger/event-store';
import { eventLeafHash, MerkleLog, storedHashOf } from '@ledger/integrity';
import { Clock } from '../application/clock';
import type { SharedDatabaseHost } from '../application/shared-database.host';
import type { LedgerConfig } from '../platform';
import { NotaryService } from './notary.service';

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

describe('NotaryService when its log subscription stops', () => {
  let dataDir: string;
  let store: SqliteEventStore;
  beforeEach(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'notary-'));
    store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
    for (let i = 0; i < 30; i++) {
      const correlationId = randomUUID();
      await store.append(`incident-${i % 4}`, [
        { eventId: randomUUID(), type: 'ClaimMade.v3', data: { n: i }, metadata: { recordedAt: '2019-06-01T00:00:00Z', recordedBy: 'analyst:test', correlationId, causationId: correlationId } },
      ]);
    }
  });
  afterEach(async () => {
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const notaryOn = (eventStore: EventStore, notaryDir = dataDir) =>
    new NotaryService(
      eventStore,
      { dataDir: notaryDir, notary: { origin: 'test', checkpointIntervalMs: 0 } } as unknown as LedgerConfig,
      { now: () => new Date('2019-06-02T00:00:00Z') } as Clock,
      { db: undefined, lease: () => undefined } as unknown as SharedDatabaseHost,
    );

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
