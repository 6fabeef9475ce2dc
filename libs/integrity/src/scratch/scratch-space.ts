import { randomBytes } from 'node:crypto';
import { closeSync, fdatasync, fstatSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
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

/** What a kept scratch file's allocator must know again at a restart: see FileScratch.kept. */
export interface ScratchState {
  /** Extents the file has ever handed out. */
  extents: number;
  /** Bytes the file held at least: one shorter was cut short. */
  bytes: number;
  /** Those among them free to hand out again. */
  freed: number[];
}

/**
 * Extents in a file. Two kinds:
 * - throwaway (`new FileScratch(directory)`): unlinked as soon as it is open, so the kernel frees it when the process
 *   closes it or dies, a crash leaves nothing behind and two processes on one data directory never share one;
 * - kept (`FileScratch.kept(path)`): a named file whose contents a snapshot of the structures in it (their `snapshot()`,
 *   with `capture()` here) describes at a restart. An extent freed after a snapshot still holds what that snapshot
 *   refers to, so it is handed out again only once the next snapshot is stored; `sync` makes the extents a snapshot
 *   refers to durable before it is stored.
 */
export class FileScratch implements ScratchSpace {
  private readonly fd: number;
  private readonly keeps: boolean;
  private extents = 0;
  /** The end of the furthest write. */
  private bytes = 0;
  private freed: number[] = [];
  /** Kept files only: freed since the last snapshot was stored. */
  private readonly freedSinceSnapshot: number[] = [];
  private closed = false;

  constructor(directory: string);
  constructor(directory: string, kept: { path: string; state?: ScratchState });
  constructor(directory: string, kept?: { path: string; state?: ScratchState }) {
    if (!kept) {
      const path = join(directory, `.scratch-${randomBytes(8).toString('hex')}`);
      this.fd = openSync(path, 'wx+', 0o600);
      unlinkSync(path);
      this.keeps = false;
      return;
    }
    this.keeps = true;
    if (kept.state) {
      const { extents, freed, bytes } = kept.state;
      if (!Number.isSafeInteger(extents) || extents < 0 || !Number.isSafeInteger(bytes) || bytes < 0 || bytes > extents * EXTENT_BYTES || !freed.every((e) => Number.isSafeInteger(e) && e >= 0 && e < extents) || new Set(freed).size !== freed.length) {
        throw new RangeError('The scratch state does not describe a file of extents');
      }
      this.fd = openSync(kept.path, 'r+');
      const size = fstatSync(this.fd).size;
      if (size < bytes) {
        closeSync(this.fd);
        throw new RangeError(`The scratch file holds ${size} bytes, short of the ${bytes} written to it`);
      }
      this.extents = extents;
      this.bytes = bytes;
      this.freed = [...freed];
    } else {
      this.fd = openSync(kept.path, 'w+', 0o600);
    }
  }

  /** A kept file at `path`: new and empty without `state`, else as a stored snapshot left it. */
  static kept(path: string, state?: ScratchState): FileScratch {
    return new FileScratch('', { path, state });
  }

  get extentsInUse(): number {
    return this.extents - this.freed.length - this.freedSinceSnapshot.length;
  }

  allocate(): number {
    return this.freed.pop() ?? this.extents++;
  }

  free(extent: number): void {
    (this.keeps ? this.freedSinceSnapshot : this.freed).push(extent);
  }

  write(extent: number, data: Uint8Array): void {
    if (data.length > EXTENT_BYTES) throw new RangeError(`A scratch write holds at most ${EXTENT_BYTES} bytes`);
    let done = 0;
    while (done < data.length) done += writeSync(this.fd, data, done, data.length - done, extent * EXTENT_BYTES + done);
    this.bytes = Math.max(this.bytes, extent * EXTENT_BYTES + data.length);
  }

  read(extent: number, offset: number, into: Uint8Array): void {
    let done = 0;
    while (done < into.length) {
      const read = readSync(this.fd, into, done, into.length - done, extent * EXTENT_BYTES + offset + done);
      if (read === 0) throw new RangeError(`Scratch extent ${extent} ends before byte ${offset + done}`);
      done += read;
    }
  }

  /**
   * The allocator as a snapshot taken now must record it (what was freed so far is free as of this snapshot), and what
   * to call once that snapshot is stored: the extents freed before it may then be written again. Those freed later are
   * still part of it, and wait for the next one.
   */
  capture(): { state: ScratchState; stored: () => void; failed: () => void } {
    const before = this.freedSinceSnapshot.splice(0);
    const state = { extents: this.extents, bytes: this.bytes, freed: [...this.freed, ...before] };
    // A snapshot that could not be stored leaves the one before it in force: its extents wait for the next.
    return { state, stored: () => void this.freed.push(...before), failed: () => void this.freedSinceSnapshot.push(...before) };
  }

  /** Makes what was written so far durable, before storing a snapshot that refers to it. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => fdatasync(this.fd, (error) => (error ? reject(error) : resolve())));
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    closeSync(this.fd);
  }
}

export interface RecordColumnState {
  width: number;
  count: number;
  /** The scratch extents of its full extents, in order. */
  extents: number[];
  /** The records after them, base64. */
  tail: string;
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

  /** What `RecordColumn.restore` needs to take the column up again over the same scratch space. */
  snapshot(): RecordColumnState {
    return { width: this.width, count: this.count, extents: [...this.extents], tail: this.tail.subarray(0, this.tailCount * this.width).toString('base64') };
  }

  /** The column a snapshot describes; throws a RangeError when the snapshot does not describe one. */
  static restore(scratch: ScratchSpace, state: RecordColumnState): RecordColumn {
    const column = new RecordColumn(scratch, state.width);
    const tail = Buffer.from(state.tail, 'base64');
    const tailCount = tail.length / column.width;
    if (
      !Number.isInteger(tailCount) ||
      tailCount > column.perExtent ||
      !state.extents.every((e) => Number.isSafeInteger(e) && e >= 0) ||
      state.count !== state.extents.length * column.perExtent + tailCount
    ) {
      throw new RangeError(`A column snapshot of ${state.count} records does not match its ${state.extents.length} extents and tail`);
    }
    column.extents.push(...state.extents);
    tail.copy(column.tail);
    column.tailCount = tailCount;
    column.count = state.count;
    return column;
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
