// http-claims' floor: the thread that commits the event rows GroupCommit hands it, one transaction per message.
import { randomUUID } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { RAW_SCHEMA, RawRow } from '../support/raw-sqlite';

const { file, row } = workerData as { file: string; row: RawRow };
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec(RAW_SCHEMA);
const insert = db.prepare('INSERT INTO events (event_id, stream_name, revision, type, data, metadata) VALUES (?, ?, ?, ?, ?, ?)');
const revisions = new Map<string, number>();
const commit = db.transaction((streams: string[]) => {
  for (const stream of streams) {
    const revision = revisions.get(stream) ?? 0;
    insert.run(randomUUID(), stream, revision, row.type, row.data, row.metadata);
    revisions.set(stream, revision + 1);
  }
});

parentPort!.on('message', (streams: string[]) => {
  try {
    commit.immediate(streams);
    parentPort!.postMessage({});
  } catch (error) {
    // Its requests fail (not 201), and so does the benchmark's check: a floor that loses writes measures nothing.
    parentPort!.postMessage({ error: String(error) });
  }
});
