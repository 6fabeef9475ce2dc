export interface LeafLocation {
  leafIndex: number;
  streamName: string;
  revision: bigint;
  position: bigint;
}

/** Leaves a chunk of each packed column holds. */
const CHUNK_LEAVES = 4096;

/**
 * Where the event behind each leaf of the notary's tree is, in packed columns: about 30 bytes a leaf beside its id's
 * entry in a map, where an object a leaf (with two bigints and its own copy of the stream's name) took about 250. The
 * notary keeps one for every ledger event the log holds, so this is what its memory grows by.
 */
export class LeafLocations {
  private readonly byEventId = new Map<string, number>();
  private readonly streamNames: string[] = [];
  /** One copy of each stream's name, however many of its events there are. */
  private readonly names = new Map<string, string>();
  private readonly revisions: BigUint64Array[] = [];
  private readonly positions: BigUint64Array[] = [];
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Records the next leaf's event; an event id seen before keeps pointing at its first leaf. */
  push(event: { eventId: string; streamName: string; revision: bigint; position: bigint }): number {
    const leafIndex = this.count;
    const slot = leafIndex % CHUNK_LEAVES;
    if (slot === 0) {
      this.revisions.push(new BigUint64Array(CHUNK_LEAVES));
      this.positions.push(new BigUint64Array(CHUNK_LEAVES));
    }
    let name = this.names.get(event.streamName);
    if (name === undefined) this.names.set(event.streamName, (name = event.streamName));
    this.streamNames.push(name);
    this.revisions[this.revisions.length - 1][slot] = event.revision;
    this.positions[this.positions.length - 1][slot] = event.position;
    if (!this.byEventId.has(event.eventId)) this.byEventId.set(event.eventId, leafIndex);
    this.count += 1;
    return leafIndex;
  }

  /** Log position of the event behind leaf `leafIndex`. */
  positionOf(leafIndex: number): bigint {
    this.check(leafIndex);
    return this.positions[Math.floor(leafIndex / CHUNK_LEAVES)][leafIndex % CHUNK_LEAVES];
  }

  locate(eventId: string): LeafLocation | undefined {
    const leafIndex = this.byEventId.get(eventId);
    if (leafIndex === undefined) return undefined;
    const chunk = Math.floor(leafIndex / CHUNK_LEAVES);
    const slot = leafIndex % CHUNK_LEAVES;
    return { leafIndex, streamName: this.streamNames[leafIndex], revision: this.revisions[chunk][slot], position: this.positions[chunk][slot] };
  }

  private check(leafIndex: number): void {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.count) throw new RangeError(`Leaf index ${leafIndex} is not below ${this.count}`);
  }
}
