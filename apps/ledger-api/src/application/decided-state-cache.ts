/** A stream's state folded up to a stored revision. */
export interface DecidedState<State> {
  state: State;
  /** Revision of the last event folded into `state`. */
  revision: bigint;
  /** Heap the state holds, estimated from the events folded into it (see heapBytesOf). */
  bytes: number;
}

export interface DecidedStateCacheLimits {
  /** Total events folded into the states held (a stream at revision r counts r + 1). 0 disables the cache. */
  maxEvents: number;
  /** Streams held. 0 disables the cache. */
  maxStreams: number;
  /** Estimated heap of the states held (default DEFAULT_STATE_CACHE_BYTES). 0 disables the cache. */
  maxBytes?: number;
}

/**
 * 256 MiB: about 145,000 events of demo-sized claims, 6,400 of claims whose statement is 20,000 characters of
 * Armenian. A bound on events alone let a recorder's long statements fill the heap (500,000 such events are 20 GB).
 */
export const DEFAULT_STATE_CACHE_BYTES = 256 * 2 ** 20;

/**
 * What an incident state keeps around each event's data beyond the data itself (the persistent maps' nodes, the
 * claim's record and version list): measured 1,804 bytes of heap per demo claim folded, against 1,205 estimated
 * from its data alone.
 */
const EVENT_OVERHEAD_BYTES = 600;

/**
 * The heap an event's data takes once folded into a state: strings at one or two bytes a character (V8 keeps text
 * with any character past U+00FF in two), objects and arrays by their slots. Within 2 % of the heap measured for
 * demo claims and for statements of 20,000 characters, Latin or Armenian.
 */
export const heapBytesOf = (data: unknown): number => EVENT_OVERHEAD_BYTES + dataBytes(data);

const TWO_BYTE = /[^\x00-\xff]/;

const dataBytes = (value: unknown): number => {
  switch (typeof value) {
    case 'string':
      return 16 + (TWO_BYTE.test(value) ? 2 : 1) * value.length;
    case 'number':
      // Small integers live in their slot; any other number is a heap object of its own.
      return Number.isInteger(value) && Math.abs(value) < 2 ** 30 ? 0 : 16;
    case 'object': {
      if (value === null) return 0;
      if (Array.isArray(value)) {
        let bytes = 16 + 8 * value.length;
        for (const item of value) bytes += dataBytes(item);
        return bytes;
      }
      let bytes = 24;
      for (const key in value) bytes += 8 + dataBytes((value as Record<string, unknown>)[key]);
      return bytes;
    }
    default:
      return 0;
  }
};

/** The limits a ledger's configuration sets (LEDGER_STATE_CACHE_EVENTS, _STREAMS, _MIB). */
export const stateCacheLimitsOf = (writeSide: { stateCacheEvents: number; stateCacheStreams: number; stateCacheMiB: number }): DecidedStateCacheLimits => ({
  maxEvents: writeSide.stateCacheEvents,
  maxStreams: writeSide.stateCacheStreams,
  maxBytes: writeSide.stateCacheMiB * 2 ** 20,
});

export interface DecidedStateCacheStats {
  streams: number;
  events: number;
  /** Estimated heap of the states held. */
  bytes: number;
  hits: number;
  misses: number;
  evictions: number;
}

interface Entry {
  /** The decider that folded the state: a state is only ever handed back to the decider that made it. */
  owner: object;
  decided: DecidedState<unknown>;
  weight: number;
}

/**
 * The write side's memory of folded streams, least recently used first out.
 * States are immutable values (deciders evolve without mutating), so one may
 * be handed to any number of commands; what is stored here is only ever a
 * state folded from events the store holds, up to `revision`.
 */
export class DecidedStateCache {
  /** Map iteration order is insertion order: re-inserting on use keeps the least recently used first. */
  private readonly entries = new Map<string, Entry>();
  private readonly maxBytes: number;
  private events = 0;
  private bytes = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private readonly limits: DecidedStateCacheLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (value !== undefined && (!Number.isSafeInteger(value) || value < 0)) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    }
    this.maxBytes = limits.maxBytes ?? DEFAULT_STATE_CACHE_BYTES;
  }

  get<State>(streamName: string, owner: object): DecidedState<State> | undefined {
    const entry = this.entries.get(streamName);
    if (!entry || entry.owner !== owner) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    this.entries.delete(streamName);
    this.entries.set(streamName, entry);
    return entry.decided as DecidedState<State>;
  }

  /** Remembers the state; a stream too big for the whole cache is forgotten instead. */
  set<State>(streamName: string, owner: object, decided: DecidedState<State>): void {
    this.delete(streamName);
    const weight = Number(decided.revision) + 1;
    if (weight > this.limits.maxEvents || decided.bytes > this.maxBytes || this.limits.maxStreams === 0 || this.maxBytes === 0) return;
    this.entries.set(streamName, { owner, decided, weight });
    this.events += weight;
    this.bytes += decided.bytes;
    for (const [name, oldest] of this.entries) {
      if (this.events <= this.limits.maxEvents && this.bytes <= this.maxBytes && this.entries.size <= this.limits.maxStreams) break;
      this.entries.delete(name);
      this.events -= oldest.weight;
      this.bytes -= oldest.decided.bytes;
      this.evictions++;
    }
  }

  delete(streamName: string): void {
    const entry = this.entries.get(streamName);
    if (!entry) return;
    this.entries.delete(streamName);
    this.events -= entry.weight;
    this.bytes -= entry.decided.bytes;
  }

  stats(): DecidedStateCacheStats {
    return { streams: this.entries.size, events: this.events, bytes: this.bytes, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }
}
