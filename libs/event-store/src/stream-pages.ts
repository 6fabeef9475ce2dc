import { EventLoopSlice } from './event-loop-slice';
import type { EventStore, RecordedEvent } from './event-store.port';

export interface StreamPagesOptions {
  /** Events read at a time. */
  pageSize: number;
  /** Forwards from this revision (inclusive; the first event when absent), or backwards from the last event. */
  direction?: 'forwards' | 'backwards';
  fromRevision?: bigint;
  slice?: EventLoopSlice;
}

/**
 * A stream's events a page at a time, with a turn of the event loop whenever the slice is spent. On a thread that
 * serves requests a big stream read whole, then handled in one piece, makes every other request wait: the write side
 * folding an incident of 50,000 claims held the HTTP thread 1.35 s.
 */
export async function* streamEvents(
  store: Pick<EventStore, 'readStream'>,
  streamName: string,
  { pageSize, direction = 'forwards', fromRevision, slice = new EventLoopSlice() }: StreamPagesOptions,
): AsyncGenerator<RecordedEvent> {
  const backwards = direction === 'backwards';
  for (let from = fromRevision; ; ) {
    const page = await store.readStream(streamName, backwards ? { direction, fromRevision: from, maxCount: pageSize } : { fromRevision: from ?? 0n, maxCount: pageSize });
    for (const event of page) {
      if (slice.due) await slice.turn();
      yield event;
    }
    const last = page[page.length - 1]?.revision;
    if (page.length < pageSize || last === undefined || (backwards && last === 0n)) return;
    from = backwards ? last - 1n : last + 1n;
  }
}
