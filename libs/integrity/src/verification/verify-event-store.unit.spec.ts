import { sealEvents } from '../event-hash';
import { VerifiableEvent } from './ledger-verification';
import { VerifiableStore, verifyEventStore } from './verify-event-store';

/** A sealed stream of `n` events in a store that answers every read at once, from memory, as a warm SQLite file does. */
const storeOf = (n: number): VerifiableStore & { reads: number } => {
  const events: VerifiableEvent[] = sealEvents(
    'incident-x',
    0n,
    null,
    Array.from({ length: n }, (_, i) => ({ eventId: `00000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`, type: 'ClaimMade.v3', data: { i }, metadata: {} })),
  ).map((event, i) => ({ ...event, streamName: 'incident-x', revision: BigInt(i), position: BigInt(i + 1) }));
  const store = {
    reads: 0,
    readAll: async ({ fromPosition = 0n, maxCount = 1000 }: { fromPosition?: bigint; maxCount?: number } = {}) => {
      store.reads++;
      return events.filter((e) => e.position > fromPosition).slice(0, maxCount);
    },
    readStream: async () => [],
    headPosition: async () => BigInt(n),
  };
  return store;
};

describe('verifyEventStore', () => {
  it('gives the event loop a turn after every page, however fast the store answers', async () => {
    const store = storeOf(50);
    let turns = 0;
    let done = false;
    const turn = (): void => {
      if (done) return;
      turns++;
      setImmediate(turn);
    };
    setImmediate(turn);

    const report = await verifyEventStore(store, { publicKeys: new Map(), pageSize: 10 });
    done = true;

    expect(report).toMatchObject({ ok: true, events: 50 });
    // Five pages and the empty read after them: a turn after each page read.
    expect(store.reads).toBe(6);
    expect(turns).toBeGreaterThanOrEqual(5);
  });
});
