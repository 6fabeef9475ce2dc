import type { Decider, LedgerEvent } from '@ledger/domain';
import type { EventLoopSlice } from '@ledger/event-store';
import { CommandContext } from './command-context';
import { BatchCommand, StreamCommandExecutor, StreamCommandResult } from './stream-command.executor';

interface Slot {
  ctx: CommandContext;
  guard?: BatchCommand['guard'];
  command?: BatchCommand;
  arrived: Promise<void>;
  arrive: () => void;
  resolve: (result: StreamCommandResult) => void;
  reject: (error: unknown) => void;
}

/**
 * Stands in for the executor under the command handlers while a batch is
 * built: a handler's execute() is held until commit(), which has the
 * executor decide and store every held command together, in the order they
 * were expected. The handlers stay the ones the HTTP routes use (party
 * lookups, decider commands); only where their command is stored changes.
 */
export class StreamCommandBatcher {
  /** Slots expected since the last commit, in order. */
  private slots: Slot[] = [];
  /** Slots whose handler has not reached execute() yet: it may do so after commit() has taken the batch. */
  private readonly waiting = new Map<CommandContext, Slot>();

  constructor(private readonly executor: StreamCommandExecutor) {}

  /** Reads pass through: a handler may read another stream's state (see ClaimStreams) while its command is held. */
  stateOf: StreamCommandExecutor['stateOf'] = (streamName, decider) => this.executor.stateOf(streamName, decider);

  /**
   * Runs `dispatch` (a handler that passes `ctx` on to execute()) with its command held for the next commit(). The
   * dispatch may also settle without reaching execute(): a handler that refuses the command first.
   */
  hold<T>(ctx: CommandContext, dispatch: () => Promise<T>, guard?: BatchCommand['guard']): Promise<T> {
    let arrive!: () => void;
    const arrived = new Promise<void>((resolve) => (arrive = resolve));
    const slot = { ctx, guard, arrive } as Slot;
    this.slots.push(slot);
    this.waiting.set(ctx, slot);
    const outcome = (async () => dispatch())();
    slot.arrived = Promise.race([arrived, outcome.then(noop, noop)]);
    return outcome;
  }

  /** What the handlers call: held until commit(). A context not expected is run at once, on its own. */
  execute<State, Command, Event extends LedgerEvent>(
    streamName: string,
    decider: Decider<State, Command, Event>,
    command: Command,
    ctx: CommandContext,
  ): Promise<StreamCommandResult> {
    const slot = this.waiting.get(ctx);
    this.waiting.delete(ctx);
    if (!slot) return this.executor.execute(streamName, decider, command, ctx);
    slot.command = { streamName, decider: decider as unknown as BatchCommand['decider'], command, ctx, guard: slot.guard };
    const result = new Promise<StreamCommandResult>((resolve, reject) => Object.assign(slot, { resolve, reject }));
    slot.arrive();
    return result;
  }

  /** Decides and stores every command expected since the last commit, once each has reached execute() or failed before it. */
  async commit(slice?: EventLoopSlice): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((slot) => slot.arrived));
    // Refused before execute(): nothing more will arrive for them.
    for (const slot of slots) if (!slot.command) this.waiting.delete(slot.ctx);
    const held = slots.filter((slot) => slot.command !== undefined);
    if (held.length === 0) return;
    let outcomes;
    try {
      outcomes = await this.executor.executeBatch(held.map((slot) => slot.command!), slice);
    } catch (error) {
      for (const slot of held) slot.reject(error);
      return;
    }
    held.forEach((slot, i) => {
      const outcome = outcomes[i];
      if ('result' in outcome) slot.resolve(outcome.result);
      else slot.reject(outcome.error);
    });
  }
}

const noop = (): void => undefined;
