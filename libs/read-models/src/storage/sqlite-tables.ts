import Database from 'better-sqlite3';
import { AnyTable, ColumnSpec, FindOptions, KeyOf, TableAccess, TableSpec, indexColumnsSql, snakeCase } from '../tables/table-spec';

const SQL_TYPE: Record<ColumnSpec['type'], string> = { text: 'TEXT', integer: 'INTEGER', position: 'INTEGER', boolean: 'INTEGER', json: 'TEXT' };

const quote = (name: string): string => `"${name}"`;

/** DDL of a table and its indexes, derived from its spec. */
export const tableDdl = (table: AnyTable): string => {
  const columns = Object.entries(table.columns as Record<string, ColumnSpec>).map(
    ([name, spec]) => `${quote(snakeCase(name))} ${SQL_TYPE[spec.type]}${spec.nullable ? '' : ' NOT NULL'}`,
  );
  const pk = table.primaryKey.map((c: string) => quote(snakeCase(c))).join(', ');
  const indexes = (table.indexes ?? []).map(
    (index: { name: string; columns: readonly string[] }) =>
      `CREATE INDEX IF NOT EXISTS ${quote(index.name)} ON ${quote(table.name)} (${indexColumnsSql(index, quote, 'DESC')});`,
  );
  // Wide rows (a kilobyte of JSON) in a WITHOUT ROWID key b-tree spill into overflow pages on every write; only narrow tables opt in.
  const rowid = table.withoutRowid ? ' WITHOUT ROWID' : '';
  return [`CREATE TABLE IF NOT EXISTS ${quote(table.name)} (${columns.join(', ')}, PRIMARY KEY (${pk}))${rowid};`, ...indexes].join('\n');
};

type Row = Record<string, unknown>;
export type SqlValue = string | number | bigint | null;

/**
 * How one table's rows cross between JavaScript and SQLite. Its SQLite values are also how the PostgreSQL overlay
 * compares and orders rows in memory, so that both stores answer a `find` in the same order.
 */
export class TableCodec {
  readonly names: string[];
  readonly types: ColumnSpec['type'][];
  readonly keyNames: string[];
  readonly keyIndexes: number[];
  /** The default order of `find`: the primary key, ascending. */
  readonly keyOrder: ReadonlyArray<{ column: string; desc: boolean }>;
  private readonly indexes: Map<string, number>;
  /** Held writes of this table in the current batch, grouped by the first key column's value, then by key. */
  readonly pending = new Map<string, Map<string, Held>>();
  pendingCount = 0;
  /** The columns `selected` gave, by the shape of the find that asked. */
  private readonly selections = new Map<string, number[]>();
  /** Prepared on first use: the statements every row written or read by key goes through. */
  putStatement: Database.Statement | undefined;
  deleteStatement: Database.Statement | undefined;
  getStatement: Database.Statement | undefined;
  /**
   * Since this connection emptied the table (and while no other connection has written to it): hashes of the groups
   * (first key column values) it has written rows of. A group not in it has no stored rows, so reading it needs no
   * query: in a rebuild, most of an incident's events come while none of its rows has reached the file yet.
   * Undefined when that is not known. Only trusted inside a batch, which starts by checking for other writers.
   */
  writtenGroups: Set<number> | undefined;

  constructor(readonly table: AnyTable) {
    this.names = Object.keys(table.columns);
    this.types = this.names.map((n) => (table.columns as Record<string, ColumnSpec>)[n].type);
    this.keyNames = [...table.primaryKey];
    this.keyIndexes = this.keyNames.map((n) => this.names.indexOf(n));
    this.keyOrder = this.keyNames.map((column) => ({ column, desc: false }));
    this.indexes = new Map(this.names.map((n, i) => [n, i]));
    this.decode = compileDecoder(this.names, this.types);
    this.encode = compileEncoder(this.names, this.types);
    this.keyOf = compileKeyOf(this.keyNames);
    this.rawKeyOf = compileRawKeyOf(this.keyIndexes, this.types);
  }

  /**
   * A stored row as the projections see it, and back, compiled per table from its spec: as loops over the column
   * names, every property read and write was a megamorphic lookup (about 6% of a live projection's samples under
   * perf), and a rebuild spent about 6% more CPU an event.
   */
  readonly decode: (raw: Record<string, SqlValue>) => Row;
  readonly encode: (row: Row) => SqlValue[];
  /** The identity of a row (or key) among the held writes of a batch. */
  readonly keyOf: (row: Row) => string;
  /** keyOf of a stored row as `SELECT` of every column returns it, without decoding the rest of it. */
  readonly rawKeyOf: (raw: readonly SqlValue[]) => string;

  encodeValue(index: number, value: unknown): SqlValue {
    return ENCODE[this.types[index]](value);
  }

  indexOf(name: string): number {
    return this.indexes.get(name) ?? -1;
  }

  /** A row of `SELECT` of the columns at `indexes` (see `selected`). */
  decodeSelected(indexes: readonly number[], raw: Record<string, SqlValue>): Row {
    const row: Row = {};
    for (let i = 0; i < indexes.length; i++) row[this.names[indexes[i]]] = this.decodeValue(indexes[i], raw[i]);
    return row;
  }

  /** keyOf of a row `SELECT`ed as `selected` (which holds every key column). */
  selectedKeyOf(selected: readonly number[], raw: readonly SqlValue[]): string {
    let key = '';
    for (const i of this.keyIndexes) key += `${String(this.decodeValue(i, raw[selected.indexOf(i)]))}\u0001`;
    return key;
  }

  /** The indexes of the columns a `find` with `columns` selects: those and the `where` columns, in table order. */
  selected(where: readonly string[], columns: readonly string[]): number[] {
    // Asked at every find with columns (the points of disagreement's, five a claim): the few shapes there are, kept.
    const shape = `${where.join(',')}|${columns.join(',')}`;
    let indexes = this.selections.get(shape);
    if (!indexes) {
      const wanted = new Set([...where, ...columns]);
      this.selections.set(shape, (indexes = this.names.flatMap((n, i) => (wanted.has(n) ? [i] : []))));
    }
    return indexes;
  }

  private decodeValue(index: number, value: SqlValue): unknown {
    return DECODE[this.types[index]](value);
  }

  groupOf(row: Row): string {
    return String(row[this.keyNames[0]]);
  }

  /** Whether the file may hold rows of the group; false only when it certainly holds none. */
  mayHoldGroup(group: string): boolean {
    return this.writtenGroups === undefined || this.writtenGroups.has(hashOf(group));
  }

  wroteGroup(row: Row): void {
    this.writtenGroups?.add(hashOf(this.groupOf(row)));
  }

  /** Rows in the order given (as SQLite would sort their stored values), the first `limit` of them. */
  sorted(rows: Row[], order: ReadonlyArray<{ column: string; desc?: boolean }>, limit?: number): Row[] {
    // Sort keys encoded once per row, not once per comparison.
    const indexes = order.map((o) => ({ index: this.indexOf(o.column), sign: o.desc ? -1 : 1 }));
    const keyed = rows.map((row) => ({ row, keys: indexes.map(({ index }) => this.encodeValue(index, row[this.names[index]])) }));
    keyed.sort((a, b) => {
      for (let i = 0; i < indexes.length; i++) {
        const c = compareSql(a.keys[i], b.keys[i]);
        if (c !== 0) return c * indexes[i].sign;
      }
      return 0;
    });
    const sorted = keyed.map((k) => k.row);
    return limit !== undefined ? sorted.slice(0, limit) : sorted;
  }

  /** Whether `row` has the values of `where` (compared as SQLite would store them) and lies after the cursor. */
  matches(row: Row, where: Row, columns: string[], after: FindOptions<Row>['after']): boolean {
    for (const c of columns) {
      if (row[c] === where[c]) continue;
      const i = this.indexOf(c);
      if (this.encodeValue(i, row[c]) !== this.encodeValue(i, where[c])) return false;
    }
    if (after) {
      const i = this.indexOf(after.column);
      const value = this.encodeValue(i, row[after.column]);
      if (value === null || compareSql(value, this.encodeValue(i, after.value)) <= 0) return false;
    }
    return true;
  }
}

/**
 * JSON text of a column value. Not memoised by identity: a WeakMap from every value written to its text made each
 * garbage collection trace those entries as ephemerons, which cost more than encoding a shared value again. Empty lists
 * (every new entry's `amendedBy`) skip the encoder.
 */
const jsonOf = (value: object): string => (Array.isArray(value) && value.length === 0 ? '[]' : JSON.stringify(value));

/** The expression decoding stored value `v` of a column of this type: the one definition, inlined in each table's decoder. */
const decodeExpression = (type: ColumnSpec['type'], v: string): string => {
  switch (type) {
    case 'json':
      return `${v} === null ? null : JSON.parse(${v})`;
    case 'boolean':
      return `${v} === null ? null : Number(${v}) !== 0`;
    case 'integer':
      return `${v} === null ? null : Number(${v})`;
    case 'position':
      return `${v} === null ? null : BigInt(${v})`;
    default:
      return v;
  }
};

/** The expression encoding row value `v` of a column of this type: the one definition, inlined in each table's encoder. */
const encodeExpression = (type: ColumnSpec['type'], v: string): string => {
  switch (type) {
    case 'json':
      return `${v} == null ? null : typeof ${v} === 'object' ? jsonOf(${v}) : JSON.stringify(${v})`;
    case 'boolean':
      return `${v} == null ? null : ${v} ? 1 : 0`;
    case 'position':
      return `${v} == null ? null : typeof ${v} === 'bigint' ? ${v} : BigInt(${v})`;
    default:
      return `${v} === undefined ? null : ${v}`;
  }
};

/**
 * Column names are pasted into the compiled code as property names: they come from the table specs (code, not data),
 * and anything but a plain identifier (or `__proto__`, which an object literal would take as the prototype) is refused.
 */
const property = (name: string): string => {
  if (!/^[A-Za-z_$][\w$]*$/.test(name) || name === '__proto__') throw new Error(`Column name ${JSON.stringify(name)} is not a plain identifier`);
  return name;
};

/** A function from its source; `jsonOf` is in its scope. */
const compiled = <F>(source: string): F => new Function('jsonOf', `return ${source};`)(jsonOf) as F;

const compileDecoder = (names: readonly string[], types: readonly ColumnSpec['type'][]): ((raw: Record<string, SqlValue>) => Row) => {
  const body = names.map((_, i) => `const v${i} = raw[${i}];`).join('\n');
  const literal = names.map((name, i) => `${property(name)}: ${decodeExpression(types[i], `v${i}`)}`).join(',\n');
  return compiled(`(raw) => {\n${body}\nreturn {\n${literal}\n};\n}`);
};

const compileEncoder = (names: readonly string[], types: readonly ColumnSpec['type'][]): ((row: Row) => SqlValue[]) => {
  const body = names.map((name, i) => `const v${i} = row.${property(name)};`).join('\n');
  const list = names.map((name, i) => encodeExpression(types[i], `v${i}`)).join(',\n');
  return compiled(`(row) => {\n${body}\nreturn [\n${list}\n];\n}`);
};

const compileKeyOf = (keyNames: readonly string[]): ((row: Row) => string) =>
  compiled(`(row) => ${keyNames.map((name) => `String(row.${property(name)}) + '\\u0001'`).join(' + ')}`);

/** The same identity from the stored values: each key column decoded as the decoder does, nothing else. */
const compileRawKeyOf = (keyIndexes: readonly number[], types: readonly ColumnSpec['type'][]): ((raw: readonly SqlValue[]) => string) =>
  compiled(`(raw) => ${keyIndexes.map((i) => `String(${decodeExpression(types[i], `raw[${i}]`)}) + '\\u0001'`).join(' + ')}`);

const COLUMN_TYPES = Object.keys(SQL_TYPE) as ColumnSpec['type'][];
/** One value of a column type, for the paths that convert a value at a time (keys, conditions, sort keys). */
const DECODE = Object.fromEntries(COLUMN_TYPES.map((type) => [type, compiled(`(v) => ${decodeExpression(type, 'v')}`)])) as Record<ColumnSpec['type'], (value: SqlValue) => unknown>;
const ENCODE = Object.fromEntries(COLUMN_TYPES.map((type) => [type, compiled(`(v) => ${encodeExpression(type, 'v')}`)])) as Record<ColumnSpec['type'], (value: unknown) => SqlValue>;

/** FNV-1a over UTF-16 code units: a collision only costs a query that a distinct hash would have skipped. */
const hashOf = (text: string): number => {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return hash >>> 0;
};

/** SQLite's order of stored values: NULL first, numbers by value, text by its UTF-8 bytes (code point order). */
export const compareSql = (a: SqlValue, b: SqlValue): number => {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' || typeof b === 'string') {
    if (typeof a !== 'string') return -1;
    if (typeof b !== 'string') return 1;
    return compareCodePoints(a, b);
  }
  return a < b ? -1 : a > b ? 1 : 0;
};

const compareCodePoints = (a: string, b: string): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // UTF-16 code units order surrogates (astral code points) below U+E000..U+FFFF; UTF-8 bytes order them above.
    if (x >= 0xd800 && x <= 0xdfff && y >= 0xe000) return 1;
    if (y >= 0xd800 && y <= 0xdfff && x >= 0xe000) return -1;
    return x < y ? -1 : 1;
  }
  return a.length - b.length;
};

/** A held write: the row to store, or a deletion of the row with this key. */
type Held = { row: Row } | { deleted: Row };

/**
 * TableAccess over one SQLite connection. Inside `batch`, writes are held
 * back and merged per row, and flushed once at the end: a batch of events
 * touching the same incident row writes it once. A `find` within the batch
 * sees the held writes without flushing them when it names the table's first
 * key column (every projection lookup names its incident), so held rows of
 * other incidents stay held; otherwise it flushes the table first.
 */
/** Page cache (and so sorter memory) while the indexes are built after a rebuild. */
const INDEX_BUILD_CACHE_KIB = 8 * 1024;

export class SqliteTables implements TableAccess {
  private readonly codecs = new Map<AnyTable, TableCodec>();
  private readonly byName = new Map<string, TableCodec>();
  private readonly statements = new Map<string, Database.Statement>();
  private batching = false;
  private dataVersion: number | undefined;
  private dataVersionStatement: Database.Statement | undefined;

  /**
   * Rows are not kept decoded between batches: a cache of 20,000 rows cost the live projection about a tenth more CPU
   * an event when claims were spread over a few hundred incidents (its rows survived into V8's old space, where
   * every scavenge scanned them), saved nothing measurable in a rebuild or a time-travel fold, and added 60-90 MB to
   * a rebuild's RSS. SQLite's own page cache keeps the pages.
   */
  constructor(private readonly db: Database.Database) {}

  /** Creates the table (and its indexes) if the file lacks it; idempotent. */
  register(table: AnyTable): void {
    if (this.codecs.has(table)) return;
    const same = this.byName.get(table.name);
    if (same) {
      // Another object declaring the same table (a projection constructed twice) shares its codec; another shape is a bug.
      if (tableDdl(same.table) !== tableDdl(table)) throw new Error(`Two different tables are both named ${table.name}`);
      this.codecs.set(table, same);
      return;
    }
    this.db.exec(tableDdl(table));
    const codec = new TableCodec(table);
    this.codecs.set(table, codec);
    this.byName.set(table.name, codec);
    // An empty table (a new ledger's) is as good as one this connection emptied; the data version is read first, so a
    // row another connection writes after the check still shows in it.
    this.checkOtherWriters();
    if (this.db.prepare(`SELECT 1 FROM ${quote(table.name)} LIMIT 1`).get() === undefined) codec.writtenGroups = new Set();
  }

  /**
   * Drops the tables' secondary indexes, for a rebuild: filling a table and
   * then sorting its indexes once costs less than keeping them in order row
   * by row. `createIndexes` puts them back; so does the next `register` of
   * the table (every open), should the process die in between.
   */
  dropIndexes(): void {
    for (const codec of this.byName.values()) for (const index of codec.table.indexes ?? []) this.db.exec(`DROP INDEX IF EXISTS ${quote(index.name)}`);
  }

  /**
   * SQLite's sorter keeps up to `cache_size` of keys in memory per sorted run, on top of the page cache itself: with
   * the writer's 64 MiB cache and its decoded rows still held, building the indexes after a 1,000,000-event replay
   * added about 90 MiB to the rebuild's peak RSS. The index build gets a small cache; the sort spills to temporary
   * files sooner, which costs little next to the replay.
   */
  createIndexes(): void {
    const cacheSize = Number(this.db.pragma('cache_size', { simple: true }));
    this.db.pragma(`cache_size = -${INDEX_BUILD_CACHE_KIB}`);
    this.db.pragma('shrink_memory');
    try {
      for (const codec of this.byName.values()) this.db.exec(tableDdl(codec.table));
    } finally {
      this.db.pragma(`cache_size = ${cacheSize}`);
    }
  }

  /** One declaration of each table the file holds. */
  get tables(): AnyTable[] {
    return [...this.byName.values()].map((codec) => codec.table);
  }

  /**
   * Rows of one table selected by a hand-written clause (`WHERE ... ORDER BY
   * ... LIMIT ...`, with named parameters), for queries the generic `find`
   * cannot express (the incident list's filters).
   */
  select<R extends object>(table: TableSpec<R>, clause: string, params: Record<string, SqlValue>): R[] {
    const codec = this.codec(table);
    this.flushTable(codec);
    const statement = this.statement(`select:${table.name}:${clause}`, () => `SELECT ${this.selectList(codec)} FROM ${quote(table.name)} ${clause}`);
    return (statement.raw(true).all(params) as SqlValue[][]).map((raw) => codec.decode(raw as unknown as Record<string, SqlValue>) as R);
  }

  /** One number from a hand-written query with named parameters. */
  scalar(sql: string, params: Record<string, SqlValue>): number {
    const row = this.statement(`scalar:${sql}`, () => sql).raw(true).get(params) as SqlValue[] | undefined;
    return Number(row?.[0] ?? 0);
  }

  /**
   * Runs `work` with writes held back per row, then writes them; the caller
   * provides the transaction, and must call `forget()` if it rolls back.
   */
  batch<T>(work: () => T): T {
    if (this.batching) return work();
    this.batching = true;
    try {
      this.checkOtherWriters();
      const result = work();
      this.flushAll();
      return result;
    } catch (error) {
      this.forget();
      throw error;
    } finally {
      this.batching = false;
    }
  }

  /** Drops held writes: after a rollback, they may describe rows the file does not have. */
  forget(): void {
    for (const codec of this.byName.values()) {
      codec.pending.clear();
      codec.pendingCount = 0;
    }
  }

  get<R extends object>(table: TableSpec<R>, key: KeyOf<R>): R | undefined {
    const codec = this.codec(table);
    const group = codec.groupOf(key as Row);
    const held = codec.pendingCount ? codec.pending.get(group)?.get(codec.keyOf(key as Row)) : undefined;
    if (held !== undefined) return 'row' in held ? (held.row as R) : undefined;
    if (this.batching && !codec.mayHoldGroup(group)) return undefined;
    codec.getStatement ??= this.statement(`get:${table.name}`, () => {
      const where = codec.keyNames.map((n) => `${quote(snakeCase(n))} = ?`).join(' AND ');
      return `SELECT ${this.selectList(codec)} FROM ${quote(table.name)} WHERE ${where}`;
    }).raw(true);
    const raw = codec.getStatement
      .get(...codec.keyIndexes.map((i) => codec.encodeValue(i, (key as Row)[codec.names[i]]))) as SqlValue[] | undefined;
    return (raw ? codec.decode(raw as unknown as Record<string, SqlValue>) : undefined) as R | undefined;
  }

  put<R extends object>(table: TableSpec<R>, row: R): void {
    const codec = this.codec(table);
    if (this.batching) {
      this.hold(codec, row as Row, { row: row as Row });
      return;
    }
    this.write(codec, row as Row);
  }

  delete<R extends object>(table: TableSpec<R>, key: KeyOf<R>): void {
    const codec = this.codec(table);
    if (this.batching) {
      this.hold(codec, key as Row, { deleted: key as Row });
      return;
    }
    this.remove(codec, key as Row);
  }

  find<R extends object>(table: TableSpec<R>, where: Partial<R>, options: FindOptions<R> = {}): R[] {
    const codec = this.codec(table);
    const columns = Object.keys(where);
    const named = columns.includes(codec.keyNames[0]);
    const group = codec.pendingCount && named ? codec.pending.get(codec.groupOf(where as Row)) : undefined;
    if (codec.pendingCount && !named) this.flushTable(codec);
    const order = options.orderBy ?? codec.keyOrder;
    // Built by hand: this runs for every lookup a fold makes, and the statement it names is almost always prepared.
    let signature = `find:${table.name}:`;
    for (const c of columns) signature += `${c},`;
    signature += `:${options.after?.column ?? ''}:`;
    for (const o of order) signature += o.desc ? `${o.column}-,` : `${o.column}+,`;
    if (options.limit !== undefined) signature += ':limit';
    // A find with `columns` reads and decodes only those and the `where` columns; inside a batch, where held rows may
    // be merged in, the key, order and cursor columns too (held rows themselves come whole).
    const merging = this.batching && options.columns !== undefined;
    const selected = options.columns
      ? codec.selected(merging ? [...columns, ...codec.keyNames, ...order.map((o) => o.column), ...(options.after ? [options.after.column] : [])] : columns, options.columns)
      : undefined;
    if (selected) signature += `:only:${selected.join(',')}`;
    const statement = this.statement(signature, () => {
      const conditions = columns.map((c) => `${quote(snakeCase(c))} = ?`);
      if (options.after) conditions.push(`${quote(snakeCase(options.after.column))} > ?`);
      const list = selected ? selected.map((i) => quote(snakeCase(codec.names[i]))).join(', ') : this.selectList(codec);
      return (
        `SELECT ${list} FROM ${quote(table.name)}` +
        (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '') +
        ` ORDER BY ${order.map((o) => `${quote(snakeCase(o.column))}${o.desc ? ' DESC' : ''}`).join(', ')}` +
        (options.limit !== undefined ? ' LIMIT ?' : '')
      );
    });
    const params: SqlValue[] = columns.map((c) => codec.encodeValue(codec.indexOf(c), (where as Row)[c]));
    if (options.after) params.push(codec.encodeValue(codec.indexOf(options.after.column), options.after.value));
    // Held writes may replace or delete stored rows: ask for as many more as could be displaced.
    if (options.limit !== undefined) params.push(options.limit + (group?.size ?? 0));
    const raws = this.batching && named && !codec.mayHoldGroup(codec.groupOf(where as Row)) ? [] : (statement.raw(true).all(...params) as SqlValue[][]);
    if (!group?.size) {
      return raws.map((raw) =>
        selected ? codec.decodeSelected(selected, raw as unknown as Record<string, SqlValue>) : codec.decode(raw as unknown as Record<string, SqlValue>),
      ) as R[];
    }
    // A stored row that a held write replaces or deletes is not decoded: the positions' lookups in a batch mostly find
    // the rows the batch has just rewritten (its party's position on each point it re-settles).
    const merged = new Map<string, Row>();
    for (const raw of raws) {
      const k = selected ? codec.selectedKeyOf(selected, raw) : codec.rawKeyOf(raw);
      if (group.has(k)) continue;
      merged.set(k, selected ? codec.decodeSelected(selected, raw as unknown as Record<string, SqlValue>) : codec.decode(raw as unknown as Record<string, SqlValue>));
    }
    group.forEach((held, k) => {
      if ('row' in held && codec.matches(held.row, where as Row, columns, options.after as FindOptions<Row>['after'])) merged.set(k, held.row);
    });
    return codec.sorted([...merged.values()], order, options.limit) as R[];
  }

  /** Every row of a table in primary-key order, for dumps and exports. */
  all<R extends object>(table: TableSpec<R>): R[] {
    return this.find(table, {});
  }

  count(table: AnyTable): number {
    this.flushTable(this.codec(table));
    return Number((this.statement(`count:${table.name}`, () => `SELECT COUNT(*) FROM ${quote(table.name)}`).raw(true).get() as SqlValue[])[0]);
  }

  clear(table: AnyTable): void {
    const codec = this.codec(table);
    codec.pending.clear();
    codec.pendingCount = 0;
    this.checkOtherWriters();
    this.db.prepare(`DELETE FROM ${quote(table.name)}`).run();
    codec.writtenGroups = new Set();
  }

  private codec(table: AnyTable): TableCodec {
    const codec = this.codecs.get(table);
    if (!codec) throw new Error(`Table ${table.name} is not part of this read-model store`);
    return codec;
  }

  private hold(codec: TableCodec, row: Row, held: Held): void {
    const groupKey = codec.groupOf(row);
    let group = codec.pending.get(groupKey);
    if (!group) codec.pending.set(groupKey, (group = new Map()));
    const k = codec.keyOf(row);
    if (!group.has(k)) codec.pendingCount++;
    group.set(k, held);
  }

  /** A commit by another connection (a CLI rebuild, another runner) makes what is known absent suspect. */
  private checkOtherWriters(): void {
    // Prepared once: db.pragma() prepares its statement on every call, and this runs at every batch.
    this.dataVersionStatement ??= this.db.prepare('PRAGMA data_version').pluck();
    const version = Number(this.dataVersionStatement.get());
    if (this.dataVersion !== undefined && version !== this.dataVersion) {
      for (const codec of this.byName.values()) codec.writtenGroups = undefined;
    }
    this.dataVersion = version;
  }

  private selectList(codec: TableCodec): string {
    return codec.names.map((n) => quote(snakeCase(n))).join(', ');
  }

  private statement(key: string, sql: () => string): Database.Statement {
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(sql());
      statement.safeIntegers(true);
      this.statements.set(key, statement);
    }
    return statement;
  }

  private write(codec: TableCodec, row: Row): void {
    codec.putStatement ??= this.statement(`put:${codec.table.name}`, () => {
      const names = codec.names.map((n) => quote(snakeCase(n)));
      const keys = codec.keyNames.map((n) => quote(snakeCase(n)));
      const rest = codec.names.filter((n) => !codec.keyNames.includes(n)).map((n) => quote(snakeCase(n)));
      return (
        `INSERT INTO ${quote(codec.table.name)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
        `ON CONFLICT (${keys.join(', ')}) DO ` +
        (rest.length ? `UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'NOTHING')
      );
    });
    codec.putStatement.run(...codec.encode(row));
    codec.wroteGroup(row);
  }

  private remove(codec: TableCodec, key: Row): void {
    codec.deleteStatement ??= this.statement(`delete:${codec.table.name}`, () => {
      const where = codec.keyNames.map((n) => `${quote(snakeCase(n))} = ?`).join(' AND ');
      return `DELETE FROM ${quote(codec.table.name)} WHERE ${where}`;
    });
    codec.deleteStatement.run(...codec.keyIndexes.map((i) => codec.encodeValue(i, key[codec.names[i]])));
    codec.wroteGroup(key);
  }

  private flushTable(codec: TableCodec): void {
    if (!codec.pendingCount) return;
    // forEach: a for-of over a Map's entries makes a pair per row, and a flush writes every row of the batch.
    const flushHeld = (held: Held): void => {
      if ('row' in held) this.write(codec, held.row);
      else this.remove(codec, held.deleted);
    };
    codec.pending.forEach((group) => group.forEach(flushHeld));
    codec.pending.clear();
    codec.pendingCount = 0;
  }

  private flushAll(): void {
    for (const codec of this.byName.values()) this.flushTable(codec);
  }
}
