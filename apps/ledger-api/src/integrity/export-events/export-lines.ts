import { EventLoopSlice, type EventStore } from '@ledger/event-store';
import { exportedEvent, readWholeLog } from '@ledger/integrity';

/** Events read at a time: SQLite reads and decodes a page in one piece on the HTTP thread (1,000 took 10-20 ms). */
export const EXPORT_PAGE_EVENTS = 250;

/**
 * The whole log as JSON Lines, in chunks of at most a slice's work. A client that reads as fast as the ledger writes
 * never makes the response wait for the socket, so without the turns the export of 100,000 events held the HTTP thread
 * about 3 s in one piece (every other request waited); now a turn of the event loop comes once a slice is spent.
 */
export async function* exportLines(
  store: EventStore,
  slice: EventLoopSlice = new EventLoopSlice(),
  pageSize = EXPORT_PAGE_EVENTS,
): AsyncGenerator<string> {
  for await (const page of readWholeLog(store, pageSize)) {
    let chunk = '';
    for (const event of page) {
      chunk += `${JSON.stringify(exportedEvent(event))}\n`;
      if (slice.due) {
        yield chunk;
        chunk = '';
        await slice.turn();
      }
    }
    if (chunk.length > 0) yield chunk;
    if (slice.due) await slice.turn();
  }
}
