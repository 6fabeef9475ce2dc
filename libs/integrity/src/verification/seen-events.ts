import { HashIndex } from '../scratch/hash-index';
import { RecordColumn, ScratchSpace } from '../scratch/scratch-space';

/** hash (32 bytes, zeros when none), revision (its low 64 bits), stream number (u32), has a hash (u8), little-endian. */
const RECORD_BYTES = 48;
const NO_HASH = Buffer.alloc(32);

/**
 * The hash verification saw at each stream revision, for the link of the event after it and the stream heads that
 * checkpoints recorded (which arrive after the events they name). One record an event in a scratch space, found by a
 * hash of its stream and revision: what grows with the log is not kept in memory. A revision seen twice (a damaged
 * log) answers with the one seen last.
 */
export class SeenEvents {
  private readonly records: RecordColumn;
  private readonly byRevision: HashIndex;
  private readonly record = Buffer.alloc(RECORD_BYTES);

  constructor(
    scratch: ScratchSpace,
    private readonly keyOf: (stream: number, revision: bigint) => number = revisionKey,
  ) {
    this.records = new RecordColumn(scratch, RECORD_BYTES);
    this.byRevision = new HashIndex(scratch);
  }

  /** `hash` is 64 lowercase hex digits (see storedHashOf), or undefined when the event had none to trust. */
  add(stream: number, revision: bigint, hash: string | undefined): void {
    const record = this.record;
    if (hash === undefined) NO_HASH.copy(record, 0);
    else if (record.write(hash, 0, 32, 'hex') !== 32) throw new RangeError(`Event hash ${hash} is not 64 hex digits`);
    // As 64 bits, whatever the sign: a damaged log may hold any integer there, and verifying it must not throw.
    record.writeBigUInt64LE(BigInt.asUintN(64, revision), 32);
    record.writeUInt32LE(stream, 40);
    record[44] = hash === undefined ? 0 : 1;
    this.byRevision.add(this.keyOf(stream, revision), this.records.length);
    this.records.push(record);
  }

  /** What was seen at this revision: `{ hash }` (undefined when it had none), or undefined if it was never seen. */
  get(stream: number, revision: bigint): { hash: string | undefined } | undefined {
    const candidates = this.byRevision.get(this.keyOf(stream, revision));
    for (let i = candidates.length - 1; i >= 0; i--) {
      const record = this.records.read(candidates[i]);
      if (record.readUInt32LE(40) !== stream || record.readBigUInt64LE(32) !== BigInt.asUintN(64, revision)) continue;
      return { hash: record[44] === 1 ? record.toString('hex', 0, 32) : undefined };
    }
    return undefined;
  }
}

/** FNV-1a over the stream number and the revision's two 32-bit halves. */
const revisionKey = (stream: number, revision: bigint): number => {
  let hash = 0x811c9dc5;
  for (const word of [stream, Number(revision & 0xffff_ffffn), Number(revision >> 32n)]) {
    for (let shift = 0; shift < 32; shift += 8) hash = Math.imul(hash ^ ((word >>> shift) & 0xff), 0x01000193);
  }
  return hash >>> 0;
};
