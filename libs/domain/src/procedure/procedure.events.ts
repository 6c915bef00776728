import type { CalendarDate } from '../shared/calendar-date.js';

/** Decree 42/2022/NĐ-CP, Art. 11(1): toàn trình (a), một phần (b); otherwise information only. */
export const ONLINE_MODES = ['FULL_PROCESS', 'PARTIAL', 'INFORMATION_ONLY'] as const;
export type OnlineMode = (typeof ONLINE_MODES)[number];

/** Whether the procedure still takes paper dossiers (hồ sơ giấy). */
export const PAPER_INTAKES = ['ACCEPTED', 'DISABLED'] as const;
export type PaperIntake = (typeof PAPER_INTAKES)[number];

/** Rank of online modes: a higher rank is "more online". */
export const ONLINE_MODE_RANK: Record<OnlineMode, number> = { INFORMATION_ONLY: 0, PARTIAL: 1, FULL_PROCESS: 2 };

interface ProcedureKey {
  authorityCode: string;
  procedureCode: string;
}

/** What every dated change carries: when it takes effect and the legal decision behind it. */
interface Transition extends ProcedureKey {
  effectiveFrom: CalendarDate;
  decisionRef: string;
  reason?: string;
}

interface ModeTransition<From extends OnlineMode, To extends OnlineMode> extends Transition {
  from: From;
  to: To;
}

export type ProcedureRegistered = {
  type: 'ProcedureRegistered';
  data: ProcedureKey & {
    name: string;
    field?: string;
    level?: string;
    onlineMode: OnlineMode;
    paperIntake: PaperIntake;
    effectiveFrom: CalendarDate;
    decisionRef?: string;
  };
};
export type ProcedureUpgradedToFullProcess = {
  type: 'ProcedureUpgradedToFullProcess';
  data: ModeTransition<'PARTIAL' | 'INFORMATION_ONLY', 'FULL_PROCESS'>;
};
export type ProcedureUpgradedToPartialOnline = {
  type: 'ProcedureUpgradedToPartialOnline';
  data: ModeTransition<'INFORMATION_ONLY', 'PARTIAL'>;
};
export type ProcedureDowngradedToPartialOnline = {
  type: 'ProcedureDowngradedToPartialOnline';
  data: ModeTransition<'FULL_PROCESS', 'PARTIAL'>;
};
export type ProcedureDowngradedToInformationOnly = {
  type: 'ProcedureDowngradedToInformationOnly';
  data: ModeTransition<'FULL_PROCESS' | 'PARTIAL', 'INFORMATION_ONLY'>;
};
export type PaperIntakeDisabled = {
  type: 'PaperIntakeDisabled';
  data: Transition & { from: 'ACCEPTED'; to: 'DISABLED' };
};
export type PaperIntakeReenabled = {
  type: 'PaperIntakeReenabled';
  data: Transition & { from: 'DISABLED'; to: 'ACCEPTED' };
};
export type ProcedureWithdrawn = {
  type: 'ProcedureWithdrawn';
  data: Transition;
};

/**
 * The procedure stops being offered by this authority because the authority was dissolved into
 * `successorCode` (a merger): not a decision to withdraw it, so it is told apart. The successor's
 * catalogue is its own (its procedures continue, or its decisions register them).
 */
export type ProcedureDiscontinued = {
  type: 'ProcedureDiscontinued';
  data: Transition & { successorCode: string };
};

/** The events that state a fact about the procedure on a date: what corrections and rescissions name. */
export type ProcedureFact =
  | ProcedureRegistered
  | ProcedureUpgradedToFullProcess
  | ProcedureUpgradedToPartialOnline
  | ProcedureDowngradedToPartialOnline
  | ProcedureDowngradedToInformationOnly
  | PaperIntakeDisabled
  | PaperIntakeReenabled
  | ProcedureWithdrawn
  | ProcedureDiscontinued;

export type ProcedureFactType = ProcedureFact['type'];

/** Which stored event a correction or rescission is about: its revision in the stream and its type. */
export interface EventReference {
  revision: number;
  type: ProcedureFactType;
}

/**
 * An entry made in error, corrected (issue 15): the event at `corrects.revision` now stands as
 * `correctedTo` (a whole fact of the same kind, or the mode transition it really was), from the moment
 * this event was recorded. The corrected event keeps its bytes; a later correction of the same event
 * replaces this one. `effectiveFrom` is the first date on which the truth changes (the earlier of the
 * old and the right effective dates); `decisionRef`, when given, is the act that made the correction.
 */
export type TransitionCorrected = {
  type: 'TransitionCorrected';
  data: ProcedureKey & {
    effectiveFrom: CalendarDate;
    corrects: EventReference;
    correctedTo: ProcedureFact;
    reason: string;
    decisionRef?: string;
  };
};

/**
 * A fact rescinded (annulled) by a later decision `decisionRef`: from the moment this event was
 * recorded, the event at `rescinds.revision` is known never to have taken effect. `effectiveFrom` is
 * the rescinded fact's effective date (the first date on which the truth changes).
 */
export type TransitionRescinded = {
  type: 'TransitionRescinded';
  data: ProcedureKey & {
    effectiveFrom: CalendarDate;
    rescinds: EventReference;
    decisionRef: string;
    reason?: string;
  };
};

/** Events about other events: they change what is known of the procedure's history, not the procedure. */
export type ProcedureAmendment = TransitionCorrected | TransitionRescinded;

export type ProcedureEvent = ProcedureFact | ProcedureAmendment;

export type ProcedureEventType = ProcedureEvent['type'];

/** Stored event names are a contract: never rename one; add a type and upcast instead. */
export const PROCEDURE_EVENT_TYPES: readonly ProcedureEventType[] = [
  'ProcedureRegistered',
  'ProcedureUpgradedToFullProcess',
  'ProcedureUpgradedToPartialOnline',
  'ProcedureDowngradedToPartialOnline',
  'ProcedureDowngradedToInformationOnly',
  'PaperIntakeDisabled',
  'PaperIntakeReenabled',
  'ProcedureWithdrawn',
  'ProcedureDiscontinued',
  'TransitionCorrected',
  'TransitionRescinded',
];

export function isAmendment(event: ProcedureEvent): event is ProcedureAmendment {
  return event.type === 'TransitionCorrected' || event.type === 'TransitionRescinded';
}

/** Schema version of every procedure event's `data` (bump with an upcaster when a shape changes). */
export const PROCEDURE_EVENT_SCHEMA_VERSION = 1;

export function isProcedureEventType(type: string): type is ProcedureEventType {
  return (PROCEDURE_EVENT_TYPES as readonly string[]).includes(type);
}
