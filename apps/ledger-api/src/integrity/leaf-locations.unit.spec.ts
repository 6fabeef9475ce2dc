import { LeafLocations } from './leaf-locations';

const eventAt = (i: number) => ({
  eventId: `event-${i}`,
  streamName: `incident-${i % 7}`,
  revision: BigInt(Math.floor(i / 7)),
  // Positions far apart and past 2^53, as an EventStoreDB commit position may be.
  position: 2n ** 60n + BigInt(i) * 1_000_003n,
});

describe('LeafLocations', () => {
  const leaves = new LeafLocations();
  const count = 2 * 4096 + 11;
  const indexes: number[] = [];
  beforeAll(() => {
    for (let i = 0; i < count; i++) indexes.push(leaves.push(eventAt(i)));
  });

  it('finds every leaf by its event id, across the chunks its columns are stored in', () => {
    expect(indexes).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(leaves.size).toBe(count);
    for (const i of [0, 1, 4095, 4096, 4097, 8191, 8192, count - 1]) {
      const { eventId, ...where } = eventAt(i);
      expect(leaves.locate(eventId)).toEqual({ leafIndex: i, ...where });
      expect(leaves.positionOf(i)).toBe(where.position);
    }
    expect(leaves.locate('event-unknown')).toBeUndefined();
  });

  it('keeps an event id seen again pointing at its first leaf', () => {
    const again = new LeafLocations();
    again.push({ eventId: 'a', streamName: 'party-x', revision: 0n, position: 5n });
    again.push({ eventId: 'a', streamName: 'party-y', revision: 3n, position: 9n });
    expect(again.locate('a')).toEqual({ leafIndex: 0, streamName: 'party-x', revision: 0n, position: 5n });
    expect(again.positionOf(1)).toBe(9n);
  });

  it('refuses a leaf index it does not hold', () => {
    for (const index of [-1, count, 1.5, Number.NaN]) expect(() => leaves.positionOf(index)).toThrow(RangeError);
  });
});
