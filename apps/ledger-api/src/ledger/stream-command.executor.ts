import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Decider, DomainError, LedgerEvent, fold, fromStored, toStored } from '@ledger/domain';
import { EVENT_STORE, EventStore, NewEvent, RecordedEvent, WrongExpectedRevisionError } from '@ledger/event-store';
import { ProblemException } from '../platform/problem/problem.exception';
import { Clock } from './clock';
import { CommandContext } from './command-context';
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

export const IDEMPOTENCY_RESERVATION_TYPE = 'IdempotencyKeyReserved.v1';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The write side's one recipe: read the stream, fold, decide, append with the
 * revision that was read. Handlers differ only in the command they build.
 */
@Injectable()
export class StreamCommandExecutor {
  private readonly streams = new KeyedMutex();

  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  execute<State, Command, Event extends LedgerEvent>(
    streamName: string,
    decider: Decider<State, Command, Event>,
    command: Command,
    ctx: CommandContext,
  ): Promise<StreamCommandResult> {
    return this.streams.run(streamName, () => this.decideAndAppend(streamName, decider, command, ctx));
  }

  private async decideAndAppend<State, Command, Event extends LedgerEvent>(
    streamName: string,
    decider: Decider<State, Command, Event>,
    command: Command,
    ctx: CommandContext,
  ): Promise<StreamCommandResult> {
    for (let attempt = 1; ; attempt++) {
      const recorded = await this.store.readStream(streamName);
      const replay = this.findReplay(recorded, ctx);
      if (replay) return { streamName, ...replay, replayed: true };

      const current = recorded.length > 0 ? recorded[recorded.length - 1].revision : undefined;
      if (ctx.expectedRevision !== undefined && ctx.expectedRevision !== current) {
        throw new WrongExpectedRevisionError(streamName, ctx.expectedRevision, current);
      }
      const state = fold(
        decider,
        recorded.map((r) => fromStored(r.type, r.data) as Event),
      );
      const events = decider.decide(command, state);
      await this.reserveKey(streamName, ctx);
      const toAppend = this.toNewEvents(events, ctx);
      try {
        const result = await this.store.append(streamName, toAppend, {
          expectedRevision: current ?? 'no_stream',
        });
        return {
          streamName,
          revision: result.nextExpectedRevision,
          position: result.position,
          events,
          replayed: false,
        };
      } catch (error) {
        if (!(error instanceof WrongExpectedRevisionError) || ctx.expectedRevision !== undefined) throw error;
        if (attempt >= MAX_ATTEMPTS) {
          throw new ProblemException(
            503,
            'write-contention',
            `Stream ${streamName} kept changing while this command was decided ${MAX_ATTEMPTS} times; retry shortly.`,
            {},
            { headers: { 'retry-after': '1' } },
          );
        }
        await sleep(RETRY_BASE_MS * 2 ** attempt * Math.random());
      }
    }
  }

  /**
   * An Idempotency-Key belongs to one request of one principal, whichever
   * stream it writes. The first use is recorded in a stream of its own,
   * after the command was decided (a refused command records nothing) and
   * before its events are appended; a later use with another request is
   * refused. A crash in between leaves the key bound to the same request,
   * so the client's retry completes it.
   */
  private async reserveKey(target: string, ctx: CommandContext): Promise<void> {
    if (!ctx.idempotencyKey) return;
    const stream = idempotencyStream(ctx);
    for (;;) {
      const [reservation] = await this.store.readStream(stream, { maxCount: 1 });
      if (reservation) {
        const reserved = reservation.data as { requestHash?: string };
        if (reserved.requestHash !== ctx.requestHash) throw this.keyReused();
        return;
      }
      try {
        await this.store.append(
          stream,
          [
            {
              eventId: reservationEventId(ctx),
              type: IDEMPOTENCY_RESERVATION_TYPE,
              data: { principal: ctx.principal, requestHash: ctx.requestHash, target },
              metadata: {
                recordedAt: this.clock.now().toISOString(),
                recordedBy: ctx.principal,
                correlationId: ctx.correlationId,
                causationId: ctx.causationId,
                idempotencyKey: ctx.idempotencyKey,
              },
            },
          ],
          { expectedRevision: 'no_stream' },
        );
        return;
      } catch (error) {
        // Another request with this key reserved it first: compare with that one.
        if (!(error instanceof WrongExpectedRevisionError)) throw error;
      }
    }
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

  /** The earlier outcome of a request retried with the same Idempotency-Key, if it was stored. */
  private findReplay(
    recorded: RecordedEvent[],
    ctx: CommandContext,
  ): Omit<StreamCommandResult, 'streamName' | 'replayed'> | undefined {
    if (!ctx.idempotencyKey) return undefined;
    const start = recorded.findIndex((r) => r.eventId === idempotentEventId(ctx, 0));
    if (start < 0) return undefined;
    if (ctx.requestHash && recorded[start].metadata.requestHash !== ctx.requestHash) throw this.keyReused();
    const run: RecordedEvent[] = [];
    for (let i = start; i < recorded.length && recorded[i].eventId === idempotentEventId(ctx, i - start); i++) {
      run.push(recorded[i]);
    }
    const last = run[run.length - 1];
    return {
      revision: last.revision,
      position: last.position,
      events: run.map((r) => fromStored(r.type, r.data)),
    };
  }
}
