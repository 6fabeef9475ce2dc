import { storedHashOf } from '@ledger/integrity';
import { RecordedEvent } from '../event-store.port';

export interface StoredEventRef {
  revision: bigint;
  position: bigint;
}

/** What an append decides on: the stream's current revision and where each stored event id sits. */
export interface StreamIds {
  current: bigint | undefined;
  byId: ReadonlyMap<string, StoredEventRef>;
  /** The hash chain's head: the last event's own hash (undefined for an empty stream or an unhashed event). */
  lastHash?: string;
}

interface Entry {
  last: bigint | undefined;
  lastHash: string | undefined;
  byId: Map<string, StoredEventRef>;
}

/**
 * The event ids of recently appended-to streams, so that the pre-append check reads only the events added since the
 * last append instead of the whole stream. Sound because ledger streams are append-only: a prefix once read never
 * changes. A stream that no longer continues where the cache left off (truncated by $maxCount/$maxAge, deleted and
 * recreated) is detected by the revision gap and read again in full. Least recently used streams are forgotten
 * beyond `maxStreams`; 0 disables the cache (every append reads its whole stream).
 */
export class StreamIdCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxStreams: number) {
    if (!Number.isInteger(maxStreams) || maxStreams < 0) throw new RangeError(`idCacheStreams must be an integer >= 0, got ${maxStreams}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** First revision not yet known for the stream: where the next read starts. */
  nextRevision(streamName: string): bigint {
    const last = this.entries.get(streamName)?.last;
    return last === undefined ? 0n : last + 1n;
  }

  /**
   * Adds the events read from revision `from` on (forwards, in order). Returns the stream as now known, or undefined
   * when the read does not continue what is cached (then the caller forgets the stream and reads it from 0).
   */
  merge(streamName: string, from: bigint, tail: readonly RecordedEvent[]): StreamIds | undefined {
    let entry = this.entries.get(streamName);
    if (!entry) {
      if (from !== 0n) return undefined;
      entry = { last: undefined, lastHash: undefined, byId: new Map() };
    }
    for (const event of tail) {
      const expectedNext = entry.last === undefined ? 0n : entry.last + 1n;
      // Already merged by a concurrent append in this process.
      if (event.revision < expectedNext) continue;
      if (event.revision > expectedNext) {
        this.entries.delete(streamName);
        return undefined;
      }
      entry.byId.set(event.eventId, { revision: event.revision, position: event.position });
      entry.last = event.revision;
      entry.lastHash = storedHashOf(event.metadata);
    }
    this.remember(streamName, entry);
    return { current: entry.last, byId: entry.byId, lastHash: entry.lastHash };
  }

  forget(streamName: string): void {
    this.entries.delete(streamName);
  }

  private remember(streamName: string, entry: Entry): void {
    this.entries.delete(streamName);
    if (this.maxStreams === 0 || entry.last === undefined) return;
    this.entries.set(streamName, entry);
    while (this.entries.size > this.maxStreams) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
    }
  }
}
