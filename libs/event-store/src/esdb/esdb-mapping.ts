import { LEDGER_STREAM_PREFIXES } from '@ledger/domain';
import { canonicalDataText } from '@ledger/integrity';
import type { AppendExpectedRevision, CurrentRevision, Position, ReadPosition } from '@eventstore/db-client';
import { esdbClient } from './esdb-client';
import {
  EventMetadata,
  ExpectedRevision,
  NewEvent,
  RecordedEvent,
  START,
  StoreRefusal,
  StoreRefusedError,
  StoreUnavailableError,
  WrongExpectedRevisionError,
} from '../event-store.port';

/**
 * Pure mapping between the ledger's port and EventStoreDB's client types. Nothing in here talks to a server, so all
 * of it is unit-tested without one.
 */

/** The ledger's stream categories (`incident-<uuid>`, `party-<slug>`); pass `streamPrefixes` to follow others. */
export const DEFAULT_LEDGER_STREAM_PREFIXES: readonly string[] = LEDGER_STREAM_PREFIXES;

/** EventStoreDB returns event ids in this form; anything else would not round-trip. */
const CANONICAL_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// ---------------------------------------------------------------- expected revision

export function toEsdbExpectedRevision(expected: ExpectedRevision): AppendExpectedRevision {
  switch (expected) {
    case 'any':
      return esdbClient().ANY;
    case 'no_stream':
      return esdbClient().NO_STREAM;
    case 'stream_exists':
      return esdbClient().STREAM_EXISTS;
    default:
      return expected;
  }
}

export function assertExpectedRevision(expected: unknown): asserts expected is ExpectedRevision {
  if (expected === 'any' || expected === 'no_stream' || expected === 'stream_exists') return;
  if (typeof expected === 'bigint' && expected >= 0n) return;
  throw new RangeError(`expectedRevision must be 'any', 'no_stream', 'stream_exists' or a bigint >= 0, got ${String(expected)}`);
}

/** The revision of a stream as EventStoreDB reports it in a WrongExpectedVersion: `no_stream` becomes undefined. */
export function fromEsdbCurrentRevision(current: CurrentRevision | bigint | undefined): bigint | undefined {
  if (current === undefined || current === esdbClient().NO_STREAM) return undefined;
  // The client reports "no stream" as -1 on some paths (throwOnAppendFailure=false); never a real revision.
  if (typeof current === 'bigint') return current < 0n ? undefined : current;
  return undefined;
}

// ---------------------------------------------------------------- events and metadata

/**
 * Checks a batch before anything is sent: the caller's mistakes are TypeErrors/RangeErrors, never a store failure.
 * Duplicate ids inside the batch are not checked here: the port wants a WrongExpectedRevisionError carrying the
 * stream's current revision for those, which needs a read.
 */
export function validateBatch(streamName: string, events: readonly NewEvent[]): void {
  if (typeof streamName !== 'string' || streamName.length === 0) throw new TypeError('Append: a stream name is required');
  if (streamName.startsWith('$')) {
    throw new TypeError(`Append to ${streamName}: streams beginning with $ are EventStoreDB system streams`);
  }
  if (!Array.isArray(events) || events.length === 0) {
    throw new RangeError(`Append to ${streamName}: at least one event is required`);
  }
  for (const event of events) {
    if (!event || !event.eventId || !event.type) {
      throw new TypeError(`Append to ${streamName}: every event needs an eventId and a type`);
    }
    if (!CANONICAL_UUID.test(event.eventId)) {
      throw new TypeError(
        `Append to ${streamName}: event id ${event.eventId} is not a lower-case UUID; EventStoreDB stores event ids as UUIDs`,
      );
    }
    if (event.type.startsWith('$')) {
      throw new TypeError(`Append to ${streamName}: event type ${event.type} begins with $, which EventStoreDB reserves`);
    }
  }
}

export function hasDuplicateIds(events: readonly NewEvent[]): boolean {
  return new Set(events.map((event) => event.eventId)).size !== events.length;
}

/**
 * The port's metadata as EventStoreDB metadata JSON: correlationId/causationId become the reserved
 * `$correlationId`/`$causationId` (so the server's `$by_correlation_id` projection sees them); every other key is kept
 * as is. Other `$` keys are refused: EventStoreDB reserves them and they would not round-trip.
 */
export function toEsdbMetadata(metadata: EventMetadata): Record<string, unknown> {
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) {
    throw new TypeError('Event metadata must be an object');
  }
  const { correlationId, causationId, ...rest } = metadata;
  for (const key of Object.keys(rest)) {
    if (key.startsWith('$')) throw new TypeError(`Event metadata key ${key} begins with $, which EventStoreDB reserves`);
  }
  return {
    ...rest,
    ...(correlationId !== undefined ? { $correlationId: correlationId } : {}),
    ...(causationId !== undefined ? { $causationId: causationId } : {}),
  };
}

/** The inverse of toEsdbMetadata. Metadata that is not a JSON object (another writer's) comes back as an empty object. */
export function fromEsdbMetadata(raw: unknown): EventMetadata {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw) || raw instanceof Uint8Array) {
    return {} as EventMetadata;
  }
  const { $correlationId, $causationId, ...rest } = raw as Record<string, unknown>;
  return {
    ...rest,
    ...($correlationId !== undefined ? { correlationId: $correlationId } : {}),
    ...($causationId !== undefined ? { causationId: $causationId } : {}),
  } as EventMetadata;
}

/** What `jsonEvent` would build, with the id kept (idempotent appends) and data/metadata checked to be JSON now. */
export interface ProposedEsdbEvent {
  id: string;
  type: string;
  contentType: 'application/json';
  data: unknown;
  metadata: Record<string, unknown>;
}

export function toEsdbEvent(streamName: string, event: NewEvent): ProposedEsdbEvent {
  const data = event.data === undefined ? null : event.data;
  const metadata = toEsdbMetadata(event.metadata);
  try {
    // The client serialises later, inside the gRPC call; a BigInt or a cycle must fail here, as the caller's error. The
    // data's canonical text, as sealing hashes it, also refuses NaN and Infinity, which JSON.stringify writes as null.
    canonicalDataText(data);
    JSON.stringify(metadata);
  } catch (error) {
    throw new TypeError(
      `Append to ${streamName}: event ${event.eventId} is not JSON-serialisable: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { id: event.eventId, type: event.type, contentType: 'application/json', data, metadata };
}

/**
 * toEsdbEvent without its check, for events checked before and sealed since: sealing has just encoded their data and
 * metadata canonically, so a second check on every attempt would only encode them again.
 */
export function sealedToEsdbEvent(event: NewEvent): ProposedEsdbEvent {
  return { id: event.eventId, type: event.type, contentType: 'application/json', data: event.data === undefined ? null : event.data, metadata: toEsdbMetadata(event.metadata) };
}

// ---------------------------------------------------------------- positions

/**
 * The port's position is EventStoreDB's commit position. Since 20.x every event written through gRPC has
 * commit == prepare (no explicit transactions), so one number identifies it. An event written by a legacy TCP
 * transaction shares its commit position with the rest of the transaction and cannot be given a distinct bigint:
 * refused loudly rather than delivered under a position that would make readers skip its neighbours.
 */
export function toPortPosition(position: Position | undefined, what: string): bigint {
  if (!position) {
    throw new StoreUnavailableError(
      `EventStoreDB did not report the position of ${what}; stream reads carry positions from server 22.6 on`,
    );
  }
  if (position.commit !== position.prepare) {
    throw new StoreUnavailableError(
      `EventStoreDB reported ${what} at commit ${position.commit} / prepare ${position.prepare}; the ledger needs ` +
        'commit == prepare (events written through gRPC, not a legacy TCP transaction)',
    );
  }
  return position.commit;
}

/** A port position as a read/subscription starting point; START (0) is EventStoreDB's start of $all. */
export function toEsdbReadPosition(position: bigint): ReadPosition {
  if (position <= START) return esdbClient().START;
  return { commit: position, prepare: position };
}

/** Total order of $all positions (commit first, then prepare). */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}

/**
 * Exclusive bound of a $all read. EventStoreDB's fromPosition is inclusive forwards (the event at exactly that
 * position comes back first), so the adapter drops everything at or before the bound forwards and at or after it
 * backwards, whichever way the server treats the boundary.
 */
export function isBeyondBound(position: Position, bound: Position | undefined, direction: 'forwards' | 'backwards'): boolean {
  if (!bound) return true;
  const order = comparePositions(position, bound);
  return direction === 'forwards' ? order > 0 : order < 0;
}

// ---------------------------------------------------------------- which events are the ledger's

export interface EsdbRecordLike {
  streamId: string;
  type: string;
}

/** Skips system events (`$`-types such as `$>` links and `$metadata`), system streams, and every other application's streams. */
export function isLedgerRecord(record: EsdbRecordLike, prefixes: readonly string[]): boolean {
  if (record.type.startsWith('$') || record.streamId.startsWith('$')) return false;
  return prefixes.some((prefix) => record.streamId.startsWith(prefix));
}

export function validatePrefixes(prefixes: readonly string[]): readonly string[] {
  if (!Array.isArray(prefixes) || prefixes.length === 0) throw new RangeError('streamPrefixes needs at least one prefix');
  for (const prefix of prefixes) {
    if (typeof prefix !== 'string' || prefix.length === 0) throw new RangeError('streamPrefixes must be non-empty strings');
    if (prefix.startsWith('$')) throw new RangeError(`streamPrefixes: ${prefix} would select system streams`);
  }
  return Object.freeze([...prefixes]);
}

export interface EsdbRecordedEventLike extends EsdbRecordLike {
  id: string;
  revision: bigint;
  data: unknown;
  metadata: unknown;
  position?: Position;
}

export function toRecordedEvent(record: EsdbRecordedEventLike): RecordedEvent {
  return {
    eventId: record.id,
    type: record.type,
    streamName: record.streamId,
    revision: record.revision,
    position: toPortPosition(record.position, `event ${record.streamId}@${record.revision}`),
    data: record.data,
    metadata: fromEsdbMetadata(record.metadata),
  };
}

// ---------------------------------------------------------------- errors

const CONNECTION_LOSS_MESSAGE =
  /RST_STREAM|Connection dropped|ECONNRESET|ECONNREFUSED|EPIPE|socket hang up|write after end|GOAWAY|Stream removed|Failed to discover|No connection established|Server Is Not Ready/i;

/**
 * Transient: the connection or the node, not the request. Retrying the same request later may succeed (and, for an
 * append, an id-keeping retry is idempotent). UNAVAILABLE, CANCELLED by the server (what a dropped subscription
 * surfaces as), DEADLINE_EXCEEDED, ABORTED (server timeout), NOT_LEADER, and INTERNAL/UNKNOWN statuses whose text
 * says the HTTP/2 connection went away or the node is not ready yet (starting, electing a leader).
 */
export function isTransientConnectionError(error: unknown): boolean {
  if (error instanceof StoreUnavailableError) return error instanceof EsdbTimeoutError || isTransientConnectionError(error.cause);
  if (!(error instanceof Error)) return false;
  const converted = esdbClient().convertToCommandError(error);
  if (
    converted instanceof esdbClient().UnavailableError ||
    converted instanceof esdbClient().CancelledError ||
    converted instanceof esdbClient().DeadlineExceededError ||
    converted instanceof esdbClient().TimeoutError ||
    converted instanceof esdbClient().NotLeaderError
  ) {
    return true;
  }
  if (converted instanceof esdbClient().UnknownError || !('type' in converted)) {
    return CONNECTION_LOSS_MESSAGE.test(converted.message ?? '');
  }
  return false;
}

/** The adapter's own guard around a call that neither answers nor fails (a hung connection). */
export class EsdbTimeoutError extends StoreUnavailableError {
  constructor(operation: string, timeoutMs: number) {
    super(`EventStoreDB did not answer to ${operation} within ${timeoutMs} ms`);
    this.name = 'StoreUnavailableError';
  }
}

const GRPC_INVALID_ARGUMENT = 3;

/**
 * What the server refuses for good, whatever the retry: AccessDenied (PERMISSION_DENIED / UNAUTHENTICATED), StreamDeleted
 * (a tombstoned stream), MaximumAppendSizeExceeded, and a $all read from a position that is not a record boundary,
 * which the server reports as INVALID_ARGUMENT "Trying to read from an invalid position." with no exception trailer
 * (StorageReaderWorker → ReadAllResult.InvalidPosition → RpcExceptions.InvalidPositionException), so the client
 * leaves it an UnknownError.
 */
export function refusalOf(error: unknown): StoreRefusal | undefined {
  if (error instanceof esdbClient().AccessDeniedError) return 'access-denied';
  if (error instanceof esdbClient().StreamDeletedError) return 'stream-deleted';
  if (error instanceof esdbClient().MaxAppendSizeExceededError) return 'too-large';
  if (error instanceof Error && (error as { code?: unknown }).code === GRPC_INVALID_ARGUMENT && /invalid position/i.test(error.message)) {
    return 'invalid-position';
  }
  return undefined;
}

/**
 * Every failure of a store call as the port's error: WrongExpectedVersion becomes WrongExpectedRevisionError with the
 * current revision (undefined for no stream); what the server refuses for good becomes StoreRefusedError (see
 * refusalOf); everything else the caller cannot fix becomes StoreUnavailableError, with the client's error as `cause`.
 */
export function toPortError(
  operation: string,
  error: unknown,
  append?: { streamName: string; expected: ExpectedRevision },
): Error {
  if (error instanceof WrongExpectedRevisionError || error instanceof StoreUnavailableError || error instanceof StoreRefusedError) return error;
  const converted = error instanceof Error ? esdbClient().convertToCommandError(error) : error;
  if (append && converted instanceof esdbClient().WrongExpectedVersionError) {
    return new WrongExpectedRevisionError(append.streamName, append.expected, fromEsdbCurrentRevision(converted.actualVersion));
  }
  const message = converted instanceof Error ? converted.message : String(converted);
  const refusal = refusalOf(converted);
  if (refusal) return new StoreRefusedError(refusal, `EventStoreDB refused to ${operation}: ${message}`, converted);
  if (isTransientConnectionError(converted)) {
    return new StoreUnavailableError(`EventStoreDB is unavailable: cannot ${operation}: ${message}`, converted);
  }
  return new StoreUnavailableError(`EventStoreDB failed to ${operation}: ${message}`, converted);
}
