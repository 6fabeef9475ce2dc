import { ACCESS_LOG_STREAM, CHECKPOINT_STREAM } from './integrity-streams';
import type { VerifiableEvent } from './verification/ledger-verification';

/** One line of an export's events.jsonl: the event as stored, 64-bit numbers as decimal strings. */
export interface ExportedEvent {
  position: string;
  eventId: string;
  streamName: string;
  revision: string;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
}

export const exportedEvent = (event: VerifiableEvent): ExportedEvent => ({
  position: event.position.toString(),
  eventId: event.eventId,
  streamName: event.streamName,
  revision: event.revision.toString(),
  type: event.type,
  data: event.data,
  metadata: event.metadata,
});

/** The reads a whole-log scan needs, as the EventStore port offers them. */
export interface WholeLogStore<E extends VerifiableEvent> {
  readAll(options?: { fromPosition?: bigint; maxCount?: number }): Promise<E[]>;
  readStream(streamName: string, options?: { fromRevision?: bigint; maxCount?: number }): Promise<E[]>;
}

/** The ledger's own streams, which EventStoreDB's filtered $all does not carry. */
const OWN_STREAMS: readonly string[] = [CHECKPOINT_STREAM, ACCESS_LOG_STREAM];

const byPosition = (a: VerifiableEvent, b: VerifiableEvent): number => (a.position < b.position ? -1 : a.position > b.position ? 1 : 0);

/**
 * Every event of the store in global order, page by page, the same on both stores: the ledger's own streams are
 * read first and merged in by position (the copies SQLite's readAll also carries are skipped).
 */
export async function* readWholeLog<E extends VerifiableEvent>(store: WholeLogStore<E>, pageSize = 1000): AsyncGenerator<E[]> {
  const own: E[] = [];
  for (const streamName of OWN_STREAMS) {
    for (let from = 0n; ; ) {
      const page = await store.readStream(streamName, { fromRevision: from, maxCount: pageSize });
      own.push(...page);
      if (page.length < pageSize) break;
      from = page[page.length - 1].revision + 1n;
    }
  }
  own.sort(byPosition);
  let next = 0;
  for (let position = 0n; ; ) {
    const page = await store.readAll({ fromPosition: position, maxCount: pageSize });
    if (page.length === 0) break;
    position = page[page.length - 1].position;
    const merged: E[] = [];
    for (const event of page) {
      if (OWN_STREAMS.includes(event.streamName)) continue;
      for (; next < own.length && own[next].position < event.position; next++) merged.push(own[next]);
      merged.push(event);
    }
    if (merged.length > 0) yield merged;
  }
  if (next < own.length) yield own.slice(next);
}
