import Database from 'better-sqlite3';
import { AnyTable, ColumnSpec, FindOptions, KeyOf, TableAccess, TableSpec, snakeCase } from '../tables/table-spec';

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
      `CREATE INDEX IF NOT EXISTS ${quote(index.name)} ON ${quote(table.name)} (${index.columns.map((c) => quote(snakeCase(c))).join(', ')});`,
  );
  // Wide rows (a kilobyte of JSON) in a WITHOUT ROWID key b-tree spill into overflow pages on every write; only narrow tables opt in.
  const rowid = table.withoutRowid ? ' WITHOUT ROWID' : '';
  return [`CREATE TABLE IF NOT EXISTS ${quote(table.name)} (${columns.join(', ')}, PRIMARY KEY (${pk}))${rowid};`, ...indexes].join('\n');
};

type Row = Record<string, unknown>;
export type SqlValue = string | number | bigint | null;

/** How one table's rows cross between JavaScript and SQLite. */
class TableCodec {
  readonly names: string[];
  readonly types: ColumnSpec['type'][];
  readonly keyNames: string[];
  readonly keyIndexes: number[];

  constructor(readonly table: AnyTable) {
    this.names = Object.keys(table.columns);
    this.types = this.names.map((n) => (table.columns as Record<string, ColumnSpec>)[n].type);
    this.keyNames = [...table.primaryKey];
    this.keyIndexes = this.keyNames.map((n) => this.names.indexOf(n));
  }

  encodeValue(index: number, value: unknown): SqlValue {
    if (value === null || value === undefined) return null;
    switch (this.types[index]) {
      case 'json':
        return JSON.stringify(value);
      case 'boolean':
        return value ? 1 : 0;
      case 'position':
        return BigInt(value as bigint);
      default:
        return value as SqlValue;
    }
  }

  encode(row: Row): SqlValue[] {
    return this.names.map((name, i) => this.encodeValue(i, row[name]));
  }

  decode(raw: Record<string, SqlValue>): Row {
    const row: Row = {};
    for (let i = 0; i < this.names.length; i++) {
      const value = raw[i];
      if (value === null) {
        row[this.names[i]] = null;
        continue;
      }
      switch (this.types[i]) {
        case 'json':
          row[this.names[i]] = JSON.parse(value as string);
          break;
        case 'boolean':
          row[this.names[i]] = Number(value) !== 0;
          break;
        case 'integer':
          row[this.names[i]] = Number(value);
          break;
        case 'position':
          row[this.names[i]] = BigInt(value);
          break;
        default:
          row[this.names[i]] = value;
      }
    }
    return row;
  }

  keyOf(row: Row): string {
    let key = '';
    for (const name of this.keyNames) key += `${String(row[name])}\u0001`;
    return key;
  }
}

/** A held write: the row to store, or a deletion of the row with this key. */
type Held = { row: Row } | { deleted: Row };

/**
 * TableAccess over one SQLite connection. Inside `batch`, writes are held
 * back and merged per row, and flushed once at the end (or before a `find`
 * on the same table, which must see them): a batch of events touching the
 * same incident row writes it once.
 */
export class SqliteTables implements TableAccess {
  private readonly codecs = new Map<AnyTable, TableCodec>();
  private readonly byName = new Map<string, TableCodec>();
  private readonly statements = new Map<string, Database.Statement>();
  /** table -> primary-key string -> the held write; only while batching. */
  private pending: Map<AnyTable, Map<string, Held>> | undefined;

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

  /** Runs `work` with writes held back per row, then writes them; the caller provides the transaction. */
  batch<T>(work: () => T): T {
    if (this.pending) return work();
    this.pending = new Map();
    try {
      const result = work();
      this.flushAll();
      return result;
    } finally {
      this.pending = undefined;
    }
  }

  get<R extends object>(table: TableSpec<R>, key: KeyOf<R>): R | undefined {
    const codec = this.codec(table);
    const held = this.pending?.get(codec.table)?.get(codec.keyOf(key as Row));
    if (held !== undefined) return 'row' in held ? (held.row as R) : undefined;
    const raw = this.statement(`get:${table.name}`, () => {
      const where = codec.keyNames.map((n) => `${quote(snakeCase(n))} = ?`).join(' AND ');
      return `SELECT ${this.selectList(codec)} FROM ${quote(table.name)} WHERE ${where}`;
    })
      .raw(true)
      .get(...codec.keyIndexes.map((i) => codec.encodeValue(i, (key as Row)[codec.names[i]]))) as SqlValue[] | undefined;
    return raw ? (codec.decode(raw as unknown as Record<string, SqlValue>) as R) : undefined;
  }

  put<R extends object>(table: TableSpec<R>, row: R): void {
    const codec = this.codec(table);
    if (this.pending) {
      this.pendingOf(codec.table).set(codec.keyOf(row as Row), { row: row as Row });
      return;
    }
    this.write(codec, row as Row);
  }

  delete<R extends object>(table: TableSpec<R>, key: KeyOf<R>): void {
    const codec = this.codec(table);
    if (this.pending) {
      this.pendingOf(codec.table).set(codec.keyOf(key as Row), { deleted: key as Row });
      return;
    }
    this.remove(codec, key as Row);
  }

  find<R extends object>(table: TableSpec<R>, where: Partial<R>, options: FindOptions<R> = {}): R[] {
    const codec = this.codec(table);
    this.flushTable(codec);
    const columns = Object.keys(where);
    const order = options.orderBy ?? codec.keyNames.map((column) => ({ column, desc: false }));
    const signature = `find:${table.name}:${columns.join(',')}:${options.after?.column ?? ''}:${order.map((o) => `${o.column}${o.desc ? '-' : '+'}`).join(',')}:${options.limit !== undefined}`;
    const statement = this.statement(signature, () => {
      const conditions = columns.map((c) => `${quote(snakeCase(c))} = ?`);
      if (options.after) conditions.push(`${quote(snakeCase(options.after.column))} > ?`);
      return (
        `SELECT ${this.selectList(codec)} FROM ${quote(table.name)}` +
        (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '') +
        ` ORDER BY ${order.map((o) => `${quote(snakeCase(o.column))}${o.desc ? ' DESC' : ''}`).join(', ')}` +
        (options.limit !== undefined ? ' LIMIT ?' : '')
      );
    });
    const params: SqlValue[] = columns.map((c) => codec.encodeValue(codec.names.indexOf(c), (where as Row)[c]));
    if (options.after) params.push(codec.encodeValue(codec.names.indexOf(options.after.column), options.after.value));
    if (options.limit !== undefined) params.push(options.limit);
    return (statement.raw(true).all(...params) as SqlValue[][]).map((raw) => codec.decode(raw as unknown as Record<string, SqlValue>) as R);
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
    this.pending?.delete(this.codec(table).table);
    this.db.prepare(`DELETE FROM ${quote(table.name)}`).run();
  }

  private codec(table: AnyTable): TableCodec {
    const codec = this.codecs.get(table);
    if (!codec) throw new Error(`Table ${table.name} is not part of this read-model store`);
    return codec;
  }

  private pendingOf(table: AnyTable): Map<string, Held> {
    let rows = this.pending!.get(table);
    if (!rows) this.pending!.set(table, (rows = new Map()));
    return rows;
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
    this.statement(`put:${codec.table.name}`, () => {
      const names = codec.names.map((n) => quote(snakeCase(n)));
      const keys = codec.keyNames.map((n) => quote(snakeCase(n)));
      const rest = codec.names.filter((n) => !codec.keyNames.includes(n)).map((n) => quote(snakeCase(n)));
      return (
        `INSERT INTO ${quote(codec.table.name)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')}) ` +
        `ON CONFLICT (${keys.join(', ')}) DO ` +
        (rest.length ? `UPDATE SET ${rest.map((c) => `${c} = excluded.${c}`).join(', ')}` : 'NOTHING')
      );
    }).run(...codec.encode(row));
  }

  private remove(codec: TableCodec, key: Row): void {
    this.statement(`delete:${codec.table.name}`, () => {
      const where = codec.keyNames.map((n) => `${quote(snakeCase(n))} = ?`).join(' AND ');
      return `DELETE FROM ${quote(codec.table.name)} WHERE ${where}`;
    }).run(...codec.keyIndexes.map((i) => codec.encodeValue(i, key[codec.names[i]])));
  }

  private flushTable(codec: TableCodec): void {
    const rows = this.pending?.get(codec.table);
    if (!rows || rows.size === 0) return;
    for (const held of rows.values()) {
      if ('row' in held) this.write(codec, held.row);
      else this.remove(codec, held.deleted);
    }
    rows.clear();
  }

  private flushAll(): void {
    for (const codec of this.byName.values()) this.flushTable(codec);
  }
}
