import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Decider, DomainError, LedgerEvent, fromStored, toStored } from '@ledger/domain';
import { AppendResult, EVENT_STORE, EventLoopSlice, EventStore, latencyTraceOn, NewEvent, RecordedEvent, streamEvents, StreamWrite, trace, traceNow, WrongExpectedRevisionError } from '@ledger/event-store';
import { WriteContentionError } from './application-errors';
import { Clock } from './clock';
import { CommandContext } from './command-context';
import { DecidedState, DecidedStateCache, heapBytesOf } from './decided-state-cache';
import { StoredEventIds } from './stored-event-ids';
import { idempotencyStream, idempotentEventId, reservationEventId } from './idempotency';
import { KeyedMutex } from './keyed-mutex';

export interface StreamCommandResult {
  streamName: string;
  /** Stream revision after the command: the new ETag. */
  revision: bigint;
  /** Global position of the command's last event: what read models must reach to show it. */
  position: bigint;
  events: LedgerEvent[];
  /** True when an Idempotency-Key matched an earlier command and nothing was appended. */
  replayed: boolean;
}

// Conflicts without If-Match come from another process writing the same
// stream; the command is decided again on the newer state rather than failing the client.
const MAX_ATTEMPTS = 5;
const RETRY_BASE_MS = 5;
/** Events read where a reservation says its command's events landed; a command writes far fewer. */
const REPLAY_PAGE = 64;
/** Events read first for a stored run: most commands store one to three. */
const RUN_FIRST_READ = 4;
/**
 * Events read at a time to fold a stream the cache does not hold. An incident of 50,000 claims read and folded in one
 * piece held the HTTP thread 1.35 s, and every other request waited; paged and folded in event-loop slices it does not.
 */
export const CATCH_UP_PAGE = 256;

export const IDEMPOTENCY_RESERVATION_TYPE = 'IdempotencyKeyReserved.v1';

interface Reservation {
  principal: string;
  requestHash?: string;
  target: string;
  /** Where the command's first event was to land (decimal); a hint for finding it again, absent in older reservations. */
  revision?: string;
}

type Replay = Omit<StreamCommandResult, 'streamName' | 'replayed'>;

/** One command of a batch: what a handler hands to execute(). */
export interface BatchCommand {
  streamName: string;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a batch mixes streams of different deciders
  decider: Decider<any, any, LedgerEvent>;
  command: unknown;
  ctx: CommandContext;
  /**
   * Called just before the command is decided, in batch order; throwing fails this command alone. `failed` tells
   * whether an earlier command of the batch (by its context) failed.
   */
  guard?: (failed: (ctx: CommandContext) => boolean) => void;
}

export type BatchOutcome = { result: StreamCommandResult } | { error: unknown };

/** A stream as a batch has decided it so far: state and revision as they will be once the batch is stored. */
interface BatchStream {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  decider: Decider<any, any, LedgerEvent>;
  state: unknown;
  revision: bigint | undefined;
  /** Estimated heap of `state` (see heapBytesOf). */
  bytes: number;
}


const bytesOf = (events: ReadonlyArray<{ data: unknown }>): number => events.reduce((sum, e) => sum + heapBytesOf(e.data), 0);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The write side's one recipe: take the stream's state as last decided (or
 * fold it from the start), fold in only the events stored since, decide,
 * append with the revision reached. The expected revision stays the only
 * guard: another process's write makes the append fail and the command is
 * decided again on the newer state. Handlers differ only in the command they
 * build.
 */
@Injectable()
export class StreamCommandExecutor {
  private readonly streams = new KeyedMutex();

  private readonly storedIds: StoredEventIds;

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly clock: Clock,
    private readonly states: DecidedStateCache,
  ) {
    this.storedIds = new StoredEventIds(store);
  }

  execute<State, Command, Event extends LedgerEvent>(
    streamName: string,
    decider: Decider<State, Command, Event>,
    command: Command,
    ctx: CommandContext,
  ): Promise<StreamCommandResult> {
    if (!latencyTraceOn) return this.streams.run(streamName, () => this.decideAndAppend(streamName, decider, command, ctx));
    const tExecute = traceNow();
    return this.streams.run(streamName, () => this.decideAndAppend(streamName, decider, command, ctx)).then((result) => {
      trace('execute', { pos: Number(result.position), tExecute, tDone: traceNow() });
      return result;
    });
  }

  private async decideAndAppend<State, Command, Event extends LedgerEvent>(
    streamName: string,
    decider: Decider<State, Command, Event>,
    command: Command,
    ctx: CommandContext,
  ): Promise<StreamCommandResult> {
    const reserves = ctx.idempotencyKey !== undefined && ctx.idempotencyScope !== 'stream';
    for (let attempt = 1; ; attempt++) {
      const reservation = reserves ? await this.reservationOf(ctx) : undefined;
      if (reservation) {
        const replay = await this.findReplay(streamName, reservation, ctx);
        if (replay) return { streamName, ...replay, replayed: true };
      }

      // The first attempt decides on the state as remembered, without reading the stream: the append's expected
      // revision catches any write made since by another process. A refusal (stale If-Match, a domain rule, a
      // conflict) stands only once the stream has been read: if it moved, the command is decided again on it.
      const trusted = attempt === 1;
      const current = await this.catchUp(streamName, decider, trusted);
      const movedSince = async () => trusted && (await this.catchUp(streamName, decider))?.revision !== current?.revision;
      if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== current?.revision) {
        if (await movedSince()) continue;
        throw new WrongExpectedRevisionError(streamName, ctx.expectedRevision, current?.revision);
      }
      const state = current?.state ?? decider.initialState();
      let events: Event[];
      try {
        events = decider.decide(command, state);
      } catch (error) {
        if (error instanceof DomainError && (await movedSince())) continue;
        // A stream-scoped key's retry is refused by the rules (the claim exists already): its stored run is the answer.
        const stored = await this.streamScopedReplay(streamName, ctx, error);
        if (stored instanceof DomainError) throw stored;
        if (stored) return { streamName, ...stored, replayed: true };
        throw error;
      }
      // Nothing to record (a merge or split already stored, re-sent to complete it): the stream as it stands is the answer.
      if (events.length === 0) return { streamName, ...(await this.standing(streamName, current)), events, replayed: true };
      const firstRevision = current === undefined ? 0n : current.revision + 1n;
      const write: StreamWrite = { streamName, events: this.toNewEvents(events, ctx), expectedRevision: current?.revision ?? 'no_stream' };
      try {
        const result =
          reserves && !reservation
            ? (await this.store.appendMany([this.reservation(streamName, firstRevision, ctx), write]))[1]
            : await this.store.append(streamName, write.events, { expectedRevision: write.expectedRevision });
        this.remember(streamName, decider, { state, bytes: current?.bytes ?? 0 }, events, result.nextExpectedRevision, firstRevision);
        return { streamName, revision: result.nextExpectedRevision, position: result.position, events, replayed: false };
      } catch (error) {
        // Another request reserved this key meanwhile: the next attempt compares with it.
        if (error instanceof WrongExpectedRevisionError && error.streamName !== streamName) continue;
        // Another process wrote the stream since this one remembered it: decided again at once, on what is stored.
        if (error instanceof WrongExpectedRevisionError && ctx.expectedRevision === undefined && trusted) continue;
        // A stream-scoped retry decided anew (a correction) collides with its own stored event ids.
        const stored = await this.streamScopedReplay(streamName, ctx, error);
        if (stored instanceof DomainError) throw stored;
        if (stored) return { streamName, ...stored, replayed: true };
        if (!(error instanceof WrongExpectedRevisionError) || ctx.expectedRevision !== undefined) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw new WriteContentionError(streamName, MAX_ATTEMPTS);
        }
        await sleep(RETRY_BASE_MS * 2 ** attempt * Math.random());
      }
    }
  }

  /** The stream's state as last stored (undefined: no stream), for a process that must read one stream before writing another. */
  stateOf<State, Event extends LedgerEvent>(streamName: string, decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>): Promise<DecidedState<State> | undefined> {
    return this.streams.run(streamName, () => this.catchUp(streamName, decider));
  }

  /** Revision and position of the stream's last event, for a command that recorded nothing. */
  private async standing(streamName: string, current: { revision: bigint } | undefined): Promise<Omit<Replay, 'events'>> {
    if (current === undefined) throw new DomainError('stream-not-found', `${streamName} has no events`, 'not-found');
    const [last] = await this.store.readStream(streamName, { fromRevision: current.revision, maxCount: 1 });
    return { revision: current.revision, position: last?.position ?? 0n };
  }

  /**
   * Decides a batch of commands in order, each against the state the ones
   * before it leave (a claim sees the incident reported earlier in the same
   * batch), and stores every accepted command in one appendMany: on SQLite one
   * transaction, so a crash keeps whole batches only. A command refused by the
   * rules fails alone; a stream-scoped retry is answered from the store. When
   * the store refuses the batch (another writer moved a stream, or an event id
   * of a retried correction is stored already), each command is run again on
   * its own through execute(), which knows those cases.
   */
  async executeBatch(commands: readonly BatchCommand[], slice: EventLoopSlice = new EventLoopSlice()): Promise<BatchOutcome[]> {
    const outcomes: Array<BatchOutcome | undefined> = new Array(commands.length);
    const failed = new Set<CommandContext>();
    const failedEarlier = (ctx: CommandContext) => failed.has(ctx);
    const streams = new Map<string, BatchStream>();
    const writes: StreamWrite[] = [];
    const written: Array<{ index: number; events: LedgerEvent[]; stream: BatchStream }> = [];
    for (const [index, item] of commands.entries()) {
      // An import's batch of 1,000 lines held the HTTP thread for up to 190 ms in one piece. Another command that runs
      // meanwhile on a stream of the batch moves its revision, and the append's expected revision catches it.
      if (slice.due) await slice.turn();
      const { streamName, decider, command, ctx } = item;
      try {
        item.guard?.(failedEarlier);
        let stream = streams.get(streamName);
        if (!stream) {
          const current = await this.catchUp(streamName, decider, false, slice);
          stream = { decider, state: current?.state ?? decider.initialState(), revision: current?.revision, bytes: current?.bytes ?? 0 };
          streams.set(streamName, stream);
        }
        if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== stream.revision) {
          throw new WrongExpectedRevisionError(streamName, ctx.expectedRevision, stream.revision);
        }
        let events: LedgerEvent[];
        try {
          events = stream.decider.decide(command, stream.state);
        } catch (error) {
          const stored = await this.batchReplay(streamName, ctx, error);
          if (!stored) throw error;
          outcomes[index] = { result: { streamName, ...stored, replayed: true } };
          continue;
        }
        const expectedRevision = stream.revision ?? 'no_stream';
        writes.push({ streamName, events: this.toNewEvents(events, ctx), expectedRevision });
        written.push({ index, events, stream });
        stream.state = events.reduce(stream.decider.evolve, stream.state);
        stream.revision = (stream.revision ?? -1n) + BigInt(events.length);
        stream.bytes += bytesOf(events);
      } catch (error) {
        failed.add(ctx);
        outcomes[index] = { error };
      }
    }
    if (writes.length > 0) {
      let results: AppendResult[];
      try {
        results = await this.store.appendMany(writes);
      } catch (error) {
        for (const name of streams.keys()) this.states.delete(name);
        if (!(error instanceof WrongExpectedRevisionError)) {
          for (const { index } of written) outcomes[index] = { error };
          return outcomes as BatchOutcome[];
        }
        return this.executeEach(commands);
      }
      written.forEach(({ index, events }, i) => {
        const { streamName } = writes[i];
        outcomes[index] = { result: { streamName, revision: results[i].nextExpectedRevision, position: results[i].position, events, replayed: false } };
      });
      for (const [name, stream] of streams) {
        if (stream.revision !== undefined) this.states.set(name, stream.decider, { state: stream.state, revision: stream.revision, bytes: stream.bytes });
      }
    }
    return outcomes as BatchOutcome[];
  }

  /** The batch again, one command at a time through the single-command path. */
  private async executeEach(commands: readonly BatchCommand[]): Promise<BatchOutcome[]> {
    const failed = new Set<CommandContext>();
    const outcomes: BatchOutcome[] = [];
    for (const { streamName, decider, command, ctx, guard } of commands) {
      try {
        guard?.((other) => failed.has(other));
        outcomes.push({ result: await this.execute(streamName, decider, command, ctx) });
      } catch (error) {
        failed.add(ctx);
        outcomes.push({ error });
      }
    }
    return outcomes;
  }

  /** streamScopedReplay for a batch: throws the refusal of a key reused for another request; undefined when the refusal stands. */
  private async batchReplay(streamName: string, ctx: CommandContext, error: unknown): Promise<Replay | undefined> {
    if (ctx.idempotencyScope !== 'stream' || !ctx.idempotencyKey || !(error instanceof DomainError)) return undefined;
    const stored = await this.storedRunOf(streamName, ctx);
    if (stored === 'another request') throw this.keyReused();
    return stored;
  }

  /**
   * The stream's state at its last stored revision (undefined: no stream):
   * the remembered state with only the newer events folded in, or with
   * `trustRemembered` the remembered state as it is, unread. What is
   * remembered is only ever folded from stored events.
   */
  private async catchUp<State, Event extends LedgerEvent>(
    streamName: string,
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    trustRemembered = false,
    slice: EventLoopSlice = new EventLoopSlice(),
  ): Promise<DecidedState<State> | undefined> {
    const known = this.states.get<State>(streamName, decider);
    if (known && trustRemembered) return known;
    let state = known?.state ?? decider.initialState();
    let bytes = known?.bytes ?? 0;
    let revision = known?.revision;
    const fromRevision = revision === undefined ? 0n : revision + 1n;
    for await (const recorded of streamEvents(this.store, streamName, { fromRevision, pageSize: CATCH_UP_PAGE, slice })) {
      state = decider.evolve(state, fromStored(recorded.type, recorded.data) as Event);
      bytes += heapBytesOf(recorded.data);
      revision = recorded.revision;
    }
    if (revision === undefined || revision === known?.revision) return known;
    const caughtUp = { state, revision, bytes };
    this.states.set(streamName, decider, caughtUp);
    return caughtUp;
  }

  /** After a successful append: the state before it evolved with exactly the events that were stored. */
  private remember<State, Event extends LedgerEvent>(
    streamName: string,
    decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>,
    before: { state: State; bytes: number },
    events: Event[],
    storedRevision: bigint,
    firstRevision: bigint,
  ): void {
    // Anything but our events landing right after the state we decided on is not ours to fold: read it next time.
    if (storedRevision !== firstRevision + BigInt(events.length) - 1n) {
      this.states.delete(streamName);
      return;
    }
    this.states.set(streamName, decider, { state: events.reduce(decider.evolve, before.state), revision: storedRevision, bytes: before.bytes + bytesOf(events) });
  }

  /**
   * For a key scoped to its stream (an import line), a refusal may be the
   * retry of a command already stored: its events carry ids derived from the
   * key, found by reading the stream (the rare path). Resolves to the stored
   * outcome, to the error for a key reused with another request, or to
   * undefined when the refusal stands.
   */
  private async streamScopedReplay(streamName: string, ctx: CommandContext, error: unknown): Promise<Replay | DomainError | undefined> {
    if (ctx.idempotencyScope !== 'stream' || !ctx.idempotencyKey) return undefined;
    if (!(error instanceof DomainError) && !(error instanceof WrongExpectedRevisionError)) return undefined;
    const stored = await this.storedRunOf(streamName, ctx);
    return stored === 'another request' ? this.keyReused() : stored;
  }

  /**
   * The run a stream-scoped key's command stored, found by the id of its first event (the rare path: a line sent
   * again); 'another request' when the key's events hold another request's hash.
   */
  private async storedRunOf(streamName: string, ctx: CommandContext): Promise<Replay | 'another request' | undefined> {
    const run = await this.runFoundById(streamName, ctx);
    if (run.length === 0) return undefined;
    if (run[0].metadata.requestHash !== ctx.requestHash) return 'another request';
    return storedRun(run, ctx);
  }

  /** The key's stored run, found by the id of its first event (StoredEventIds); empty when the stream holds none. */
  private async runFoundById(streamName: string, ctx: CommandContext): Promise<RecordedEvent[]> {
    const revision = await this.storedIds.revisionOf(streamName, idempotentEventId(ctx, 0));
    if (revision === undefined) return [];
    // A command stores a few events: read a few, and more only while the run goes on.
    const run: RecordedEvent[] = [];
    for (let from = revision, size = RUN_FIRST_READ; ; size = REPLAY_PAGE) {
      const page = await this.store.readStream(streamName, { fromRevision: from, maxCount: size });
      let i = 0;
      while (i < page.length && page[i].eventId === idempotentEventId(ctx, run.length)) run.push(page[i++]);
      if (i < page.length || page.length < size) break;
      from = page[page.length - 1].revision + 1n;
    }
    return run;
  }

  /** The request this principal first sent with this Idempotency-Key, if any; another request with it is refused. */
  private async reservationOf(ctx: CommandContext): Promise<Reservation | undefined> {
    const [reserved] = await this.store.readStream(idempotencyStream(ctx), { maxCount: 1 });
    if (!reserved) return undefined;
    const reservation = reserved.data as Reservation;
    if (reservation.requestHash !== ctx.requestHash) throw this.keyReused();
    return reservation;
  }

  /**
   * An Idempotency-Key belongs to one request of one principal, whichever
   * stream it writes. Its first use is recorded in a stream of its own,
   * written together with the command's events (after the command was
   * decided: a refused command records nothing): on SQLite in the same
   * transaction, on EventStoreDB just before them. A crash in between leaves
   * the key bound to the same request, so the client's retry completes it.
   */
  private reservation(target: string, firstRevision: bigint, ctx: CommandContext): StreamWrite {
    const data: Reservation = { principal: ctx.principal, requestHash: ctx.requestHash, target, revision: firstRevision.toString() };
    return {
      streamName: idempotencyStream(ctx),
      expectedRevision: 'no_stream',
      events: [
        {
          eventId: reservationEventId(ctx),
          type: IDEMPOTENCY_RESERVATION_TYPE,
          data,
          metadata: {
            recordedAt: this.clock.now().toISOString(),
            recordedBy: ctx.principal,
            correlationId: ctx.correlationId,
            causationId: ctx.causationId,
            idempotencyKey: ctx.idempotencyKey,
          },
        },
      ],
    };
  }

  private keyReused(): DomainError {
    return new DomainError(
      'idempotency-key-reused',
      'This Idempotency-Key was already used for a different request; send a new key for a new request.',
      'rule',
      'Idempotency-Key',
    );
  }

  private toNewEvents(events: LedgerEvent[], ctx: CommandContext): NewEvent[] {
    const recordedAt = this.clock.now().toISOString();
    return events.map((event, i) => ({
      eventId: ctx.idempotencyKey ? idempotentEventId(ctx, i) : randomUUID(),
      ...toStored(event),
      metadata: {
        recordedAt,
        recordedBy: ctx.principal,
        correlationId: ctx.correlationId,
        causationId: ctx.causationId,
        ...(ctx.idempotencyKey ? { idempotencyKey: ctx.idempotencyKey, requestHash: ctx.requestHash } : {}),
      },
    }));
  }

  /**
   * The stored outcome of a request retried with its Idempotency-Key: the
   * rare path, so it may read. First where the reservation says the events
   * were to land, else by the id of the first event (older reservations; a
   * write interrupted after the reservation). Undefined when they were never
   * stored.
   */
  private async findReplay(streamName: string, reservation: Reservation, ctx: CommandContext): Promise<Replay | undefined> {
    const hint = reservation.revision !== undefined && /^\d+$/.test(reservation.revision) ? BigInt(reservation.revision) : undefined;
    if (hint !== undefined) {
      const page = await this.store.readStream(streamName, { fromRevision: hint, maxCount: REPLAY_PAGE });
      const replay = storedRun(page, ctx);
      // A run reaching the end of a full page may go on beyond it.
      if (replay && (page.length < REPLAY_PAGE || replay.revision < page[page.length - 1].revision)) return replay;
    }
    return storedRun(await this.runFoundById(streamName, ctx), ctx);
  }
}

/** The consecutive events of one keyed command, as stored. */
const storedRun = (recorded: RecordedEvent[], ctx: CommandContext): Replay | undefined => {
  const start = recorded.findIndex((r) => r.eventId === idempotentEventId(ctx, 0));
  if (start < 0) return undefined;
  const run: RecordedEvent[] = [];
  for (let i = start; i < recorded.length && recorded[i].eventId === idempotentEventId(ctx, i - start); i++) {
    run.push(recorded[i]);
  }
  const last = run[run.length - 1];
  return { revision: last.revision, position: last.position, events: run.map((r) => fromStored(r.type, r.data)) };
};
