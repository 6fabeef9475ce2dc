import { createHash } from 'node:crypto';
import type { ClientBase, QueryResult } from 'pg';
import { AnyTable, FindOptions, KeyOf, TableAccess, TableSpec } from '../../tables/table-spec';
import { PgTableCodec } from './postgres-tables';

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
const prepared = async (client: ClientBase, codec: PgTableCodec, text: string, values: unknown[]): Promise<Row[]> => {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `rm_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    if (statementNames.size < 10_000) statementNames.set(text, name);
  }
  // Every statement here selects the codec's selectList, so each row comes as its values in the codec's column order.
  const result: QueryResult<unknown[]> = await client.query({ name, text, values, rowMode: 'array' });
  return result.rows.map((raw) => codec.decodeValues(raw));
};

const keyText = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));

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
      // Point lookups of one table in one round are one query. Finds of one table by the same columns, order and limit
      // (a party's claims in each of its incidents, where each entry of a page was recorded) are one query too, their
      // rows shared out by their values of those columns; a find with a cursor is a query of its own.
      const lookups = new Map<PgTableCodec, Request[]>();
      const finds = new Map<string, Request[]>();
      for (const request of this.requests.values()) {
        if (request.single) {
          const list = lookups.get(request.codec);
          if (list) list.push(request);
          else lookups.set(request.codec, [request]);
          continue;
        }
        const columns = Object.keys(request.where);
        if (columns.length > 0 && request.options.after === undefined) {
          const shape = `${request.codec.table.name}:${columns.join(',')}:${keyText(request.options.orderBy ?? null)}:${request.options.limit ?? ''}`;
          const list = finds.get(shape);
          if (list) list.push(request);
          else finds.set(shape, [request]);
          continue;
        }
        const { text, values } = request.codec.findSql(request.where, request.options);
        this.answers.set(request.key, await prepared(client, request.codec, text, values));
      }
      for (const requests of finds.values()) {
        const [{ codec, where, options }] = requests;
        if (requests.length === 1) {
          const { text, values } = codec.findSql(where, options);
          this.answers.set(requests[0].key, await prepared(client, codec, text, values));
          continue;
        }
        const columns = Object.keys(where);
        const { text, values } = codec.findManySql(columns, requests.map((r) => r.where), options.orderBy, options.limit);
        const byValues = new Map<string, Row[]>();
        for (const row of await prepared(client, codec, text, values)) {
          const k = codec.valuesText(columns, row);
          const list = byValues.get(k);
          if (list) list.push(row);
          else byValues.set(k, [row]);
        }
        for (const request of requests) this.answers.set(request.key, byValues.get(codec.valuesText(columns, request.where)) ?? []);
      }
      for (const [codec, requests] of lookups) {
        const { text, values } = codec.selectKeys(requests.map((r) => r.where));
        const found = new Map<string, Row>();
        for (const row of await prepared(client, codec, text, values)) {
          found.set(codec.keyText(row), row);
        }
        for (const request of requests) {
          const row = found.get(codec.keyText(request.where));
          this.answers.set(request.key, row ? [row] : []);
        }
      }
    }
  }

  private access(): TableAccess {
    const ask = (table: AnyTable, where: Row, options: FindOptions<Row>, single: boolean): Row[] => {
      // A view asks the same lookups again in every round: a point lookup's key is built without JSON.
      const key = single ? `get:${table.name}:${this.codecOf(table).keyText(where)}` : `find:${table.name}:${keyText(where)}:${keyText(options)}`;
      const answer = this.answers.get(key);
      if (answer) return answer;
      this.requests.set(key, { key, codec: this.codecOf(table), where, options, single });
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
