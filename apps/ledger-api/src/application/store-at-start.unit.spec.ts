import { StoreRefusedError, StoreUnavailableError } from '@ledger/event-store';
import { StoreRefusedAtStartError, waitForStore } from './store-at-start';

/** A store whose pings follow a script, on a clock that only sleeping moves. */
const scripted = (outcomes: Array<'ok' | Error>) => {
  let clock = 0;
  const pings: number[] = [];
  const log: string[] = [];
  return {
    pings,
    log,
    store: {
      ping: async () => {
        pings.push(clock);
        const next = outcomes.shift() ?? 'ok';
        if (next !== 'ok') throw next;
      },
    },
    options: (timeoutMs: number) => ({ timeoutMs, log: (m: string) => log.push(m), now: () => clock, sleep: async (ms: number) => void (clock += ms) }),
  };
};

describe('waitForStore', () => {
  it('returns after the first ping when the store answers, saying nothing', async () => {
    const s = scripted(['ok']);
    await waitForStore(s.store, s.options(10_000));
    expect(s.pings).toEqual([0]);
    expect(s.log).toEqual([]);
  });

  it('retries an unavailable store with growing pauses, says once that it waits, and starts when it answers', async () => {
    const down = new StoreUnavailableError('EventStoreDB is unavailable: cannot ping: 14 UNAVAILABLE');
    const s = scripted([down, down, down, 'ok']);
    await waitForStore(s.store, s.options(60_000));
    expect(s.pings).toEqual([0, 250, 750, 1750]);
    expect(s.log).toHaveLength(2);
    expect(s.log[0]).toMatch(/does not answer yet .*14 UNAVAILABLE.*waiting up to 60000 ms/);
    expect(s.log[1]).toMatch(/answers/);
  });

  it('stops at once on a refusal, whatever time is left', async () => {
    const refused = new StoreRefusedError('access-denied', 'EventStoreDB refused user "x" to read $all');
    const s = scripted([new StoreUnavailableError('down'), refused]);
    const error = await waitForStore(s.store, s.options(60_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreRefusedAtStartError);
    expect((error as StoreRefusedAtStartError).refusal).toBe(refused);
    expect(s.pings).toHaveLength(2);
  });

  it('gives up with the last unavailability once the next pause would pass the timeout', async () => {
    const s = scripted(Array.from({ length: 100 }, (_, i) => new StoreUnavailableError(`down ${i}`)));
    const error = await waitForStore(s.store, s.options(4_000)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreUnavailableError);
    expect(s.pings).toEqual([0, 250, 750, 1750, 3750]);
    expect((error as Error).message).toBe('down 4');
  });

  it('with a timeout of 0 does not wait at all', async () => {
    const s = scripted([new StoreUnavailableError('down')]);
    await expect(waitForStore(s.store, s.options(0))).rejects.toThrow('down');
    expect(s.pings).toEqual([0]);
  });
});
