/**
 * pg-projection: the ledger's projections writing into PostgreSQL (PostgresReadModelStore), against a raw batched
 * INSERT loop of the same rows with the same driver (node-postgres), in the same run, on the same server.
 *
 * The log is bench/generate-log.ts's (parties, interleaved incidents with claims, denials, corrections, retractions
 * and amendments), generated page by page and handed to the store as envelopes (no event store in the way: this
 * measures the read-model side), so a log of a million events never sits in memory whole.
 *
 * Figures:
 * - rebuild: beginRebuild, the log in pages of 2,000 events (each page one transaction with its checkpoint),
 *   endRebuild; events/s, and the peak RSS of this process when it ends (nothing else has run in it yet). Against
 *   the raw loop: the rows the rebuild left, read back with a cursor 10,000 at a time (reads not timed), inserted into
 *   the same tables of another schema with multi-row `INSERT … VALUES (…), (…)`, 1,000 rows per statement and
 *   transaction, secondary indexes built at the end as the rebuild does. Target (issue 14): ≥ 0.3×.
 * - live after a restart: the first LIVE_LOG events of the log (all of it at the small size), half of them rebuilt,
 *   the store closed and opened again (nothing in memory: every incident and party is fetched when first named), the
 *   other half in batches of 100 events; against the same raw loop, per event of the log. No target.
 * Checks: the checkpoint reaches the last position; the rows after restart-then-live equal those of a rebuild of the
 * same events (the main rebuild's when the live log is the whole log, else a rebuild of that prefix).
 *
 * BENCH_PG_EVENTS=N sets the log size (e.g. 200000 for a run between the two sizes). PostgreSQL at
 * LEDGER_BENCH_POSTGRES_URL, else LEDGER_TEST_POSTGRES_URL, else postgres://postgres@127.0.0.1:5432/test; each run in
 * schemas of its own, dropped at the end. Not available when the server cannot be reached.
 */
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { LEDGER_PROJECTIONS, LEDGER_TABLES, snakeCase, type AnyTable, type LedgerEnvelope } from '@ledger/read-models';
import { PostgresReadModelStore } from '@ledger/read-models/storage/postgres/postgres-read-model.store';
import { PgParam, PgTableCodec, pgQuote } from '@ledger/read-models/storage/postgres/postgres-tables';
import { eventIdOf, recordedAtOf } from '@ledger/read-models/testing/seed-article.fixture';
import { generateEntries } from './generate-log';
import { NotAvailableError, runBenchmark } from './support/bench-child';
import { MiB, Timing, nowMs, timed } from './support/measure';

const URL = process.env.LEDGER_BENCH_POSTGRES_URL || process.env.LEDGER_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const CHECKPOINT = 'bench';
const REBUILD_PAGE = 2000;
const LIVE_BATCH = 100;
/** Events of the live figure at most: half rebuilt, half in live batches (a full-size live run would take hours). */
const LIVE_LOG = 100_000;
const RAW_ROWS_PER_STATEMENT = 1000;
const RAW_ROWS_PER_FETCH = 10_000;

const schemaName = (what: string): string => `bench_${what}_${randomBytes(4).toString('hex')}`;

const lastOf = (envelopes: readonly LedgerEnvelope[]): bigint => envelopes[envelopes.length - 1].position;

/** The generated log's first `size` events as envelopes (as seed-article.fixture's envelopesOf), `pageSize` at a time. */
function* envelopePages(size: number, pageSize: number): Generator<LedgerEnvelope[]> {
  const revisions = new Map<string, bigint>();
  let page: LedgerEnvelope[] = [];
  let i = 0;
  for (const entry of generateEntries(size)) {
    const revision = revisions.has(entry.streamName) ? revisions.get(entry.streamName)! + 1n : 0n;
    revisions.set(entry.streamName, revision);
    page.push({
      event: entry.event,
      eventId: eventIdOf(i),
      streamName: entry.streamName,
      revision,
      position: BigInt(i + 1),
      recordedAt: recordedAtOf(i),
      recordedBy: entry.recordedBy,
      correlationId: `corr-${i + 1}`,
      causationId: `corr-${i + 1}`,
    });
    i++;
    if (page.length === pageSize) {
      yield page;
      page = [];
    }
  }
  if (page.length) yield page;
}

/** A rebuild of the log's first `size` events, page by page; returns the checkpoint reached. */
const rebuildInto = async (store: PostgresReadModelStore, size: number, progress?: (events: number) => void): Promise<bigint> => {
  await store.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
  let last = 0n;
  for (const page of envelopePages(size, REBUILD_PAGE)) {
    await store.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, page, lastOf(page));
    last = lastOf(page);
    progress?.(Number(last));
  }
  await store.endRebuild();
  return last;
};

/**
 * The floor: plain multi-row INSERTs of finished rows (those of `from`), no reads, no projection, no upsert. The rows
 * are read through a cursor, RAW_ROWS_PER_FETCH at a time, and only the inserts are timed.
 */
const rawInsert = async (reader: Client, writer: Client, from: string, to: string): Promise<{ rows: number; insertMs: number; cpuMs: number }> => {
  let rows = 0;
  let insertMs = 0;
  let cpuMs = 0;
  await reader.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  try {
    for (const table of LEDGER_TABLES) {
      const codec = new PgTableCodec(table, from);
      const { text, values } = codec.findSql({}, {});
      await reader.query(`DECLARE raw_rows NO SCROLL CURSOR FOR ${text}`, values);
      const columns = Object.keys(table.columns).map((c) => pgQuote(snakeCase(c)));
      for (;;) {
        const fetched = (await reader.query(`FETCH ${RAW_ROWS_PER_FETCH} FROM raw_rows`)).rows;
        if (!fetched.length) break;
        const tableRows = fetched.map((raw) => {
          const row = codec.decode(raw);
          return codec.names.map((name, i) => codec.encode(codec.types[i], row[name]));
        });
        const t = await timed(async () => {
          for (let i = 0; i < tableRows.length; i += RAW_ROWS_PER_STATEMENT) {
            const chunk = tableRows.slice(i, i + RAW_ROWS_PER_STATEMENT);
            const params: PgParam[] = [];
            const tuples = chunk.map((row) => `(${row.map((value) => `$${params.push(value)}`).join(', ')})`);
            await writer.query('BEGIN');
            await writer.query(`INSERT INTO ${to}.${pgQuote(table.name)} (${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params);
            await writer.query('COMMIT');
          }
        });
        insertMs += t.wallMs;
        cpuMs += t.cpuMs;
        rows += tableRows.length;
      }
      await reader.query('CLOSE raw_rows');
    }
  } finally {
    await reader.query('ROLLBACK');
  }
  return { rows, insertMs, cpuMs };
};

const sizeOf = (fallback: number): number => {
  const raw = process.env.BENCH_PG_EVENTS;
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 100) throw new Error(`BENCH_PG_EVENTS must be a whole number of at least 100, not ${raw}`);
  return Number(raw);
};

runBenchmark('pg-projection', async (ctx) => {
  const size = sizeOf(ctx.pick('log size (events)', 2_000, 1_000_000));
  const probe = new Client({ connectionString: URL });
  const writer = new Client({ connectionString: URL });
  try {
    await probe.connect();
    await writer.connect();
  } catch (error) {
    throw new NotAvailableError(`PostgreSQL at ${URL} cannot be reached: ${error instanceof Error ? error.message : String(error)}`);
  }
  const schemas = { rebuilt: schemaName('rebuilt'), live: schemaName('live'), prefix: schemaName('prefix'), raw: schemaName('raw') };
  const open = (schema: string) => PostgresReadModelStore.open({ connectionString: URL, schema, readerRole: null });
  try {
    // First, before anything else has grown this process: its peak RSS is then the rebuild's.
    const rebuilt = await open(schemas.rebuilt);
    let lastSaid = nowMs();
    const progress = (events: number) => {
      if (nowMs() - lastSaid < 10_000) return;
      lastSaid = nowMs();
      ctx.say(`rebuild at ${events} of ${size} events; rss ${(process.memoryUsage().rss / MiB).toFixed(0)} MiB`);
    };
    let checkpoint = 0n;
    const rebuild = await timed(async () => void (checkpoint = await rebuildInto(rebuilt, size, progress)));
    const peakRssBytes = process.resourceUsage().maxRSS * 1024;
    const statistics = rebuilt.statistics;
    ctx.check('rebuild reaches the last position', checkpoint === BigInt(size) && (await rebuilt.readCheckpoint(CHECKPOINT))?.position === BigInt(size), `checkpoint ${checkpoint} of ${size}`);
    ctx.say(`rebuild of ${size} events: ${(rebuild.wallMs / 1000).toFixed(1)} s (CPU ${(rebuild.cpuMs / 1000).toFixed(1)} s), peak RSS ${(peakRssBytes / MiB).toFixed(0)} MiB`);

    // The raw loop's tables: the same DDL, emptied and without secondary indexes until the end, as in the rebuild.
    const raw = await open(schemas.raw);
    await raw.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
    const inserted = await rawInsert(probe, writer, schemas.rebuilt, schemas.raw);
    const indexes = await timed(() => raw.endRebuild());
    const rawTiming: Timing = { wallMs: inserted.insertMs + indexes.wallMs, cpuMs: inserted.cpuMs + indexes.cpuMs };
    await raw.close();
    ctx.say(`raw INSERT of ${inserted.rows} rows: ${(rawTiming.wallMs / 1000).toFixed(1)} s`);

    const liveSize = Math.min(size, LIVE_LOG);
    const half = liveSize >> 1;
    let live = await open(schemas.live);
    await live.beginRebuild(CHECKPOINT, LEDGER_PROJECTIONS);
    const rest: LedgerEnvelope[] = [];
    for (const page of envelopePages(liveSize, REBUILD_PAGE)) {
      const before = page.filter((e) => e.position <= BigInt(half));
      if (before.length) await live.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, before, lastOf(before));
      rest.push(...page.filter((e) => e.position > BigInt(half)));
    }
    await live.endRebuild();
    await live.close();
    live = await open(schemas.live);
    const liveTiming = await timed(async () => {
      for (let i = 0; i < rest.length; i += LIVE_BATCH) {
        const batch = rest.slice(i, i + LIVE_BATCH);
        await live.applyBatch(CHECKPOINT, LEDGER_PROJECTIONS, batch, lastOf(batch));
      }
    });
    const liveStatistics = live.statistics;
    let reference = rebuilt;
    if (liveSize < size) {
      reference = await open(schemas.prefix);
      await rebuildInto(reference, liveSize);
    }
    ctx.check(
      'a restarted writer then live batches give the rows of a rebuild of the same events',
      JSON.stringify(await live.dump()) === JSON.stringify(await reference.dump()),
      `dumps compared over ${liveSize} events`,
    );
    await live.close();
    if (reference !== rebuilt) await reference.close();
    await rebuilt.close();

    const rate = (events: number, t: Timing) => (events / t.wallMs) * 1000;
    ctx.figure({
      figure: `rebuild of ${size.toLocaleString('en-US')} events into PostgreSQL`,
      value: rate(size, rebuild),
      unit: 'events/s',
      baseline: { label: `raw batched INSERT of its ${inserted.rows.toLocaleString('en-US')} rows (node-postgres)`, value: rate(size, rawTiming), unit: 'events/s' },
      target: { of: 'ratio', op: '>=', threshold: 0.3 },
    });
    ctx.figure({
      figure: `rebuild process peak RSS, ${size.toLocaleString('en-US')} events into PostgreSQL`,
      value: peakRssBytes / 1e6,
      unit: 'MB',
    });
    ctx.figure({
      figure: `live batches of ${LIVE_BATCH} after a restart, ${rest.length.toLocaleString('en-US')} events (log of ${liveSize.toLocaleString('en-US')})`,
      value: rate(rest.length, liveTiming),
      unit: 'events/s',
      baseline: { label: 'the same raw INSERT rate', value: rate(size, rawTiming), unit: 'events/s' },
    });
    ctx.note(
      `CPU ms rebuild/raw ${rebuild.cpuMs.toFixed(0)}/${rawTiming.cpuMs.toFixed(0)} (this process; the server's CPU not counted); ` +
        `raw loop over every row of the rebuild, its cursor reads not timed; ` +
        `rebuild: ${statistics.rounds} fold rounds, ${statistics.groupQueries} group queries, ${statistics.writeStatements} write statements, ${statistics.rowsWritten} rows written; ` +
        `live after restart: ${liveStatistics.rounds} rounds for ${Math.ceil(rest.length / LIVE_BATCH)} batches, ${liveStatistics.groupQueries} group queries fetching ${liveStatistics.groupsFetched} groups`,
    );
  } finally {
    for (const schema of Object.values(schemas)) await probe.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await probe.end();
    await writer.end();
  }
});
