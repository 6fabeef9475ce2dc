import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { probeTurns } from '../../../tests/support/event-loop-turns';
import { EventLoopSlice } from './event-loop-slice';
import type { NewEvent } from './event-store.port';
import { SqliteEventStore } from './sqlite/sqlite-event-store';
import { streamEvents } from './stream-pages';

const event = (n: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'PagesTested.v1',
  data: { n },
  metadata: { recordedAt: '2019-06-03T00:00:00.000Z', recordedBy: 'test', correlationId: 'c', causationId: 'c' },
});

describe('streamEvents (SQLite)', () => {
  let dir: string;
  let store: SqliteEventStore;
  const STREAM = 'incident-pages';

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stream-pages-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    await store.append(STREAM, Array.from({ length: 25 }, (_, n) => event(n)));
    await store.append('incident-other', [event(100)]);
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const revisions = async (events: AsyncGenerator<{ revision: bigint }>) => {
    const seen: number[] = [];
    for await (const { revision } of events) seen.push(Number(revision));
    return seen;
  };
  const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, i) => (from <= to ? from + i : from - i));

  it('reads forwards from a revision, and backwards from the end, a page at a time', async () => {
    const reads = jest.spyOn(store, 'readStream');
    expect(await revisions(streamEvents(store, STREAM, { pageSize: 10 }))).toEqual(range(0, 24));
    expect(reads).toHaveBeenCalledTimes(3);
    expect(await revisions(streamEvents(store, STREAM, { pageSize: 5, fromRevision: 13n }))).toEqual(range(13, 24));
    expect(await revisions(streamEvents(store, STREAM, { pageSize: 10, direction: 'backwards' }))).toEqual(range(24, 0));
    expect(await revisions(streamEvents(store, STREAM, { pageSize: 5, direction: 'backwards' }))).toEqual(range(24, 0));
    expect(await revisions(streamEvents(store, STREAM, { pageSize: 25 }))).toEqual(range(0, 24));
    expect(await revisions(streamEvents(store, 'incident-none', { pageSize: 10 }))).toEqual([]);
  });

  it('lets the event loop turn once the slice is spent, and not within it', async () => {
    // Each look at the clock is a millisecond: a turn is due after eight events.
    const probe = probeTurns();
    expect(await revisions(streamEvents(store, STREAM, { pageSize: 10, slice: new EventLoopSlice(8, probe.now) })).finally(probe.stop)).toHaveLength(25);
    expect(probe.looks).toBeGreaterThanOrEqual(25);
    expect(probe.longestWithoutATurn).toBeLessThanOrEqual(9);
    const whole = probeTurns();
    await revisions(streamEvents(store, STREAM, { pageSize: 10, slice: new EventLoopSlice(Infinity, whole.now) })).finally(whole.stop);
    expect(whole.longestWithoutATurn).toBeGreaterThanOrEqual(25);
  });
});
