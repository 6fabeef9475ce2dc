import { HashIndex } from './hash-index';
import { EXTENT_BYTES, MemoryScratch } from './scratch-space';

/** A deterministic stream of 32-bit numbers (xorshift32), so that a failure can be replayed. */
const numbers = (seed: number) => {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>>= 0);
  };
};

const RECENT = 16_384;

describe('HashIndex', () => {
  it('answers like a map of lists, for keys that recur across every run and the unsorted part', () => {
    const scratch = new MemoryScratch();
    const index = new HashIndex(scratch);
    const expected = new Map<number, number[]>();
    const next = numbers(7);
    // Twenty sorts, merges at several sizes (some under way at the end) and a partly filled unsorted part. 1,500 keys:
    // each recurs about 220 times, so a key's entries span blocks of a run.
    const count = 20 * RECENT + 1234;
    for (let value = 0; value < count; value++) {
      const key = value % 9 === 0 ? [0, 0xffff_ffff][value % 2] : next() % 1500;
      index.add(key, value);
      const list = expected.get(key);
      if (list) list.push(value);
      else expected.set(key, [value]);
    }
    expect(index.size).toBe(count);
    const wrong: number[] = [];
    for (const [key, values] of expected) {
      const got = index.get(key);
      if (got.length !== values.length || got.some((value, i) => value !== values[i])) wrong.push(key);
    }
    expect(wrong).toEqual([]);
    expect(index.get(1500)).toEqual([]);
    expect(index.get(0xffff_fffe)).toEqual([]);
    // Merged runs gave their extents back: in use is about what the sorted entries take (a merge under way holds its
    // inputs and part of its output). Keeping the older input of every merge would take 1.85 times as much here.
    expect(scratch.extentsInUse * EXTENT_BYTES).toBeLessThanOrEqual(1.25 * (count - 1234) * 8);
  });

  it('finds keys spread over the whole range, and nothing for keys between them', () => {
    const index = new HashIndex(new MemoryScratch());
    const next = numbers(11);
    const keys: number[] = [];
    for (let value = 0; value < 3 * RECENT + 5; value++) {
      const key = next();
      keys.push(key);
      index.add(key, value);
    }
    const held = new Set(keys);
    const wrong: number[] = [];
    for (let value = 0; value < keys.length; value += 7) {
      if (!index.get(keys[value]).includes(value)) wrong.push(value);
      const neighbour = keys[value] + 1;
      if (!held.has(neighbour) && index.get(neighbour).length > 0) wrong.push(-value);
    }
    expect(wrong).toEqual([]);
  });

  it('merges as it goes: the runs stay O(log n), never one a sort', () => {
    const index = new HashIndex(new MemoryScratch());
    const next = numbers(3);
    let worst = 0;
    for (let sorts = 1; sorts <= 64; sorts++) {
      for (let i = 0; i < RECENT; i++) index.add(next(), index.size);
      worst = Math.max(worst, index.runCount - 2 * (Math.log2(sorts) + 1));
    }
    expect(index.size).toBe(64 * RECENT);
    expect(worst).toBeLessThanOrEqual(0);
  });

  it('keeps values in the order added under one key, whichever part holds them', () => {
    const index = new HashIndex(new MemoryScratch());
    for (let value = 0; value < 2 * RECENT + 3; value++) index.add(value % 2 === 0 ? 42 : 43, value);
    const got = index.get(42);
    expect(got.length).toBe(RECENT + 2);
    expect(got.every((value, i) => value === 2 * i)).toBe(true);
  });

  it('refuses keys and values that are not 32-bit unsigned integers, and finds nothing under such a key', () => {
    const index = new HashIndex(new MemoryScratch());
    for (const [key, value] of [
      [-1, 0],
      [2 ** 32, 0],
      [1.5, 0],
      [0, 2 ** 32],
      [0, Number.NaN],
    ]) {
      expect(() => index.add(key, value)).toThrow(RangeError);
    }
    expect(index.size).toBe(0);
    expect(index.get(-1)).toEqual([]);
  });

  it('takes up from a snapshot with merges under way, and answers and grows exactly as the index it was taken from', () => {
    const scratch = new MemoryScratch();
    const index = new HashIndex(scratch);
    const next = numbers(5);
    const keyOf = () => next() % 5000;
    // Eight sorts: a run of four sorts' entries, one of two, and a merge of two one-sort runs under way after the last.
    const count = 8 * RECENT + 1000;
    for (let value = 0; value < count; value++) index.add(keyOf(), value);
    const snapshot = index.snapshot();
    expect(snapshot.merges.length).toBeGreaterThan(0);
    expect(snapshot.merges.some((m) => m.movedOlder + m.movedNewer > 0)).toBe(true);
    // A copy of the scratch space as the snapshot left it: the original goes on and may reuse what the copy refers to.
    const copy = Object.assign(new MemoryScratch(), structuredClone({ ...scratch })) as MemoryScratch;
    const restored = HashIndex.restore(copy, JSON.parse(JSON.stringify(snapshot)));
    expect(restored.size).toBe(count);
    expect(restored.runCount).toBe(index.runCount);
    const more = numbers(9);
    for (let value = count; value < count + 3 * RECENT; value++) {
      const key = more() % 5000;
      index.add(key, value);
      restored.add(key, value);
    }
    const wrong: number[] = [];
    for (let key = 0; key < 5000; key += 3) if (JSON.stringify(index.get(key)) !== JSON.stringify(restored.get(key))) wrong.push(key);
    expect(wrong).toEqual([]);
    expect(restored.runCount).toBe(index.runCount);
  });

  it('refuses a snapshot whose parts do not add up', () => {
    const scratch = new MemoryScratch();
    const index = new HashIndex(scratch);
    // Two sorts, and the merge of their runs under way.
    for (let value = 0; value < 2 * RECENT + 100; value++) index.add(value % 77, value);
    const snapshot = index.snapshot();
    expect(() => HashIndex.restore(scratch, snapshot)).not.toThrow();
    expect(() => HashIndex.restore(scratch, { ...snapshot, count: snapshot.count + 1 })).toThrow(RangeError);
    expect(() => HashIndex.restore(scratch, { ...snapshot, recent: Buffer.alloc(12).toString('base64') })).toThrow(RangeError);
    expect(() => HashIndex.restore(scratch, { ...snapshot, merges: [] })).toThrow(RangeError);
    const [merge] = snapshot.merges;
    expect(() => HashIndex.restore(scratch, { ...snapshot, merges: [{ ...merge, movedOlder: merge.movedOlder + 1 }] })).toThrow(RangeError);
    expect(() => HashIndex.restore(scratch, { ...snapshot, merges: [{ ...merge, into: { ...merge.into, fences: '' } }] })).toThrow(RangeError);
  });
});
