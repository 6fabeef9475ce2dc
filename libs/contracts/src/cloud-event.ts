import { INCIDENT_CATEGORY, PARTY_CATEGORY } from '@ledger/domain';
import type { RecordedEvent } from '@ledger/event-store';

/** Reverse-DNS prefix of every CloudEvents `type`; the rest is the stored, versioned name (`ClaimMade.v1`). */
export const CLOUD_EVENT_TYPE_PREFIX = 'dev.incident-ledger.';
export const EVENT_SCHEMA_BASE = 'https://incident-ledger.dev/schemas/events/';

/**
 * A ledger event as a CloudEvents 1.0 structured-mode JSON event. Extension attribute names are lowercase
 * alphanumerics (the spec's rule); 64-bit positions and revisions travel as decimal strings, since extension
 * integers are 32-bit.
 */
export type LedgerCloudEvent = {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  subject: string;
  time: string;
  datacontenttype: 'application/json';
  dataschema: string;
  data: unknown;
  /** The global position: also the SSE `id` and the paged feed's cursor. */
  position: string;
  stream: string;
  streamrevision: string;
  recordedby: string;
  correlationid: string;
  causationid: string;
  hash: string;
  /** Absent on a stream's first event. */
  prevhash?: string;
};

export const cloudEventSource = (origin: string): string => `urn:incident-ledger:${origin}`;

export const cloudEventTypeOf = (storedType: string): string => `${CLOUD_EVENT_TYPE_PREFIX}${storedType}`;

/** `incident/<id>` or `party/<slug>`: the thing the event is about, from its stream's category. */
export const subjectOf = (streamName: string): string => {
  for (const category of [INCIDENT_CATEGORY, PARTY_CATEGORY]) {
    if (streamName.startsWith(`${category}-`)) return `${category}/${streamName.slice(category.length + 1)}`;
  }
  return streamName;
};

const text = (value: unknown): string => (typeof value === 'string' ? value : '');

export const toCloudEvent = (event: RecordedEvent, origin: string): LedgerCloudEvent => ({
  specversion: '1.0',
  id: event.eventId,
  source: cloudEventSource(origin),
  type: cloudEventTypeOf(event.type),
  subject: subjectOf(event.streamName),
  time: event.metadata.recordedAt,
  datacontenttype: 'application/json',
  dataschema: `${EVENT_SCHEMA_BASE}${event.type}.json`,
  data: event.data,
  position: event.position.toString(),
  stream: event.streamName,
  streamrevision: event.revision.toString(),
  recordedby: event.metadata.recordedBy,
  correlationid: event.metadata.correlationId,
  causationid: event.metadata.causationId,
  hash: text(event.metadata.hash),
  ...(typeof event.metadata.prevHash === 'string' ? { prevhash: event.metadata.prevHash } : {}),
});
