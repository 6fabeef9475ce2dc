import type {
  AllStreamResolvedEvent,
  EventStoreDBClient,
  jsonEvent,
  JSONType,
  Position,
  ReadPosition,
  ResolvedEvent,
  StreamingRead,
} from '@eventstore/db-client';
import { esdbClient } from './esdb-client';
import {
  AppendResult,
  EventStore,
  ExpectedRevision,
  NewEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
  START,
  StoreRefusedError,
  StoreUnavailableError,
  StreamWrite,
  SubscribeToAllOptions,
  Subscription,
  SubscriptionHandlers,
  WrongExpectedRevisionError,
} from '../event-store.port';
import { sealEvents } from '@ledger/integrity';
import { BackoffPolicy, backoffPolicy } from './backoff';
import {
  assertExpectedRevision,
  comparePositions,
  DEFAULT_LEDGER_STREAM_PREFIXES,
  EsdbTimeoutError,
  fromEsdbCurrentRevision,
  hasDuplicateIds,
  isBeyondBound,
  isLedgerRecord,
  isTransientConnectionError,
  sealedToEsdbEvent,
  toEsdbEvent,
  toEsdbReadPosition,
  toPortError,
  toPortPosition,
  toRecordedEvent,
  validateBatch,
  validatePrefixes,
} from './esdb-mapping';
import { idempotentReplayResult, revisionMatches } from '../store-rules';
import { EsdbLogger, EsdbSubscription } from './esdb-subscription';
import { StreamIdCache, StreamIds } from './stream-id-cache';

const DEFAULT_OPERATION_TIMEOUT_MS = 10_000;
const DEFAULT_READ_PAGE_SIZE = 500;
const DEFAULT_MAX_APPEND_ATTEMPTS = 25;
const DEFAULT_ID_CACHE_STREAMS = 1000;
const DEFAULT_TRANSIENT_RETRIES = 2;
/** Pause before each retry of a call that failed on a connection loss (then the last value repeats). */
const TRANSIENT_RETRY_DELAYS_MS = [50, 250, 500];

export interface EsdbEventStoreOptions {
  /**
   * `esdb://host:2113?tls=false` (insecure single node), `esdb://host:2113?tlsCAFile=/path/ca.crt` (TLS with a CA),
   * `esdb://a:2113,b:2113,c:2113?nodePreference=leader&tlsCAFile=...` (cluster, gossip on the listed nodes) or
   * `esdb+discover://cluster.dns:2113` (DNS discovery). Required unless `client` is given.
   */
  connectionString?: string;
  /** An existing client instead of a connection string. The store disposes it on close() only if it created it. */
  client?: EventStoreDBClient;
  /**
   * Streams that are the ledger's: readAll, headPosition and subscribeToAll return only events of streams whose name
   * starts with one of these (EventStoreDB's $all also holds system streams and any other application's streams).
   * Default: `incident-`, `party-`. The contract suite writes `contract<label>-<uuid>` streams and passes
   * `['contract']`.
   */
  streamPrefixes?: readonly string[];
  /** Subscription reconnect schedule (see BackoffPolicy); default 100 ms doubling to 5 s, retried forever. */
  reconnect?: Partial<BackoffPolicy>;
  /**
   * Upper bound of one call to the server (a read page, an append). A call that neither answers nor fails within it
   * is cancelled and reported as StoreUnavailableError. Default 10 s.
   */
  operationTimeoutMs?: number;
  /** Events per $all page when filtering client-side (readAll, headPosition). Default 500. */
  readPageSize?: number;
  /**
   * An append is checked against the stream as read, then written with the revision it was checked against; a
   * concurrent writer in between makes the server refuse it and the append is decided again on the new state. This
   * bounds how often. Default 25.
   */
  maxAppendAttempts?: number;
  /**
   * How many streams' event ids the pre-append check keeps in memory (least recently appended-to forgotten first), so
   * that an append reads only the events added since the last one. 0: read the whole stream on every append.
   * Default 1000.
   */
  idCacheStreams?: number;
  /**
   * How often a read or an append that failed on a connection loss (not a timeout) is retried at once, after 50 ms
   * then 250 ms. Safe: reads have no effect, and an append re-checks the stream first, so one whose first attempt was
   * written comes back as a replay. Covers the first calls after the node returns (the client reconnects lazily) and
   * a leader change. Default 2; 0 reports the first failure.
   */
  transientRetries?: number;
  /** Where reconnects are reported. Default: silent. */
  logger?: EsdbLogger;
  /** Random source for backoff jitter (tests). */
  random?: () => number;
}

/**
 * The EventStore port on EventStoreDB (server 22.6+, 24.10 in production) through @eventstore/db-client 6.x.
 *
 * Append. EventStoreDB's own idempotency keys on the batch's first event id and, with `any`, writes a batch whose
 * first id is new even if a later id is already stored (a duplicate id in one batch is accepted too). The port is
 * stricter, so the adapter reads the stream first (its ids, revisions, positions), decides like the embedded store —
 * duplicate in the batch, partial overlap, replay, revision mismatch — and writes with the exact revision it decided
 * against (`no_stream` for a new stream). A concurrent writer in between makes the server answer WrongExpectedVersion
 * and the decision is taken again on the new state, so the check and the write are atomic in effect. A replay of a
 * stored batch returns the original result without writing. Appends to one stream from this process queue up behind
 * each other instead of racing. The cost is one stream read per append; the event ids of
 * recently written streams are cached (streams are append-only), so that read returns only what other writers added
 * since this process last appended there (see StreamIdCache).
 *
 * Reads. readStream maps StreamNotFound to []. readAll/headPosition read $all page by page and keep only events of
 * the configured stream prefixes that are not system events; their positions are EventStoreDB commit positions, and
 * `fromPosition` is exclusive as the port says (EventStoreDB's is inclusive forwards: the event at exactly that
 * position is dropped). headPosition is therefore the position of the newest *ledger* event (START when none), the
 * same number a subscription's checkpoint reaches, so "checkpoint == head" means read models are in sync even while
 * EventStoreDB writes its own statistics and projection events.
 *
 * Subscription. A catch-up subscription to $all with a server-side stream-name prefix filter, resumed after the
 * checkpoint, reconnecting with backoff on connection loss (see EsdbSubscription).
 *
 * Errors. WrongExpectedVersion → WrongExpectedRevisionError with the current revision (undefined when the stream does
 * not exist); access denied, a deleted stream, an append over the server's size limit and a $all position that is
 * not a record boundary → StoreRefusedError (retrying cannot help); unavailable / cancelled / deadline / not-leader /
 * connection resets, and anything else the server refuses, → StoreUnavailableError with the client's error as cause. An append that fails with
 * StoreUnavailableError may or may not have been written (a deadline can expire after the write): retrying it with
 * the same event ids is safe, it is then a replay.
 */
export class EsdbEventStore implements EventStore {
  readonly streamPrefixes: readonly string[];
  private readonly client: EventStoreDBClient;
  private readonly ownsClient: boolean;
  private readonly backoff: BackoffPolicy;
  private readonly timeoutMs: number;
  private readonly pageSize: number;
  private readonly maxAppendAttempts: number;
  private readonly transientRetries: number;
  private readonly logger: EsdbLogger | undefined;
  private readonly random: (() => number) | undefined;
  private readonly subscriptions = new Set<EsdbSubscription>();
  private readonly idCache: StreamIdCache;
  private readonly streamQueues = new Map<string, Promise<void>>();
  /** Result of the last headPosition scan and the raw $all position it started from. */
  private knownHead: { position: bigint; scannedFrom: Position } | undefined;
  private closing: Promise<void> | undefined;
  /** The user named in the connection string (undefined: anonymous, or a client given ready-made). */
  private connectionUser: string | undefined;

  constructor(options: EsdbEventStoreOptions) {
    this.streamPrefixes = validatePrefixes(options.streamPrefixes ?? DEFAULT_LEDGER_STREAM_PREFIXES);
    this.backoff = backoffPolicy(options.reconnect);
    this.timeoutMs = positiveInteger(options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS, 'operationTimeoutMs');
    this.pageSize = positiveInteger(options.readPageSize ?? DEFAULT_READ_PAGE_SIZE, 'readPageSize');
    this.maxAppendAttempts = positiveInteger(options.maxAppendAttempts ?? DEFAULT_MAX_APPEND_ATTEMPTS, 'maxAppendAttempts');
    this.transientRetries = nonNegativeInteger(options.transientRetries ?? DEFAULT_TRANSIENT_RETRIES, 'transientRetries');
    this.idCache = new StreamIdCache(options.idCacheStreams ?? DEFAULT_ID_CACHE_STREAMS);
    this.logger = options.logger;
    this.random = options.random;
    if (options.client) {
      this.client = options.client;
      this.ownsClient = false;
    } else if (options.connectionString) {
      try {
        this.client = esdbClient().EventStoreDBClient.connectionString(options.connectionString);
        this.connectionUser = userOfConnectionString(options.connectionString);
      } catch (error) {
        throw new RangeError(`Invalid EventStoreDB connection string: ${messageOf(error)}`);
      }
      this.ownsClient = true;
    } else {
      throw new RangeError('EsdbEventStore needs a connectionString or a client');
    }
  }

  async append(
    streamName: string,
    events: NewEvent[],
    options?: { expectedRevision?: ExpectedRevision },
  ): Promise<AppendResult> {
    const expected = options?.expectedRevision ?? 'any';
    assertExpectedRevision(expected);
    validateBatch(streamName, events);
    // Mapped once up front so that unserialisable data is the caller's error before any round trip.
    for (const event of events) toEsdbEvent(streamName, event);
    this.assertOpen();
    return this.oneAtATime(streamName, () => this.appendChecked(streamName, events, expected));
  }

  /**
   * EventStoreDB has no multi-stream transaction: one append per write, in order, stopping at the first failure
   * (the writes before it stay stored; see the port).
   */
  async appendMany(writes: StreamWrite[]): Promise<AppendResult[]> {
    if (writes.length === 0) throw new RangeError('appendMany needs at least one write');
    // Every write is checked before the first is sent, so that a caller's mistake writes nothing.
    for (const write of writes) {
      assertExpectedRevision(write.expectedRevision ?? 'any');
      validateBatch(write.streamName, write.events);
      for (const event of write.events) toEsdbEvent(write.streamName, event);
    }
    const results: AppendResult[] = [];
    for (const write of writes) {
      results.push(await this.append(write.streamName, write.events, { expectedRevision: write.expectedRevision }));
    }
    return results;
  }

  /** The batch linked onto the stream's hash chain as it stands now; recomputed on every attempt. */
  private proposedEvents(streamName: string, events: NewEvent[], stored: StreamIds): ReturnType<typeof jsonEvent>[] {
    const first = stored.current === undefined ? 0n : stored.current + 1n;
    return sealEvents(streamName, first, stored.lastHash ?? null, events).map((event) => {
      const esdb = sealedToEsdbEvent(event);
      return esdbClient().jsonEvent({ id: esdb.id, type: esdb.type, data: esdb.data as JSONType, metadata: esdb.metadata });
    });
  }

  private async appendChecked(
    streamName: string,
    events: NewEvent[],
    expected: ExpectedRevision,
  ): Promise<AppendResult> {
    let connectionFailures = 0;
    for (let attempt = 1; ; attempt += 1) {
      const stored = await this.storedIds(streamName);
      const conflict = () => new WrongExpectedRevisionError(streamName, expected, stored.current);

      if (hasDuplicateIds(events)) throw conflict();
      const hits = events.map((event) => stored.byId.get(event.eventId));
      if (hits.some((hit) => hit !== undefined)) {
        const replay = idempotentReplayResult(hits, expected);
        if (!replay) throw conflict();
        return replay;
      }
      if (!revisionMatches(expected, stored.current)) throw conflict();

      // Pinned to the revision the chain was computed on: a concurrent write means the links must be recomputed.
      const pinned = stored.current === undefined ? esdbClient().NO_STREAM : stored.current;
      const proposed = this.proposedEvents(streamName, events, stored);
      try {
        const result = await this.withTimeout(`append to ${streamName}`, () =>
          this.client.appendToStream(streamName, proposed, { expectedRevision: pinned }),
        );
        return await this.appendResult(streamName, events.length, result);
      } catch (error) {
        const converted = error instanceof Error ? esdbClient().convertToCommandError(error) : error;
        if (converted instanceof esdbClient().WrongExpectedVersionError) {
          // Someone wrote between the read and the write: decide again on what is there now.
          if (attempt < this.maxAppendAttempts) {
            await pause(attempt, this.random);
            continue;
          }
          throw new WrongExpectedRevisionError(streamName, expected, fromEsdbCurrentRevision(converted.actualVersion));
        }
        if (this.isRetriable(converted) && connectionFailures < this.transientRetries) {
          // The write may or may not have landed: the next round's check tells, and replays it if it did.
          await sleep(retryDelay(connectionFailures));
          connectionFailures += 1;
          continue;
        }
        throw toPortError(`append to ${streamName}`, converted, { streamName, expected });
      }
    }
  }

  async readStream(streamName: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = limitOf(options.maxCount);
    if (options.fromRevision !== undefined && (typeof options.fromRevision !== 'bigint' || options.fromRevision < 0n)) {
      throw new RangeError(`fromRevision must be a bigint >= 0, got ${String(options.fromRevision)}`);
    }
    if (maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    const events: RecordedEvent[] = [];
    try {
      await this.drain<ResolvedEvent>(`read stream ${streamName}`, () =>
        this.client.readStream(streamName, {
          direction: backwards ? esdbClient().BACKWARDS : esdbClient().FORWARDS,
          fromRevision: options.fromRevision ?? (backwards ? esdbClient().END : esdbClient().START),
          ...(maxCount !== undefined ? { maxCount } : {}),
        }),
        (resolved) => {
          if (resolved.event) events.push(toRecordedEvent(resolved.event));
        },
      );
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw toPortError(`read stream ${streamName}`, error);
    }
    return events;
  }

  async streamRevision(streamName: string): Promise<bigint | undefined> {
    const [last] = await this.readStream(streamName, { direction: 'backwards', maxCount: 1 });
    return last?.revision;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = limitOf(options.maxCount);
    if (options.fromPosition !== undefined && (typeof options.fromPosition !== 'bigint' || options.fromPosition < 0n)) {
      throw new RangeError(`fromPosition must be a bigint >= 0, got ${String(options.fromPosition)}`);
    }
    return this.readLedgerEvents(options.direction ?? 'forwards', options.fromPosition, maxCount);
  }

  /**
   * Position of the newest ledger event (START when there is none). $all is scanned backwards from its end, but only
   * down to where the previous call started: the log is append-only, so below that the answer is already known. A
   * health check calling this often therefore reads only what was written since, even when the newest ledger event
   * lies under many system or foreign events.
   */
  async headPosition(): Promise<bigint> {
    const known = this.knownHead;
    let top: Position | undefined;
    const [newest] = await this.readLedgerEvents('backwards', undefined, 1, {
      stopAt: known?.scannedFrom,
      onFirstRecord: (position) => (top = position),
    });
    const head = newest?.position ?? known?.position ?? START;
    if (top && (!this.knownHead || comparePositions(top, this.knownHead.scannedFrom) > 0)) {
      this.knownHead = { position: head, scannedFrom: top };
    }
    return head;
  }

  subscribeToAll(options: SubscribeToAllOptions, handlers: SubscriptionHandlers): Subscription {
    if (this.closing) throw new StoreUnavailableError('EventStoreDB event store is closed');
    const fromPosition = options.fromPosition ?? START;
    if (typeof fromPosition !== 'bigint' || fromPosition < 0n) {
      throw new RangeError(`fromPosition must be a bigint >= 0, got ${String(fromPosition)}`);
    }
    const prefixes = [...this.streamPrefixes];
    const subscription = new EsdbSubscription({
      fromPosition,
      handlers,
      backoff: this.backoff,
      random: this.random,
      logger: this.logger,
      open: (checkpoint) =>
        this.client.subscribeToAll({
          fromPosition: toEsdbReadPosition(checkpoint),
          resolveLinkTos: false,
          filter: esdbClient().streamNameFilter({ prefixes }),
        }),
      convert: (resolved: AllStreamResolvedEvent) =>
        resolved.event && isLedgerRecord(resolved.event, this.streamPrefixes) ? toRecordedEvent(resolved.event) : undefined,
      onFinished: (finished) => this.subscriptions.delete(finished),
    });
    this.subscriptions.add(subscription);
    return subscription;
  }

  /** One $all read of the newest record: proves the node answers reads. */
  async ping(): Promise<void> {
    try {
      await this.drain<AllStreamResolvedEvent>('ping', () =>
        this.client.readAll({ direction: esdbClient().BACKWARDS, fromPosition: esdbClient().END, maxCount: 1 }),
        () => undefined,
      );
    } catch (error) {
      const failure = toPortError('ping', error);
      if (failure instanceof StoreRefusedError && failure.reason === 'access-denied') {
        throw new StoreRefusedError('access-denied', explainAccessRefusal(this.connectionUser, failure), failure.cause);
      }
      throw failure;
    }
  }

  async close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    await Promise.all([...this.subscriptions].map((subscription) => subscription.stop()));
    if (this.ownsClient) await this.client.dispose();
  }

  /**
   * Runs the appends of one stream one after the other within this process, so that they do not make each other
   * retry (each would otherwise read, lose the race at the server, read again...). Other processes' writes are still
   * caught by the exact revision every write carries.
   */
  private async oneAtATime<T>(streamName: string, run: () => Promise<T>): Promise<T> {
    const previous = this.streamQueues.get(streamName) ?? Promise.resolve();
    const current = previous.then(run);
    const settled = current.then(noop, noop);
    this.streamQueues.set(streamName, settled);
    try {
      return await current;
    } finally {
      if (this.streamQueues.get(streamName) === settled) this.streamQueues.delete(streamName);
    }
  }

  /**
   * Every event id of the stream with its revision and position, and the stream's current revision: the events
   * added since the last append to this stream are read and merged into the cache, or the whole stream when it is
   * not cached (or no longer continues what was cached).
   */
  private async storedIds(streamName: string): Promise<StreamIds> {
    const from = this.idCache.nextRevision(streamName);
    const known = this.idCache.merge(streamName, from, await this.readStream(streamName, { fromRevision: from }));
    if (known) return known;
    this.idCache.forget(streamName);
    return this.idCache.merge(streamName, 0n, await this.readStream(streamName))!;
  }

  /**
   * The server's answer for a single event is that event's position. For a batch (and whenever the answer carries no
   * usable position) the last event is read back, so the result is the last event's position whatever the server
   * reports for a multi-event commit.
   */
  private async appendResult(
    streamName: string,
    count: number,
    result: { nextExpectedRevision: bigint; position?: { commit: bigint; prepare: bigint } },
  ): Promise<AppendResult> {
    const nextExpectedRevision = result.nextExpectedRevision;
    if (count === 1 && result.position && result.position.commit === result.position.prepare) {
      return { nextExpectedRevision, position: result.position.commit };
    }
    const [last] = await this.readStream(streamName, { fromRevision: nextExpectedRevision, maxCount: 1 });
    if (!last) {
      throw new StoreUnavailableError(`EventStoreDB acknowledged ${streamName}@${nextExpectedRevision} but does not return it`);
    }
    return { nextExpectedRevision, position: last.position };
  }

  /**
   * Ledger events of $all after (forwards) or before (backwards) an exclusive position. EventStoreDB 6.x clients
   * cannot filter reads server-side, so pages of raw $all are filtered here; the next page starts at the last raw
   * record seen, which is then excluded again.
   */
  private async readLedgerEvents(
    direction: 'forwards' | 'backwards',
    fromPosition: bigint | undefined,
    maxCount: number | undefined,
    scan: { stopAt?: Position; onFirstRecord?: (position: Position) => void } = {},
  ): Promise<RecordedEvent[]> {
    const events: RecordedEvent[] = [];
    if (maxCount === 0) return events;
    const forwards = direction === 'forwards';
    let bound: Position | undefined =
      fromPosition === undefined || (forwards && fromPosition === START) ? undefined : { commit: fromPosition, prepare: fromPosition };
    let cursor: ReadPosition = bound ?? (forwards ? esdbClient().START : esdbClient().END);
    let first = true;
    for (;;) {
      let seen = 0;
      let lastRaw: Position | undefined;
      let full = false;
      let reachedStop = false;
      const pageBound = bound;
      try {
        await this.drain<AllStreamResolvedEvent>('read $all', () =>
          this.client.readAll({ direction: forwards ? esdbClient().FORWARDS : esdbClient().BACKWARDS, fromPosition: cursor, maxCount: this.pageSize }),
          (resolved) => {
            seen += 1;
            const record = resolved.event;
            if (!record) return false;
            if (first) scan.onFirstRecord?.(record.position);
            first = false;
            lastRaw = record.position;
            // Backwards scans only: everything at or below stopAt was examined by an earlier scan.
            if (scan.stopAt && comparePositions(record.position, scan.stopAt) <= 0) {
              reachedStop = true;
              return true;
            }
            if (!isBeyondBound(record.position, pageBound, direction)) return false;
            if (!isLedgerRecord(record, this.streamPrefixes)) return false;
            events.push(toRecordedEvent(record));
            full = maxCount !== undefined && events.length >= maxCount;
            return full;
          },
        );
      } catch (error) {
        throw toPortError('read $all', error);
      }
      if (full || reachedStop || seen < this.pageSize || !lastRaw) return events;
      cursor = lastRaw;
      bound = lastRaw;
    }
  }

  /**
   * Reads a client stream to its end (or until onItem returns true), under the operation timeout. A call that fails
   * on a connection loss before delivering anything is made again (transientRetries). Errors come out as the client
   * raised them; callers map them.
   */
  private async drain<E>(operation: string, open: () => StreamingRead<E>, onItem: (item: E) => boolean | void): Promise<void> {
    for (let failures = 0; ; failures += 1) {
      let delivered = false;
      try {
        await this.drainOnce(operation, open, (item) => {
          delivered = true;
          return onItem(item);
        });
        return;
      } catch (error) {
        if (delivered || failures >= this.transientRetries || !this.isRetriable(error)) throw error;
        await sleep(retryDelay(failures));
      }
    }
  }

  /** A connection loss worth trying again at once; not the adapter's own timeout, which already used the budget. */
  private isRetriable(error: unknown): boolean {
    return !(error instanceof EsdbTimeoutError) && isTransientConnectionError(error) && !this.closing;
  }

  private async drainOnce<E>(operation: string, open: () => StreamingRead<E>, onItem: (item: E) => boolean | void): Promise<void> {
    this.assertOpen();
    const stream = open();
    stream.on('error', noop);
    // Leaving the loop early destroys the client's read stream, which unpipes its gRPC stream with answers possibly
    // still buffered; when the server has already finished the call, cancel() cannot end it, and the client's
    // dispose() (close()) would wait for it forever. Letting it flow lets it reach its end.
    (stream as unknown as NodeJS.EventEmitter).on('unpipe', (source: NodeJS.ReadableStream) => source.resume());
    try {
      await this.withTimeout(operation, async () => {
        for await (const item of stream) {
          if (onItem(item as E) === true) break;
        }
      });
    } finally {
      // Ends the gRPC call when the read stopped early or timed out; harmless once it completed.
      stream.cancel().catch(noop);
    }
  }

  private async withTimeout<T>(operation: string, run: () => Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new EsdbTimeoutError(operation, this.timeoutMs)), this.timeoutMs);
    });
    try {
      return await Promise.race([run(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new StoreUnavailableError('EventStoreDB event store is closed');
  }
}

function isStreamNotFound(error: unknown): boolean {
  return error instanceof esdbClient().StreamNotFoundError || (error instanceof Error && esdbClient().convertToCommandError(error) instanceof esdbClient().StreamNotFoundError);
}

function limitOf(maxCount: number | undefined): number | undefined {
  if (maxCount === undefined) return undefined;
  if (!Number.isInteger(maxCount) || maxCount < 0) throw new RangeError(`maxCount must be a non-negative integer, got ${maxCount}`);
  return maxCount;
}

function nonNegativeInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
  return value;
}

function retryDelay(failures: number): number {
  return TRANSIENT_RETRY_DELAYS_MS[Math.min(failures, TRANSIENT_RETRY_DELAYS_MS.length - 1)];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
  return value;
}

/** Spreads contending appenders after the first retries. */
function pause(attempt: number, random: () => number = Math.random): Promise<void> {
  if (attempt < 3) return Promise.resolve();
  return new Promise((resolve) => setTimeout(resolve, Math.floor(random() * Math.min(50, attempt * 5))));
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const noop = (): void => undefined;

/** The user of `esdb://user:password@host…`, if any (the client reads the same part as its default credentials). */
function userOfConnectionString(connectionString: string): string | undefined {
  const match = /^esdb(?:\+discover)?:\/\/([^@/?]*)@/i.exec(connectionString.trim());
  if (!match) return undefined;
  const user = match[1].split(':')[0];
  try {
    return decodeURIComponent(user) || undefined;
  } catch {
    return user || undefined;
  }
}

/**
 * What an operator must change when the node refuses the ledger's first read of $all. A secure 24.10 node refuses
 * anonymous calls and lets only $admins read $all; the client sends no credentials over a tls=false connection.
 */
function explainAccessRefusal(user: string | undefined, refusal: StoreRefusedError): string {
  const unauthenticated = /UNAUTHENTICATED/i.test(refusal.message);
  const advice = unauthenticated
    ? `EventStoreDB did not accept the credentials of user "${user ?? '?'}" in EVENTSTORE_CONNECTION_STRING (unknown user or wrong password)`
    : user === undefined
      ? 'EventStoreDB refused an anonymous client: a secure node (the default since 24.10) needs a user in the connection string, ' +
        'esdb://user:password@host:2113?tlsCAFile=…, over TLS (the client sends no credentials with tls=false)'
      : `EventStoreDB refused user "${user}" to read $all, which the ledger reads for its read models, feeds and notary: ` +
        'use a member of $admins, or grant that user read access to $all in the node\'s access control';
  return `${advice} (${refusal.message})`;
}
