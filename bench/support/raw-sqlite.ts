// The raw better-sqlite3 loop the store is measured against: the rate of the disk and SQLite alone.
import { randomUUID } from 'node:crypto';
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
export const RAW_SCHEMA = `
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
 * A raw contender: its own file, the row the store itself wrote for the same event (hash chain fields included).
 * `streams` > 1: each commit's rows go round-robin to that many streams (random names), each at its next revision.
 */
export const rawContender = (file: string, row: RawRow, rowsPerCommit: number, streams = 1) => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec(RAW_SCHEMA);
  const insert = db.prepare('INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
  const names = streams === 1 ? ['incident-raw'] : Array.from({ length: streams }, () => `incident-${randomUUID()}`);
  const revisions = names.map(() => 0);
  let next = 0;
  const commit = db.transaction(() => {
    for (let i = 0; i < rowsPerCommit; i++) {
      const s = next++ % names.length;
      insert.run(randomUUID(), names[s], revisions[s]++, row.type, row.data, row.metadata);
    }
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
