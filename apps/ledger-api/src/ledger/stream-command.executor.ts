import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Decider, DomainError, LedgerEvent, fold, fromStored, toStored } from '@ledger/domain';
import { EVENT_STORE, EventStore, NewEvent, RecordedEvent, WrongExpectedRevisionError } from '@ledger/event-store';
import { Clock } from './clock';
import { CommandContext } from './command-context';
import { idempotentEventId } from './idempotency';

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

// Conflicts without If-Match come from two writers racing on one incident; the
// command is decided again on the newer state rather than failing the client.
const MAX_ATTEMPTS = 4;

/**
 * The write side's one recipe: read the stream, fold, decide, append with the
 * revision that was read. Handlers differ only in the command they build.
 */
@Injectable()
export class StreamCommandExecutor {
  constructor(
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly clock: Clock,
  ) {}

  async execute<State, Command, Event extends LedgerEvent>(
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
        const retry = error instanceof WrongExpectedRevisionError && ctx.expectedRevision === undefined && attempt < MAX_ATTEMPTS;
        if (!retry) throw error;
      }
    }
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
    if (ctx.requestHash && recorded[start].metadata.requestHash !== ctx.requestHash) {
      throw new DomainError(
        'idempotency-key-reused',
        'This Idempotency-Key was already used for a different request; send a new key for a new request.',
        'rule',
        'Idempotency-Key',
      );
    }
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
