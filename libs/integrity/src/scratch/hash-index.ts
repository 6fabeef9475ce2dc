import { RecordColumn, RecordColumnState, ScratchSpace } from './scratch-space';

/** Entries the newest, unsorted part holds before it is sorted into a run: 128 KiB, sorted in a few milliseconds. */
const RECENT_ENTRIES = 16_384;
/** A run keeps the key of every BLOCK-th entry in memory, so that a lookup reads one block of 2 KiB a run. */
const BLOCK = 256;
/** key (u32) and value (u32), little-endian. */
const ENTRY_BYTES = 8;
/**
 * Entries each merge under way moves on every add. A merge of two runs of S entries then ends within S / 2 adds, before
 * another run of S can be made (that takes S adds), so merges never pile up and no add waits for a whole merge.
 */
const MERGE_STEP = 4;
/** Entries a merge reads of each run at a time. */
const READ_ENTRIES = 1024;

interface Run {
  entries: RecordColumn;
  /** fences[b]: the key of entry b·BLOCK. */
  fences: Uint32Array;
}

interface Merge {
  older: Run;
  newer: Run;
  into: Run;
  a: RunReader;
  b: RunReader;
}

interface RunState {
  entries: RecordColumnState;
  /** The fences, base64 of their little-endian u32s. */
  fences: string;
}

/** What `HashIndex.restore` needs to take the index up again over the same scratch space. */
export interface HashIndexState {
  count: number;
  /** The unsorted entries, base64 of key and value (u32 little-endian) each. */
  recent: string;
  runs: RunState[];
  /** Merges under way, with how many entries of each input they have moved. */
  merges: Array<{ older: RunState; newer: RunState; into: RunState; movedOlder: number; movedNewer: number }>;
}

/**
 * A multimap from 32-bit keys to 32-bit values whose memory hardly grows with what it holds: the newest entries sit
 * unsorted in a fixed buffer, the rest in sorted runs in a scratch space. Two runs of a size merge into one, as a binary
 * counter carries, a few entries at every add rather than all at once (a merge of millions of entries at one add would
 * hold the event loop for a second), so there are O(log n) runs. In memory stay the buffer, one key every 256 entries
 * of each run (1/64 of a byte an entry) and a few buffers a merge. A lookup scans the buffer and reads a block or two
 * of each run.
 */
export class HashIndex {
  private readonly recentKeys = new Uint32Array(RECENT_ENTRIES);
  private readonly recentValues = new Uint32Array(RECENT_ENTRIES);
  private recentCount = 0;
  /** Complete runs no merge is reading. */
  private readonly runs: Run[] = [];
  private readonly merges: Merge[] = [];
  private count = 0;
  private readonly entry = Buffer.alloc(ENTRY_BYTES);

  constructor(private readonly scratch: ScratchSpace) {}

  get size(): number {
    return this.count;
  }

  /** Runs holding what is not in the unsorted buffer: complete ones, and those merges are reading. */
  get runCount(): number {
    return this.runs.length + 2 * this.merges.length;
  }

  add(key: number, value: number): void {
    if (!isU32(key) || !isU32(value)) throw new RangeError(`Key ${key} and value ${value} must be 32-bit unsigned integers`);
    for (let i = this.merges.length - 1; i >= 0; i--) this.advance(i);
    if (this.recentCount === RECENT_ENTRIES) this.sortRecent();
    this.recentKeys[this.recentCount] = key;
    this.recentValues[this.recentCount] = value;
    this.recentCount += 1;
    this.count += 1;
  }

  /** The values added under `key`, ascending. */
  get(key: number): number[] {
    if (!isU32(key)) return [];
    const found: number[] = [];
    for (const run of this.runs) this.collect(run, key, found);
    // A merge's inputs stay whole until it ends: they answer for what it has not finished.
    for (const merge of this.merges) {
      this.collect(merge.older, key, found);
      this.collect(merge.newer, key, found);
    }
    for (let i = 0; i < this.recentCount; i++) if (this.recentKeys[i] === key) found.push(this.recentValues[i]);
    return found.sort((a, b) => a - b);
  }

  snapshot(): HashIndexState {
    const recent = Buffer.alloc(this.recentCount * ENTRY_BYTES);
    for (let i = 0; i < this.recentCount; i++) {
      recent.writeUInt32LE(this.recentKeys[i], i * ENTRY_BYTES);
      recent.writeUInt32LE(this.recentValues[i], i * ENTRY_BYTES + 4);
    }
    return {
      count: this.count,
      recent: recent.toString('base64'),
      runs: this.runs.map(runState),
      merges: this.merges.map(({ older, newer, into, a, b }) => ({ older: runState(older), newer: runState(newer), into: runState(into), movedOlder: a.moved, movedNewer: b.moved })),
    };
  }

  /** The index a snapshot describes; throws a RangeError when the snapshot does not describe one. */
  static restore(scratch: ScratchSpace, state: HashIndexState): HashIndex {
    const index = new HashIndex(scratch);
    const recent = Buffer.from(state.recent, 'base64');
    if (recent.length % ENTRY_BYTES !== 0 || recent.length / ENTRY_BYTES > RECENT_ENTRIES) throw new RangeError('A hash index snapshot holds a malformed unsorted part');
    index.recentCount = recent.length / ENTRY_BYTES;
    for (let i = 0; i < index.recentCount; i++) {
      index.recentKeys[i] = recent.readUInt32LE(i * ENTRY_BYTES);
      index.recentValues[i] = recent.readUInt32LE(i * ENTRY_BYTES + 4);
    }
    index.runs.push(...state.runs.map((run) => restoreRun(scratch, run)));
    for (const merge of state.merges) {
      const [older, newer, into] = [restoreRun(scratch, merge.older), restoreRun(scratch, merge.newer), restoreRun(scratch, merge.into)];
      const { movedOlder, movedNewer } = merge;
      if (
        !Number.isSafeInteger(movedOlder) || !Number.isSafeInteger(movedNewer) || movedOlder < 0 || movedNewer < 0 ||
        movedOlder > older.entries.length || movedNewer > newer.entries.length || into.entries.length !== movedOlder + movedNewer
      ) {
        throw new RangeError('A hash index snapshot holds a merge whose output does not match what it moved');
      }
      index.merges.push({ older, newer, into, a: new RunReader(older.entries, movedOlder), b: new RunReader(newer.entries, movedNewer) });
    }
    const held = index.recentCount + index.runs.reduce((sum, run) => sum + run.entries.length, 0) + index.merges.reduce((sum, m) => sum + m.older.entries.length + m.newer.entries.length, 0);
    if (held !== state.count) throw new RangeError(`A hash index snapshot of ${state.count} entries holds ${held}`);
    index.count = state.count;
    return index;
  }

  private collect(run: Run, key: number, found: number[]): void {
    const { fences, entries } = run;
    // Blocks whose first key is below `key` may end with it; the first block that starts above it cannot hold it.
    let lo = 0;
    let hi = fences.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (fences[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    const block = Buffer.allocUnsafe(BLOCK * ENTRY_BYTES);
    for (let b = Math.max(lo - 1, 0); b < fences.length && fences[b] <= key; b++) {
      const first = b * BLOCK;
      const view = block.subarray(0, Math.min(BLOCK, entries.length - first) * ENTRY_BYTES);
      entries.readRun(first, view);
      for (let offset = 0; offset < view.length; offset += ENTRY_BYTES) {
        const entryKey = view.readUInt32LE(offset);
        if (entryKey === key) found.push(view.readUInt32LE(offset + 4));
        else if (entryKey > key) return;
      }
    }
  }

  private sortRecent(): void {
    // key · 2^14 + slot stays below 2^46, exact in a double, so a numeric sort orders by key then by insertion.
    const order = new Float64Array(this.recentCount);
    for (let i = 0; i < this.recentCount; i++) order[i] = this.recentKeys[i] * RECENT_ENTRIES + i;
    order.sort();
    const run = this.newRun(this.recentCount);
    for (const packed of order) {
      const slot = packed % RECENT_ENTRIES;
      this.append(run, this.recentKeys[slot], this.recentValues[slot]);
    }
    this.recentCount = 0;
    this.completed(run);
  }

  /** Keeps a finished run, and starts merging it with a complete run of its size if there is one. */
  private completed(run: Run): void {
    const twin = this.runs.findIndex((other) => other.entries.length === run.entries.length);
    if (twin < 0) {
      this.runs.push(run);
      return;
    }
    const [older] = this.runs.splice(twin, 1);
    this.merges.push({
      older,
      newer: run,
      into: this.newRun(older.entries.length + run.entries.length),
      a: new RunReader(older.entries),
      b: new RunReader(run.entries),
    });
  }

  private advance(index: number): void {
    const { a, b, into, older, newer } = this.merges[index];
    for (let step = 0; step < MERGE_STEP && (!a.done || !b.done); step++) {
      const from = b.done || (!a.done && a.key <= b.key) ? a : b;
      this.append(into, from.key, from.value);
      from.next();
    }
    if (!a.done || !b.done) return;
    this.merges.splice(index, 1);
    older.entries.release();
    newer.entries.release();
    this.completed(into);
  }

  private newRun(entries: number): Run {
    return { entries: new RecordColumn(this.scratch, ENTRY_BYTES), fences: new Uint32Array(Math.ceil(entries / BLOCK)) };
  }

  private append(run: Run, key: number, value: number): void {
    const index = run.entries.length;
    if (index % BLOCK === 0) run.fences[index / BLOCK] = key;
    this.entry.writeUInt32LE(key, 0);
    this.entry.writeUInt32LE(value, 4);
    run.entries.push(this.entry);
  }
}

const runState = (run: Run): RunState => ({ entries: run.entries.snapshot(), fences: Buffer.from(run.fences.buffer, run.fences.byteOffset, run.fences.byteLength).toString('base64') });

const restoreRun = (scratch: ScratchSpace, state: RunState): Run => {
  const entries = RecordColumn.restore(scratch, state.entries);
  const bytes = Buffer.from(state.fences, 'base64');
  if (entries.width !== ENTRY_BYTES || bytes.length % 4 !== 0 || bytes.length / 4 < Math.ceil(entries.length / BLOCK)) throw new RangeError('A hash index snapshot holds a malformed run');
  const fences = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < fences.length; i++) fences[i] = bytes.readUInt32LE(i * 4);
  return { entries, fences };
};

/** Walks a run READ_ENTRIES at a time. */
class RunReader {
  key = 0;
  value = 0;
  done = false;
  private readonly buffer = Buffer.allocUnsafe(READ_ENTRIES * ENTRY_BYTES);
  private index = 0;
  private loaded = 0;
  private offset = 0;

  /** From entry `from` on: the entries before it were moved already. */
  constructor(
    private readonly entries: RecordColumn,
    from = 0,
  ) {
    this.index = from;
    this.next();
  }

  /** Entries moved out of the run: all before the one in `key` and `value`. */
  get moved(): number {
    return this.done ? this.entries.length : this.index - 1;
  }

  next(): void {
    if (this.index === this.entries.length) {
      this.done = true;
      return;
    }
    if (this.offset === this.loaded) {
      // Reads stop at the end of an extent: READ_ENTRIES divides an extent's entries, so a read never straddles one.
      const records = Math.min(READ_ENTRIES - (this.index % READ_ENTRIES), this.entries.length - this.index);
      this.loaded = records * ENTRY_BYTES;
      this.entries.readRun(this.index, this.buffer.subarray(0, this.loaded));
      this.offset = 0;
    }
    this.key = this.buffer.readUInt32LE(this.offset);
    this.value = this.buffer.readUInt32LE(this.offset + 4);
    this.offset += ENTRY_BYTES;
    this.index += 1;
  }
}

const isU32 = (n: number): boolean => Number.isInteger(n) && n >= 0 && n <= 0xffff_ffff;
