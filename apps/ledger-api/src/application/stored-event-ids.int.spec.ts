import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventStore, NewEvent, SqliteEventStore } from '@ledger/event-store';
import { StoredEventIds } from './stored-event-ids';

const eventsOf = (prefix: string, count: number): NewEvent[] =>
  Array.from({ length: count }, (_, i) => ({
    eventId: `${prefix}-${i}`,
    type: 'ClaimMade.v3',
    data: { i },
    metadata: { recordedAt: '2026-01-01T00:00:00.000Z', recordedBy: 'test', correlationId: 'c', causationId: 'c' },
  }));

describe('StoredEventIds: a stream indexed once by event id, then only what it gained', () => {
  let dir: string;
  let store: SqliteEventStore;
  let reads: Array<{ streamName: string; fromRevision?: bigint }>;
  let counted: EventStore;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'stored-event-ids-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    reads = [];
    counted = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'readStream') {
          return (streamName: string, options: { fromRevision?: bigint } = {}) => {
            reads.push({ streamName, fromRevision: options.fromRevision });
            return target.readStream(streamName, options);
          };
        }
        const value = Reflect.get(target, property, receiver) as unknown;
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('finds every id of a stream longer than one read, reads it once, and then only its newer events', async () => {
    await store.append('incident-a', eventsOf('a', 2500));
    const ids = new StoredEventIds(counted);
    expect(await ids.revisionOf('incident-a', 'a-2499')).toBe(2499n);
    expect(reads.map((r) => r.fromRevision)).toEqual([0n, 1000n, 2000n]);
    for (const i of [0, 1234, 2000]) expect(await ids.revisionOf('incident-a', `a-${i}`)).toBe(BigInt(i));
    expect(reads).toHaveLength(3);

    await store.append('incident-a', eventsOf('b', 3));
    expect(await ids.revisionOf('incident-a', 'b-2')).toBe(2502n);
    expect(reads.at(-1)).toEqual({ streamName: 'incident-a', fromRevision: 2500n });
    // An id the stream does not hold costs one read of what is newer (nothing), and is not found.
    expect(await ids.revisionOf('incident-a', 'nowhere')).toBeUndefined();
    expect(await ids.revisionOf('incident-none', 'nowhere')).toBeUndefined();
  });

  it('holds a bounded number of ids, dropping the streams used longest ago', async () => {
    for (const name of ['one', 'two', 'three']) await store.append(`incident-${name}`, eventsOf(name, 40));
    const ids = new StoredEventIds(counted, 100);
    await ids.revisionOf('incident-one', 'one-1');
    await ids.revisionOf('incident-two', 'two-1');
    await ids.revisionOf('incident-one', 'one-2');
    expect(ids.size).toBe(80);
    await ids.revisionOf('incident-three', 'three-1');
    // "two" was used longest ago: dropped, and read again when asked for.
    expect(ids.size).toBe(80);
    const before = reads.length;
    expect(await ids.revisionOf('incident-one', 'one-39')).toBe(39n);
    expect(reads.length).toBe(before);
    expect(await ids.revisionOf('incident-two', 'two-39')).toBe(39n);
    expect(reads.length).toBe(before + 1);
  });
});
