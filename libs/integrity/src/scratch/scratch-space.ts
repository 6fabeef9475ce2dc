import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Bytes of an extent: the unit a scratch space hands out, and a column's in-memory tail. */
export const EXTENT_BYTES = 64 * 1024;

/**
 * Fixed-size extents of throwaway storage for structures that grow with the log (the notary's tree, where each leaf's
 * event is, the leaves by id hash): on a file, what they hold costs page cache the kernel may drop, not heap.
 * Nothing in it outlives the process: it is rebuilt from the log at every start.
 */
export interface ScratchSpace {
  /** A free extent's number: one given back by `free`, else a new one. */
  allocate(): number;
  free(extent: number): void;
  /** Writes `data` (at most EXTENT_BYTES) at the start of the extent. */
  write(extent: number, data: Uint8Array): void;
  /** Fills `into` from `offset` bytes into the extent. */
  read(extent: number, offset: number, into: Uint8Array): void;
  close(): void;
  /** Extents handed out and not freed. */
  readonly extentsInUse: number;
}

export class MemoryScratch implements ScratchSpace {
  private readonly extents: (Buffer | undefined)[] = [];
  private readonly freed: number[] = [];

  get extentsInUse(): number {
    return this.extents.length - this.freed.length;
  }

  allocate(): number {
    const reused = this.freed.pop();
    if (reused !== undefined) return reused;
    this.extents.push(undefined);
    return this.extents.length - 1;
  }

  free(extent: number): void {
    this.extents[extent] = undefined;
    this.freed.push(extent);
  }

  write(extent: number, data: Uint8Array): void {
    const stored = (this.extents[extent] ??= Buffer.alloc(EXTENT_BYTES));
    stored.set(data, 0);
  }

  read(extent: number, offset: number, into: Uint8Array): void {
    const stored = this.extents[extent];
    if (!stored) throw new RangeError(`Scratch extent ${extent} holds nothing`);
    into.set(stored.subarray(offset, offset + into.length));
  }

  close(): void {
    this.extents.length = 0;
  }
}

/**
 * Extents in a file of `directory` that is unlinked as soon as it is open: the kernel frees it when the process
 * closes it or dies, so a crash leaves nothing behind and two processes on one data directory never share one.
 */
export class FileScratch implements ScratchSpace {
  private readonly fd: number;
  private extents = 0;
  private readonly freed: number[] = [];
  private closed = false;

  constructor(directory: string) {
    const path = join(directory, `.scratch-${randomBytes(8).toString('hex')}`);
    this.fd = openSync(path, 'wx+', 0o600);
    unlinkSync(path);
  }

  get extentsInUse(): number {
    return this.extents - this.freed.length;
  }

  allocate(): number {
    return this.freed.pop() ?? this.extents++;
  }

  free(extent: number): void {
    this.freed.push(extent);
  }

  write(extent: number, data: Uint8Array): void {
    if (data.length > EXTENT_BYTES) throw new RangeError(`A scratch write holds at most ${EXTENT_BYTES} bytes`);
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, extent * EXTENT_BYTES + done);
  }

  read(extent: number, offset: number, into: Uint8Array): void {
    let done = 0;
    while (done < into.length) {
      const read = readSync(this.fd, into, done, into.length - done, extent * EXTENT_BYTES + offset + done);
      if (read === 0) throw new RangeError(`Scratch extent ${extent} ends before byte ${offset + done}`);
      done += read;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

/**
 * An append-only column of fixed-width records in a scratch space: full extents live there, the last one in memory
 * until it fills. Reads hand out copies.
 */
export class RecordColumn {
  readonly perExtent: number;
  private readonly extents: number[] = [];
  private readonly tail: Buffer;
  private tailCount = 0;
  private count = 0;

  constructor(
    private readonly scratch: ScratchSpace,
    readonly width: number,
  ) {
    if (!Number.isInteger(width) || width <= 0 || width > EXTENT_BYTES) throw new RangeError(`Record width ${width} does not fit an extent`);
    this.perExtent = Math.floor(EXTENT_BYTES / width);
    this.tail = Buffer.alloc(this.perExtent * width);
  }

  get length(): number {
    return this.count;
  }

  /** Appends one record (`width` bytes) and returns its index. */
  push(record: Uint8Array): number {
    if (record.length !== this.width) throw new RangeError(`A record is ${this.width} bytes, not ${record.length}`);
    // A full tail is written out by the next push, not at once: appending often reads the records just pushed.
    if (this.tailCount === this.perExtent) this.spill();
    this.tail.set(record, this.tailCount * this.width);
    this.tailCount += 1;
    return this.count++;
  }

  /** Record `index`, copied into `into` when given (`width` bytes) or into a new Buffer. */
  read(index: number, into: Buffer = Buffer.allocUnsafe(this.width)): Buffer {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.count) throw new RangeError(`Record ${index} is not below ${this.count}`);
    const extent = Math.floor(index / this.perExtent);
    const slot = index - extent * this.perExtent;
    if (extent === this.extents.length) this.tail.copy(into, 0, slot * this.width, (slot + 1) * this.width);
    else this.scratch.read(this.extents[extent], slot * this.width, into.subarray(0, this.width));
    return into;
  }

  /** Reads `into.length / width` records from `index` on, which must all lie in one extent (see perExtent). */
  readRun(index: number, into: Buffer): void {
    const records = into.length / this.width;
    const extent = Math.floor(index / this.perExtent);
    const slot = index - extent * this.perExtent;
    if (!Number.isSafeInteger(index) || index < 0 || !Number.isInteger(records) || slot + records > this.perExtent || index + records > this.count) {
      throw new RangeError(`Records ${index}..${index + records} are not in one extent of this column`);
    }
    if (extent === this.extents.length) this.tail.copy(into, 0, slot * this.width, (slot + records) * this.width);
    else this.scratch.read(this.extents[extent], slot * this.width, into);
  }

  /** Gives its extents back to the scratch space; the column is empty afterwards. */
  release(): void {
    for (const extent of this.extents) this.scratch.free(extent);
    this.extents.length = 0;
    this.tailCount = 0;
    this.count = 0;
  }

  private spill(): void {
    const extent = this.scratch.allocate();
    this.scratch.write(extent, this.tail);
    this.extents.push(extent);
    this.tailCount = 0;
  }
}

/**
 * Log positions, one a leaf, as a column of 8-byte records. A position is kept as its low 64 bits, so that a damaged
 * log's negative one is stored (and then fails the comparison it is kept for) rather than thrown at.
 */
export class PositionColumn {
  private readonly column: RecordColumn;
  private readonly record = Buffer.alloc(8);

  constructor(scratch: ScratchSpace) {
    this.column = new RecordColumn(scratch, 8);
  }

  get length(): number {
    return this.column.length;
  }

  push(position: bigint): number {
    this.record.writeBigUInt64LE(BigInt.asUintN(64, position), 0);
    return this.column.push(this.record);
  }

  at(index: number): bigint {
    return this.column.read(index).readBigUInt64LE(0);
  }
}
