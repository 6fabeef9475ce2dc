import { LedgerCloudEvent, toCloudEvent } from '@ledger/contracts';
import type { RecordedEvent } from '@ledger/event-store';

/** One SSE frame: the position as the event id (what Last-Event-ID sends back), the CloudEvent as data. No `event:`. */
export const sseFrame = (position: bigint, json: string): string => `id: ${position}\ndata: ${json}\n\n`;

/**
 * A ledger event as the feeds see it: where it is, what it is about, and its CloudEvent. The CloudEvent and the SSE
 * frame are built at most once, on first use: a filtered read builds them only for the events it returns, and the
 * live fan-out serialises and encodes each event once for every connection (the same bytes go to every socket).
 */
export class FeedEntry {
  readonly position: bigint;
  /** Stored, versioned type name (`ClaimMade.v1`): what the `type` filter compares. */
  readonly type: string;
  private recorded: RecordedEvent | undefined;
  private cloudEvent: LedgerCloudEvent | undefined;
  private sse: Buffer | undefined;

  constructor(
    recorded: RecordedEvent,
    private readonly origin: string,
    /** The incident (lower-cased id) of an incident stream event; undefined for a party stream event. */
    readonly incidentId: string | undefined,
    /** Parties the event concerns (see event-parties.ts); undefined when the reader did not need them. */
    readonly parties: ReadonlySet<string> | undefined,
  ) {
    this.recorded = recorded;
    this.position = recorded.position;
    this.type = recorded.type;
  }

  get event(): LedgerCloudEvent {
    if (this.cloudEvent) return this.cloudEvent;
    if (!this.recorded) throw new Error('FeedEntry was compacted to its SSE frame');
    this.cloudEvent = toCloudEvent(this.recorded, this.origin);
    return this.cloudEvent;
  }

  /** The SSE frame, UTF-8 encoded. */
  get frame(): Buffer {
    this.sse ??= Buffer.from(sseFrame(this.position, JSON.stringify(this.event)), 'utf8');
    return this.sse;
  }

  /** Keeps only the encoded frame: what the ring buffer holds for live streams, at a third of the memory. */
  compact(): this {
    void this.frame;
    this.recorded = undefined;
    this.cloudEvent = undefined;
    return this;
  }
}
