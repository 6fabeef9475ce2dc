export class ReadModelTimeoutError extends Error {
  constructor(
    readonly position: bigint,
    readonly checkpoint: bigint,
    readonly timeoutMs: number,
  ) {
    super(`Read models did not reach position ${position} within ${timeoutMs} ms (at ${checkpoint})`);
    this.name = 'ReadModelTimeoutError';
  }
}

export class RunnerStoppedError extends Error {
  constructor(readonly position: bigint) {
    super(`Read models were stopped before reaching position ${position}`);
    this.name = 'RunnerStoppedError';
  }
}

interface Waiter {
  position: bigint;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/** Callers waiting for the read models to reach a log position (read-your-writes), each with its own timeout. */
export class PositionWaiters {
  private waiters: Waiter[] = [];

  /** Resolves once resolveUpTo passes `position`; rejects with ReadModelTimeoutError after `timeoutMs` (at `checkpoint()`). */
  wait(position: bigint, timeoutMs: number, checkpoint: () => bigint): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        position,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((w) => w !== waiter);
          reject(new ReadModelTimeoutError(position, checkpoint(), timeoutMs));
        }, timeoutMs).unref(),
      };
      this.waiters.push(waiter);
    });
  }

  /** Whether anyone waits. */
  waiting(): boolean {
    return this.waiters.length > 0;
  }

  resolveUpTo(checkpoint: bigint): void {
    const reached = this.waiters.filter((w) => w.position <= checkpoint);
    if (reached.length === 0) return;
    this.waiters = this.waiters.filter((w) => w.position > checkpoint);
    for (const w of reached) {
      clearTimeout(w.timer);
      w.resolve();
    }
  }

  rejectAll(reason: (position: bigint) => unknown): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const w of waiting) {
      clearTimeout(w.timer);
      w.reject(reason(w.position));
    }
  }
}
