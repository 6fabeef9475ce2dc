/**
 * Read models are relational tables that dashboards and BI tools query
 * directly. A table is declared once, here, as data: the projection writes
 * rows through it, the SQLite store derives its DDL and statements from it,
 * and the README's schema section is checked against it.
 *
 * Column types as JavaScript sees them: text -> string, integer -> number,
 * position -> bigint (global log positions are 64-bit), boolean -> boolean
 * (0/1 in SQL), json -> a parsed JSON value (TEXT holding JSON in SQL).
 * A nullable column holds null, never undefined.
 */
export type ColumnType = 'text' | 'integer' | 'position' | 'boolean' | 'json';

export interface ColumnSpec {
  type: ColumnType;
  nullable?: boolean;
  description: string;
}

export interface IndexSpec<Row> {
  name: string;
  columns: ReadonlyArray<keyof Row & string>;
  /**
   * Columns kept in descending order, NULLs last (SQLite's order, asked of PostgreSQL too): an index then serves an
   * ORDER BY that mixes directions (latest first, ties by id) by walking it, instead of sorting every row it finds.
   */
  descending?: ReadonlyArray<keyof Row & string>;
}

/** An index's columns in DDL, each quoted and, when the spec keeps it descending, followed by `desc`. */
export const indexColumnsSql = (index: IndexSpec<any>, quote: (name: string) => string, desc: string): string =>
  index.columns.map((c) => `${quote(snakeCase(c))}${index.descending?.includes(c) ? ` ${desc}` : ''}`).join(', ');

export interface TableSpec<Row extends object> {
  /** snake_case SQL name, named after the question the table answers. */
  name: string;
  /** The question, for the documentation. */
  question: string;
  columns: { readonly [K in keyof Row & string]-?: ColumnSpec };
  primaryKey: ReadonlyArray<keyof Row & string>;
  indexes?: ReadonlyArray<IndexSpec<Row>>;
  /** Narrow rows stored in their key's own b-tree (one b-tree to write instead of a table plus its key index). */
  withoutRowid?: boolean;
}

export type AnyTable = TableSpec<any>;

/** The primary-key columns of a row (all of them, for get and delete). */
export type KeyOf<Row extends object> = Partial<Row>;

export interface FindOptions<Row> {
  /** Sort order; defaults to the primary key. */
  orderBy?: ReadonlyArray<{ column: keyof Row & string; desc?: boolean }>;
  /** Only rows whose column is strictly greater than the value (a keyset cursor over an ascending order). */
  after?: { column: keyof Row & string; value: string | number | bigint };
  limit?: number;
  /**
   * The columns the caller reads (a reader may answer with only these, plus those of `where`; a writer may answer with
   * whole rows): a view that lists a few columns of many rows then decodes no JSON it does not show.
   */
  columns?: ReadonlyArray<keyof Row & string>;
}

/**
 * Row access as the projection and the queries see it, whatever keeps the
 * rows. Rows are values: update by putting a new object, never by changing
 * one that `get` or `find` returned.
 */
export interface TableAccess {
  get<Row extends object>(table: TableSpec<Row>, key: KeyOf<Row>): Row | undefined;
  /** Inserts or replaces the row with the same primary key. */
  put<Row extends object>(table: TableSpec<Row>, row: Row): void;
  delete<Row extends object>(table: TableSpec<Row>, key: KeyOf<Row>): void;
  /** Rows whose columns equal `where` (an index's leading columns, so that the cost is the rows found). */
  find<Row extends object, C extends keyof Row & string>(
    table: TableSpec<Row>,
    where: Partial<Row>,
    options: FindOptions<Row> & { columns: ReadonlyArray<C> },
  ): Array<Pick<Row, C>>;
  find<Row extends object>(table: TableSpec<Row>, where: Partial<Row>, options?: FindOptions<Row>): Row[];
}

export const snakeCase = (name: string): string => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
