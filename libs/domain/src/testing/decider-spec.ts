import type { Decider } from '../shared/decider.js';

/** Any error class, abstract ones included (e.g. DomainError). */
export type ErrorClass<E extends Error> = abstract new (...args: any[]) => E;

export interface DeciderOutcome<Event> {
  /** The command produced exactly these events (deep equality). */
  then(expected: Event[]): void;
  /** The command was accepted and produced no event. */
  thenNothingHappened(): void;
  /**
   * The command was refused with an instance of `errorClass`; `predicate` may look at the error further
   * (returning false, or throwing from an `expect`, fails the test). Returns nothing, so that
   * `it('…', () => given(…).when(…).thenThrows(…))` is a valid test.
   */
  thenThrows<E extends Error>(errorClass: ErrorClass<E>, predicate?: (error: E) => boolean | void): void;
}

/**
 * Given/when/then for a decider, with no framework and no I/O:
 *
 * @example
 *   const given = deciderSpec(procedure);
 *   given([registered()]).when(withdraw()).then([withdrawn()]);
 */
export function deciderSpec<Command, Event, State>(decider: Decider<Command, Event, State>) {
  return (events: Event[]) => ({
    when(command: Command): DeciderOutcome<Event> {
      const run = () =>
        decider.decide(
          command,
          events.reduce((state, event) => decider.evolve(state, event), decider.initialState()),
        );
      return {
        then: (expected) => expect(run()).toEqual(expected),
        thenNothingHappened: () => expect(run()).toEqual([]),
        thenThrows<E extends Error>(errorClass: ErrorClass<E>, predicate?: (error: E) => boolean | void): void {
          let produced: Event[];
          try {
            produced = run();
          } catch (error) {
            expect(error).toBeInstanceOf(errorClass);
            if (predicate?.(error as E) === false) {
              throw new Error(
                `${errorClass.name} was thrown but does not satisfy the predicate: ${JSON.stringify({ ...(error as E), message: (error as E).message })}`,
              );
            }
            return;
          }
          throw new Error(`Expected ${errorClass.name} to be thrown, but got events ${JSON.stringify(produced)}`);
        },
      };
    },
  });
}
