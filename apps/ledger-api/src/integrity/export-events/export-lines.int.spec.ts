import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventLoopSlice, type NewEvent, SqliteEventStore } from '@ledger/event-store';
import { ACCESS_LOG_STREAM, exportedEvent, readWholeLog } from '@ledger/integrity';
import { probeTurns } from '../../../../../tests/support/event-loop-turns';
import { exportLines } from './export-lines';

const event = (n: number): NewEvent => ({
  eventId: randomUUID(),
  type: 'ExportTested.v1',
  data: { n, note: `event ${n}` },
  metadata: { recordedAt: new Date(Date.UTC(2019, 5, 1, 0, 0, n)).toISOString(), recordedBy: 'export-test', correlationId: randomUUID(), causationId: randomUUID() },
});

const collect = async (lines: AsyncGenerator<string>): Promise<string> => {
  let text = '';
  for await (const chunk of lines) text += chunk;
  return text;
};

describe('exportLines over the SQLite store', () => {
  let dir: string;
  let store: SqliteEventStore;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'export-lines-'));
    store = new SqliteEventStore({ filename: join(dir, 'events.sqlite') });
    // 300 events over 30 streams, an access-log entry after every hundredth: the ledger's own streams are merged in.
    for (let n = 0; n < 300; n++) {
      await store.append(`incident-${n % 30}`, [event(n)]);
      if (n % 100 === 99) await store.append(ACCESS_LOG_STREAM, [event(10_000 + n)]);
    }
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every event once, in global order, and lets the event loop turn while it formats a page', async () => {
    let expected = '';
    for await (const page of readWholeLog(store)) for (const recorded of page) expected += `${JSON.stringify(exportedEvent(recorded))}\n`;
    expect(expected.split('\n')).toHaveLength(304);

    // Each look at the clock is a millisecond of work: the slice is spent after eight events formatted.
    const probe = probeTurns();
    const sliced = await collect(exportLines(store, new EventLoopSlice(8, probe.now), 100)).finally(probe.stop);
    expect(sliced).toBe(expected);
    expect(probe.looks).toBeGreaterThanOrEqual(303);
    expect(probe.longestWithoutATurn).toBeLessThanOrEqual(10);

    const whole = probeTurns();
    expect(await collect(exportLines(store, new EventLoopSlice(Infinity, whole.now), 100)).finally(whole.stop)).toBe(expected);
    expect(whole.longestWithoutATurn).toBeGreaterThan(100);
  });
});
