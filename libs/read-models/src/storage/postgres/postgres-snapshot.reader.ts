import { createHash } from 'node:crypto';
import type { ClientBase, QueryResult } from 'pg';
import { AnyTable, FindOptions, KeyOf, TableAccess, TableSpec } from '../../tables/table-spec';
import { PgTableCodec, ReadSql } from './postgres-tables';

type Row = Record<string, unknown>;

interface Request {
  key: string;
  codec: PgTableCodec;
  where: Row;
  options: FindOptions<Row>;
  single: boolean;
}

const statementNames = new Map<string, string>();

/**
 * A view's queries come in a few shapes whose text does not change with the values (arrays for batched lookups), so
 * each is a named prepared statement: PostgreSQL parses and plans it once per connection instead of at every read.
 */
const statementNameOf = (text: string): string => {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `rm_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  return name;
};

const prepared = async (client: ClientBase, codec: PgTableCodec, text: string, values: unknown[]): Promise<Row[]> => {
  const name = statementNameOf(text);
  // Every statement here selects the codec's selectList, so each row comes as its values in the codec's column order.
  const result: QueryResult<unknown[]> = await client.query({ name, text, values, rowMode: 'array' });
  return result.rows.map((raw) => codec.decodeValues(raw));
};

const MAX_BRANCHES = 64;

/** One statement of a round: what it reads, and what to do with the rows it gives. */
interface Fetch {
  codec: PgTableCodec;
  sql: ReadSql;
  deliver: (rows: Row[]) => void;
}

/**
 * A round's statements as one query, each a branch of a UNION ALL giving its rows as one JSON array (ordered as the
 * statement orders them), so that a round costs one round trip, one RowDescription and one row a statement, whatever
 * the number of statements: a version page of an incident took 14 statements one after another, and each one's
 * exchange with the server cost more CPU on both sides than its rows.
 */
const fetchAll = async (client: ClientBase, fetches: Fetch[]): Promise<void> => {
  // A bound on one query's text and parameters, whatever a view asks in one round (a view's rounds hold a dozen).
  for (let start = 0; start < fetches.length; start += MAX_BRANCHES) await fetchTogether(client, fetches.slice(start, start + MAX_BRANCHES));
};

const fetchTogether = async (client: ClientBase, fetches: Fetch[]): Promise<void> => {
  if (fetches.length === 1) {
    const [{ codec, sql, deliver }] = fetches;
    return deliver(await prepared(client, codec, sql.text, sql.values));
  }
  const values: unknown[] = [];
  const branches = fetches.map(({ codec, sql }, i) => {
    const offset = values.length;
    values.push(...sql.values);
    const text = offset === 0 ? sql.text : sql.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
    return `SELECT ${i} AS q, (SELECT json_agg(${codec.jsonRowOf('s')}${sql.order ? ` ORDER BY ${sql.order}` : ''}) FROM (${text}) AS s) AS r`;
  });
  const text = branches.join(' UNION ALL ');
  const result: QueryResult<[number, unknown[][] | null]> = await client.query({ name: statementNameOf(text), text, values, rowMode: 'array' });
  const answered = new Set<number>();
  for (const [q, rows] of result.rows) {
    answered.add(q);
    const { codec, deliver } = fetches[q];
    deliver(rows ? rows.map((raw) => codec.decodeValues(raw)) : []);
  }
  if (answered.size !== fetches.length) throw new Error(`A round of ${fetches.length} statements answered ${answered.size}`);
};

/**
 * The identity of a find's `where` and options (flat values, lists and small objects), asked again in every round: by
 * hand, because JSON.stringify with a replacer (for bigint) leaves its fast path and was a tenth of a view's CPU.
 */
const keyText = (value: unknown): string => {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'bigint':
      return `${value}n`;
    case 'undefined':
      return 'u';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let text = '[';
        for (const item of value) text += `${keyText(item)},`;
        return `${text}]`;
      }
      let text = '{';
      for (const key in value) text += `${key}:${keyText((value as Row)[key])},`;
      return `${text}}`;
    }
    default:
      return String(value);
  }
};

/**
 * A synchronous view (the code the API answers with) over PostgreSQL, in rounds: each `get` and `find` the view
 * makes is answered from what earlier rounds fetched; one not fetched yet answers empty and spoils the round, which
 * is run again once the round's requests are fetched. A view's lookups depend on rows it read before, so it takes as
 * many rounds as its lookups are deep (a handful), each within one REPEATABLE READ snapshot the caller holds.
 */
export class PostgresSnapshotReader {
  private readonly answers = new Map<string, Row[]>();
  private requests = new Map<string, Request>();

  constructor(private readonly codecOf: (table: AnyTable) => PgTableCodec) {}

  async run<T>(client: ClientBase, view: (t: TableAccess) => T): Promise<T> {
    for (;;) {
      this.requests = new Map();
      let result: T | undefined;
      let failure: unknown;
      let failed = false;
      try {
        result = view(this.access());
      } catch (error) {
        failure = error;
        failed = true;
      }
      if (this.requests.size === 0) {
        if (failed) throw failure;
        return result as T;
      }
      // Point lookups of one table in one round are one statement. Finds of one table by the same columns, order and
      // limit (a party's claims in each of its incidents, where each entry of a page was recorded) are one too, their
      // rows shared out by their values of those columns; a find with a cursor is one of its own. Then the round's
      // statements go to the server as one query (see `fetchAll`).
      const lookups = new Map<PgTableCodec, Request[]>();
      const finds = new Map<string, Request[]>();
      const fetches: Fetch[] = [];
      for (const request of this.requests.values()) {
        if (request.single) {
          const list = lookups.get(request.codec);
          if (list) list.push(request);
          else lookups.set(request.codec, [request]);
          continue;
        }
        const columns = Object.keys(request.where);
        if (columns.length > 0 && request.options.after === undefined) {
          const shape = `${request.codec.table.name}:${columns.join(',')}:${keyText(request.options.orderBy ?? null)}:${request.options.limit ?? ''}:${request.codec.selectList}`;
          const list = finds.get(shape);
          if (list) list.push(request);
          else finds.set(shape, [request]);
          continue;
        }
        fetches.push({ codec: request.codec, sql: request.codec.findSql(request.where, request.options), deliver: (rows) => this.answers.set(request.key, rows) });
      }
      for (const requests of finds.values()) {
        const [{ codec, where, options }] = requests;
        if (requests.length === 1) {
          fetches.push({ codec, sql: codec.findSql(where, options), deliver: (rows) => this.answers.set(requests[0].key, rows) });
          continue;
        }
        const columns = Object.keys(where);
        const deliver = (rows: Row[]): void => {
          const byValues = new Map<string, Row[]>();
          for (const row of rows) {
            const k = codec.valuesText(columns, row);
            const list = byValues.get(k);
            if (list) list.push(row);
            else byValues.set(k, [row]);
          }
          for (const request of requests) this.answers.set(request.key, byValues.get(codec.valuesText(columns, request.where)) ?? []);
        };
        fetches.push({ codec, sql: codec.findManySql(columns, requests.map((r) => r.where), options.orderBy, options.limit), deliver });
      }
      for (const [codec, requests] of lookups) {
        const deliver = (rows: Row[]): void => {
          const found = new Map<string, Row>();
          for (const row of rows) found.set(codec.keyText(row), row);
          for (const request of requests) {
            const row = found.get(codec.keyText(request.where));
            this.answers.set(request.key, row ? [row] : []);
          }
        };
        fetches.push({ codec, sql: codec.selectKeys(requests.map((r) => r.where)), deliver });
      }
      await fetchAll(client, fetches);
    }
  }

  private access(): TableAccess {
    const ask = (table: AnyTable, where: Row, options: FindOptions<Row>, single: boolean): Row[] => {
      // A view asks the same lookups again in every round: a point lookup's key is built without JSON.
      const key = single ? `get:${table.name}:${this.codecOf(table).keyText(where)}` : `find:${table.name}:${keyText(where)}:${keyText(options)}`;
      const answer = this.answers.get(key);
      if (answer) return answer;
      const codec = this.codecOf(table);
      this.requests.set(key, { key, codec: options.columns ? codec.only([...Object.keys(where), ...options.columns]) : codec, where, options, single });
      return [];
    };
    const refuse = (): never => {
      throw new Error('A view over the PostgreSQL read models only reads');
    };
    return {
      get: <R extends object>(table: TableSpec<R>, key: KeyOf<R>) => ask(table, keyOnly(table, key as Row), {}, true)[0] as R | undefined,
      find: <R extends object>(table: TableSpec<R>, where: Partial<R>, options: FindOptions<R> = {}) =>
        ask(table, where as Row, options as FindOptions<Row>, false) as R[],
      put: refuse,
      delete: refuse,
    };
  }
}

/** The primary-key columns of `key` (a caller may pass a whole row as its key). */
const keyOnly = (table: AnyTable, key: Row): Row => Object.fromEntries(table.primaryKey.map((c: string) => [c, key[c]]));
