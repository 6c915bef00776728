import type { Decider } from '../shared/decider.js';
import { IllegalProcedureTransition, InvalidCommand, ProcedureNotFound, type TransitionRefusal } from '../shared/errors.js';
import type { CorrectTransition, ProcedureCommand, RescindTransitions } from './procedure.commands.js';
import { isAmendment, ONLINE_MODE_RANK, type OnlineMode, type ProcedureEvent, type ProcedureFact } from './procedure.events.js';
import { checkStanding, factsOf, foldFacts, standing, type LogEntry, type StandingFact } from './procedure.standing.js';
import { evolve, initialState, logOf, type ProcedureState, type RegisteredProcedure } from './procedure.state.js';
import { validateCommand } from './procedure.validation.js';

/** Stream of one procedure as offered by one authority: `procedure-74:1.001612`. */
export const PROCEDURE_STREAM_CATEGORY = 'procedure';
export function procedureStreamId(authorityCode: string, procedureCode: string): string {
  return `${PROCEDURE_STREAM_CATEGORY}-${authorityCode}:${procedureCode}`;
}

/**
 * Decides a command on the procedure's state (folded by `evolve`, which keeps the stream's history).
 * A transition effective before others already recorded (a late decision) is decided on the state in
 * force on its date and accepted only if every later transition stays legal; otherwise it is refused
 * with CONFLICTS_WITH_LATER_TRANSITION naming that transition (`conflictsWith`). Corrections and
 * rescissions name an event by revision and are held to the same rule.
 *
 * @throws InvalidCommand (malformed), ProcedureNotFound, IllegalProcedureTransition (refused; `reason`)
 */
export function decide(command: ProcedureCommand, state: ProcedureState): ProcedureEvent[] {
  validateCommand(command);
  const { authorityCode, procedureCode } = command.data;
  if (command.type === 'RegisterProcedure') {
    if (state.status !== 'unregistered') {
      throw new IllegalProcedureTransition(
        state.status === 'withdrawn' ? 'ALREADY_WITHDRAWN' : 'ALREADY_REGISTERED',
        `Procedure ${procedureCode} is already registered for authority ${authorityCode}`,
      );
    }
    const paperIntake = command.data.paperIntake ?? 'ACCEPTED';
    if (paperIntake === 'DISABLED' && command.data.onlineMode === 'INFORMATION_ONLY') {
      throw paperNeedsOnlineMode();
    }
    const { name, field, level, decisionRef } = command.data;
    return [
      {
        type: 'ProcedureRegistered',
        data: {
          authorityCode,
          procedureCode,
          name: name.trim().normalize('NFC'),
          ...(field !== undefined && { field: field.trim().normalize('NFC') }),
          ...(level !== undefined && { level: level.trim().normalize('NFC') }),
          onlineMode: command.data.onlineMode,
          paperIntake,
          effectiveFrom: command.data.effectiveFrom,
          ...(decisionRef !== undefined && { decisionRef: decisionRef.trim() }),
        },
      },
    ];
  }

  if (command.type === 'CorrectTransition') return correct(command.data, state);
  if (command.type === 'RescindTransitions') return rescind(command.data, state);

  const { effectiveFrom, decisionRef, reason } = command.data;
  // A late decision (effective before others already recorded) is decided on the state in force on its
  // date, in the history as it stands: the facts of that date recorded before it come first.
  const log = logOf(state);
  const facts = standing(log);
  const late = log.length > 0 && facts.some((f) => f.fact.data.effectiveFrom > effectiveFrom);
  let current: RegisteredProcedure;
  if (log.length === 0 || !late) {
    current = requireOffered(state, authorityCode, procedureCode);
    if (log.length === 0 && current.lastEffectiveFrom > effectiveFrom) {
      // A state not folded by `evolve` has no history to place a late decision in.
      throw new IllegalProcedureTransition(
        'EFFECTIVE_DATE_BEFORE_LAST_TRANSITION',
        `effectiveFrom ${effectiveFrom} is before the procedure's last transition (${current.lastEffectiveFrom})`,
      );
    }
  } else {
    const then = foldFacts(facts.filter((f) => f.fact.data.effectiveFrom <= effectiveFrom));
    if (then.status === 'unregistered') {
      if (state.status === 'unregistered') throw new ProcedureNotFound(authorityCode, procedureCode);
      throw new IllegalProcedureTransition(
        'EFFECTIVE_DATE_BEFORE_REGISTRATION',
        `effectiveFrom ${effectiveFrom} is before the procedure is registered (${facts[0].fact.data.effectiveFrom})`,
      );
    }
    current = requireOffered(then, authorityCode, procedureCode);
  }
  const dated = {
    authorityCode,
    procedureCode,
    effectiveFrom,
    decisionRef: decisionRef.trim(),
    ...(reason !== undefined && { reason: reason.trim() }),
  };
  const decided = decideTransition(command, current, dated);
  if (late) {
    const next = log.length;
    requireLegal([...log, ...decided.map((event, i) => ({ revision: next + i, event }))], next, 'CONFLICTS_WITH_LATER_TRANSITION');
  }
  return decided;
}

type TransitionCommand = Exclude<ProcedureCommand, { type: 'RegisterProcedure' | 'CorrectTransition' | 'RescindTransitions' }>;

function decideTransition(command: TransitionCommand, current: RegisteredProcedure, dated: Dated): ProcedureFact[] {
  switch (command.type) {
    case 'ReclassifyProcedure':
      return reclassify(current, command.data.onlineMode, dated);
    case 'DisablePaperIntake':
      if (current.onlineMode === 'INFORMATION_ONLY') throw paperNeedsOnlineMode();
      if (current.paperIntake === 'DISABLED') {
        throw new IllegalProcedureTransition('PAPER_INTAKE_ALREADY_DISABLED', 'Paper intake is already disabled');
      }
      return [{ type: 'PaperIntakeDisabled', data: { ...dated, from: 'ACCEPTED', to: 'DISABLED' } }];
    case 'ReenablePaperIntake':
      if (current.paperIntake === 'ACCEPTED') {
        throw new IllegalProcedureTransition('PAPER_INTAKE_ALREADY_ACCEPTED', 'Paper intake is already accepted');
      }
      return [{ type: 'PaperIntakeReenabled', data: { ...dated, from: 'DISABLED', to: 'ACCEPTED' } }];
    case 'WithdrawProcedure':
      return [{ type: 'ProcedureWithdrawn', data: dated }];
    case 'DiscontinueProcedure':
      return [{ type: 'ProcedureDiscontinued', data: { ...dated, successorCode: command.data.successorCode } }];
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
}

/**
 * The history with the new events must break no rule anywhere in valid time; otherwise the command is
 * refused naming the recorded event that would become illegal (`conflictsWith`), and nothing is appended.
 */
function requireLegal(log: readonly LogEntry[], firstNew: number, reason: TransitionRefusal): void {
  const violation = checkStanding(standing(log));
  if (violation === null) return;
  const { revision, fact } = violation;
  if (revision >= firstNew) {
    // The new fact itself is illegal where it stands (it was decided on an older state).
    throw new IllegalProcedureTransition(violation.reason, `Refused: ${violation.message}`);
  }
  const ref = fact.data.decisionRef ?? null;
  throw new IllegalProcedureTransition(
    reason,
    `Refused: the ${fact.type} of revision ${revision}, effective ${fact.data.effectiveFrom}${ref ? ` (${ref})` : ''}, would become illegal: ${violation.message}`,
    { revision, type: fact.type, effectiveFrom: fact.data.effectiveFrom, decisionRef: ref, reason: violation.reason },
  );
}

/** The correctable fact at `revision` as it now stands, or why there is none. */
function target(state: ProcedureState, data: { authorityCode: string; procedureCode: string }, revision: number): StandingFact {
  const log = logOf(state);
  if (log.length === 0) throw new ProcedureNotFound(data.authorityCode, data.procedureCode);
  const entry = log[revision];
  if (entry === undefined) {
    throw new IllegalProcedureTransition('NO_SUCH_EVENT', `The stream has no event of revision ${revision} (its last is ${log.length - 1})`);
  }
  if (isAmendment(entry.event)) {
    throw new IllegalProcedureTransition(
      'NOT_CORRECTABLE',
      `Revision ${revision} is a ${entry.event.type}: correct or rescind the event it names (revision ${
        entry.event.type === 'TransitionCorrected' ? entry.event.data.corrects.revision : entry.event.data.rescinds.revision
      }) instead`,
    );
  }
  const fact = factsOf(log).find((f) => f.revision === revision)!;
  if (fact.rescindedBy !== null) {
    throw new IllegalProcedureTransition('NOT_CORRECTABLE', `Revision ${revision} was rescinded by revision ${fact.rescindedBy}`);
  }
  return fact;
}

function correct(data: CorrectTransition['data'], state: ProcedureState): ProcedureEvent[] {
  const { authorityCode, procedureCode, revision } = data;
  const standingFact = target(state, data, revision);
  const was = standingFact.fact;
  const effectiveFrom = data.effectiveFrom ?? was.data.effectiveFrom;
  const decisionRef = data.decisionRef?.trim() ?? was.data.decisionRef;
  const log = logOf(state);
  const notHere = (field: string) =>
    new InvalidCommand([{ field, message: `cannot be corrected on a ${was.type}: only effectiveFrom and decisionRef can` }]);
  let correctedTo: ProcedureFact;
  switch (was.type) {
    case 'ProcedureRegistered': {
      const onlineMode = data.onlineMode ?? was.data.onlineMode;
      const paperIntake = data.paperIntake ?? was.data.paperIntake;
      if (paperIntake === 'DISABLED' && onlineMode === 'INFORMATION_ONLY') throw paperNeedsOnlineMode();
      correctedTo = { type: was.type, data: { ...was.data, onlineMode, paperIntake, effectiveFrom, ...(decisionRef !== undefined && { decisionRef }) } };
      break;
    }
    case 'ProcedureUpgradedToFullProcess':
    case 'ProcedureUpgradedToPartialOnline':
    case 'ProcedureDowngradedToPartialOnline':
    case 'ProcedureDowngradedToInformationOnly': {
      if (data.paperIntake !== undefined) throw notHere('paperIntake');
      // The mode it really changed to, from the mode in force just before it at its right date.
      const before = foldFacts(
        standing(log).filter(
          (f) => f.revision !== revision && (f.fact.data.effectiveFrom < effectiveFrom || (f.fact.data.effectiveFrom === effectiveFrom && f.revision < revision)),
        ),
      );
      if (before.status !== 'offered') {
        throw new IllegalProcedureTransition(
          before.status === 'withdrawn' ? 'ALREADY_WITHDRAWN' : 'EFFECTIVE_DATE_BEFORE_REGISTRATION',
          `On ${effectiveFrom} the procedure would be ${before.status === 'withdrawn' ? 'withdrawn' : 'not yet registered'}`,
        );
      }
      const [reclassified] = reclassify({ ...before, paperIntake: 'ACCEPTED' }, data.onlineMode ?? was.data.to, {
        authorityCode,
        procedureCode,
        effectiveFrom,
        decisionRef: decisionRef!,
        ...(was.data.reason !== undefined && { reason: was.data.reason }),
      });
      correctedTo = reclassified;
      break;
    }
    default:
      if (data.onlineMode !== undefined) throw notHere('onlineMode');
      if (data.paperIntake !== undefined) throw notHere('paperIntake');
      correctedTo = { ...was, data: { ...was.data, effectiveFrom, decisionRef: decisionRef! } } as ProcedureFact;
  }
  if (sameValue(correctedTo, was)) {
    throw new IllegalProcedureTransition('CORRECTION_CHANGES_NOTHING', `Revision ${revision} already stands with these values`);
  }
  const event: ProcedureEvent = {
    type: 'TransitionCorrected',
    data: {
      authorityCode,
      procedureCode,
      effectiveFrom: effectiveFrom < was.data.effectiveFrom ? effectiveFrom : was.data.effectiveFrom,
      corrects: { revision, type: standingFact.original.type },
      correctedTo,
      reason: data.reason.trim(),
      ...(data.correctionRef !== undefined && { decisionRef: data.correctionRef.trim() }),
    },
  };
  requireLegal([...log, { revision: log.length, event }], log.length, 'CONFLICTS_WITH_LATER_TRANSITION');
  return [event];
}

function rescind(data: RescindTransitions['data'], state: ProcedureState): ProcedureEvent[] {
  const { authorityCode, procedureCode } = data;
  const events: ProcedureEvent[] = [...data.revisions].sort((a, b) => a - b).map((revision) => {
    const { fact, original } = target(state, data, revision);
    return {
      type: 'TransitionRescinded',
      data: {
        authorityCode,
        procedureCode,
        effectiveFrom: fact.data.effectiveFrom,
        rescinds: { revision, type: original.type },
        decisionRef: data.decisionRef.trim(),
        ...(data.reason !== undefined && { reason: data.reason.trim() }),
      },
    };
  });
  const log = logOf(state);
  requireLegal([...log, ...events.map((event, i) => ({ revision: log.length + i, event }))], log.length, 'CONFLICTS_WITH_LATER_TRANSITION');
  return events;
}

type Dated = { authorityCode: string; procedureCode: string; effectiveFrom: string; decisionRef: string; reason?: string };

function reclassify(current: RegisteredProcedure, to: OnlineMode, dated: Dated): ProcedureFact[] {
  const from = current.onlineMode;
  if (from === to) {
    throw new IllegalProcedureTransition('ALREADY_IN_MODE', `Procedure is already ${to}`);
  }
  if (to === 'FULL_PROCESS') {
    return [{ type: 'ProcedureUpgradedToFullProcess', data: { ...dated, from: from as 'PARTIAL' | 'INFORMATION_ONLY', to } }];
  }
  if (to === 'PARTIAL') {
    return ONLINE_MODE_RANK[from] < ONLINE_MODE_RANK[to]
      ? [{ type: 'ProcedureUpgradedToPartialOnline', data: { ...dated, from: 'INFORMATION_ONLY', to } }]
      : [{ type: 'ProcedureDowngradedToPartialOnline', data: { ...dated, from: 'FULL_PROCESS', to } }];
  }
  const downgraded: ProcedureFact = {
    type: 'ProcedureDowngradedToInformationOnly',
    data: { ...dated, from: from as 'FULL_PROCESS' | 'PARTIAL', to },
  };
  // An information-only procedure cannot be done online, so it must take paper again: the same
  // decision re-enables paper intake (Decree 42/2022/NĐ-CP, Art. 11: only online services can go paperless).
  return current.paperIntake === 'DISABLED'
    ? [downgraded, { type: 'PaperIntakeReenabled', data: { ...dated, from: 'DISABLED', to: 'ACCEPTED' } }]
    : [downgraded];
}

function requireOffered(state: ProcedureState, authorityCode: string, procedureCode: string): RegisteredProcedure {
  if (state.status === 'unregistered') throw new ProcedureNotFound(authorityCode, procedureCode);
  if (state.status === 'withdrawn') {
    throw new IllegalProcedureTransition('ALREADY_WITHDRAWN', `Procedure ${procedureCode} has been withdrawn`);
  }
  return state;
}

function paperNeedsOnlineMode(): IllegalProcedureTransition {
  return new IllegalProcedureTransition(
    'PAPER_INTAKE_REQUIRES_ONLINE_MODE',
    'Paper intake can be disabled only for a full-process or partial online procedure',
  );
}

export const procedure: Decider<ProcedureCommand, ProcedureEvent, ProcedureState> = { decide, evolve, initialState };

/** Deep equality of JSON values, whatever the order of keys (stored events come back from jsonb reordered). */
function sameValue(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => sameValue((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}
