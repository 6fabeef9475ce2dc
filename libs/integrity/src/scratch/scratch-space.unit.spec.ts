import { mkdtempSync, readdirSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXTENT_BYTES, FileScratch, MemoryScratch, PositionColumn, RecordColumn, ScratchSpace } from './scratch-space';

const recordOf = (width: number, i: number): Buffer => {
  const record = Buffer.alloc(width);
  for (let b = 0; b < width; b++) record[b] = (i * 31 + b * 7) & 0xff;
  record.writeUInt32LE(i, 0);
  return record;
};

describe.each([
  ['in memory', () => ({ scratch: new MemoryScratch() as ScratchSpace, done: () => undefined })],
  [
    'on a file',
    () => {
      const directory = mkdtempSync(join(tmpdir(), 'scratch-'));
      const scratch = new FileScratch(directory);
      return {
        scratch: scratch as ScratchSpace,
        directory,
        done: () => {
          scratch.close();
          rmSync(directory, { recursive: true });
        },
      };
    },
  ],
])('RecordColumn %s', (_, open) => {
  let setup: ReturnType<typeof open>;
  beforeEach(() => (setup = open()));
  afterEach(() => setup.done());

  it('reads back every record pushed, across extents and in the tail, at widths that do and do not divide an extent', () => {
    for (const width of [32, 20, 8]) {
      const column = new RecordColumn(setup.scratch, width);
      const count = column.perExtent * 3 + 5;
      for (let i = 0; i < count; i++) expect(column.push(recordOf(width, i))).toBe(i);
      expect(column.length).toBe(count);
      for (let i = 0; i < count; i++) expect(column.read(i).equals(recordOf(width, i))).toBe(true);
    }
  });

  it('reads a full tail before it is written out, and after', () => {
    const column = new RecordColumn(setup.scratch, 32);
    for (let i = 0; i < column.perExtent; i++) column.push(recordOf(32, i));
    expect(column.read(column.perExtent - 1).equals(recordOf(32, column.perExtent - 1))).toBe(true);
    column.push(recordOf(32, column.perExtent));
    expect(column.read(column.perExtent - 1).equals(recordOf(32, column.perExtent - 1))).toBe(true);
    expect(column.read(column.perExtent).equals(recordOf(32, column.perExtent))).toBe(true);
  });

  it('hands out copies: writing into one changes nothing stored', () => {
    const column = new RecordColumn(setup.scratch, 8);
    const count = column.perExtent + 2;
    for (let i = 0; i < count; i++) column.push(recordOf(8, i));
    for (const i of [0, count - 1]) {
      column.read(i).fill(0xee);
      expect(column.read(i).equals(recordOf(8, i))).toBe(true);
    }
  });

  it('reads runs within an extent and refuses one that crosses into the next', () => {
    const column = new RecordColumn(setup.scratch, 8);
    const count = column.perExtent * 2 + 10;
    for (let i = 0; i < count; i++) column.push(recordOf(8, i));
    const run = Buffer.alloc(8 * 4);
    for (const first of [0, column.perExtent - 4, column.perExtent * 2 + 6]) {
      column.readRun(first, run);
      for (let k = 0; k < 4; k++) expect(run.subarray(k * 8, k * 8 + 8).equals(recordOf(8, first + k))).toBe(true);
    }
    expect(() => column.readRun(column.perExtent - 3, run)).toThrow(RangeError);
    expect(() => column.readRun(count - 3, run)).toThrow(RangeError);
    expect(() => column.readRun(-4, run)).toThrow(RangeError);
  });

  it('refuses records of another width and indexes it does not hold', () => {
    const column = new RecordColumn(setup.scratch, 8);
    column.push(recordOf(8, 0));
    expect(() => column.push(Buffer.alloc(7))).toThrow(RangeError);
    for (const index of [-1, 1, 0.5, Number.NaN]) expect(() => column.read(index)).toThrow(RangeError);
    expect(() => new RecordColumn(setup.scratch, EXTENT_BYTES + 1)).toThrow(RangeError);
  });

  it('gives its extents back on release, and the next column reuses them', () => {
    const column = new RecordColumn(setup.scratch, 32);
    for (let i = 0; i < column.perExtent * 4 + 1; i++) column.push(recordOf(32, i));
    expect(setup.scratch.extentsInUse).toBe(4);
    column.release();
    expect(setup.scratch.extentsInUse).toBe(0);
    expect(column.length).toBe(0);
    const next = new RecordColumn(setup.scratch, 32);
    for (let i = 0; i < next.perExtent * 4 + 1; i++) next.push(recordOf(32, 1000 + i));
    expect(setup.scratch.extentsInUse).toBe(4);
    for (const i of [0, next.perExtent * 2, next.perExtent * 4]) expect(next.read(i).equals(recordOf(32, 1000 + i))).toBe(true);
  });
});

describe('FileScratch', () => {
  let directory: string;
  beforeEach(() => (directory = mkdtempSync(join(tmpdir(), 'scratch-'))));
  afterEach(() => rmSync(directory, { recursive: true }));

  it('leaves no file behind in its directory, open or closed, and closes once', () => {
    const scratch = new FileScratch(directory);
    const extent = scratch.allocate();
    scratch.write(extent, Buffer.from('kept while open'));
    expect(readdirSync(directory)).toEqual([]);
    const back = Buffer.alloc(15);
    scratch.read(extent, 0, back);
    expect(back.toString()).toBe('kept while open');
    scratch.close();
    scratch.close();
    expect(readdirSync(directory)).toEqual([]);
  });

  it('hands a freed extent out again before it makes the file longer', () => {
    const scratch = new FileScratch(directory);
    const [a, b, c] = [scratch.allocate(), scratch.allocate(), scratch.allocate()];
    expect([a, b, c]).toEqual([0, 1, 2]);
    scratch.free(b);
    expect(scratch.extentsInUse).toBe(2);
    expect(scratch.allocate()).toBe(b);
    expect(scratch.allocate()).toBe(3);
    scratch.close();
  });

  it('refuses to read past what was written', () => {
    const scratch = new FileScratch(directory);
    scratch.write(scratch.allocate(), Buffer.alloc(10));
    expect(() => scratch.read(0, 5, Buffer.alloc(10))).toThrow(RangeError);
    expect(() => scratch.write(1, Buffer.alloc(EXTENT_BYTES + 1))).toThrow(RangeError);
    scratch.close();
  });

  it('fails to open in a directory that does not exist', () => {
    expect(() => new FileScratch(join(directory, 'missing'))).toThrow(/ENOENT/);
  });

  describe('kept', () => {
    it('takes a column up again from its snapshot in a new process\'s file handle, tail and extents alike', async () => {
      const path = join(directory, 'kept');
      const scratch = FileScratch.kept(path);
      const column = new RecordColumn(scratch, 24);
      const records = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => Buffer.alloc(24, (from + i) % 251));
      for (const record of records(0, 3 * column.perExtent + 17)) column.push(record);
      const captured = scratch.capture();
      const snapshot = column.snapshot();
      await scratch.sync();
      captured.stored();
      // Pushed after the snapshot: the restored column must not see them.
      for (const record of records(3 * column.perExtent + 17, 4 * column.perExtent + 5)) column.push(record);
      scratch.close();
      expect(readdirSync(directory)).toEqual(['kept']);

      const again = FileScratch.kept(path, captured.state);
      const restored = RecordColumn.restore(again, snapshot);
      expect(restored.length).toBe(3 * column.perExtent + 17);
      const wrong = records(0, restored.length).filter((record, i) => !restored.read(i).equals(record));
      expect(wrong).toEqual([]);
      // It goes on where it stopped, into extents of its own.
      const next = records(restored.length, restored.length + column.perExtent);
      for (const record of next) restored.push(record);
      expect(next.every((record, i) => restored.read(3 * column.perExtent + 17 + i).equals(record))).toBe(true);
      expect(again.extentsInUse).toBe(4);
      again.close();
    });

    it('hands out an extent freed after a snapshot only once the next snapshot is stored, and again if storing fails', () => {
      const scratch = FileScratch.kept(join(directory, 'kept'));
      const [a, b] = [scratch.allocate(), scratch.allocate()];
      scratch.free(a);
      // Freed since the (empty) last snapshot: the stored snapshot may still refer to it.
      expect(scratch.allocate()).toBe(2);
      const first = scratch.capture();
      expect(first.state).toEqual({ extents: 3, bytes: 0, freed: [a] });
      scratch.free(b);
      first.stored();
      // a was freed before the stored snapshot; b after it, so b waits.
      expect(scratch.allocate()).toBe(a);
      expect(scratch.allocate()).toBe(3);
      const second = scratch.capture();
      expect(second.state.freed).toEqual([b]);
      second.failed();
      expect(scratch.allocate()).toBe(4);
      scratch.capture().stored();
      expect(scratch.allocate()).toBe(b);
      scratch.close();
    });

    it('refuses a snapshot that does not describe its file or column', () => {
      const path = join(directory, 'kept');
      FileScratch.kept(path).close();
      expect(() => FileScratch.kept(path, { extents: 2, bytes: 0, freed: [2] })).toThrow(RangeError);
      expect(() => FileScratch.kept(path, { extents: 2, bytes: 0, freed: [1, 1] })).toThrow(RangeError);
      expect(() => FileScratch.kept(join(directory, 'missing'), { extents: 0, bytes: 0, freed: [] })).toThrow(/ENOENT/);
      // A file shorter than what was written to it (a partial copy) is refused.
      const written = FileScratch.kept(path);
      written.write(written.allocate(), Buffer.alloc(EXTENT_BYTES, 1));
      written.write(written.allocate(), Buffer.alloc(100, 2));
      const { state } = written.capture();
      written.close();
      expect(state).toEqual({ extents: 2, bytes: EXTENT_BYTES + 100, freed: [] });
      expect(() => FileScratch.kept(path, state).close()).not.toThrow();
      truncateSync(path, EXTENT_BYTES + 99);
      expect(() => FileScratch.kept(path, state)).toThrow(/short/);
      const scratch = new MemoryScratch();
      const column = new RecordColumn(scratch, 8);
      for (let i = 0; i < 10; i++) column.push(Buffer.alloc(8, i));
      const snapshot = column.snapshot();
      expect(() => RecordColumn.restore(scratch, { ...snapshot, count: 11 })).toThrow(RangeError);
      expect(() => RecordColumn.restore(scratch, { ...snapshot, tail: Buffer.alloc(7).toString('base64') })).toThrow(RangeError);
      expect(() => RecordColumn.restore(scratch, { ...snapshot, extents: [0], count: 10 + column.perExtent })).not.toThrow();
      expect(() => RecordColumn.restore(scratch, { ...snapshot, extents: [-1], count: 10 + column.perExtent })).toThrow(RangeError);
    });
  });
});

describe('PositionColumn', () => {
  it('reads back positions across extents, past 2^53, and a negative one as its low 64 bits', () => {
    const positions = new PositionColumn(new MemoryScratch());
    const count = EXTENT_BYTES / 8 + 3;
    for (let i = 0; i < count; i++) positions.push(2n ** 60n + BigInt(i) * 1_000_003n);
    expect(positions.length).toBe(count);
    for (const i of [0, EXTENT_BYTES / 8 - 1, EXTENT_BYTES / 8, count - 1]) expect(positions.at(i)).toBe(2n ** 60n + BigInt(i) * 1_000_003n);
    positions.push(-7n);
    expect(positions.at(count)).toBe(2n ** 64n - 7n);
  });
});
