import type { FeedEntry } from './feed-entry';

/**
 * The most recent ledger events, oldest evicted first, shared by every live stream. Invariant: every ledger event
 * after `floor` that the hub has received is in the ring, so a reader whose cursor is at or after `floor` can read on
 * from memory without a gap; one below it must read the store.
 */
export class FeedRing {
  private readonly slots: Array<FeedEntry | undefined>;
  /** Sequence number of the oldest entry kept, and of the next entry to add: entries are [first, next). */
  private first = 0;
  private next = 0;

  constructor(
    readonly capacity: number,
    /** Where the ring's knowledge starts: the position the hub's subscription started after. */
    private lowerBound: bigint,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1) throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.slots = new Array<FeedEntry | undefined>(capacity);
  }

  get floor(): bigint {
    return this.lowerBound;
  }

  get size(): number {
    return this.next - this.first;
  }

  /** Adds the next event (positions only grow); evicts the oldest when full, which raises the floor to it. */
  push(entry: FeedEntry): void {
    if (this.size > 0 && entry.position <= this.at(this.next - 1).position) {
      throw new RangeError(`ring positions must grow: ${entry.position} after ${this.at(this.next - 1).position}`);
    }
    if (this.size === this.capacity) {
      this.lowerBound = this.at(this.first).position;
      this.slots[this.first % this.capacity] = undefined;
      this.first += 1;
    }
    this.slots[this.next % this.capacity] = entry;
    this.next += 1;
  }

  /** Up to `max` entries with a position strictly after `after`, oldest first. */
  after(after: bigint, max: number): FeedEntry[] {
    let lo = this.first;
    let hi = this.next;
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      if (this.at(mid).position <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: FeedEntry[] = [];
    for (let seq = lo; seq < this.next && out.length < max; seq++) out.push(this.at(seq));
    return out;
  }

  private at(seq: number): FeedEntry {
    return this.slots[seq % this.capacity]!;
  }
}
