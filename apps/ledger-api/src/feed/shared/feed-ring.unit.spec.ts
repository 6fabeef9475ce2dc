import type { RecordedEvent } from '@ledger/event-store';
import { FeedEntry } from './feed-entry';
import { FeedRing } from './feed-ring';

const entry = (position: bigint): FeedEntry =>
  new FeedEntry(
    {
      eventId: `e${position}`,
      type: 'ClaimMade.v1',
      streamName: 'incident-x',
      revision: 0n,
      position,
      data: {},
      metadata: { recordedAt: '2026-01-01T00:00:00.000Z', recordedBy: 't', correlationId: 'c', causationId: 'c' },
    } as RecordedEvent,
    'test',
    'x',
    undefined,
  );

const positions = (entries: FeedEntry[]): bigint[] => entries.map((e) => e.position);

describe('FeedRing', () => {
  it('returns the entries strictly after a position, oldest first, at most max', () => {
    const ring = new FeedRing(10, 0n);
    for (const p of [2n, 4n, 7n, 9n]) ring.push(entry(p));
    expect(positions(ring.after(0n, 10))).toEqual([2n, 4n, 7n, 9n]);
    expect(positions(ring.after(4n, 10))).toEqual([7n, 9n]);
    expect(positions(ring.after(5n, 1))).toEqual([7n]);
    expect(positions(ring.after(9n, 10))).toEqual([]);
    expect(ring.floor).toBe(0n);
  });

  it('evicts the oldest entry when full and raises the floor to it, so a reader below the floor knows to read the store', () => {
    const ring = new FeedRing(3, 10n);
    for (let p = 11n; p <= 17n; p++) ring.push(entry(p));
    expect(ring.size).toBe(3);
    expect(ring.floor).toBe(14n);
    expect(positions(ring.after(14n, 10))).toEqual([15n, 16n, 17n]);
    expect(positions(ring.after(0n, 10))).toEqual([15n, 16n, 17n]);
  });

  it('wraps around its slots many times without losing order', () => {
    const ring = new FeedRing(4, 0n);
    for (let p = 1n; p <= 1001n; p++) ring.push(entry(p * 2n));
    expect(positions(ring.after(0n, 10))).toEqual([1996n, 1998n, 2000n, 2002n]);
    expect(positions(ring.after(1999n, 10))).toEqual([2000n, 2002n]);
    expect(ring.floor).toBe(1994n);
  });

  it('refuses positions that do not grow and a capacity below one', () => {
    const ring = new FeedRing(2, 0n);
    ring.push(entry(5n));
    expect(() => ring.push(entry(5n))).toThrow(RangeError);
    expect(() => new FeedRing(0, 0n)).toThrow(RangeError);
  });
});
