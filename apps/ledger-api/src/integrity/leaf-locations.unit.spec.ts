import { LeafLocations, eventIdHash } from './leaf-locations';

const eventAt = (i: number) => ({
  eventId: `event-${i}`,
  streamName: `incident-${i % 7}`,
  revision: BigInt(Math.floor(i / 7)),
  // Positions far apart and past 2^53, as an EventStoreDB commit position may be.
  position: 2n ** 60n + BigInt(i) * 1_000_003n,
});

const whereOf = (i: number) => {
  const { eventId, ...where } = eventAt(i);
  return { leafIndex: i, ...where };
};

describe('LeafLocations', () => {
  const leaves = new LeafLocations();
  const count = 2 * 4096 + 11;
  const indexes: number[] = [];
  beforeAll(() => {
    for (let i = 0; i < count; i++) indexes.push(leaves.push(eventAt(i)));
  });

  it('finds every leaf among the candidates for its event id, across the chunks its columns are stored in', () => {
    expect(indexes).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(leaves.size).toBe(count);
    for (let i = 0; i < count; i++) expect(leaves.candidates(`event-${i}`)).toContainEqual(whereOf(i));
    for (const i of [0, 4095, 4096, 8192, count - 1]) expect(leaves.positionOf(i)).toBe(eventAt(i).position);
  });

  it('names only the leaves whose ids hash alike: none for an id no leaf has, unless it collides', () => {
    const unknown = 'event-unknown';
    const colliding = Array.from({ length: count }, (_, i) => i).filter((i) => eventIdHash(`event-${i}`) === eventIdHash(unknown));
    expect(leaves.candidates(unknown)).toEqual(colliding.map(whereOf));
  });

  it('gives every leaf whose id hashes alike, in leaf order, for the caller to tell apart', () => {
    const alike = new LeafLocations(() => 7);
    for (let i = 0; i < 5; i++) alike.push(eventAt(i));
    expect(alike.candidates('event-3')).toEqual([0, 1, 2, 3, 4].map(whereOf));
    expect(new LeafLocations(() => 7).candidates('event-3')).toEqual([]);
  });

  it('gives both leaves of an id the log holds twice, the first first', () => {
    const again = new LeafLocations();
    again.push({ eventId: 'a', streamName: 'party-x', revision: 0n, position: 5n });
    again.push({ eventId: 'a', streamName: 'party-y', revision: 3n, position: 9n });
    expect(again.candidates('a')).toEqual([
      { leafIndex: 0, streamName: 'party-x', revision: 0n, position: 5n },
      { leafIndex: 1, streamName: 'party-y', revision: 3n, position: 9n },
    ]);
  });

  it('hashes ids into small non-negative integers', () => {
    for (const id of ['', 'a', '0b7e8c52-2a4d-5c1e-9f3a-6d2b1c0e9a87', 'ñ'.repeat(50)]) {
      const hash = eventIdHash(id);
      expect(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 31).toBe(true);
    }
    expect(eventIdHash('event-1')).not.toBe(eventIdHash('event-2'));
  });

  it('refuses a leaf index it does not hold', () => {
    for (const index of [-1, count, 1.5, Number.NaN]) expect(() => leaves.positionOf(index)).toThrow(RangeError);
  });
});
