import { join } from 'node:path';
import { RecordedEvent, SqliteEventStore } from '@ledger/event-store';
import { ReadModelDump, SqliteReadModelStore } from '@ledger/read-models';

/** The whole event log of a ledger data directory, read with a store of its own (the ledger that wrote it may be gone). */
export const readLog = async (dataDir: string): Promise<RecordedEvent[]> => {
  const store = new SqliteEventStore({ filename: join(dataDir, 'events.sqlite') });
  try {
    return await store.readAll();
  } finally {
    await store.close();
  }
};

/** Every read-model row of a ledger data directory, and the position its checkpoint covers. */
export const dumpReadModels = (dataDir: string): { dump: ReadModelDump; checkpoint: bigint | undefined } => {
  const store = new SqliteReadModelStore({ filename: join(dataDir, 'read-models.sqlite') });
  try {
    return { dump: store.dump(), checkpoint: store.readCheckpoint('ledger-read-models')?.position };
  } finally {
    store.close();
  }
};
