import type { CalendarDate } from '../shared/calendar-date.js';
import type { OnlineMode, PaperIntake } from './procedure.events.js';

interface ProcedureKey {
  authorityCode: string;
  procedureCode: string;
}

interface DatedDecision extends ProcedureKey {
  effectiveFrom: CalendarDate;
  decisionRef: string;
  reason?: string;
}

export type RegisterProcedure = {
  type: 'RegisterProcedure';
  data: ProcedureKey & {
    name: string;
    field?: string;
    level?: string;
    onlineMode: OnlineMode;
    paperIntake?: PaperIntake;
    effectiveFrom: CalendarDate;
    decisionRef?: string;
  };
};
export type ReclassifyProcedure = { type: 'ReclassifyProcedure'; data: DatedDecision & { onlineMode: OnlineMode } };
export type DisablePaperIntake = { type: 'DisablePaperIntake'; data: DatedDecision };
export type ReenablePaperIntake = { type: 'ReenablePaperIntake'; data: DatedDecision };
export type WithdrawProcedure = { type: 'WithdrawProcedure'; data: DatedDecision };

/** Issued by the application when the authority is dissolved (never through the procedures' HTTP commands). */
export type DiscontinueProcedure = { type: 'DiscontinueProcedure'; data: DatedDecision & { successorCode: string } };

export type ProcedureCommand =
  | RegisterProcedure
  | ReclassifyProcedure
  | DisablePaperIntake
  | ReenablePaperIntake
  | WithdrawProcedure
  | DiscontinueProcedure;
