/**
 * A decider is the whole of a stream's behaviour as three pure functions.
 *
 * @example
 *   const state = events.reduce(procedure.evolve, procedure.initialState());
 *   const newEvents = procedure.decide(command, state);
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}
