import { EventStore } from '@ledger/event-store';

/** Events read from a stream at a time while indexing it. */
const READ_PAGE = 1000;

/**
 * Where each event of a stream is, by id: how a retried command with a key scoped to its stream (an import line sent
 * again) finds the run it stored, without reading the whole stream for each retry. Re-importing a file of one
 * incident of 20,000 claims read that stream once per batch of lines, and the time a line took grew with the
 * incident. A stream is indexed once and then only its newer events; the ids held are bounded (the streams used
 * longest ago are dropped first). Events are never removed from a stream, so an id found stays where it was.
 */
export class StoredEventIds {
  private readonly streams = new Map<string, { revisions: Map<string, bigint>; next: bigint }>();
  private held = 0;

  constructor(
    private readonly store: EventStore,
    private readonly maxIds = 200_000,
  ) {}

  /** The revision of the event with this id in the stream, or undefined when the stream holds none. */
  async revisionOf(streamName: string, eventId: string): Promise<bigint | undefined> {
    let entry = this.streams.get(streamName);
    if (entry) this.streams.delete(streamName);
    else entry = { revisions: new Map(), next: 0n };
    this.streams.set(streamName, entry);
    if (!entry.revisions.has(eventId)) await this.readNewer(streamName, entry);
    const revision = entry.revisions.get(eventId);
    this.dropOldest(streamName);
    return revision;
  }

  /** Ids held, across streams. */
  get size(): number {
    return this.held;
  }

  private async readNewer(streamName: string, entry: { revisions: Map<string, bigint>; next: bigint }): Promise<void> {
    for (;;) {
      const page = await this.store.readStream(streamName, { fromRevision: entry.next, maxCount: READ_PAGE });
      for (const event of page) {
        if (!entry.revisions.has(event.eventId)) this.held++;
        entry.revisions.set(event.eventId, event.revision);
      }
      if (page.length > 0) entry.next = page[page.length - 1].revision + 1n;
      if (page.length < READ_PAGE) return;
    }
  }

  private dropOldest(keep: string): void {
    for (const [name, entry] of this.streams) {
      if (this.held <= this.maxIds || name === keep) return;
      this.streams.delete(name);
      this.held -= entry.revisions.size;
    }
  }
}
