import { DEFAULT_STATE_CACHE_BYTES, DecidedStateCache, heapBytesOf } from './decided-state-cache';

const decider = {};
const otherDecider = {};
const at = (revision: number, bytes = 0, state = `state@${revision}`) => ({ state, revision: BigInt(revision), bytes });

describe('DecidedStateCache', () => {
  it('hands back what was remembered for the stream and counts hits and misses', () => {
    const cache = new DecidedStateCache({ maxEvents: 100, maxStreams: 10 });
    expect(cache.get('incident-a', decider)).toBeUndefined();
    cache.set('incident-a', decider, at(4));
    expect(cache.get('incident-a', decider)).toEqual(at(4));
    expect(cache.stats()).toEqual({ streams: 1, events: 5, bytes: 0, hits: 1, misses: 1, evictions: 0 });
  });

  it('never hands a state to a decider that did not fold it', () => {
    const cache = new DecidedStateCache({ maxEvents: 100, maxStreams: 10 });
    cache.set('incident-a', decider, at(1));
    expect(cache.get('incident-a', otherDecider)).toBeUndefined();
  });

  it('replaces a stream\'s state and its weight when it moves on', () => {
    const cache = new DecidedStateCache({ maxEvents: 100, maxStreams: 10 });
    cache.set('incident-a', decider, at(1));
    cache.set('incident-a', decider, at(9));
    expect(cache.get('incident-a', decider)).toEqual(at(9));
    expect(cache.stats()).toMatchObject({ streams: 1, events: 10 });
  });

  it('evicts the least recently used streams once the events held exceed the bound', () => {
    const cache = new DecidedStateCache({ maxEvents: 10, maxStreams: 10 });
    cache.set('a', decider, at(3));
    cache.set('b', decider, at(3));
    cache.get('a', decider);
    cache.set('c', decider, at(3));
    expect([cache.get('a', decider), cache.get('b', decider), cache.get('c', decider)]).toEqual([at(3), undefined, at(3)]);
    expect(cache.stats()).toMatchObject({ streams: 2, events: 8, evictions: 1 });
  });

  it('evicts the least recently used streams beyond the stream bound', () => {
    const cache = new DecidedStateCache({ maxEvents: 1000, maxStreams: 2 });
    cache.set('a', decider, at(0));
    cache.set('b', decider, at(0));
    cache.set('c', decider, at(0));
    expect(cache.get('a', decider)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ streams: 2, events: 2, evictions: 1 });
  });

  it('does not keep a stream bigger than the whole cache, nor evict others for it', () => {
    const cache = new DecidedStateCache({ maxEvents: 10, maxStreams: 10 });
    cache.set('small', decider, at(2));
    cache.set('huge', decider, at(10));
    expect([cache.get('small', decider), cache.get('huge', decider)]).toEqual([at(2), undefined]);
    expect(cache.stats()).toMatchObject({ streams: 1, events: 3, evictions: 0 });
  });

  it('forgets a stream on delete', () => {
    const cache = new DecidedStateCache({ maxEvents: 10, maxStreams: 10 });
    cache.set('a', decider, at(2));
    cache.delete('a');
    expect(cache.get('a', decider)).toBeUndefined();
    expect(cache.stats()).toMatchObject({ streams: 0, events: 0 });
  });

  it('evicts the least recently used streams once the estimated heap held exceeds its bound, and keeps no state bigger than it', () => {
    const cache = new DecidedStateCache({ maxEvents: 1000, maxStreams: 10, maxBytes: 10_000 });
    cache.set('a', decider, at(0, 4_000));
    cache.set('b', decider, at(0, 4_000));
    cache.get('a', decider);
    cache.set('c', decider, at(0, 4_000));
    expect([cache.get('a', decider), cache.get('b', decider), cache.get('c', decider)]).toEqual([at(0, 4_000), undefined, at(0, 4_000)]);
    expect(cache.stats()).toMatchObject({ streams: 2, events: 2, bytes: 8_000, evictions: 1 });
    cache.set('huge', decider, at(0, 10_001));
    expect(cache.get('huge', decider)).toBeUndefined();
    cache.set('a', decider, at(1, 5_000));
    expect(cache.stats()).toMatchObject({ streams: 2, bytes: 9_000, evictions: 1 });
    cache.delete('c');
    expect(cache.stats()).toMatchObject({ streams: 1, events: 2, bytes: 5_000 });
  });

  it('bounds the heap by DEFAULT_STATE_CACHE_BYTES when no byte bound is given', () => {
    const cache = new DecidedStateCache({ maxEvents: 1_000_000, maxStreams: 1_000 });
    for (let i = 0; i < 100; i++) cache.set(`s${i}`, decider, at(0, DEFAULT_STATE_CACHE_BYTES / 10));
    expect(cache.stats().bytes).toBeLessThanOrEqual(DEFAULT_STATE_CACHE_BYTES);
    expect(cache.stats().streams).toBe(10);
  });

  it('estimates an event’s heap from its data: text at one byte a character, or two with any past U+00FF', () => {
    const claim = (text: string) => ({ claimId: 'c', statement: { text, verbatim: false }, assertions: { responsibleParties: ['karabakh-army'] } });
    const latin = heapBytesOf(claim('a'.repeat(20_000)));
    const armenian = heapBytesOf(claim('Հ'.repeat(20_000)));
    expect(latin).toBeGreaterThan(20_000);
    expect(latin).toBeLessThan(22_000);
    expect(armenian - latin).toBe(20_000);
    // Numbers past the small-integer range are heap objects of their own.
    expect(heapBytesOf({ n: 2 ** 40 }) - heapBytesOf({ n: 1 })).toBe(16);
  });

  it.each([
    { maxEvents: 0, maxStreams: 10 },
    { maxEvents: 10, maxStreams: 0 },
    { maxEvents: 10, maxStreams: 10, maxBytes: 0 },
  ])('keeps nothing when a bound is 0 (%o)', (limits) => {
    const cache = new DecidedStateCache(limits);
    cache.set('a', decider, at(0));
    expect(cache.get('a', decider)).toBeUndefined();
  });

  it('refuses a negative or fractional bound', () => {
    expect(() => new DecidedStateCache({ maxEvents: -1, maxStreams: 1 })).toThrow(RangeError);
    expect(() => new DecidedStateCache({ maxEvents: 1, maxStreams: 1.5 })).toThrow(RangeError);
    expect(() => new DecidedStateCache({ maxEvents: 1, maxStreams: 1, maxBytes: -5 })).toThrow(RangeError);
  });
});
