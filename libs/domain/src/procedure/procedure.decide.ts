import type { Decider } from '../shared/decider.js';
import { IllegalProcedureTransition, ProcedureNotFound } from '../shared/errors.js';
import type { ProcedureCommand } from './procedure.commands.js';
import { ONLINE_MODE_RANK, type OnlineMode, type ProcedureEvent } from './procedure.events.js';
import { evolve, initialState, type ProcedureState, type RegisteredProcedure } from './procedure.state.js';
import { validateCommand } from './procedure.validation.js';

/** Stream of one procedure as offered by one authority: `procedure-74:1.001612`. */
export const PROCEDURE_STREAM_CATEGORY = 'procedure';
export function procedureStreamId(authorityCode: string, procedureCode: string): string {
  return `${PROCEDURE_STREAM_CATEGORY}-${authorityCode}:${procedureCode}`;
}

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

  const current = requireOffered(state, authorityCode, procedureCode);
  const { effectiveFrom, decisionRef, reason } = command.data;
  if (effectiveFrom < current.lastEffectiveFrom) {
    // Retroactive corrections will be events of their own; until then history is append-only in time.
    throw new IllegalProcedureTransition(
      'EFFECTIVE_DATE_BEFORE_LAST_TRANSITION',
      `effectiveFrom ${effectiveFrom} is before the procedure's last transition (${current.lastEffectiveFrom})`,
    );
  }
  const dated = {
    authorityCode,
    procedureCode,
    effectiveFrom,
    decisionRef: decisionRef.trim(),
    ...(reason !== undefined && { reason: reason.trim() }),
  };

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

type Dated = { authorityCode: string; procedureCode: string; effectiveFrom: string; decisionRef: string; reason?: string };

function reclassify(current: RegisteredProcedure, to: OnlineMode, dated: Dated): ProcedureEvent[] {
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
  const downgraded: ProcedureEvent = {
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
