import { RecordedEvent } from '../event-store.port';
import { StreamIdCache } from './stream-id-cache';

function at(revision: bigint, id = `id-${revision}`): RecordedEvent {
  return {
    eventId: id,
    type: 'T.v1',
    streamName: 's',
    revision,
    position: 1000n + revision,
    data: null,
    metadata: { recordedAt: '', recordedBy: '', correlationId: '', causationId: '' },
  };
}

describe('StreamIdCache', () => {
  it('reads a stream from 0 the first time and from the first unknown revision afterwards', () => {
    const cache = new StreamIdCache(10);
    expect(cache.nextRevision('s')).toBe(0n);

    const first = cache.merge('s', 0n, [at(0n), at(1n)])!;
    expect(first.current).toBe(1n);
    expect(cache.nextRevision('s')).toBe(2n);

    const second = cache.merge('s', 2n, [at(2n)])!;
    expect(second.current).toBe(2n);
    expect([...second.byId.keys()]).toEqual(['id-0', 'id-1', 'id-2']);
    expect(second.byId.get('id-1')).toEqual({ revision: 1n, position: 1001n });
  });

  it('keeps what it knows when nothing was added', () => {
    const cache = new StreamIdCache(10);
    cache.merge('s', 0n, [at(0n)]);
    expect(cache.merge('s', 1n, [])?.current).toBe(0n);
  });

  it('ignores events a concurrent append already merged', () => {
    const cache = new StreamIdCache(10);
    cache.merge('s', 0n, [at(0n), at(1n), at(2n)]);
    expect(cache.merge('s', 1n, [at(1n), at(2n), at(3n)])?.current).toBe(3n);
  });

  it('gives up on a stream that does not continue where it left off, and on a read from the middle of an unknown stream', () => {
    const cache = new StreamIdCache(10);
    cache.merge('s', 0n, [at(0n)]);
    expect(cache.merge('s', 1n, [at(5n)])).toBeUndefined();
    expect(cache.nextRevision('s')).toBe(0n);
    expect(cache.merge('other', 3n, [at(3n)])).toBeUndefined();
  });

  it('reports a stream without events as having no revision and does not keep it', () => {
    const cache = new StreamIdCache(10);
    expect(cache.merge('missing', 0n, [])).toEqual({ current: undefined, byId: new Map() });
    expect(cache.size).toBe(0);
  });

  it('forgets the least recently used streams beyond its size, and keeps nothing at size 0', () => {
    const cache = new StreamIdCache(2);
    cache.merge('a', 0n, [at(0n)]);
    cache.merge('b', 0n, [at(0n)]);
    cache.merge('a', 1n, []);
    cache.merge('c', 0n, [at(0n)]);
    expect(cache.nextRevision('a')).toBe(1n);
    expect(cache.nextRevision('b')).toBe(0n);
    expect(cache.nextRevision('c')).toBe(1n);

    const none = new StreamIdCache(0);
    expect(none.merge('a', 0n, [at(0n)])?.current).toBe(0n);
    expect(none.nextRevision('a')).toBe(0n);
    expect(() => new StreamIdCache(-1)).toThrow(RangeError);
  });
});
