import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
