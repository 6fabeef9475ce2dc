import { AnyTable, ColumnSpec, FindOptions, IndexSpec, indexColumnsSql, snakeCase } from '../../tables/table-spec';

/**
 * The read-model tables in PostgreSQL, derived from the same TableSpecs as the SQLite file (never a hand-written copy,
 * so a column added to ledger.tables.ts reaches both).
 *
 * Text is `COLLATE "C"` (byte order of UTF-8, which is code point order, as SQLite's BINARY): a `find` ordered by a
 * text column, and a dump in key order, list rows in the same order on both stores. Integers are `bigint` (stated
 * times are epoch milliseconds). JSON is `json`, not `jsonb`: it keeps the text as written, key order included, so an
 * answer assembled from PostgreSQL is byte for byte the one assembled from SQLite.
 */
const PG_TYPE: Record<ColumnSpec['type'], string> = {
  text: 'text COLLATE "C"',
  integer: 'bigint',
  position: 'bigint',
  boolean: 'boolean',
  json: 'json',
};

const PG_ARRAY_TYPE: Record<ColumnSpec['type'], string> = { text: 'text[]', integer: 'bigint[]', position: 'bigint[]', boolean: 'boolean[]', json: 'json[]' };

export const PG_DOC_TYPE: Record<ColumnSpec['type'], string> = PG_TYPE;

/** A PostgreSQL identifier the ledger writes unquoted into SQL: lower-case letters, digits and underscores. */
export const PG_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export const pgQuote = (name: string): string => `"${name.replace(/"/g, '""')}"`;

type Row = Record<string, unknown>;
export type PgParam = string | number | boolean | null;

/** A read statement: its text, its parameters, and the ORDER BY of its rows (undefined: no order, point lookups). */
export interface ReadSql {
  text: string;
  values: Array<PgParam | PgParam[]>;
  order: string | undefined;
}

/**
 * What U+0000 becomes in a text column. PostgreSQL text cannot hold it (SQLite's can, and events recorded before the
 * API refused it may carry one): written as U+FFFD, the Unicode replacement character, so that such an event is
 * projected rather than failing its batch and stopping the runner. JSON columns keep it as the escape `\u0000`.
 */
export const PG_NUL_REPLACEMENT = '\uFFFD';

export const pgText = (value: string): string => (value.includes('\u0000') ? value.replace(/\u0000/g, PG_NUL_REPLACEMENT) : value);

const NEEDS_ESCAPE = /["\\]/;

/**
 * One column's values as a PostgreSQL array literal (`{"a","b",NULL}`), built here rather than by node-postgres,
 * whose per-element escaping and garbage were a fifth of a rebuild's CPU.
 */
const arrayLiteral = (type: ColumnSpec['type'], values: readonly PgParam[]): string => {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    if (i) out += ',';
    const value = values[i];
    if (value === null) out += 'NULL';
    else if (type === 'boolean') out += value ? 't' : 'f';
    else if (type === 'integer' || type === 'position') out += String(value);
    else {
      const text = String(value);
      out += `"${NEEDS_ESCAPE.test(text) ? text.replace(/["\\]/g, '\\$&') : text}"`;
    }
  }
  return `${out}}`;
};

/** The table and its secondary indexes as PostgreSQL DDL in `schema` (recorded to tell when a table's shape changed). */
export const pgTableDdl = (table: AnyTable, schema: string): { table: string; indexes: string[] } => {
  const columns = Object.entries(table.columns as Record<string, ColumnSpec>).map(
    ([name, spec]) => `${pgQuote(snakeCase(name))} ${PG_TYPE[spec.type]}${spec.nullable ? '' : ' NOT NULL'}`,
  );
  const pk = table.primaryKey.map((c: string) => pgQuote(snakeCase(c))).join(', ');
  const indexes = (table.indexes ?? []).map(
    (index: IndexSpec<any>) => `CREATE INDEX IF NOT EXISTS ${pgQuote(index.name)} ON ${schema}.${pgQuote(table.name)} (${indexColumnsSql(index, pgQuote, 'DESC NULLS LAST')})`,
  );
  return { table: `CREATE TABLE ${schema}.${pgQuote(table.name)} (${columns.join(', ')}, PRIMARY KEY (${pk}))`, indexes };
};

/** How one table's rows cross between JavaScript and PostgreSQL, and the statements that read and write them in bulk. */
export class PgTableCodec {
  readonly names: string[];
  readonly types: ColumnSpec['type'][];
  readonly keyNames: string[];
  readonly qualified: string;
  /** The columns' SQL names, in `names` order: also the order of `selectList`, so a row read as an array decodes by index. */
  readonly columnNames: string[];
  readonly selectList: string;

  /** Codecs of a few of this table's columns (see `only`), by their names. */
  private readonly subsets = new Map<string, PgTableCodec>();

  /** `columns`: read only these (a subset of the table's, in the table's order); undefined: all of them. */
  constructor(
    readonly table: AnyTable,
    readonly schema: string,
    columns?: ReadonlySet<string>,
  ) {
    this.names = Object.keys(table.columns).filter((n) => !columns || columns.has(n));
    this.types = this.names.map((n) => (table.columns as Record<string, ColumnSpec>)[n].type);
    this.keyNames = [...table.primaryKey];
    this.qualified = `${schema}.${pgQuote(table.name)}`;
    this.columnNames = this.names.map(snakeCase);
    this.selectList = this.columnNames.map(pgQuote).join(', ');
  }

  typeOf(column: string): ColumnSpec['type'] {
    return (this.table.columns as Record<string, ColumnSpec>)[column].type;
  }

  /**
   * A codec that selects and decodes only `columns` of the table's rows (a view's `find` with `columns`): the other
   * columns, JSON above all, are neither sent nor parsed. Its statements read; rows it decodes lack the other columns.
   */
  only(columns: Iterable<string>): PgTableCodec {
    const wanted = new Set(columns);
    if (this.names.every((n) => wanted.has(n))) return this;
    const key = this.names.filter((n) => wanted.has(n)).join(',');
    let codec = this.subsets.get(key);
    if (!codec) this.subsets.set(key, (codec = new PgTableCodec(this.table, this.schema, wanted)));
    return codec;
  }

  /** A value as a query parameter: JSON as its text (as SQLite stores it), 64-bit positions as decimal text. */
  encode(type: ColumnSpec['type'], value: unknown): PgParam {
    if (value === null || value === undefined) return null;
    switch (type) {
      case 'json':
        return Array.isArray(value) && value.length === 0 ? '[]' : JSON.stringify(value);
      case 'boolean':
        return Boolean(value);
      case 'position':
        return String(value);
      case 'text':
        return typeof value === 'string' ? pgText(value) : (value as PgParam);
      default:
        return value as PgParam;
    }
  }

  /** node-postgres hands bigint as decimal text and json already parsed. */
  decode(raw: Row): Row {
    const row: Row = {};
    for (let i = 0; i < this.names.length; i++) row[this.names[i]] = this.decodeValue(i, raw[this.columnNames[i]]);
    return row;
  }

  /**
   * A row of `SELECT selectList …` read with `rowMode: 'array'`: no object keyed by SQL names is built per row only to
   * be copied into this one (a view over a large incident reads thousands of rows).
   */
  decodeValues(values: unknown[]): Row {
    const row: Row = {};
    for (let i = 0; i < this.names.length; i++) row[this.names[i]] = this.decodeValue(i, values[i]);
    return row;
  }

  private decodeValue(index: number, value: unknown): unknown {
    if (value === null || value === undefined) return null;
    switch (this.types[index]) {
      case 'integer':
        return Number(value);
      case 'position':
        return BigInt(value as string);
      default:
        return value;
    }
  }

  /** SELECT of the rows whose first key column is one of `$1` (one query for every group a batch needs). */
  selectGroupsSql(): string {
    const first = this.keyNames[0];
    return `SELECT ${this.selectList} FROM ${this.qualified} WHERE ${pgQuote(snakeCase(first))} = ANY($1::${PG_ARRAY_TYPE[this.typeOf(first)]})`;
  }

  /**
   * One multi-row upsert for every row given: one array parameter per column, unnested into rows, so a batch costs
   * one round trip per table whatever its size (and one prepared plan, whatever the number of rows).
   */
  upsert(rows: Row[]): { text: string; values: string[] } {
    const columns = this.names.map((n) => pgQuote(snakeCase(n)));
    const keys = this.keyNames.map((n) => pgQuote(snakeCase(n)));
    const rest = this.names.filter((n) => !this.keyNames.includes(n)).map((n) => pgQuote(snakeCase(n)));
    const text =
      `INSERT INTO ${this.qualified} (${columns.join(', ')}) SELECT * FROM unnest(${this.names.map((n, i) => `$${i + 1}::${PG_ARRAY_TYPE[this.types[i]]}`).join(', ')}) ` +
      `ON CONFLICT (${keys.join(', ')}) DO ${rest.length ? `UPDATE SET ${rest.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}` : 'NOTHING'}`;
    return { text, values: this.names.map((n, i) => arrayLiteral(this.types[i], rows.map((row) => this.encode(this.types[i], row[n])))) };
  }

  /** The rows of every key given, in one SELECT (a view's point lookups of one round). */
  selectKeys(keys: Row[]): ReadSql {
    const columns = this.keyNames.map((n) => pgQuote(snakeCase(n)));
    const text =
      `SELECT ${this.selectList} FROM ${this.qualified} WHERE (${columns.join(', ')}) IN ` +
      `(SELECT * FROM unnest(${this.keyNames.map((n, i) => `$${i + 1}::${PG_ARRAY_TYPE[this.typeOf(n)]}`).join(', ')}))`;
    return { text, values: this.keyNames.map((n) => keys.map((key) => this.encode(this.typeOf(n), key[n]))), order: undefined };
  }

  /**
   * Several finds that differ only in their `where` values, as one SELECT: rows whose `columns` equal one of the value
   * tuples, in the order asked for (then by those columns' tuple, which keeps each find's rows in its own order). With
   * a limit, each find keeps its own: a lateral subquery per value tuple, each walking the index as a find alone would.
   */
  findManySql(
    columns: string[],
    wheres: Row[],
    orderBy: ReadonlyArray<{ column: string; desc?: boolean }> | undefined,
    limit?: number,
  ): ReadSql {
    const quoted = columns.map((c) => pgQuote(snakeCase(c)));
    const order = this.orderOf(orderBy);
    const arrays = columns.map((c, i) => `$${i + 1}::${PG_ARRAY_TYPE[this.typeOf(c)]}`).join(', ');
    const values = columns.map((c) => wheres.map((where) => this.encode(this.typeOf(c), where[c])));
    const select = this.selectListWith(orderBy);
    if (limit === undefined) {
      return { text: `SELECT ${select} FROM ${this.qualified} WHERE (${quoted.join(', ')}) IN (SELECT * FROM unnest(${arrays})) ORDER BY ${order}`, values, order };
    }
    const keys = columns.map((_, i) => `k${i}`);
    const text =
      `SELECT t.* FROM unnest(${arrays}) AS k(${keys.join(', ')}) CROSS JOIN LATERAL ` +
      `(SELECT ${select} FROM ${this.qualified} WHERE ${quoted.map((q, i) => `${q} = k.${keys[i]}`).join(' AND ')} ORDER BY ${order} LIMIT ${Math.max(0, Math.floor(limit))}) AS t` +
      ` ORDER BY ${order}`;
    return { text, values, order };
  }

  /** ORDER BY of a read: NULLS FIRST ascending (and LAST descending) because that is SQLite's order, which PostgreSQL reverses by default. */
  private orderOf(orderBy: ReadonlyArray<{ column: string; desc?: boolean }> | undefined): string {
    const order = orderBy ?? this.keyNames.map((column) => ({ column, desc: false }));
    return order.map((o) => `${pgQuote(snakeCase(o.column))}${o.desc ? ' DESC NULLS LAST' : ' NULLS FIRST'}`).join(', ');
  }

  /**
   * The select list of a read ordered by `orderBy`: the codec's columns (decoded by index), then any order column it
   * does not read, so that a query around it (a lateral join, a round's aggregate) can order by it too.
   */
  private selectListWith(orderBy: ReadonlyArray<{ column: string }> | undefined): string {
    const order = orderBy?.map((o) => o.column) ?? this.keyNames;
    const unread = order.map(snakeCase).filter((c) => !this.columnNames.includes(c));
    return [this.selectList, ...unread.map(pgQuote)].join(', ');
  }

  /**
   * The codec's columns of a row of `alias` as one JSON array, in `names` order (a round's rows travel as JSON, see
   * PostgresSnapshotReader): 64-bit positions as text, so that none loses precision as a JSON number.
   */
  jsonRowOf(alias: string): string {
    return `json_build_array(${this.columnNames.map((c, i) => `${alias}.${pgQuote(c)}${this.types[i] === 'position' ? '::text' : ''}`).join(', ')})`;
  }

  /** The values of `columns` of a row or a `where`, as one identity. */
  valuesText(columns: string[], row: Row): string {
    let text = '';
    for (const c of columns) text += `${JSON.stringify(this.encode(this.typeOf(c), row[c]))}\u0001`;
    return text;
  }

  /** A key's identity, the same for the key a view asks for and the decoded row that answers it. */
  keyText(key: Row): string {
    return this.valuesText(this.keyNames, key);
  }

  /** One DELETE for every key given. */
  deleteKeys(keys: Row[]): { text: string; values: string[] } {
    const columns = this.keyNames.map((n) => pgQuote(snakeCase(n)));
    const text =
      `DELETE FROM ${this.qualified} WHERE (${columns.join(', ')}) IN ` +
      `(SELECT * FROM unnest(${this.keyNames.map((n, i) => `$${i + 1}::${PG_ARRAY_TYPE[this.typeOf(n)]}`).join(', ')}))`;
    return { text, values: this.keyNames.map((n) => arrayLiteral(this.typeOf(n), keys.map((key) => this.encode(this.typeOf(n), key[n])))) };
  }

  /** The SELECT a `find` stands for. */
  findSql(where: Row, options: FindOptions<Row>): ReadSql & { values: PgParam[] } {
    const values: PgParam[] = [];
    // `= NULL` matches nothing, as in SQLite's `find`.
    const conditions = Object.keys(where).map((c) => {
      values.push(this.encode(this.typeOf(c), where[c]));
      return `${pgQuote(snakeCase(c))} = $${values.length}`;
    });
    if (options.after) {
      values.push(this.encode(this.typeOf(options.after.column), options.after.value));
      conditions.push(`${pgQuote(snakeCase(options.after.column))} > $${values.length}`);
    }
    const order = this.orderOf(options.orderBy);
    let text = `SELECT ${this.selectListWith(options.orderBy)} FROM ${this.qualified}` + (conditions.length ? ` WHERE ${conditions.join(' AND ')}` : '') + ` ORDER BY ${order}`;
    if (options.limit !== undefined) {
      values.push(options.limit);
      text += ` LIMIT $${values.length}`;
    }
    return { text, values, order };
  }
}
