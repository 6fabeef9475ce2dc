import { Decider } from '../shared/decider';
import { DomainError } from '../shared/domain-error';
import { DeciderSpecification } from './decider-specification';

// A toy decider: a counter that refuses to go past a limit.
type Event = { type: 'Incremented'; by: number };
type Command = { type: 'Increment'; by: number };
const counter: Decider<number, Command, Event> = {
  initialState: () => 0,
  decide: (command, state) => {
    if (state + command.by > 3) throw new DomainError('limit-exceeded', 'past 3', 'rule', 'by');
    return [{ type: 'Incremented', by: command.by }];
  },
  evolve: (state, event) => state + event.by,
};
const spec = DeciderSpecification.for(counter);
const inc = (by: number): Command => ({ type: 'Increment', by });
const incremented = (by: number): Event => ({ type: 'Incremented', by });

describe('DeciderSpecification', () => {
  it('folds the given events before deciding', () => {
    spec.given([incremented(2)]).when(inc(1)).then([incremented(1)]);
    spec.given([incremented(2)]).when(inc(2)).thenThrows('limit-exceeded');
  });

  it('accepts a single expected event', () => {
    spec.given().when(inc(1)).then(incremented(1));
  });

  it('fails when the events differ', () => {
    expect(() => spec.given().when(inc(1)).then([incremented(2)])).toThrow();
  });

  it('checks code, kind and field of a refusal and returns the error', () => {
    const error = spec.given([incremented(3)]).when(inc(1)).thenThrows('limit-exceeded', { kind: 'rule', field: 'by' });
    expect(error.message).toBe('past 3');
  });

  it('fails when the refusal has another code, kind or field', () => {
    const when = spec.given([incremented(3)]).when(inc(1));
    expect(() => when.thenThrows('other-code')).toThrow();
    expect(() => when.thenThrows('limit-exceeded', { kind: 'conflict' })).toThrow();
    expect(() => when.thenThrows('limit-exceeded', { field: 'other' })).toThrow();
    expect(() => when.thenThrows('limit-exceeded', { field: undefined })).toThrow();
  });

  it('fails when the command is accepted instead of refused', () => {
    expect(() => spec.given().when(inc(1)).thenThrows('limit-exceeded')).toThrow(/accepted/);
  });

  it('fails when the decider throws something other than a DomainError', () => {
    const broken = DeciderSpecification.for<number, Command, Event>({
      ...counter,
      decide: () => {
        throw new TypeError('bug');
      },
    });
    expect(() => broken.given().when(inc(1)).thenThrows('limit-exceeded')).toThrow();
  });
});
