// http-claims' floor: the thread that commits the event rows GroupCommit hands it, one transaction per message.
import { parentPort, workerData } from 'node:worker_threads';
import { RawRow, rawEventsFile } from '../support/raw-sqlite';

const { file, row } = workerData as { file: string; row: RawRow };
const { db, append } = rawEventsFile(file, row);
const commit = db.transaction((streams: string[]) => {
  for (const stream of streams) append(stream);
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
