import type { CalendarDate } from '../shared/calendar-date.js';
import type { OnlineMode, PaperIntake, ProcedureEvent } from './procedure.events.js';
import { foldFacts, standing, type LogEntry } from './procedure.standing.js';

export type ProcedureState =
  | { status: 'unregistered' }
  | {
      status: 'offered' | 'withdrawn';
      authorityCode: string;
      procedureCode: string;
      name: string;
      field?: string;
      level?: string;
      onlineMode: OnlineMode;
      paperIntake: PaperIntake;
      /** Effective date of the latest transition: later commands may not take effect before it. */
      lastEffectiveFrom: CalendarDate;
      withdrawnFrom?: CalendarDate;
      /** Set when it stopped being offered because the authority was dissolved into this unit. */
      discontinuedInto?: string;
    };

export type RegisteredProcedure = Exclude<ProcedureState, { status: 'unregistered' }>;

export const initialState = (): ProcedureState => ({ status: 'unregistered' });

/**
 * The procedure as its stream now tells it: the fold of its standing facts in valid-time order (a
 * late decision takes effect at its date; corrections and rescissions apply), so `onlineMode`,
 * `paperIntake` and `status` are those in force from `lastEffectiveFrom`, the latest effective date.
 *
 * The stream's events themselves ride along as a non-enumerable `log` (see `logOf`): `decide` needs the
 * history to place a late decision, while answers, JSON and equality see the state alone.
 */
export function evolve(state: ProcedureState, event: ProcedureEvent): ProcedureState {
  const log = [...logOf(state), { revision: logOf(state).length, event }];
  return withLog(foldFacts(standing(log)), log);
}

/** The events folded into `state`, with their revisions (empty for a state not built by `evolve`). */
export function logOf(state: ProcedureState): readonly LogEntry[] {
  return (state as { [LOG]?: readonly LogEntry[] })[LOG] ?? [];
}

const LOG = Symbol('log');

function withLog(state: ProcedureState, log: readonly LogEntry[]): ProcedureState {
  Object.defineProperty(state, LOG, { value: log, enumerable: false });
  return state;
}

/** The state in force on `date` (a calendar date), from the history `state` was folded from. */
export function stateOn(state: ProcedureState, date: string): ProcedureState {
  const log = logOf(state);
  if (log.length === 0) return state;
  return foldFacts(standing(log).filter((f) => f.fact.data.effectiveFrom <= date));
}
