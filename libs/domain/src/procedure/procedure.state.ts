import type { CalendarDate } from '../shared/calendar-date.js';
import type { OnlineMode, PaperIntake, ProcedureEvent } from './procedure.events.js';

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

export function evolve(state: ProcedureState, event: ProcedureEvent): ProcedureState {
  const { type, data } = event;
  if (type === 'ProcedureRegistered') {
    return {
      status: 'offered',
      authorityCode: data.authorityCode,
      procedureCode: data.procedureCode,
      name: data.name,
      ...(data.field !== undefined && { field: data.field }),
      ...(data.level !== undefined && { level: data.level }),
      onlineMode: data.onlineMode,
      paperIntake: data.paperIntake,
      lastEffectiveFrom: data.effectiveFrom,
    };
  }
  // A transition on a stream without registration is a corrupt stream; keep the state as it is.
  if (state.status === 'unregistered') return state;
  const dated = { ...state, lastEffectiveFrom: data.effectiveFrom };
  switch (type) {
    case 'ProcedureUpgradedToFullProcess':
    case 'ProcedureUpgradedToPartialOnline':
    case 'ProcedureDowngradedToPartialOnline':
    case 'ProcedureDowngradedToInformationOnly':
      return { ...dated, onlineMode: data.to };
    case 'PaperIntakeDisabled':
    case 'PaperIntakeReenabled':
      return { ...dated, paperIntake: data.to };
    case 'ProcedureWithdrawn':
      return { ...dated, status: 'withdrawn', withdrawnFrom: data.effectiveFrom };
    case 'ProcedureDiscontinued':
      return { ...dated, status: 'withdrawn', withdrawnFrom: data.effectiveFrom, discontinuedInto: data.successorCode };
    default: {
      const _exhaustive: never = type;
      return _exhaustive;
    }
  }
}
