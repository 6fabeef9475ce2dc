/** A stream's state folded up to a stored revision. */
export interface DecidedState<State> {
  state: State;
  /** Revision of the last event folded into `state`. */
  revision: bigint;
}

export interface DecidedStateCacheLimits {
  /** Total events folded into the states held (a stream at revision r counts r + 1). 0 disables the cache. */
  maxEvents: number;
  /** Streams held. 0 disables the cache. */
  maxStreams: number;
}

export interface DecidedStateCacheStats {
  streams: number;
  events: number;
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
  private events = 0;
  private hits = 0;
  private misses = 0;
  private evictions = 0;

  constructor(private readonly limits: DecidedStateCacheLimits) {
    for (const [name, value] of Object.entries(limits)) {
      if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`${name} must be a non-negative integer, got ${value}`);
    }
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
    if (weight > this.limits.maxEvents || this.limits.maxStreams === 0) return;
    this.entries.set(streamName, { owner, decided, weight });
    this.events += weight;
    for (const [name, oldest] of this.entries) {
      if (this.events <= this.limits.maxEvents && this.entries.size <= this.limits.maxStreams) break;
      this.entries.delete(name);
      this.events -= oldest.weight;
      this.evictions++;
    }
  }

  delete(streamName: string): void {
    const entry = this.entries.get(streamName);
    if (!entry) return;
    this.entries.delete(streamName);
    this.events -= entry.weight;
  }

  stats(): DecidedStateCacheStats {
    return { streams: this.entries.size, events: this.events, hits: this.hits, misses: this.misses, evictions: this.evictions };
  }
}
