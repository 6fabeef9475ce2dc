/**
 * store-append: the embedded event store's append rate against raw better-sqlite3 on the same disk, in one process,
 * no HTTP. Every contender writes the same row (the demo's first claim as a sealed ClaimMade.v1 event) into a file in
 * BENCH_DIR (default the OS temp dir, which must be a real disk: durability is the point, not /dev/shm).
 *
 * - raw 1 row/commit: better-sqlite3, WAL + synchronous=FULL, today's events table, BEGIN IMMEDIATE + one INSERT +
 *   COMMIT in a loop: the rate of one fsync'ed commit at a time, what a store without group commit can reach.
 * - store, 16 concurrent writers: SqliteEventStore.append of one event, 16 async writers each on its own stream with
 *   its expected revision. Target ≥ 2× raw (needs group commit: many writers' events in one fsync).
 * - store, 1 writer: the same, one writer (shows what concurrency adds).
 * - raw 100 rows/commit and store batched (append of 100 events per call, one writer): target ≥ 0.6×.
 * - peer, @event-driven-io/emmett-sqlite 0.38.5: its public getSQLiteEventStore (it opens and closes a sqlite3
 *   connection around every call), and its appendToStream on one connection kept open; single events and batches of
 *   100, one writer (concurrent writers on one emmett store fail with SQLITE_BUSY / SQLITE_MISUSE and hang).
 *
 * Rounds: every contender once per round, best rate over the rounds. Checks: each file holds exactly the events
 * that were acknowledged.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import sqlite3 from 'sqlite3';
import { appendToStream, createEventStoreSchema, getSQLiteEventStore, sqliteConnection } from '@event-driven-io/emmett-sqlite';
import { NewEvent, SqliteEventStore, START } from '@ledger/event-store';
import { runBenchmark } from './support/bench-child';
import { demoClaimEvent } from './support/demo-bodies';
import { nowMs } from './support/measure';
import { Run, rateOf, rawContender, storedClaimRow } from './support/raw-sqlite';

const BATCH = 100;
const WRITERS = 16;

/** Calls `step` from `writers` concurrent loops until the time is up; each step returns how many events it wrote. */
const runFor = async (ms: number, writers: number, step: (writer: number) => Promise<number>): Promise<Run> => {
  const start = nowMs();
  const deadline = start + ms;
  let events = 0;
  await Promise.all(
    Array.from({ length: writers }, async (_, writer) => {
      while (nowMs() < deadline) {
        const written = await step(writer);
        events += written;
      }
    }),
  );
  return { events, ms: nowMs() - start };
};

const storeContender = (file: string, writers: number, eventsPerAppend: number) => {
  const store = new SqliteEventStore({ filename: file });
  const streams = Array.from({ length: writers }, () => `incident-${randomUUID()}`);
  const revisions: Array<bigint | 'no_stream'> = streams.map(() => 'no_stream');
  return {
    store,
    run: (ms: number): Promise<Run> =>
      runFor(ms, writers, async (writer) => {
        const incidentId = streams[writer].slice('incident-'.length);
        const events: NewEvent[] = Array.from({ length: eventsPerAppend }, () => demoClaimEvent(incidentId));
        const { nextExpectedRevision } = await store.append(streams[writer], events, { expectedRevision: revisions[writer] });
        revisions[writer] = nextExpectedRevision;
        return eventsPerAppend;
      }),
    count: async () => {
      let count = 0;
      for (let position = START; ; ) {
        const page = await store.readAll({ fromPosition: position, maxCount: 5000 });
        if (page.length === 0) return count;
        count += page.length;
        position = page[page.length - 1].position;
      }
    },
    close: () => store.close(),
  };
};

type EmmettEvent = { type: string; data: Record<string, unknown> };
const emmettEvents = (n: number): EmmettEvent[] =>
  Array.from({ length: n }, () => {
    const event = demoClaimEvent(randomUUID());
    return { type: event.type, data: event.data as Record<string, unknown> };
  });

/** emmett's public event store: it opens a sqlite3 connection for each call and closes it afterwards. */
const emmettPublicContender = (file: string, eventsPerAppend: number) => {
  const store = getSQLiteEventStore({ fileName: file, schema: { autoMigration: 'CreateOrUpdate' } } as Parameters<typeof getSQLiteEventStore>[0]);
  let version = 0n;
  return {
    run: (ms: number): Promise<Run> =>
      runFor(ms, 1, async () => {
        const result = await store.appendToStream('incident-emmett', emmettEvents(eventsPerAppend), { expectedStreamVersion: version });
        version = result.nextExpectedStreamVersion;
        return eventsPerAppend;
      }),
  };
};

/** emmett's appendToStream on one sqlite3 connection kept open for the whole run (its schema, its SQL). */
const emmettConnectionContender = async (file: string, eventsPerAppend: number) => {
  const connection = sqliteConnection({ fileName: file });
  await createEventStoreSchema(connection);
  await connection.command('PRAGMA synchronous = FULL');
  let version = 0n;
  return {
    run: (ms: number): Promise<Run> =>
      runFor(ms, 1, async () => {
        const result = await appendToStream(connection, 'incident-emmett', 'incident', emmettEvents(eventsPerAppend) as never, { expectedStreamVersion: version });
        if (!result.success) throw new Error('emmett appendToStream reported a version conflict on its only writer');
        version = result.nextStreamPosition;
        return eventsPerAppend;
      }),
    close: () => connection.close(),
  };
};

const countSqlite = (file: string, table: string): number => {
  const db = new Database(file, { readonly: true });
  try {
    return Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
  } finally {
    db.close();
  }
};

/** What a sqlite3 (node-sqlite3, emmett's driver) connection opened as emmett opens it runs with. */
const emmettSettings = (file: string): Promise<string> =>
  new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file);
    db.get('PRAGMA journal_mode = WAL', (error, mode: { journal_mode: string }) => {
      if (error) return reject(error);
      db.get('PRAGMA synchronous', (error2, sync: { synchronous: number }) => {
        db.close();
        if (error2) return reject(error2);
        resolve(`journal_mode=${mode.journal_mode}, synchronous=${sync.synchronous} (its default; emmett sets only journal_mode)`);
      });
    });
  });

runBenchmark('store-append', async (ctx) => {
  const rounds = ctx.pick('rounds', 1, 3);
  const seconds = ctx.pick('seconds per contender per round', 1, 3);
  const ms = seconds * 1000;
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-append-'));
  ctx.pick('directory', dir, dir);
  try {
    const { row, storeSettings } = await storedClaimRow(join(dir, 'sample.sqlite'));

    const rawSingle = rawContender(join(dir, 'raw-single.sqlite'), row, 1);
    const rawBatch = rawContender(join(dir, 'raw-batch.sqlite'), row, BATCH);
    const concurrent = storeContender(join(dir, 'store-concurrent.sqlite'), WRITERS, 1);
    const single = storeContender(join(dir, 'store-single.sqlite'), 1, 1);
    const batched = storeContender(join(dir, 'store-batched.sqlite'), 1, BATCH);
    const emmettPublic = emmettPublicContender(join(dir, 'emmett-public.sqlite'), 1);
    const emmettPublicBatch = emmettPublicContender(join(dir, 'emmett-public-batch.sqlite'), BATCH);
    const emmettOne = await emmettConnectionContender(join(dir, 'emmett-connection.sqlite'), 1);
    const emmettOneBatch = await emmettConnectionContender(join(dir, 'emmett-connection-batch.sqlite'), BATCH);
    const contenders = {
      rawSingle: () => Promise.resolve(rawSingle.run(ms)),
      concurrent: () => concurrent.run(ms),
      single: () => single.run(ms),
      emmettPublic: () => emmettPublic.run(ms),
      emmettOne: () => emmettOne.run(ms),
      rawBatch: () => Promise.resolve(rawBatch.run(ms)),
      batched: () => batched.run(ms),
      emmettPublicBatch: () => emmettPublicBatch.run(ms),
      emmettOneBatch: () => emmettOneBatch.run(ms),
    };
    type Name = keyof typeof contenders;
    const runs = new Map<Name, Run[]>();
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of Object.entries(contenders) as Array<[Name, () => Promise<Run>]>) {
        const result = await run();
        runs.set(name, [...(runs.get(name) ?? []), result]);
        ctx.say(`round ${round + 1}: ${name} ${rateOf(result).toFixed(0)} events/s`);
      }
    }
    const bestRate = (name: Name) => Math.max(...runs.get(name)!.map(rateOf));
    const total = (name: Name) => runs.get(name)!.reduce((n, r) => n + r.events, 0);

    const rawOne = { label: 'raw better-sqlite3, 1 row/commit', value: bestRate('rawSingle'), unit: 'rows/s' };
    const rawHundred = { label: `raw better-sqlite3, ${BATCH} rows/commit`, value: bestRate('rawBatch'), unit: 'rows/s' };
    ctx.figure({ figure: `${WRITERS} concurrent single-event writers`, value: bestRate('concurrent'), unit: 'events/s', baseline: rawOne, target: { of: 'ratio', op: '>=', threshold: 2 } });
    ctx.figure({ figure: '1 single-event writer', value: bestRate('single'), unit: 'events/s', baseline: rawOne });
    ctx.figure({ figure: `batched append, ${BATCH} events/call`, value: bestRate('batched'), unit: 'events/s', baseline: rawHundred, target: { of: 'ratio', op: '>=', threshold: 0.6 } });
    ctx.figure({ figure: 'peer emmett-sqlite, single events (public store)', value: bestRate('emmettPublic'), unit: 'events/s', baseline: rawOne });
    ctx.figure({ figure: 'peer emmett-sqlite, single events (one connection)', value: bestRate('emmettOne'), unit: 'events/s', baseline: rawOne });
    ctx.figure({ figure: `peer emmett-sqlite, ${BATCH}/call (public store)`, value: bestRate('emmettPublicBatch'), unit: 'events/s', baseline: rawHundred });
    ctx.figure({ figure: `peer emmett-sqlite, ${BATCH}/call (one connection)`, value: bestRate('emmettOneBatch'), unit: 'events/s', baseline: rawHundred });

    ctx.check('raw 1 row/commit: every committed row stored', rawSingle.count() === total('rawSingle'), `${rawSingle.count()} rows of ${total('rawSingle')}`);
    ctx.check('raw 100 rows/commit: every committed row stored', rawBatch.count() === total('rawBatch'), `${rawBatch.count()} rows of ${total('rawBatch')}`);
    for (const [name, contender] of [['concurrent', concurrent], ['single', single], ['batched', batched]] as const) {
      const count = await contender.count();
      ctx.check(`store ${name}: every acknowledged event stored`, count === total(name), `${count} events of ${total(name)}`);
    }
    for (const [name, file] of [['emmettPublic', 'emmett-public'], ['emmettOne', 'emmett-connection'], ['emmettPublicBatch', 'emmett-public-batch'], ['emmettOneBatch', 'emmett-connection-batch']] as const) {
      const count = countSqlite(join(dir, `${file}.sqlite`), 'emt_messages');
      ctx.check(`${name}: every acknowledged event stored`, count === total(name), `${count} events of ${total(name)}`);
    }

    ctx.note(`SqliteEventStore runs with journal_mode=${storeSettings.journalMode}, synchronous=${storeSettings.synchronous}; raw with ${rawSingle.settings()}; files in ${dir}`);
    ctx.note(
      `store-append: emmett-sqlite 0.38.5 runs with ${await emmettSettings(join(dir, 'emmett-public.sqlite'))}; its public store opens and closes a sqlite3 connection around every call ` +
        "(closing the last connection checkpoints the WAL); the 'one connection' rows call its appendToStream on one connection with synchronous=FULL set explicitly. " +
        'One writer each: concurrent appends on one emmett store fail with SQLITE_BUSY/SQLITE_MISUSE and hang.',
    );
    rawSingle.close();
    rawBatch.close();
    await Promise.all([concurrent.close(), single.close(), batched.close()]);
    emmettOne.close();
    emmettOneBatch.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
