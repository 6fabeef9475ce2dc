/**
 * A commit bell: how a store's commits wake a reader in another thread (the projection thread) without a message per
 * commit. Two Int32s in shared memory: the number of rings [0], and the number the reader had seen when it last went
 * to wait [1]. A ring calls Atomics.notify (a task queued on the reader's loop: the expensive part) only when the
 * reader may be waiting, that is when it had seen every ring before this one; rings that land while it is awake are
 * counted, not sent, and its next look at the counter covers them. No commit is missed: the reader waits only while
 * [0] still holds the count it saw, and reads again otherwise.
 */
export const COMMIT_BELL_BYTES = 8;

export const createCommitBell = (): SharedArrayBuffer => new SharedArrayBuffer(COMMIT_BELL_BYTES);

/** Counts one commit; wakes the reader if it may be waiting. True when it did (for tests). */
export const ringCommitBell = (bell: Int32Array): boolean => {
  const before = Atomics.add(bell, 0, 1);
  if (Atomics.load(bell, 1) !== before) return false;
  Atomics.notify(bell, 0);
  return true;
};

/** ES2024's Atomics.waitAsync, in Node since 16; the repository's lib is ES2022. */
type WaitAsync = (array: Int32Array, index: number, value: number) => { async: false; value: string } | { async: true; value: Promise<string> };
const waitAsync = (Atomics as unknown as { waitAsync: WaitAsync }).waitAsync;

/** The reader's side: calls `changed` after rings (once for all that came while it was awake); ends when `stopped()` says so. */
export const watchCommitBell = async (bell: Int32Array, changed: () => void, stopped: () => boolean): Promise<void> => {
  while (!stopped()) {
    const seen = Atomics.load(bell, 0);
    Atomics.store(bell, 1, seen);
    const wait = waitAsync(bell, 0, seen);
    if (wait.async) await wait.value;
    if (stopped()) return;
    changed();
  }
};
