import { COMMIT_BELL_BYTES, ringCommitBell, watchCommitBell } from './commit-bell';

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('commit bell: a reader in another thread hears of every commit, woken once per wait rather than once per commit', () => {
  it('notifies only while the watcher waits, and every ring before, during and after a wake is followed by a read', async () => {
    const bell = new Int32Array(new SharedArrayBuffer(COMMIT_BELL_BYTES));
    const rungAtChange: number[] = [];
    let stopped = false;
    // Here the watcher shares the test's thread: waitAsync's promise settles on this loop like on the worker's.
    const watching = watchCommitBell(bell, () => rungAtChange.push(Atomics.load(bell, 0)), () => stopped);

    expect(ringCommitBell(bell)).toBe(true);
    // Awake now (woken, not yet back to waiting): the next rings are counted, not sent.
    expect([ringCommitBell(bell), ringCommitBell(bell)]).toEqual([false, false]);
    await settle();
    expect(rungAtChange.length).toBeGreaterThanOrEqual(1);
    expect(rungAtChange.at(-1)).toBe(3);

    // Back to waiting: one ring wakes it again, and its read covers the rings counted meanwhile.
    expect(ringCommitBell(bell)).toBe(true);
    for (let i = 0; i < 50; i++) ringCommitBell(bell);
    await settle();
    expect(rungAtChange.at(-1)).toBe(54);
    expect(rungAtChange.length).toBeLessThan(10);

    stopped = true;
    ringCommitBell(bell);
    await watching;
  });
});
