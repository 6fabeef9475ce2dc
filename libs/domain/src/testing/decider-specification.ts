import { Decider } from '../shared/decider';
import { DomainError, DomainErrorKind } from '../shared/domain-error';

/**
 * Given/when/then for deciders, after Emmett's DeciderSpecification:
 *
 *   spec.given([reported]).when(makeClaim).then([claimMade]);
 *   spec.given([]).when(makeClaim).thenThrows('incident-not-found', { kind: 'not-found' });
 *
 * Jest's `expect` is looked up at call time, not imported, so exporting this
 * from the library barrel costs production code nothing.
 */

interface Matchers {
  toEqual(expected: unknown): void;
  toBe(expected: unknown): void;
  toBeInstanceOf(expected: unknown): void;
}
type Expect = (actual: unknown) => Matchers;

/** Jest's `expect`, looked up when a specification runs (never imported, so production code pays nothing for it). */
export const jestExpect = (): Expect => {
  const expect = (globalThis as { expect?: Expect }).expect;
  if (!expect) throw new Error('Specifications run inside a Jest test');
  return expect;
};

export interface ExpectedError {
  kind?: DomainErrorKind;
  /** Pass `undefined` explicitly to assert that the error names no field. */
  field?: string;
}

export interface DeciderThen<Event> {
  /** The command is accepted and yields exactly these events (which must also evolve without error). */
  then(expected: Event | Event[]): void;
  /** The command is refused with a DomainError of this code (and kind / field when given); returns the error. */
  thenThrows(code: string, expected?: ExpectedError): DomainError;
}

export interface DeciderWhen<Command, Event> {
  when(command: Command): DeciderThen<Event>;
}

export interface DeciderGiven<Command, Event> {
  given(events?: Event[]): DeciderWhen<Command, Event>;
}

export const DeciderSpecification = {
  for<State, Command, Event>(decider: Decider<State, Command, Event>): DeciderGiven<Command, Event> {
    return {
      given: (events: Event[] = []) => ({
        when: (command: Command) => {
          const state = events.reduce(decider.evolve, decider.initialState());
          return {
            then(expected) {
              const actual = decider.decide(command, state);
              jestExpect()(actual).toEqual(Array.isArray(expected) ? expected : [expected]);
              actual.reduce(decider.evolve, state);
            },
            thenThrows(code, expected = {}) {
              let events: Event[];
              try {
                events = decider.decide(command, state);
              } catch (error) {
                const expect = jestExpect();
                expect(error).toBeInstanceOf(DomainError);
                const e = error as DomainError;
                expect({ code: e.code, ...pick(e, expected) }).toEqual({ code, ...expected });
                return e;
              }
              throw new Error(`Expected DomainError "${code}" but the command was accepted with ${JSON.stringify(events)}`);
            },
          };
        },
      }),
    };
  },
};

const pick = (error: DomainError, expected: ExpectedError): ExpectedError => {
  const actual: ExpectedError = {};
  if ('kind' in expected) actual.kind = error.kind;
  if ('field' in expected) actual.field = error.field;
  return actual;
};
