/**
 * The port both stores implement (embedded SQLite, EventStoreDB). Revisions
 * and positions are bigint because EventStoreDB's are 64-bit.
 *
 * - revision: 0-based index of an event within its stream.
 * - position: the event's place in the global log; strictly increasing in
 *   commit order, not necessarily dense. `START` is before every event.
 */

export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | bigint;

export const START: bigint = 0n;

export interface EventMetadata {
  /** Server clock, ISO-8601, when the ledger recorded the event. */
  recordedAt: string;
  /** The authenticated principal who caused the write. */
  recordedBy: string;
  correlationId: string;
  causationId: string;
  idempotencyKey?: string;
  /** Digest of the request that produced the event; detects an Idempotency-Key reused for another request. */
  requestHash?: string;
  [extra: string]: unknown;
}

export interface NewEvent {
  eventId: string;
  /** Stored, versioned type name, e.g. `ClaimMade.v1`. */
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  eventId: string;
  type: string;
  streamName: string;
  revision: bigint;
  position: bigint;
  data: unknown;
  metadata: EventMetadata;
}

export interface AppendResult {
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: bigint;
  /** Global position of the last event written (or of the already-stored duplicate). */
  position: bigint;
}

/** One stream's part of an appendMany. */
export interface StreamWrite {
  streamName: string;
  /** At least one. */
  events: NewEvent[];
  /** As for append; defaults to 'any'. */
  expectedRevision?: ExpectedRevision;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive. Defaults to the first event forwards, the last event backwards. */
  fromRevision?: bigint;
  maxCount?: number;
}

export interface ReadAllOptions {
  direction?: 'forwards' | 'backwards';
  /** Exclusive: events strictly after this position forwards, strictly before it backwards. */
  fromPosition?: bigint;
  maxCount?: number;
}

export interface SubscribeToAllOptions {
  /** Exclusive checkpoint: delivery starts with the first event after it. */
  fromPosition?: bigint;
}

export interface SubscriptionHandlers {
  /**
   * Called once per event in global order; the next event is not delivered
   * until the returned promise settles. A rejection stops the subscription
   * and is reported through onError.
   */
  onEvent: (event: RecordedEvent) => Promise<void> | void;
  /** Called each time the subscription has delivered everything stored so far. */
  onCaughtUp?: (position: bigint) => void;
  onError?: (error: unknown) => void;
}

export interface Subscription {
  stop(): Promise<void>;
}

export interface EventStore {
  append(streamName: string, events: NewEvent[], options?: { expectedRevision?: ExpectedRevision }): Promise<AppendResult>;
  /**
   * Several appends, each with its own expected revision and the same rules as append, made in the order given;
   * resolves with their results in that order, or rejects with the first failure (a WrongExpectedRevisionError names
   * the stream that conflicted).
   *
   * How atomic it is depends on the store:
   * - SQLite: one transaction. All writes are stored or none is; a crash leaves all or nothing.
   * - EventStoreDB (24.10 has no multi-stream transaction): one append per write, in order, stopping at the first
   *   failure. Writes before the failure stay stored, so a caller orders the writes so that any stored prefix is
   *   harmless, and a retry with the same event ids completes the rest (each append is idempotent by event id).
   */
  appendMany(writes: StreamWrite[]): Promise<AppendResult[]>;
  readStream(streamName: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Current revision of a stream, or undefined when it has no events. */
  streamRevision(streamName: string): Promise<bigint | undefined>;
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** Position of the last event in the global log, START when empty. */
  headPosition(): Promise<bigint>;
  subscribeToAll(options: SubscribeToAllOptions, handlers: SubscriptionHandlers): Subscription;
  /** Cheap liveness check for health endpoints. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const EVENT_STORE = Symbol('EVENT_STORE');

export class WrongExpectedRevisionError extends Error {
  constructor(
    readonly streamName: string,
    readonly expected: ExpectedRevision,
    /** undefined when the stream does not exist. */
    readonly actual: bigint | undefined,
  ) {
    super(
      `Stream ${streamName}: expected revision ${String(expected)}, actual ${actual === undefined ? 'no stream' : actual.toString()}`,
    );
    this.name = 'WrongExpectedRevisionError';
  }
}

/** The store cannot be reached or refused the operation for a reason that is not the caller's. */
export class StoreUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'StoreUnavailableError';
  }
}

/**
 * Why a store refused an operation for good (retrying the same request cannot succeed, unlike StoreUnavailableError):
 * - `access-denied`: the store's access control forbids the ledger's account this stream or read (an operator's
 *   configuration, e.g. a stream ACL);
 * - `stream-deleted`: the stream was deleted in the store and cannot be written or read again;
 * - `too-large`: the write is larger than the store accepts in one append (EventStoreDB: 1 MiB by default);
 * - `invalid-position`: a global position that is not the start of a record (EventStoreDB positions are byte offsets).
 */
export type StoreRefusal = 'access-denied' | 'stream-deleted' | 'too-large' | 'invalid-position';

/** The store refused the operation for a reason that retrying cannot change; `reason` says which. */
export class StoreRefusedError extends Error {
  constructor(
    readonly reason: StoreRefusal,
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'StoreRefusedError';
  }
}

/**
 * A stored event that cannot be read back (its data or metadata is no longer JSON): the log was damaged outside the
 * ledger. A kind of unavailability for readers; carries where it is, so that a verifier can report it and read on
 * past it.
 */
export class UnreadableEventError extends StoreUnavailableError {
  constructor(
    readonly position: bigint,
    readonly streamName: string,
    readonly revision: bigint,
    readonly eventId: string,
    readonly detail: string,
  ) {
    super(`Event ${streamName}@${revision} (position ${position}, id ${eventId}) cannot be read: ${detail}`);
    this.name = 'UnreadableEventError';
  }
}
