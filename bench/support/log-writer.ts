// Writing a generated log through the real store, and reading a whole log back: the benchmarks' machine limit.
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { storedTypeOf } from '@ledger/domain';
import { NewEvent, SqliteEventStore, START } from '@ledger/event-store';
import { Entry, generateEntries } from '../generate-log';

/** Appends the log; consecutive events of one stream go in one append, as a recorder's batch would. */
export const writeLog = async (eventStore: SqliteEventStore, log: Iterable<Entry>): Promise<bigint> => {
  let head = START;
  let i = 0;
  let batch: NewEvent[] = [];
  let batchStream: string | undefined;
  const flush = async () => {
    if (batchStream !== undefined && batch.length) head = (await eventStore.append(batchStream, batch)).position;
    batch = [];
  };
  for (const { streamName, event, recordedBy } of log) {
    if (streamName !== batchStream) {
      await flush();
      batchStream = streamName;
    }
    const at = new Date(Date.UTC(2019, 5, 3) + i * 60_000).toISOString();
    i++;
    batch.push({
      eventId: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      type: storedTypeOf(event.type),
      data: event.data,
      metadata: { recordedAt: at, recordedBy, correlationId: `corr-${i}`, causationId: `corr-${i}` },
    });
  }
  await flush();
  return head;
};

/**
 * A generated log of `size` events in `file`. Written in memory-backed /dev/shm when there is one (half a million
 * fsync'ed appends would make seeding the slowest part of the run) and copied to `file` once closed.
 */
export const writeGeneratedLog = async (file: string, size: number, seed = 1): Promise<bigint> => {
  const scratch = existsSync('/dev/shm') ? mkdtempSync(join('/dev/shm', 'ledger-bench-seed-')) : undefined;
  const target = scratch ? join(scratch, 'events.sqlite') : file;
  try {
    const store = new SqliteEventStore({ filename: target });
    const head = await writeLog(store, generateEntries(size, seed));
    await store.close();
    if (scratch) {
      copyFileSync(target, file);
      // Closing the last connection folds the WAL into the file; copy it too should anything be left.
      if (existsSync(`${target}-wal`)) copyFileSync(`${target}-wal`, `${file}-wal`);
    }
    return head;
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
};

export const readAllOnce = async (eventStore: SqliteEventStore, pageSize: number): Promise<number> => {
  let position = START;
  let count = 0;
  for (;;) {
    const page = await eventStore.readAll({ direction: 'forwards', fromPosition: position, maxCount: pageSize });
    if (page.length === 0) return count;
    count += page.length;
    position = page[page.length - 1].position;
  }
};
