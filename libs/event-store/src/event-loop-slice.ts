import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * The most work a long loop on a thread that serves requests does before it lets timers and I/O run. A subscription's
 * page (500 events) handled whole held the HTTP thread 30-40 ms at a time while the notary read 300,000 imported events;
 * a bulk import decided a batch of 1,000 lines in one piece, 65-190 ms.
 */
export const EVENT_LOOP_SLICE_MS = 8;

/**
 * Lets timers and I/O run once a long loop has worked `sliceMs` since its last turn of the event loop
 * (`if (slice.due) await slice.turn()`); within the slice it goes on at once, so a short loop (a batch of a few HTTP
 * commands) never waits.
 */
export class EventLoopSlice {
  private started: number;

  constructor(
    private readonly sliceMs: number = EVENT_LOOP_SLICE_MS,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.started = now();
  }

  /** Whether the slice is spent: checked before awaiting `turn()`, so that a loop within its slice takes no microtask. */
  get due(): boolean {
    return this.now() - this.started >= this.sliceMs;
  }

  /** The next turn of the event loop (setImmediate: after the I/O callbacks waiting); the slice starts again after it. */
  async turn(): Promise<void> {
    await nextTurn();
    this.started = this.now();
  }
}
