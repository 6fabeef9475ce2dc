export interface LeafLocation {
  leafIndex: number;
  streamName: string;
  revision: bigint;
  position: bigint;
}

/** Leaves a chunk of each packed column holds. */
const CHUNK_LEAVES = 4096;

/** FNV-1a over the id's UTF-16 code units, 31 bits: a small integer, which a Map keeps without a heap object. */
export const eventIdHash = (eventId: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) hash = Math.imul(hash ^ eventId.charCodeAt(i), 0x01000193);
  return hash >>> 1;
};

/**
 * Where the event behind each leaf of the notary's tree is, in packed columns, and the leaves by a hash of their event
 * id: about 60 bytes a leaf, where an object a leaf (two bigints, its own copy of the stream's name) in a map by the
 * id's text took about 300. The notary keeps one for every ledger event the log holds, so this is what its memory
 * grows by. The ids themselves are not kept: `candidates` may name leaves of other events whose id hashes alike, and
 * the caller tells them apart by reading the event.
 */
export class LeafLocations {
  /** Leaf index, or the leaf indexes in order when ids hash alike. */
  private readonly byIdHash = new Map<number, number | number[]>();
  private readonly streamNames: string[] = [];
  /** One copy of each stream's name, however many of its events there are. */
  private readonly names = new Map<string, string>();
  private readonly revisions: BigUint64Array[] = [];
  private readonly positions: BigUint64Array[] = [];
  private count = 0;

  constructor(private readonly hashOf: (eventId: string) => number = eventIdHash) {}

  get size(): number {
    return this.count;
  }

  /** Records the next leaf's event. */
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
    const hash = this.hashOf(event.eventId);
    const alike = this.byIdHash.get(hash);
    if (alike === undefined) this.byIdHash.set(hash, leafIndex);
    else if (typeof alike === 'number') this.byIdHash.set(hash, [alike, leafIndex]);
    else alike.push(leafIndex);
    this.count += 1;
    return leafIndex;
  }

  /** Log position of the event behind leaf `leafIndex`. */
  positionOf(leafIndex: number): bigint {
    this.check(leafIndex);
    return this.positions[Math.floor(leafIndex / CHUNK_LEAVES)][leafIndex % CHUNK_LEAVES];
  }

  /**
   * The leaves that may hold the event with this id, in leaf order: its own (the first, should the log hold the id
   * twice) among them if there is one, and any other whose id hashes alike. Read each event to tell which it is.
   */
  candidates(eventId: string): LeafLocation[] {
    const alike = this.byIdHash.get(this.hashOf(eventId));
    if (alike === undefined) return [];
    return (typeof alike === 'number' ? [alike] : alike).map((leafIndex) => this.locationOf(leafIndex));
  }

  private locationOf(leafIndex: number): LeafLocation {
    const chunk = Math.floor(leafIndex / CHUNK_LEAVES);
    const slot = leafIndex % CHUNK_LEAVES;
    return { leafIndex, streamName: this.streamNames[leafIndex], revision: this.revisions[chunk][slot], position: this.positions[chunk][slot] };
  }

  private check(leafIndex: number): void {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.count) throw new RangeError(`Leaf index ${leafIndex} is not below ${this.count}`);
  }
}
