import type { CalendarDate } from '../shared/calendar-date.js';
import type { TransitionRefusal } from '../shared/errors.js';
import {
  ONLINE_MODE_RANK,
  type OnlineMode,
  type PaperIntake,
  type ProcedureEvent,
  type ProcedureFact,
} from './procedure.events.js';
import type { ProcedureState } from './procedure.state.js';

/** One event of a stream with its revision (0, 1, … in the order appended). */
export interface LogEntry {
  revision: number;
  event: ProcedureEvent;
}

/**
 * A fact of the stream as it now stands: its latest correction applied (`fact`), the events that
 * corrected it, and the one that rescinded it. Ordered in valid time by (`fact.data.effectiveFrom`,
 * `revision`): a late decision takes its place among the others by its date, and among the facts of
 * one date by the order in which they were recorded.
 */
export interface StandingFact {
  revision: number;
  fact: ProcedureFact;
  /** The fact as first recorded. */
  original: ProcedureFact;
  correctedBy: number[];
  rescindedBy: number | null;
}

/**
 * The stream's facts as known from its events (`log` in revision order): corrections replace the
 * fact they name, rescissions remove it. Returns every fact, rescinded ones included (`rescindedBy`),
 * in revision order; `standing()` keeps those in force, in valid-time order.
 */
export function factsOf(log: readonly LogEntry[]): StandingFact[] {
  const facts = new Map<number, StandingFact>();
  for (const { revision, event } of log) {
    if (event.type === 'TransitionCorrected') {
      const target = facts.get(event.data.corrects.revision);
      if (target && target.rescindedBy === null) {
        target.fact = event.data.correctedTo;
        target.correctedBy.push(revision);
      }
    } else if (event.type === 'TransitionRescinded') {
      const target = facts.get(event.data.rescinds.revision);
      if (target && target.rescindedBy === null) target.rescindedBy = revision;
    } else {
      facts.set(revision, { revision, fact: event, original: event, correctedBy: [], rescindedBy: null });
    }
  }
  return [...facts.values()];
}

/** Facts in force (not rescinded), in valid-time order: by effective date, then by revision. */
export function standing(log: readonly LogEntry[]): StandingFact[] {
  return inValidTimeOrder(factsOf(log).filter((f) => f.rescindedBy === null));
}

export function inValidTimeOrder<T extends { revision: number; fact: ProcedureFact }>(facts: readonly T[]): T[] {
  return [...facts].sort((a, b) =>
    a.fact.data.effectiveFrom < b.fact.data.effectiveFrom ? -1 : a.fact.data.effectiveFrom > b.fact.data.effectiveFrom ? 1 : a.revision - b.revision,
  );
}

/**
 * The state a fact leaves the procedure in. Lenient (a fact that the rules would refuse is applied
 * as far as it can be: the fold of a corrupt stream never throws); `checkStanding` is the strict one.
 */
export function applyFact(state: ProcedureState, event: ProcedureFact): ProcedureState {
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

/** Folds facts already in valid-time order (lenient). */
export function foldFacts(facts: readonly { fact: ProcedureFact }[]): ProcedureState {
  let state: ProcedureState = { status: 'unregistered' };
  for (const { fact } of facts) state = applyFact(state, fact);
  return state;
}

/** A fact that the rules refuse where it stands in valid time, and why. */
export interface StandingViolation {
  revision: number;
  fact: ProcedureFact;
  reason: TransitionRefusal;
  message: string;
}

const UPGRADES = new Set(['ProcedureUpgradedToFullProcess', 'ProcedureUpgradedToPartialOnline']);

/**
 * The rules checked against a whole history in valid-time order (the history as it will stand): the
 * first fact they refuse, or null. A fact is refused when it comes before the registration or after a
 * withdrawal, reclassifies to the mode already in force or in the other direction than its type says
 * (an upgrade that would now lower the mode), disables paper intake that is disabled or on an
 * information-only procedure, or re-enables paper intake that is accepted; and on no date may an
 * information-only procedure be without paper intake (checked at the end of each date: a downgrade to
 * information only and the re-enabling it entails take effect together).
 */
export function checkStanding(facts: readonly StandingFact[]): StandingViolation | null {
  let state: ProcedureState = { status: 'unregistered' };
  for (let i = 0; i < facts.length; i++) {
    const { revision, fact } = facts[i];
    const refuse = (reason: TransitionRefusal, message: string): StandingViolation => ({ revision, fact, reason, message });
    if (fact.type === 'ProcedureRegistered') {
      if (state.status !== 'unregistered') return refuse('ALREADY_REGISTERED', 'the procedure is registered before it');
    } else if (state.status === 'unregistered') {
      return refuse('EFFECTIVE_DATE_BEFORE_REGISTRATION', 'it would take effect before the procedure is registered');
    } else if (state.status === 'withdrawn') {
      return refuse('ALREADY_WITHDRAWN', `the procedure would be withdrawn from ${state.withdrawnFrom} before it`);
    } else {
      switch (fact.type) {
        case 'ProcedureUpgradedToFullProcess':
        case 'ProcedureUpgradedToPartialOnline':
        case 'ProcedureDowngradedToPartialOnline':
        case 'ProcedureDowngradedToInformationOnly': {
          const from = state.onlineMode;
          if (from === fact.data.to) return refuse('ALREADY_IN_MODE', `the procedure would already be ${from}`);
          const up = ONLINE_MODE_RANK[fact.data.to] > ONLINE_MODE_RANK[from];
          if (up !== UPGRADES.has(fact.type)) {
            return refuse('WRONG_DIRECTION', `the procedure would be ${from}, so ${fact.type} to ${fact.data.to} would be ${up ? 'an upgrade' : 'a downgrade'}`);
          }
          break;
        }
        case 'PaperIntakeDisabled':
          if (state.paperIntake === 'DISABLED') return refuse('PAPER_INTAKE_ALREADY_DISABLED', 'paper intake would already be disabled');
          if (state.onlineMode === 'INFORMATION_ONLY') {
            return refuse('PAPER_INTAKE_REQUIRES_ONLINE_MODE', 'the procedure would be information-only');
          }
          break;
        case 'PaperIntakeReenabled':
          if (state.paperIntake === 'ACCEPTED') return refuse('PAPER_INTAKE_ALREADY_ACCEPTED', 'paper intake would already be accepted');
          break;
        default:
          break;
      }
    }
    state = applyFact(state, fact);
    const endOfDate = i + 1 === facts.length || facts[i + 1].fact.data.effectiveFrom !== fact.data.effectiveFrom;
    if (endOfDate && state.status === 'offered' && state.onlineMode === 'INFORMATION_ONLY' && state.paperIntake === 'DISABLED') {
      return refuse('PAPER_INTAKE_REQUIRES_ONLINE_MODE', 'the procedure would be information-only without paper intake');
    }
  }
  return null;
}

/** One stretch of valid time with the status in force: [validFrom, validTo), null = open. */
export interface TimelineSegment {
  validFrom: CalendarDate;
  validTo: CalendarDate | null;
  onlineMode: OnlineMode;
  paperIntake: PaperIntake;
}

/**
 * The procedure's status over valid time from standing facts (valid-time order): one segment per
 * date on which something took effect, until its withdrawal (no segment after it). Facts of one date
 * make one segment; a date whose facts leave the status as it was still starts a segment, as the
 * projection's rows do.
 */
export function timeline(facts: readonly StandingFact[]): TimelineSegment[] {
  const segments: TimelineSegment[] = [];
  let state: ProcedureState = { status: 'unregistered' };
  for (let i = 0; i < facts.length; i++) {
    state = applyFact(state, facts[i].fact);
    const date = facts[i].fact.data.effectiveFrom;
    if (i + 1 < facts.length && facts[i + 1].fact.data.effectiveFrom === date) continue;
    const last = segments[segments.length - 1];
    if (last && last.validTo === null) last.validTo = date;
    if (state.status === 'offered') segments.push({ validFrom: date, validTo: null, onlineMode: state.onlineMode, paperIntake: state.paperIntake });
    if (state.status === 'withdrawn') break;
  }
  return segments;
}

/** The latest effective date among the standing facts (null when none). */
export function lastEffectiveDate(facts: readonly StandingFact[]): CalendarDate | null {
  return facts.length === 0 ? null : facts[facts.length - 1].fact.data.effectiveFrom;
}

/** What procedures add to their authority's counts in force: one each, in its mode, and paperless or not. */
export interface StatusCounts {
  total: number;
  fullProcess: number;
  partial: number;
  informationOnly: number;
  paperIntakeDisabled: number;
}

const MODE_COUNT: Record<OnlineMode, 'fullProcess' | 'partial' | 'informationOnly'> = {
  FULL_PROCESS: 'fullProcess',
  PARTIAL: 'partial',
  INFORMATION_ONLY: 'informationOnly',
};

/**
 * How the counts in force change, date by date, when a procedure's timeline `before` becomes `after`:
 * the change from each date on (a count in force on D is the sum of the changes dated on or before D).
 * Every boundary of either timeline gets an entry, zero or not, so that two computations of the same
 * history touch the same dates.
 */
export function timelineChange(before: readonly TimelineSegment[], after: readonly TimelineSegment[]): Map<CalendarDate, StatusCounts> {
  const change = new Map<CalendarDate, StatusCounts>();
  const at = (date: CalendarDate) => {
    let c = change.get(date);
    if (!c) change.set(date, (c = { total: 0, fullProcess: 0, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 }));
    return c;
  };
  const add = (segments: readonly TimelineSegment[], sign: 1 | -1) => {
    for (const s of segments) {
      for (const [date, k] of [[s.validFrom, sign], ...(s.validTo === null ? [] : [[s.validTo, -sign]])] as [CalendarDate, number][]) {
        const c = at(date);
        c.total += k;
        c[MODE_COUNT[s.onlineMode]] += k;
        if (s.paperIntake === 'DISABLED') c.paperIntakeDisabled += k;
      }
    }
  };
  add(before, -1);
  add(after, 1);
  return change;
}
