/**
 * store-append: the embedded event store's append rate against raw better-sqlite3 on the same disk, in one process,
 * no HTTP. Every contender writes the same row (the demo's first claim as a sealed ClaimMade.v1 event) into a file in
 * BENCH_DIR (default the OS temp dir, which must be a real disk: durability is the point, not /dev/shm).
 *
 * - raw 1 row/commit: better-sqlite3, WAL + synchronous=FULL, today's events table, BEGIN IMMEDIATE + one INSERT +
 *   COMMIT in a loop: the rate of one fsync'ed commit at a time, what a store without group commit can reach.
 * - store, 16 concurrent writers: SqliteEventStore.append of one event, 16 async writers each on its own stream with
 *   its expected revision. Target ≥ 2× raw (needs group commit: many writers' events in one fsync). Each writer's
 *   events are copies of one prebuilt claim event with a fresh event id, as the raw loop inserts one prebuilt row;
 *   the store still seals (hashes) and serialises every event itself.
 * - raw 16 rows/commit over 16 streams: the commits the 16 writers make (their rows round-robin over 16 streams),
 *   none of the store's work: whether 2× the one-row rate is within reach of a group commit on this disk at all.
 * - store, 1 writer: the same, one writer (shows what concurrency adds).
 * - raw 100 rows/commit and store batched (append of 100 events per call, one writer): target ≥ 0.6×.
 * - The store is opened as the ledger opens it: its WAL checkpoints run in a thread beside the commits (the raw loop
 *   leaves them to SQLite, inside every ~1,000-page commit). The judged rows commit on the caller's thread, as the CLI
 *   import and LEDGER_STORE_WRITER_THREAD=inline do; the 'writer thread' rows (the API's default) are shown beside
 *   them: a writer awaiting each append pays the thread's hop and its JSON round trip, which under HTTP load buy an
 *   event loop free of SQLite work.
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
import sqlite3 from 'sqlite3';
import { appendToStream, createEventStoreSchema, getSQLiteEventStore, sqliteConnection } from '@event-driven-io/emmett-sqlite';
import { NewEvent, SqliteEventStore, START } from '@ledger/event-store';
import { runBenchmark } from './support/bench-child';
import { demoClaimEvent } from './support/demo-bodies';
import { nowMs } from './support/measure';
import { Run, countRows, rateOf, rawContender, storedClaimRow } from './support/raw-sqlite';

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

/** tests/support's writer-thread entry point: the store's code from source, as this benchmark runs it. */
const WRITER_THREAD = { script: join(__dirname, '../tests/support/sqlite-writer.worker.js') };

/** The store as the ledger opens it: WAL checkpoints in a thread beside the commits; its writer thread as the API's default. */
const storeContender = (file: string, writers: number, eventsPerAppend: number, options: { writerThread?: boolean } = {}) => {
  const store = new SqliteEventStore({ filename: file, checkpointThread: true, ...(options.writerThread ? { writerThread: WRITER_THREAD } : {}) });
  const streams = Array.from({ length: writers }, () => `incident-${randomUUID()}`);
  const revisions: Array<bigint | 'no_stream'> = streams.map(() => 'no_stream');
  // Like the raw loop's one prebuilt row: the time measured is the store's, not that of building demo events.
  const templates = streams.map((stream) => demoClaimEvent(stream.slice('incident-'.length)));
  return {
    store,
    run: (ms: number): Promise<Run> =>
      runFor(ms, writers, async (writer) => {
        const events: NewEvent[] = Array.from({ length: eventsPerAppend }, () => ({ ...templates[writer], eventId: randomUUID() }));
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
  const rounds = ctx.pick('rounds', 2, 10);
  const seconds = ctx.pick('seconds per contender per round', 0.5, 1);
  const ms = seconds * 1000;
  const dir = mkdtempSync(join(process.env.BENCH_DIR ?? tmpdir(), 'ledger-bench-append-'));
  ctx.pick('directory', dir, dir);
  try {
    const { row, storeSettings } = await storedClaimRow(join(dir, 'sample.sqlite'));

    const rawSingle = rawContender(join(dir, 'raw-single.sqlite'), row, 1);
    const rawBatch = rawContender(join(dir, 'raw-batch.sqlite'), row, BATCH);
    // The group commit's own shape without the store's work: what the 16 writers' commits cost the disk and SQLite.
    const rawGroup = rawContender(join(dir, 'raw-group.sqlite'), row, WRITERS, WRITERS);
    const concurrent = storeContender(join(dir, 'store-concurrent.sqlite'), WRITERS, 1);
    const single = storeContender(join(dir, 'store-single.sqlite'), 1, 1);
    const batched = storeContender(join(dir, 'store-batched.sqlite'), 1, BATCH);
    const concurrentThreaded = storeContender(join(dir, 'store-concurrent-threaded.sqlite'), WRITERS, 1, { writerThread: true });
    const batchedThreaded = storeContender(join(dir, 'store-batched-threaded.sqlite'), 1, BATCH, { writerThread: true });
    const emmettPublic = emmettPublicContender(join(dir, 'emmett-public.sqlite'), 1);
    const emmettPublicBatch = emmettPublicContender(join(dir, 'emmett-public-batch.sqlite'), BATCH);
    const emmettOne = await emmettConnectionContender(join(dir, 'emmett-connection.sqlite'), 1);
    const emmettOneBatch = await emmettConnectionContender(join(dir, 'emmett-connection-batch.sqlite'), BATCH);
    const contenders = {
      rawSingle: () => Promise.resolve(rawSingle.run(ms)),
      rawGroup: () => Promise.resolve(rawGroup.run(ms)),
      concurrent: () => concurrent.run(ms),
      single: () => single.run(ms),
      concurrentThreaded: () => concurrentThreaded.run(ms),
      emmettPublic: () => emmettPublic.run(ms),
      emmettOne: () => emmettOne.run(ms),
      rawBatch: () => Promise.resolve(rawBatch.run(ms)),
      batched: () => batched.run(ms),
      batchedThreaded: () => batchedThreaded.run(ms),
      emmettPublicBatch: () => emmettPublicBatch.run(ms),
      emmettOneBatch: () => emmettOneBatch.run(ms),
    };
    type Name = keyof typeof contenders;
    const runs = new Map<Name, Run[]>();
    /** A peer that throws is reported, not fatal: it is the ledger's store that is judged here. */
    const peerFailures = new Map<Name, string>();
    const isPeer = (name: Name) => name.startsWith('emmett');
    for (let round = 0; round < rounds; round++) {
      for (const [name, run] of Object.entries(contenders) as Array<[Name, () => Promise<Run>]>) {
        if (peerFailures.has(name)) continue;
        let result: Run;
        try {
          result = await run();
        } catch (error) {
          if (!isPeer(name)) throw error;
          peerFailures.set(name, `round ${round + 1}: ${error instanceof Error ? error.message : String(error)}`);
          continue;
        }
        runs.set(name, [...(runs.get(name) ?? []), result]);
        ctx.say(`round ${round + 1}: ${name} ${rateOf(result).toFixed(0)} events/s`);
      }
    }
    const bestRate = (name: Name) => Math.max(...(runs.get(name) ?? []).map(rateOf));
    const total = (name: Name) => (runs.get(name) ?? []).reduce((n, r) => n + r.events, 0);

    const rawOne = { label: 'raw better-sqlite3, 1 row/commit', value: bestRate('rawSingle'), unit: 'rows/s' };
    const rawHundred = { label: `raw better-sqlite3, ${BATCH} rows/commit`, value: bestRate('rawBatch'), unit: 'rows/s' };
    ctx.figure({ figure: `${WRITERS} concurrent single-event writers`, value: bestRate('concurrent'), unit: 'events/s', baseline: rawOne, target: { of: 'ratio', op: '>=', threshold: 2 } });
    const rawGroupRate = bestRate('rawGroup');
    ctx.figure({
      figure: `${WRITERS} concurrent single-event writers, against raw ${WRITERS} rows/commit over ${WRITERS} streams`,
      value: bestRate('concurrent'),
      unit: 'events/s',
      baseline: { label: `raw better-sqlite3, ${WRITERS} rows/commit, ${WRITERS} streams`, value: rawGroupRate, unit: 'rows/s' },
    });
    ctx.note(
      `raw ${WRITERS} rows a commit over ${WRITERS} streams (the group commit's shape, none of the store's work): ${rawGroupRate.toFixed(0)} rows/s, ` +
        `${(rawGroupRate / rawOne.value).toFixed(2)}× raw 1 row/commit, ${rawGroupRate / rawOne.value >= 2 ? 'at or above' : 'below'} the 2× target before the store's own work`,
    );
    ctx.figure({ figure: '1 single-event writer', value: bestRate('single'), unit: 'events/s', baseline: rawOne });
    ctx.figure({ figure: `batched append, ${BATCH} events/call`, value: bestRate('batched'), unit: 'events/s', baseline: rawHundred, target: { of: 'ratio', op: '>=', threshold: 0.6 } });
    ctx.figure({ figure: `${WRITERS} concurrent single-event writers, writer thread`, value: bestRate('concurrentThreaded'), unit: 'events/s', baseline: rawOne });
    ctx.figure({ figure: `batched append, ${BATCH} events/call, writer thread`, value: bestRate('batchedThreaded'), unit: 'events/s', baseline: rawHundred });
    const peers: Array<[Name, string, string, typeof rawOne]> = [
      ['emmettPublic', 'emmett-public', 'peer emmett-sqlite, single events (public store)', rawOne],
      ['emmettOne', 'emmett-connection', 'peer emmett-sqlite, single events (one connection)', rawOne],
      ['emmettPublicBatch', 'emmett-public-batch', `peer emmett-sqlite, ${BATCH}/call (public store)`, rawHundred],
      ['emmettOneBatch', 'emmett-connection-batch', `peer emmett-sqlite, ${BATCH}/call (one connection)`, rawHundred],
    ];
    for (const [name, , figure, baseline] of peers) if (runs.has(name)) ctx.figure({ figure, value: bestRate(name), unit: 'events/s', baseline });

    ctx.check('raw 1 row/commit: every committed row stored', rawSingle.count() === total('rawSingle'), `${rawSingle.count()} rows of ${total('rawSingle')}`);
    ctx.check('raw 100 rows/commit: every committed row stored', rawBatch.count() === total('rawBatch'), `${rawBatch.count()} rows of ${total('rawBatch')}`);
    ctx.check(`raw ${WRITERS} rows/commit over ${WRITERS} streams: every committed row stored`, rawGroup.count() === total('rawGroup'), `${rawGroup.count()} rows of ${total('rawGroup')}`);
    const stores = [['concurrent', concurrent], ['single', single], ['batched', batched], ['concurrentThreaded', concurrentThreaded], ['batchedThreaded', batchedThreaded]] as const;
    for (const [name, contender] of stores) {
      const count = await contender.count();
      ctx.check(`store ${name}: every acknowledged event stored`, count === total(name), `${count} events of ${total(name)}`);
    }
    for (const [name, file] of peers) {
      const stored = countRows(join(dir, `${file}.sqlite`), 'emt_messages');
      const failure = peerFailures.get(name);
      if (failure) ctx.note(`${name} failed in ${failure}; ${runs.get(name)?.length ?? 0} of ${rounds} rounds measured; its file holds ${stored} events, ${total(name)} acknowledged in the measured rounds`);
      else if (stored !== total(name)) ctx.note(`${name}: its file holds ${stored} events, ${total(name)} were acknowledged`);
    }

    ctx.note(`SqliteEventStore runs with journal_mode=${storeSettings.journalMode}, synchronous=${storeSettings.synchronous}; raw with ${rawSingle.settings()}; files in ${dir}`);
    ctx.note(
      `emmett-sqlite 0.38.5 runs with ${await emmettSettings(join(dir, 'emmett-public.sqlite'))}; its public store opens and closes a sqlite3 connection around every call ` +
        "(closing the last connection checkpoints the WAL); the 'one connection' rows call its appendToStream on one connection with synchronous=FULL set explicitly. " +
        'One writer each: concurrent appends on one emmett store fail with SQLITE_BUSY/SQLITE_MISUSE and hang.',
    );
    rawSingle.close();
    rawBatch.close();
    rawGroup.close();
    await Promise.all(stores.map(([, contender]) => contender.close()));
    for (const peer of [emmettOne, emmettOneBatch]) {
      try {
        peer.close();
      } catch {
        // a peer left broken by its own failure: its numbers are already reported
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
