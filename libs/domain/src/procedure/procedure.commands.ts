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

/**
 * Correct the event at `revision` (an entry made in error): the fields given are its right values,
 * the others stay as they stand. `effectiveFrom`: the right effective date; `onlineMode`: the right
 * mode (a registration or a reclassification); `paperIntake`: the right intake (a registration);
 * `decisionRef`: the right decision. `correctionRef`: the act that makes the correction, if any.
 */
export type CorrectTransition = {
  type: 'CorrectTransition';
  data: ProcedureKey & {
    revision: number;
    effectiveFrom?: CalendarDate;
    onlineMode?: OnlineMode;
    paperIntake?: PaperIntake;
    decisionRef?: string;
    reason: string;
    correctionRef?: string;
  };
};

/** Rescind the events at `revisions` by the decision `decisionRef`: known never to have taken effect. */
export type RescindTransitions = {
  type: 'RescindTransitions';
  data: ProcedureKey & { revisions: number[]; decisionRef: string; reason?: string };
};

/** The commands that record a fact on a date (all but corrections and rescissions). */
export type RecordingCommand =
  | RegisterProcedure
  | ReclassifyProcedure
  | DisablePaperIntake
  | ReenablePaperIntake
  | WithdrawProcedure
  | DiscontinueProcedure;

export type ProcedureCommand =
  | RegisterProcedure
  | ReclassifyProcedure
  | DisablePaperIntake
  | ReenablePaperIntake
  | WithdrawProcedure
  | DiscontinueProcedure
  | CorrectTransition
  | RescindTransitions;
