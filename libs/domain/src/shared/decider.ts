/**
 * A decider in the Emmett sense: pure, synchronous, no I/O, no clock.
 * `decide` throws a DomainError to refuse a command.
 */
export interface Decider<State, Command, Event> {
  initialState: () => State;
  decide: (command: Command, state: State) => Event[];
  evolve: (state: State, event: Event) => State;
}

/** The domain's event form: a type name without version, and plain JSON data. */
export interface DomainEvent<Type extends string = string, Data = unknown> {
  type: Type;
  data: Data;
}

export const fold = <State, Event>(decider: Pick<Decider<State, unknown, Event>, 'initialState' | 'evolve'>, events: Iterable<Event>): State => {
  let state = decider.initialState();
  for (const e of events) state = decider.evolve(state, e);
  return state;
};
