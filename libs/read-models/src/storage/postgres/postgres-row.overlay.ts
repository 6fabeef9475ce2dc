import type { ClientBase } from 'pg';
import { LedgerEnvelope } from '../../envelope';
import { AnyTable, FindOptions, KeyOf, TableAccess, TableSpec } from '../../tables/table-spec';
import { SqlValue, TableCodec } from '../sqlite-tables';
import { PgTableCodec } from './postgres-tables';

type Row = Record<string, unknown>;
type Held = { row: Row } | { deleted: Row };

/** Every row of one table whose first key column has one value (an incident's rows, a party's row), with lookups built on demand. */
class GroupRows {
  readonly rows = new Map<string, Row>();
  /** By the columns a `find` names (sorted, comma-joined), then their values: the rows a `find` starts from. */
  readonly lookups = new Map<string, { columns: string[]; rows: Map<string, Map<string, Row>> }>();

  constructor(
    readonly table: TableState,
    readonly value: string,
  ) {}
}

class TableState {
  readonly codec: TableCodec;
  readonly pg: PgTableCodec;
  readonly groups = new Map<string, GroupRows>();
  /** This batch's writes, by group then key; they reach the groups only once the transaction has committed. */
  readonly pending = new Map<string, Map<string, Held>>();
  /** Groups a lookup found not loaded in this round. */
  readonly missing = new Set<string>();
  /**
   * Finds that name no group (an entry looked up by the incident it was moved to): their stored rows, fetched by
   * their own query for this batch, and those a round asked for and lacked.
   */
  readonly across = new Map<string, Row[]>();
  readonly acrossMissing = new Map<string, Row>();
  /**
   * The table held no rows but the ones this overlay wrote since (found empty, or emptied here): a group neither
   * loaded nor evicted since then has no rows, and needs no query. That is a rebuild's case: no reads at all.
   */
  complete = false;
  readonly evicted = new Set<string>();

  constructor(table: AnyTable, schema: string) {
    this.codec = new TableCodec(table);
    this.pg = new PgTableCodec(table, schema);
  }

  valuesKey(columns: string[], row: Row): string {
    let key = '';
    for (const c of columns) {
      const value: SqlValue = this.codec.encodeValue(this.codec.indexOf(c), row[c]);
      key += value === null ? '\u0002' : `${typeof value}:${String(value)}\u0001`;
    }
    return key;
  }
}

/** What the writer has cost in queries since it started: how a batch's round trips stay bounded, for tests and benchmarks. */
export interface OverlayStatistics {
  /** Runs of a batch's fold (a spoiled round is run again). */
  rounds: number;
  /** SELECTs of groups (one per table a round lacked groups of), and the groups they fetched. */
  groupQueries: number;
  groupsFetched: number;
  /** DELETE and INSERT … ON CONFLICT statements, and the rows they wrote. */
  writeStatements: number;
  rowsWritten: number;
}

export interface PostgresRowOverlayOptions {
  /** Rows kept in memory between batches, in whole groups, least recently used first out (default 200,000). */
  rowCache?: number;
}

/**
 * The projection's view of the PostgreSQL tables: the synchronous TableAccess the projections are written against,
 * over rows held in memory. A batch runs in rounds: the groups its events name (their incident, their parties) are
 * fetched first, one query per table; the unchanged projections then run against memory; a lookup of a group not in
 * memory answers empty, notes the group and spoils the round, which is then thrown away and run again once the
 * noted groups are fetched (the projections depend only on the rows they read, so a rerun is the same fold). Groups
 * stay in memory across batches, least recently used out first, so a large incident is not fetched again each
 * batch and no event costs more for being in one.
 *
 * Only valid for the tables' one writer: while it holds a group, no one else may change its rows.
 */
export class PostgresRowOverlay {
  private readonly states = new Map<AnyTable, TableState>();
  private readonly byName = new Map<string, TableState>();
  /** Loaded groups, least recently used first. */
  private readonly recency = new Set<GroupRows>();
  private readonly touched = new Set<GroupRows>();
  private readonly rowCache: number;
  /** The rows kept now: rowCache, or less for a while (see cap). */
  private kept: number;
  readonly statistics: OverlayStatistics = { rounds: 0, groupQueries: 0, groupsFetched: 0, writeStatements: 0, rowsWritten: 0 };

  constructor(
    private readonly schema: string,
    options: PostgresRowOverlayOptions = {},
  ) {
    this.rowCache = Math.max(0, Math.floor(options.rowCache ?? 200_000));
    this.kept = this.rowCache;
  }

  /** Keeps at most `rows` rows from the next commit on (never more than rowCache); undefined: rowCache again. */
  cap(rows: number | undefined): void {
    this.kept = rows === undefined ? this.rowCache : Math.min(this.rowCache, Math.max(0, Math.floor(rows)));
  }

  register(table: AnyTable, empty: boolean): void {
    if (this.states.has(table)) return;
    const same = this.byName.get(table.name);
    const state = same ?? new TableState(table, this.schema);
    if (!same) state.complete = empty;
    this.states.set(table, state);
    this.byName.set(table.name, state);
  }

  codecOf(table: AnyTable): PgTableCodec {
    return this.state(table).pg;
  }

  get codecs(): PgTableCodec[] {
    return [...this.byName.values()].map((s) => s.pg);
  }

  /** Notes the groups the envelopes name by a first key column (incidentId, partyId), to fetch before the first round. */
  expect(envelopes: readonly LedgerEnvelope[]): void {
    for (const state of this.byName.values()) {
      state.across.clear();
      const first = state.codec.keyNames[0];
      for (const e of envelopes) {
        const value = (e.event.data as unknown as Row)[first];
        if (typeof value === 'string' && !state.groups.has(value) && !(state.complete && !state.evicted.has(value))) state.missing.add(value);
      }
    }
  }

  get spoiled(): boolean {
    for (const state of this.byName.values()) if (state.missing.size || state.acrossMissing.size) return true;
    return false;
  }

  /** Fetches the noted groups, one query per table, inside the caller's transaction. */
  async fetchMissing(client: ClientBase): Promise<void> {
    for (const state of this.byName.values()) {
      for (const [key, where] of state.acrossMissing) {
        const { text, values } = state.pg.findSql(where, {});
        state.across.set(key, (await client.query(text, values)).rows.map((raw) => state.pg.decode(raw)));
        this.statistics.groupQueries++;
      }
      state.acrossMissing.clear();
      if (!state.missing.size) continue;
      const values = [...state.missing];
      state.missing.clear();
      const result = await client.query(state.pg.selectGroupsSql(), [values]);
      this.statistics.groupQueries++;
      this.statistics.groupsFetched += values.length;
      for (const value of values) {
        const group = new GroupRows(state, value);
        state.groups.set(value, group);
        state.evicted.delete(value);
        this.recency.add(group);
        this.touched.add(group);
      }
      for (const raw of result.rows) {
        const row = state.pg.decode(raw);
        state.groups.get(state.codec.groupOf(row))!.rows.set(state.codec.keyOf(row), row);
      }
    }
  }

  /**
   * A TableAccess for one round. A new object each round: projections may keep per-batch state keyed by the
   * TableAccess (the disagreements settled at the end of a batch), which a spoiled round must not leave behind.
   */
  round(): TableAccess {
    this.discard();
    this.statistics.rounds++;
    return {
      get: (table, key) => this.get(table, key),
      put: (table, row) => this.hold(table, row as Row, { row: row as Row }),
      delete: (table, key) => this.hold(table, key as Row, { deleted: key as Row }),
      find: <R extends object>(table: TableSpec<R>, where: Partial<R>, options?: FindOptions<R>) => this.find(table, where, options),
    };
  }

  /** Writes the batch's held rows: per table one DELETE and one multi-row upsert, in the caller's transaction. */
  async flush(client: ClientBase): Promise<void> {
    for (const state of this.byName.values()) {
      if (!state.pending.size) continue;
      const rows: Row[] = [];
      const deleted: Row[] = [];
      state.pending.forEach((group) => group.forEach((held) => ('row' in held ? rows.push(held.row) : deleted.push(held.deleted))));
      if (deleted.length) {
        const { text, values } = state.pg.deleteKeys(deleted);
        await client.query(text, values);
        this.statistics.writeStatements++;
      }
      if (rows.length) {
        const { text, values } = state.pg.upsert(rows);
        await client.query(text, values);
        this.statistics.writeStatements++;
      }
      this.statistics.rowsWritten += rows.length + deleted.length;
    }
  }

  /** The transaction committed: the held rows are now the stored ones; the least recently used groups make room. */
  committed(): void {
    for (const state of this.byName.values()) {
      state.pending.forEach((held, value) => {
        let group = state.groups.get(value);
        if (!group && state.complete && !state.evicted.has(value)) {
          group = new GroupRows(state, value);
          state.groups.set(value, group);
        }
        if (!group) return;
        held.forEach((h, key) => this.write(group, key, 'row' in h ? h.row : undefined));
        this.touched.add(group);
      });
      state.pending.clear();
    }
    for (const group of this.touched) {
      this.recency.delete(group);
      this.recency.add(group);
    }
    this.touched.clear();
    this.evict();
  }

  /** Drops the round's held writes and notes (a spoiled round, a projection's throw). */
  discard(): void {
    for (const state of this.byName.values()) {
      state.pending.clear();
      state.missing.clear();
      state.acrossMissing.clear();
    }
  }

  /** Forgets every row: after a failed write or commit, memory may no longer match the tables. */
  forget(): void {
    this.discard();
    for (const state of this.byName.values()) {
      state.groups.clear();
      state.across.clear();
      state.complete = false;
      state.evicted.clear();
    }
    this.recency.clear();
    this.touched.clear();
  }

  /** The tables were emptied in the transaction that just committed. */
  emptied(tables: readonly AnyTable[]): void {
    for (const table of tables) {
      const state = this.state(table);
      for (const group of state.groups.values()) this.recency.delete(group);
      state.groups.clear();
      state.pending.clear();
      state.evicted.clear();
      state.complete = true;
    }
  }

  private state(table: AnyTable): TableState {
    const state = this.states.get(table);
    if (!state) throw new Error(`Table ${table.name} is not part of this read-model store`);
    return state;
  }

  /** The group's rows, or undefined (and the group noted) when they are not in memory. */
  private loaded(state: TableState, value: string): GroupRows | undefined {
    let group = state.groups.get(value);
    if (!group && state.complete && !state.evicted.has(value)) {
      group = new GroupRows(state, value);
      state.groups.set(value, group);
      this.recency.add(group);
    }
    if (!group) {
      state.missing.add(value);
      return undefined;
    }
    this.touched.add(group);
    return group;
  }

  private get<R extends object>(table: TableSpec<R>, key: KeyOf<R>): R | undefined {
    const state = this.state(table);
    const value = state.codec.groupOf(key as Row);
    const k = state.codec.keyOf(key as Row);
    const held = state.pending.get(value)?.get(k);
    if (held) return 'row' in held ? (held.row as R) : undefined;
    return this.loaded(state, value)?.rows.get(k) as R | undefined;
  }

  private hold(table: AnyTable, row: Row, held: Held): void {
    const state = this.state(table);
    const value = state.codec.groupOf(row);
    let group = state.pending.get(value);
    if (!group) state.pending.set(value, (group = new Map()));
    group.set(state.codec.keyOf(row), held);
  }

  private find<R extends object>(table: TableSpec<R>, where: Partial<R>, options: FindOptions<R> = {}): R[] {
    const state = this.state(table);
    const first = state.codec.keyNames[0];
    const columns = Object.keys(where);
    // Nearly every lookup names its incident (or party), which keeps an event's cost bounded; the few that cannot
    // (which stream recorded an entry moved into this incident) run a query of their own, once per batch.
    if (!columns.includes(first)) return this.findAcross(state, where as Row, options as FindOptions<Row>) as R[];
    const value = String((where as Row)[first]);
    const group = this.loaded(state, value);
    if (!group) return [];
    const stored = columns.length === 1 ? group.rows : this.lookup(group, columns, where as Row);
    const held = state.pending.get(value);
    const after = options.after as FindOptions<Row>['after'];
    const found: Row[] = [];
    stored.forEach((row, k) => {
      if (!held?.has(k) && state.codec.matches(row, where as Row, columns, after)) found.push(row);
    });
    held?.forEach((h) => {
      if ('row' in h && state.codec.matches(h.row, where as Row, columns, after)) found.push(h.row);
    });
    return state.codec.sorted(found, options.orderBy ?? state.codec.keyOrder, options.limit) as R[];
  }

  /** A find across groups: the stored rows (fetched by their own query) this batch has not rewritten, and the batch's own. */
  private findAcross(state: TableState, where: Row, options: FindOptions<Row>): Row[] {
    const key = state.valuesKey(Object.keys(where).sort(), where) + JSON.stringify(Object.keys(where).sort());
    const stored = state.across.get(key);
    if (!stored) {
      state.acrossMissing.set(key, where);
      return [];
    }
    const columns = Object.keys(where);
    const found: Row[] = [];
    for (const row of stored) {
      if (!state.pending.get(state.codec.groupOf(row))?.has(state.codec.keyOf(row)) && state.codec.matches(row, where, columns, options.after)) found.push(row);
    }
    state.pending.forEach((held) =>
      held.forEach((h) => {
        if ('row' in h && state.codec.matches(h.row, where, columns, options.after)) found.push(h.row);
      }),
    );
    return state.codec.sorted(found, options.orderBy ?? state.codec.keyOrder, options.limit);
  }

  /** The group's stored rows with the values `where` names, from a lookup built at first use and kept up to date. */
  private lookup(group: GroupRows, columns: string[], where: Row): Map<string, Row> {
    const sorted = [...columns].sort();
    const signature = sorted.join(',');
    let lookup = group.lookups.get(signature);
    if (!lookup) {
      lookup = { columns: sorted, rows: new Map() };
      group.lookups.set(signature, lookup);
      for (const [k, row] of group.rows) this.addTo(group.table, lookup, k, row);
    }
    return lookup.rows.get(group.table.valuesKey(sorted, where)) ?? new Map();
  }

  private addTo(state: TableState, lookup: { columns: string[]; rows: Map<string, Map<string, Row>> }, k: string, row: Row): void {
    const values = state.valuesKey(lookup.columns, row);
    let rows = lookup.rows.get(values);
    if (!rows) lookup.rows.set(values, (rows = new Map()));
    rows.set(k, row);
  }

  private write(group: GroupRows, k: string, row: Row | undefined): void {
    const before = group.rows.get(k);
    for (const lookup of group.lookups.values()) {
      if (before) {
        const values = group.table.valuesKey(lookup.columns, before);
        const rows = lookup.rows.get(values);
        rows?.delete(k);
        if (rows && !rows.size) lookup.rows.delete(values);
      }
      if (row) this.addTo(group.table, lookup, k, row);
    }
    if (row) group.rows.set(k, row);
    else group.rows.delete(k);
  }

  private evict(): void {
    let rows = 0;
    for (const group of this.recency) rows += group.rows.size;
    for (const group of this.recency) {
      if (rows <= this.kept) break;
      rows -= group.rows.size;
      this.recency.delete(group);
      group.table.groups.delete(group.value);
      if (group.table.complete) group.table.evicted.add(group.value);
    }
  }
}
