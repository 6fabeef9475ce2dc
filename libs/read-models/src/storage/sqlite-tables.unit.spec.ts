import { TableSpec } from '../tables/table-spec';
import { SqlValue, TableCodec } from './sqlite-tables';

interface EveryTypeRow {
  id: string;
  seq: number;
  at: bigint;
  flag: boolean;
  doc: unknown;
  note: string | null;
  count: number | null;
  moved: bigint | null;
  open: boolean | null;
  extra: unknown;
}

const everyType: TableSpec<EveryTypeRow> = {
  name: 'every_type',
  question: 'test rows',
  columns: {
    id: { type: 'text', description: 'key' },
    seq: { type: 'integer', description: 'key' },
    at: { type: 'position', description: 'a position' },
    flag: { type: 'boolean', description: 'a flag' },
    doc: { type: 'json', description: 'any JSON' },
    note: { type: 'text', nullable: true, description: 'nullable text' },
    count: { type: 'integer', nullable: true, description: 'nullable integer' },
    moved: { type: 'position', nullable: true, description: 'nullable position' },
    open: { type: 'boolean', nullable: true, description: 'nullable flag' },
    extra: { type: 'json', nullable: true, description: 'nullable JSON' },
  },
  primaryKey: ['id', 'seq'],
};

const rows: Array<Record<string, unknown>> = [
  { id: 'a', seq: 1, at: 9007199254740993n, flag: true, doc: { b: [1, 'x'], a: null }, note: 'é\u{1F600}', count: 0, moved: 0n, open: false, extra: [] },
  { id: 'b', seq: -2, at: 5, flag: false, doc: [], note: null, count: null, moved: null, open: null, extra: null },
  { id: 'c', seq: 3, at: 0n, flag: true, doc: 'text', note: undefined, count: undefined, moved: undefined, open: undefined, extra: undefined },
  { id: 'd', seq: 4, at: 1n, flag: false, doc: 42, note: '', count: 7, moved: 12, open: true, extra: { nested: { deep: [true] } } },
];

describe('TableCodec', () => {
  const codec = new TableCodec(everyType);

  it.each(rows.map((row, i) => [i, row]))('encodes row %i as encodeValue does column by column', (_, row) => {
    expect(codec.encode(row)).toEqual(codec.names.map((name, i) => codec.encodeValue(i, row[name])));
  });

  it('gives SQLite values of the column types: JSON text, 0/1, bigint positions, null for missing values', () => {
    expect(codec.encode(rows[0])).toEqual(['a', 1, 9007199254740993n, 1, '{"b":[1,"x"],"a":null}', 'é\u{1F600}', 0, 0n, 0, '[]']);
    expect(codec.encode(rows[1])).toEqual(['b', -2, 5n, 0, '[]', null, null, null, null, null]);
    expect(codec.encode(rows[2])).toEqual(['c', 3, 0n, 1, '"text"', null, null, null, null, null]);
  });

  it.each(rows.map((row, i) => [i, row]))('decodes what it encoded for row %i, every column present in table order', (_, row) => {
    const decoded = codec.decode(codec.encode(row) as unknown as Record<string, SqlValue>);
    expect(Object.keys(decoded)).toEqual(codec.names);
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    const expected = Object.fromEntries(
      codec.names.map((name) => {
        const value = row[name];
        if (value === undefined || value === null) return [name, null];
        return [name, name === 'at' || name === 'moved' ? BigInt(value as number) : value];
      }),
    );
    expect(decoded).toEqual(expected);
  });

  it('decodes the values SQLite hands back in safe-integer mode (bigint integers and flags)', () => {
    const decoded = codec.decode(['x', 5n, 6n, 1n, 'true', null, 8n, 9n, 0n, '{"k":1}'] as unknown as Record<string, SqlValue>);
    expect(decoded).toEqual({ id: 'x', seq: 5, at: 6n, flag: true, doc: true, note: null, count: 8, moved: 9n, open: false, extra: { k: 1 } });
  });

  it('keys a row by its primary key columns, whatever else it holds', () => {
    expect(codec.keyOf(rows[0])).toBe('a\u00011\u0001');
    expect(codec.keyOf({ id: 'a', seq: 1 })).toBe(codec.keyOf({ ...rows[0], note: 'other' }));
    expect(codec.keyOf({ id: 'a', seq: 2 })).not.toBe(codec.keyOf({ id: 'a', seq: 1 }));
  });

  it('keys a stored row as it would key the decoded row, for key columns of every type', () => {
    // Flags and integers come back from SQLite as bigints in safe-integer mode; decoded, they key as true/false and numbers.
    const keyed = new TableCodec({ ...everyType, name: 'keyed', primaryKey: ['flag', 'seq', 'at', 'id'] });
    const stored: SqlValue[][] = [
      ['a', 1n, 9007199254740993n, 1n, '{}', null, null, null, null, null],
      ['a', -2n, 0n, 0n, '[]', 'x', 3n, 4n, 1n, 'null'],
      ['é\u{1F600}', 0n, 5n, 1n, '"t"', null, null, null, null, null],
    ];
    for (const raw of stored) {
      expect(keyed.rawKeyOf(raw)).toBe(keyed.keyOf(keyed.decode(raw as unknown as Record<string, SqlValue>)));
    }
    expect(keyed.rawKeyOf(stored[0])).toBe('true\u00011\u00019007199254740993\u0001a\u0001');
    expect(new Set(stored.map((raw) => keyed.rawKeyOf(raw))).size).toBe(3);
  });

  it('selects the asked-for and where columns in table order, whichever shape asked before', () => {
    expect(codec.selected(['id'], ['note'])).toEqual([0, 5]);
    expect(codec.selected(['seq'], ['note'])).toEqual([1, 5]);
    expect(codec.selected(['id'], ['note', 'flag'])).toEqual([0, 3, 5]);
    expect(codec.selected(['id'], ['note'])).toEqual([0, 5]);
  });

  it.each(['__proto__', 'a-b', 'x"); process.exit(1); ("', '1st'])('refuses a column named %j, which the compiled code could not hold as a property', (name) => {
    const table: TableSpec<Record<string, unknown>> = { name: 'odd', question: 'test', columns: { id: { type: 'text', description: 'key' }, [name]: { type: 'text', description: 'odd' } }, primaryKey: ['id'] };
    expect(() => new TableCodec(table)).toThrow(/not a plain identifier/);
  });
});
