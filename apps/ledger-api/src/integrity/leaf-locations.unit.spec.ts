import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileScratch, MemoryScratch } from '@ledger/integrity';
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
  const directory = mkdtempSync(join(tmpdir(), 'leaf-locations-'));
  const scratch = new FileScratch(directory);
  const leaves = new LeafLocations(scratch);
  // Past a records extent (3,276 leaves) several times, and past the id index's in-memory part (65,536) into runs.
  const count = 3 * 65_536 + 11;
  const indexes: number[] = [];
  beforeAll(() => {
    for (let i = 0; i < count; i++) indexes.push(leaves.push(eventAt(i)));
  });
  afterAll(() => {
    scratch.close();
    rmSync(directory, { recursive: true });
  });

  it('keeps nothing visible in the directory it was given', () => {
    expect(readdirSync(directory)).toEqual([]);
  });

  it('finds every leaf among the candidates for its event id, across the chunks its columns are stored in', () => {
    expect(indexes).toEqual(Array.from({ length: count }, (_, i) => i));
    expect(leaves.size).toBe(count);
    const missing: number[] = [];
    // Every 13th leaf (each extent and each run has some) and the last ones, held in memory still.
    for (let i = 0; i < count; i++) {
      if (i % 13 !== 0 && i < count - 20) continue;
      const found = leaves.candidates(`event-${i}`).find((candidate) => candidate.leafIndex === i);
      const where = whereOf(i);
      if (!found || found.streamName !== where.streamName || found.revision !== where.revision || found.position !== where.position) missing.push(i);
    }
    expect(missing).toEqual([]);
    for (const i of [0, 3275, 3276, 65_535, 65_536, 131_072, count - 1]) expect(leaves.positionOf(i)).toBe(eventAt(i).position);
  });

  it('names only the leaves whose ids hash alike: none for an id no leaf has, unless it collides', () => {
    const unknown = 'event-unknown';
    const colliding = Array.from({ length: count }, (_, i) => i).filter((i) => eventIdHash(`event-${i}`) === eventIdHash(unknown));
    expect(leaves.candidates(unknown)).toEqual(colliding.map(whereOf));
  });

  it('gives every leaf whose id hashes alike, in leaf order, for the caller to tell apart', () => {
    const alike = new LeafLocations(new MemoryScratch(), () => 7);
    for (let i = 0; i < 5; i++) alike.push(eventAt(i));
    expect(alike.candidates('event-3')).toEqual([0, 1, 2, 3, 4].map(whereOf));
    expect(new LeafLocations(new MemoryScratch(), () => 7).candidates('event-3')).toEqual([]);
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

  it('keeps what a damaged log may hold, a negative revision, a position at the top of 64 bits, without throwing', () => {
    const odd = new LeafLocations(new MemoryScratch());
    odd.push({ eventId: 'a', streamName: 'incident-x', revision: -3n, position: 2n ** 64n - 1n });
    expect(odd.candidates('a')).toEqual([{ leafIndex: 0, streamName: 'incident-x', revision: -3n, position: 2n ** 64n - 1n }]);
  });

  it('hashes ids into 32-bit unsigned integers', () => {
    for (const id of ['', 'a', '0b7e8c52-2a4d-5c1e-9f3a-6d2b1c0e9a87', 'ñ'.repeat(50)]) {
      const hash = eventIdHash(id);
      expect(Number.isInteger(hash) && hash >= 0 && hash < 2 ** 32).toBe(true);
    }
    expect(eventIdHash('event-1')).not.toBe(eventIdHash('event-2'));
  });

  it('refuses a leaf index it does not hold', () => {
    for (const index of [-1, count, 1.5, Number.NaN]) expect(() => leaves.positionOf(index)).toThrow(RangeError);
  });
});
