/**
 * pg-projection: the ledger's projections writing into PostgreSQL (PostgresReadModelStore), against a raw batched
 * INSERT loop of the same rows with the same driver (node-postgres), in the same run, on the same server.
 *
 * The log is bench/generate-log.ts's (parties, interleaved incidents with claims, denials, corrections, retractions
 * and amendments), handed to the store as envelopes (no event store in the way: this measures the read-model side).
 *
 * Figures:
 * - rebuild: beginRebuild, the log in pages of 2,000 events (each page one transaction with its checkpoint),
 *   endRebuild; against the raw loop: the rows the rebuild left, read back first (not timed), inserted into the same
 *   tables of another schema with multi-row `INSERT … VALUES (…), (…)`, 1,000 rows per statement and transaction,
 *   secondary indexes built at the end as the rebuild does. Target (issue 14): ≥ 0.3×.
 * - live after a restart: half the log rebuilt, the store closed and opened again (nothing in memory: every incident
 *   and party is fetched when first named), the other half in batches of 100 events; against the same raw loop, per
 *   event of the log. No target.
 * Checks: the checkpoint reaches the last position; the rows equal between the rebuild and the restart-then-live run.
 *
 * PostgreSQL at LEDGER_BENCH_POSTGRES_URL, else LEDGER_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test;
 * each run in schemas of its own, dropped at the end. Not available when the server cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { LEDGER_PROJECTIONS, LEDGER_TABLES, snakeCase, type AnyTable, type LedgerEnvelope } from '@ledger/read-models';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import { PgParam, PgTableCodec, pgQuote } from '@ledger/read-models/storage/postgres/postgres-tables';
import { envelopesOf } from '@ledger/read-models/testing/seed-article.fixture';
import { generateLog } from './generate-log';
import { NotAvailableError, runBenchmark } from './support/bench-child';
import { Timing, timed } from './support/measure';

const URL = process.env.LEDGER_BENCH_POSTGRES_URL || process.env.LEDGER_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const CHECKPOINT = 'bench';
const REBUILD_PAGE = 2000;
const LIVE_BATCH = 100;
const RAW_ROWS_PER_STATEMENT = 1000;

const schemaName = (what: string): string => `bench_${what}_${randomBytes(4).toString('hex')}`;

const lastOf = (envelopes: LedgerEnvelope[]): bigint => envelopes[envelopes.length - 1].position;

const rebuildInto = async (store: PostgresReadModelStore, envelopes: LedgerEnvelope[]): Promise<void> => {
  await store.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
  for (let i = 0; i < envelopes.length; i += REBUILD_PAGE) {
    const page = envelopes.slice(i, i + REBUILD_PAGE);
    await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, page, lastOf(page));
  }
  await store.endRebuild();
};

/** Every row of every table as query parameters (column order), read from `schema`: what the raw loop inserts. */
const rowsOf = async (client: Client, schema: string): Promise<Map<AnyTable, PgParam[][]>> => {
  const rows = new Map<AnyTable, PgParam[][]>();
  for (const table of LEDGER_TABLES) {
    const codec = new PgTableCodec(table, schema);
    const { text, values } = codec.findSql({}, {});
    const decoded = (await client.query(text, values)).rows.map((raw) => codec.decode(raw));
    rows.set(table, decoded.map((row) => codec.names.map((name, i) => codec.encode(codec.types[i], row[name]))));
  }
  return rows;
};

/** The floor: plain multi-row INSERTs of finished rows, no reads, no projection, no upsert. */
const rawInsert = async (client: Client, schema: string, rows: Map<AnyTable, PgParam[][]>): Promise<void> => {
  for (const [table, tableRows] of rows) {
    const columns = Object.keys(table.columns).map((c) => pgQuote(snakeCase(c)));
    for (let i = 0; i < tableRows.length; i += RAW_ROWS_PER_STATEMENT) {
      const chunk = tableRows.slice(i, i + RAW_ROWS_PER_STATEMENT);
      const values: PgParam[] = [];
      const tuples = chunk.map((row) => `(${row.map((value) => `$${values.push(value)}`).join(', ')})`);
      await client.query('BEGIN');
      await client.query(`INSERT INTO ${schema}.${pgQuote(table.name)} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, values);
      await client.query('COMMIT');
    }
  }
};

runBenchmark('pg-projection', async (ctx) => {
  const size = ctx.pick('log size (events)', 2_000, 100_000);
  const probe = new Client({ connectionString: URL });
  try {
    await probe.connect();
  } catch (error) {
    throw new NotAvailableError(`PostgreSQL at ${URL} cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  const schemas = { rebuilt: schemaName('rebuilt'), live: schemaName('live'), raw: schemaName('raw') };
  const open = (schema: string) => PostgresReadModelStore.open({ connectionString: URL, schema, readerRole: null });
  try {
    const envelopes = envelopesOf(generateLog(size));
    ctx.say(`${size} events generated`);

    const rebuilt = await open(schemas.rebuilt);
    const rebuild = await timed(() => rebuildInto(rebuilt, envelopes));
    const checkpoint = (await rebuilt.readCheckpoint(CHECKPOINT))?.position;
    const statistics = rebuilt.statistics;
    ctx.check('rebuild reaches the last position', checkpoint === lastOf(envelopes), `checkpoint ${checkpoint} of ${lastOf(envelopes)}`);

    const half = envelopes.slice(0, envelopes.length >> 1);
    let live = await open(schemas.live);
    await rebuildInto(live, half);
    await live.close();
    live = await open(schemas.live);
    const rest = envelopes.slice(half.length);
    const liveTiming = await timed(async () => {
      for (let i = 0; i < rest.length; i += LIVE_BATCH) {
        const batch = rest.slice(i, i + LIVE_BATCH);
        await live.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, batch, lastOf(batch));
      }
    });
    const liveStatistics = live.statistics;
    ctx.check('a restarted writer then live batches give the rebuild’s rows', JSON.stringify(await live.dump()) === JSON.stringify(await rebuilt.dump()), 'dumps compared');
    await live.close();

    // The raw loop's tables: the same DDL, emptied and without secondary indexes until the end, as in the rebuild.
    const raw = await open(schemas.raw);
    await raw.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
    const rows = await rowsOf(probe, schemas.rebuilt);
    const rowCount = [...rows.values()].reduce((n, r) => n + r.length, 0);
    const rawTiming: Timing = await timed(async () => {
      await rawInsert(probe, schemas.raw, rows);
      await raw.endRebuild();
    });
    await raw.close();
    await rebuilt.close();

    const rate = (events: number, t: Timing) => (events / t.wallMs) * 1000;
    ctx.figure({
      figure: `rebuild of ${size.toLocaleString('en-US')} events into PostgreSQL`,
      value: rate(size, rebuild),
      unit: 'events/s',
      baseline: { label: `raw batched INSERT of its ${rowCount.toLocaleString('en-US')} rows (node-postgres)`, value: rate(size, rawTiming), unit: 'events/s' },
      target: { of: 'ratio', op: '>=', threshold: 0.3 },
    });
    ctx.figure({
      figure: `live batches of ${LIVE_BATCH} after a restart, ${rest.length.toLocaleString('en-US')} events`,
      value: rate(rest.length, liveTiming),
      unit: 'events/s',
      baseline: { label: 'the same raw INSERT rate', value: rate(size, rawTiming), unit: 'events/s' },
    });
    ctx.note(
      `CPU ms rebuild/raw ${rebuild.cpuMs.toFixed(0)}/${rawTiming.cpuMs.toFixed(0)} (this process; the server's CPU not counted); ` +
        `rebuild: ${statistics.rounds} fold rounds, ${statistics.groupQueries} group queries, ${statistics.writeStatements} write statements, ${statistics.rowsWritten} rows written; ` +
        `live after restart: ${liveStatistics.rounds} rounds for ${Math.ceil(rest.length / LIVE_BATCH)} batches, ${liveStatistics.groupQueries} group queries fetching ${liveStatistics.groupsFetched} groups`,
    );
  } finally {
    for (const schema of Object.values(schemas)) await probe.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await probe.end();
  }
});
