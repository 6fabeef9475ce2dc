// Shared by the benchmarks: writing a generated log through the real store, and timing.
import { storedTypeOf } from '@ledger/domain';
import { NewEvent, SqliteEventStore, START } from '@ledger/event-store';
import { Entry } from './generate-log';

/** Appends the log; consecutive events of one stream go in one append, as a recorder's batch would. */
export const writeLog = async (eventStore: SqliteEventStore, log: Entry[]): Promise<bigint> => {
  let head = START;
  let i = 0;
  while (i < log.length) {
    const streamName = log[i].streamName;
    const events: NewEvent[] = [];
    for (; i < log.length && log[i].streamName === streamName; i++) {
      const { event, recordedBy } = log[i];
      const at = new Date(Date.UTC(2019, 5, 3) + i * 60_000).toISOString();
      events.push({
        eventId: `10000000-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
        type: storedTypeOf(event.type),
        data: event.data,
        metadata: { recordedAt: at, recordedBy, correlationId: `corr-${i + 1}`, causationId: `corr-${i + 1}` },
      });
    }
    head = (await eventStore.append(streamName, events)).position;
  }
  return head;
};

export interface Timing {
  wallMs: number;
  cpuMs: number;
}

export const timed = async (run: () => Promise<void>): Promise<Timing> => {
  const cpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  await run();
  const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return { wallMs, cpuMs: (used.user + used.system) / 1000 };
};

/** Fastest wall clock and least CPU over the repeats (each taken on its own: other processes only ever add time). */
export const best = (timings: Timing[]): Timing => ({
  wallMs: Math.min(...timings.map((t) => t.wallMs)),
  cpuMs: Math.min(...timings.map((t) => t.cpuMs)),
});

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

