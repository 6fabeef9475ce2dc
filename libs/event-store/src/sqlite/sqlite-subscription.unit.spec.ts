import { RecordedEvent } from '../event-store.port';
import { SqliteSubscription } from './sqlite-subscription';

const running: SqliteSubscription[] = [];
// Stopped here, so that a failed expectation does not leave a subscription waiting on its poll timer.
afterEach(async () => {
  await Promise.all(running.splice(0).map((subscription) => subscription.stop()));
});

/** A log in memory and a subscription reading it as the store does, counting its reads. */
const harness = (options: { pageSize: number; pollIntervalMs?: number; now?: () => number; handlerSliceMs?: number }) => {
  const log: RecordedEvent[] = [];
  const reads: bigint[] = [];
  const delivered: bigint[] = [];
  const caughtUp: bigint[] = [];
  let onEvent: (event: RecordedEvent) => void = () => undefined;
  const append = () => {
    const position = BigInt(log.length + 1);
    log.push({ eventId: `e${position}`, type: 'Test.v1', streamName: 'test-1', revision: position - 1n, position, data: {}, metadata: {} as RecordedEvent['metadata'] });
  };
  const subscription = new SqliteSubscription({
    fromPosition: 0n,
    pollIntervalMs: options.pollIntervalMs ?? 60_000,
    pageSize: options.pageSize,
    ...(options.now ? { now: options.now } : {}),
    ...(options.handlerSliceMs ? { handlerSliceMs: options.handlerSliceMs } : {}),
    readPage: (after) => {
      reads.push(after);
      return log.filter((e) => e.position > after).slice(0, options.pageSize);
    },
    handlers: {
      onEvent: (event) => {
        delivered.push(event.position);
        onEvent(event);
      },
      onCaughtUp: (position) => void caughtUp.push(position),
    },
    onFinished: () => undefined,
  });
  running.push(subscription);
  return { log, reads, delivered, caughtUp, append, subscription, setOnEvent: (f: typeof onEvent) => (onEvent = f) };
};

/** How many events were handled at each turn of the event loop, until `total` were. */
const watchTurns = (delivered: bigint[], total: number): number[] => {
  const handled: number[] = [];
  const turn = () => {
    handled.push(delivered.length);
    if (delivered.length < total) setImmediate(turn);
  };
  setImmediate(turn);
  return handled;
};

const turns = async (n = 5) => {
  for (let i = 0; i < n; i++) await new Promise((resolve) => setImmediate(resolve));
};

describe('SqliteSubscription', () => {
  it('lets timers and I/O run between slices of a page, not only between pages, while it catches up', async () => {
    let clock = 0;
    const h = harness({ pageSize: 100, now: () => clock });
    for (let i = 0; i < 100; i++) h.append();
    // Each event's handler takes 3 ms on this clock: a slice is over after three (9 ms >= EVENT_LOOP_SLICE_MS).
    h.setOnEvent(() => void (clock += 3));
    const handledAtEachTurn = watchTurns(h.delivered, 100);
    await turns(80);
    expect(h.delivered).toHaveLength(100);
    expect(handledAtEachTurn.length).toBeGreaterThan(30);
    const between = handledAtEachTurn.slice(1).map((n, i) => n - handledAtEachTurn[i]);
    expect(Math.max(...between)).toBe(3);
    // Still one read of the page: slicing it does not read it again.
    expect(h.reads.filter((after) => after === 0n)).toHaveLength(1);
  });

  it('takes whole pages when told to (a thread that serves no requests: a projection batch ends with its page)', async () => {
    let clock = 0;
    const h = harness({ pageSize: 50, now: () => clock, handlerSliceMs: Number.POSITIVE_INFINITY });
    for (let i = 0; i < 100; i++) h.append();
    h.setOnEvent(() => void (clock += 3));
    const handledAtEachTurn = watchTurns(h.delivered, 100);
    await turns(20);
    expect(h.delivered).toHaveLength(100);
    expect(handledAtEachTurn.every((n) => n % 50 === 0)).toBe(true);
  });

  it('reads once per commit when live: a short page was the head, so it does not read again to find nothing', async () => {
    const h = harness({ pageSize: 500 });
    await turns();
    expect(h.reads).toEqual([0n]);
    expect(h.caughtUp).toEqual([0n]);
    for (let commit = 1; commit <= 3; commit++) {
      h.append();
      h.subscription.notify();
      await turns();
    }
    expect(h.delivered).toEqual([1n, 2n, 3n]);
    expect(h.reads).toEqual([0n, 0n, 1n, 2n]);
    expect(h.caughtUp).toEqual([0n, 1n, 2n, 3n]);
  });

  it('keeps reading while pages are full, and reports caught up once at the head', async () => {
    const h = harness({ pageSize: 2 });
    for (let i = 0; i < 5; i++) h.append();
    await turns(10);
    expect(h.delivered).toEqual([1n, 2n, 3n, 4n, 5n]);
    expect(h.reads).toEqual([0n, 2n, 4n]);
    expect(h.caughtUp).toEqual([5n]);
    // A full last page: the next read finds the head empty.
    h.append();
    h.subscription.notify();
    await turns(10);
    expect(h.reads).toEqual([0n, 2n, 4n, 5n]);
    expect(h.caughtUp).toEqual([5n, 6n]);
  });

  it('reads again at once when a commit is heard while it delivers, without waiting for the poll', async () => {
    const h = harness({ pageSize: 500 });
    await turns();
    h.setOnEvent((event) => {
      if (event.position === 1n) {
        h.append();
        h.subscription.notify();
      }
    });
    h.append();
    h.subscription.notify();
    await turns();
    expect(h.delivered).toEqual([1n, 2n]);
    expect(h.caughtUp).toEqual([0n, 2n]);
  });

  it("still finds another process's writes (no notify) at the next poll", async () => {
    const h = harness({ pageSize: 500, pollIntervalMs: 20 });
    await turns();
    h.append();
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(h.delivered).toEqual([1n]);
  });
});
