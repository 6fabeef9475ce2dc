// The raw better-sqlite3 loop the store is measured against: the rate of the disk and SQLite alone.
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SqliteEventStore, SqliteStorageSettings } from '@ledger/event-store';
import { demoClaimEvent } from './demo-bodies';
import { nowMs } from './measure';

export interface Run {
  events: number;
  ms: number;
}

export const rateOf = (run: Run): number => (run.events / run.ms) * 1000;

/** Today's events table (libs/event-store/src/sqlite), created here so that the baseline does not move with the store. */
const RAW_SCHEMA = `
  CREATE TABLE events (
    position    INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id    TEXT    NOT NULL,
    stream_name TEXT    NOT NULL,
    revision    INTEGER NOT NULL,
    type        TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    metadata    TEXT    NOT NULL,
    UNIQUE (stream_name, revision),
    UNIQUE (stream_name, event_id)
  );`;

export interface RawRow {
  type: string;
  data: string;
  metadata: string;
}

/**
 * Today's events table in a new file (WAL, synchronous=FULL), and `append(stream)`: one INSERT of `row` at that
 * stream's next revision, inside whatever transaction the caller has open.
 */
export const rawEventsFile = (file: string, row: RawRow) => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(RAW_SCHEMA);
  const insert = db.prepare('INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const revisions = new Map<string, number>();
  const append = (stream: string): void => {
    const revision = revisions.get(stream) ?? 0;
    insert.run(randomUUID(), stream, revision, row.type, row.data, row.metadata);
    revisions.set(stream, revision + 1);
  };
  return { db, append };
};

/** Rows of `table` in an SQLite file, 0 when there is no file. */
export const countRows = (file: string, table: string): number => {
  if (!existsSync(file)) return 0;
  const db = new Database(file, { readonly: true });
  try {
    return Number((db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n);
  } finally {
    db.close();
  }
};

/**
 * A raw contender: its own file, the row the store itself wrote for the same event (hash chain fields included).
 * `streams` > 1: each commit's rows go round-robin to that many streams, each at its next revision. Streams are named
 * as the ledger names them (`incident-<uuid>`): both unique indexes lead with the stream name, and with a short made-up
 * one (`incident-raw`, until 2026-12-06) the raw loop committed 11-12 % more rows a second at 100 rows a commit.
 */
export const rawContender = (file: string, row: RawRow, rowsPerCommit: number, streams = 1) => {
  const { db, append } = rawEventsFile(file, row);
  const names = Array.from({ length: streams }, () => `incident-${randomUUID()}`);
  let next = 0;
  const commit = db.transaction(() => {
    for (let i = 0; i < rowsPerCommit; i++) append(names[next++ % names.length]);
  });
  return {
    run: (ms: number): Run => {
      const start = nowMs();
      let events = 0;
      while (nowMs() - start < ms) {
        commit.immediate();
        events += rowsPerCommit;
      }
      return { events, ms: nowMs() - start };
    },
    count: () => Number((db.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n),
    settings: () => `journal_mode=${db.pragma('journal_mode', { simple: true })}, synchronous=${db.pragma('synchronous', { simple: true })}`,
    close: () => db.close(),
  };
};


/** The row the store writes for the demo claim, hash chain included, so that raw and store commit the same bytes. */
export const storedClaimRow = async (file: string): Promise<{ row: RawRow; storeSettings: SqliteStorageSettings }> => {
  const sample = new SqliteEventStore({ filename: file });
  try {
    await sample.append('incident-sample', [demoClaimEvent(randomUUID())]);
    const [stored] = await sample.readAll({ maxCount: 1 });
    return { row: { type: stored.type, data: JSON.stringify(stored.data), metadata: JSON.stringify(stored.metadata) }, storeSettings: sample.storageSettings() };
  } finally {
    await sample.close();
  }
};
