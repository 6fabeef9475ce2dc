import { fromStored, LedgerEvent } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';

/** A recorded event read into today's domain shape, with the metadata projections may show. */
export interface LedgerEnvelope {
  event: LedgerEvent;
  /** The name the event is stored under, an older version included (`ClaimDenied.v1`); absent in envelopes built by hand. */
  storedType?: string;
  eventId: string;
  streamName: string;
  revision: bigint;
  position: bigint;
  recordedAt: string;
  recordedBy: string;
  correlationId: string;
  causationId: string;
}

/** Throws UnknownEventTypeError (from the registry) when the stored type is not one the ledger can read. */
export const toEnvelope = (recorded: RecordedEvent): LedgerEnvelope => ({
  event: fromStored(recorded.type, recorded.data),
  storedType: recorded.type,
  eventId: recorded.eventId,
  streamName: recorded.streamName,
  revision: recorded.revision,
  position: recorded.position,
  recordedAt: recorded.metadata.recordedAt,
  recordedBy: recorded.metadata.recordedBy,
  correlationId: recorded.metadata.correlationId,
  causationId: recorded.metadata.causationId,
});

/** The recording facts every read-model entry carries; positions as decimal strings so documents stay plain JSON. */
export interface EntryMeta {
  eventId: string;
  recordedAt: string;
  recordedBy: string;
  position: string;
}

export const entryMeta = (e: LedgerEnvelope): EntryMeta => ({
  eventId: e.eventId,
  recordedAt: e.recordedAt,
  recordedBy: e.recordedBy,
  position: e.position.toString(),
});
