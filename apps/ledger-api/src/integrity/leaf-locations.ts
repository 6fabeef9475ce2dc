import { HashIndex, HashIndexState, MemoryScratch, RecordColumn, RecordColumnState, ScratchSpace } from '@ledger/integrity';

export interface LeafLocation {
  leafIndex: number;
  streamName: string;
  revision: bigint;
  position: bigint;
}

/** position (u64), revision (i64), the stream's number (u32), little-endian. */
const RECORD_BYTES = 20;

/** FNV-1a over the id's UTF-16 code units, 32 bits. */
export const eventIdHash = (eventId: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < eventId.length; i++) hash = Math.imul(hash ^ eventId.charCodeAt(i), 0x01000193);
  return hash >>> 0;
};

/** What `LeafLocations.restore` needs besides the stream names (kept apart: they only grow, and are stored once). */
export interface LeafLocationsState {
  records: RecordColumnState;
  byIdHash: HashIndexState;
  streams: number;
}

/**
 * Where the event behind each leaf of the notary's tree is, and the leaves by a hash of their event id. The notary
 * keeps one for every ledger event the log holds: given a scratch space on a file, what grows with the log lives
 * there (a 20-byte record a leaf, an 8-byte index entry), and memory keeps one copy of each stream's name and a
 * bounded buffer. The ids themselves are not kept: `candidates` may name leaves of other events whose id hashes
 * alike, and the caller tells them apart by reading the event.
 */
export class LeafLocations {
  private readonly records: RecordColumn;
  private readonly byIdHash: HashIndex;
  private readonly streamNames: string[] = [];
  private readonly streamNumbers = new Map<string, number>();
  private readonly record = Buffer.alloc(RECORD_BYTES);

  constructor(
    scratch: ScratchSpace = new MemoryScratch(),
    private readonly hashOf: (eventId: string) => number = eventIdHash,
    records?: RecordColumn,
    byIdHash?: HashIndex,
  ) {
    this.records = records ?? new RecordColumn(scratch, RECORD_BYTES);
    this.byIdHash = byIdHash ?? new HashIndex(scratch);
  }

  get size(): number {
    return this.records.length;
  }

  snapshot(): LeafLocationsState {
    return { records: this.records.snapshot(), byIdHash: this.byIdHash.snapshot(), streams: this.streamNames.length };
  }

  /** Stream names from the `from`-th on, in the order their numbers were given. */
  streamNamesFrom(from: number): string[] {
    return this.streamNames.slice(from);
  }

  /** The locations a snapshot describes, with `streamNames` its first `state.streams` names; throws a RangeError when they do not describe any. */
  static restore(scratch: ScratchSpace, state: LeafLocationsState, streamNames: readonly string[], hashOf: (eventId: string) => number = eventIdHash): LeafLocations {
    const leaves = new LeafLocations(scratch, hashOf, RecordColumn.restore(scratch, state.records), HashIndex.restore(scratch, state.byIdHash));
    if (leaves.records.width !== RECORD_BYTES || leaves.byIdHash.size !== leaves.records.length || streamNames.length !== state.streams || new Set(streamNames).size !== streamNames.length) {
      throw new RangeError('A leaf-locations snapshot does not match its index or its stream names');
    }
    streamNames.forEach((name, number) => {
      leaves.streamNames.push(name);
      leaves.streamNumbers.set(name, number);
    });
    return leaves;
  }

  /** Records the next leaf's event. */
  push(event: { eventId: string; streamName: string; revision: bigint; position: bigint }): number {
    let stream = this.streamNumbers.get(event.streamName);
    if (stream === undefined) {
      stream = this.streamNames.push(event.streamName) - 1;
      this.streamNumbers.set(event.streamName, stream);
    }
    // Positions are unsigned 64-bit (EventStoreDB's); revisions kept signed, so a damaged log's negative one reads back
    // as it is. Neither ever throws: the notary follows whatever the log holds.
    this.record.writeBigUInt64LE(BigInt.asUintN(64, event.position), 0);
    this.record.writeBigInt64LE(BigInt.asIntN(64, event.revision), 8);
    this.record.writeUInt32LE(stream, 16);
    const leafIndex = this.records.length;
    // The index first: it refuses a leaf index past 32 bits before the record is kept.
    this.byIdHash.add(this.hashOf(event.eventId), leafIndex);
    return this.records.push(this.record);
  }

  /** Log position of the event behind leaf `leafIndex`. */
  positionOf(leafIndex: number): bigint {
    return this.locationOf(leafIndex).position;
  }

  /**
   * The leaves that may hold the event with this id, in leaf order: its own (the first, should the log hold the id
   * twice) among them if there is one, and any other whose id hashes alike. Read each event to tell which it is.
   */
  candidates(eventId: string): LeafLocation[] {
    return this.byIdHash.get(this.hashOf(eventId)).map((leafIndex) => this.locationOf(leafIndex));
  }

  locationOf(leafIndex: number): LeafLocation {
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= this.size) throw new RangeError(`Leaf index ${leafIndex} is not below ${this.size}`);
    const record = this.records.read(leafIndex);
    return {
      leafIndex,
      streamName: this.streamNames[record.readUInt32LE(16)],
      revision: record.readBigInt64LE(8),
      position: record.readBigUInt64LE(0),
    };
  }
}
