import { isCalendarDate } from '../shared/calendar-date.js';
import { InvalidCommand, type FieldError } from '../shared/errors.js';
import type { ProcedureCommand } from './procedure.commands.js';
import { ONLINE_MODES, PAPER_INTAKES } from './procedure.events.js';

/**
 * National procedure code (mã TTHC): one digit, a dot, six digits (1.001193), optionally followed by
 * case variants (1.001193.01) or a province's localised suffix (1.000494.000.00.00.H29).
 */
export const PROCEDURE_CODE_PATTERN = /^[0-9]\.[0-9]{6}(\.[0-9A-Z]{2,3}){0,4}$/;
export const AUTHORITY_CODE_PATTERN = /^[0-9]{2}$/;

export const LIMITS = { name: 1000, field: 200, level: 100, decisionRef: 200, reason: 2000, correctionRef: 200 } as const;

/** At most this many events rescinded by one command (a decision touches a procedure a few times). */
export const MAX_RESCINDED_PER_COMMAND = 100;
/** The greatest revision a command may name (a stream never gets near it; bounds hostile input). */
export const MAX_REVISION = 1_000_000;

// Control, format (bidirectional, zero-width, soft hyphen…), surrogate, private-use and line/paragraph
// separator characters, and the fillers and variation selectors that render as nothing, have no place in
// names or references: they make two equal-looking strings differ. The api's validators use the same rule.
export const FORBIDDEN_CHARACTERS =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u3164\ufe00-\ufe0f\uffa0]/u;

/** Validates a command's shape; throws InvalidCommand naming every offending field. */
export function validateCommand(command: ProcedureCommand): void {
  const errors: FieldError[] = [];
  const data = command.data as unknown as Record<string, unknown>;
  if (typeof data.authorityCode !== 'string' || !AUTHORITY_CODE_PATTERN.test(data.authorityCode)) {
    errors.push({ field: 'authorityCode', message: 'must be a 2-digit provincial code such as 74' });
  }
  if (typeof data.procedureCode !== 'string' || !PROCEDURE_CODE_PATTERN.test(data.procedureCode)) {
    errors.push({ field: 'procedureCode', message: 'must be a national procedure code such as 1.001612' });
  }
  const amending = command.type === 'CorrectTransition' || command.type === 'RescindTransitions';
  if (!(amending && data.effectiveFrom === undefined) && !isCalendarDate(data.effectiveFrom)) {
    errors.push({ field: 'effectiveFrom', message: 'must be a real calendar date YYYY-MM-DD' });
  }
  const text = (field: keyof typeof LIMITS, required: boolean) => {
    const value = data[field];
    if (value === undefined && !required) return;
    if (typeof value !== 'string' || value.trim().length === 0) {
      errors.push({ field, message: 'must be a non-empty string' });
    } else if (value.length > LIMITS[field]) {
      errors.push({ field, message: `must be at most ${LIMITS[field]} characters` });
    } else if (FORBIDDEN_CHARACTERS.test(value)) {
      errors.push({ field, message: 'must not contain control, bidirectional or zero-width characters' });
    }
  };
  switch (command.type) {
    case 'RegisterProcedure':
      text('name', true);
      text('field', false);
      text('level', false);
      text('decisionRef', false);
      if (!(ONLINE_MODES as readonly unknown[]).includes(data.onlineMode)) {
        errors.push({ field: 'onlineMode', message: `must be one of ${ONLINE_MODES.join(', ')}` });
      }
      if (data.paperIntake !== undefined && !(PAPER_INTAKES as readonly unknown[]).includes(data.paperIntake)) {
        errors.push({ field: 'paperIntake', message: `must be one of ${PAPER_INTAKES.join(', ')}` });
      }
      break;
    case 'ReclassifyProcedure':
      if (!(ONLINE_MODES as readonly unknown[]).includes(data.onlineMode)) {
        errors.push({ field: 'onlineMode', message: `must be one of ${ONLINE_MODES.join(', ')}` });
      }
      text('decisionRef', true);
      text('reason', false);
      break;
    case 'DisablePaperIntake':
    case 'ReenablePaperIntake':
    case 'WithdrawProcedure':
    case 'DiscontinueProcedure':
      text('decisionRef', true);
      text('reason', false);
      break;
    case 'CorrectTransition': {
      const revisionOk = Number.isSafeInteger(data.revision) && (data.revision as number) >= 0 && (data.revision as number) <= MAX_REVISION;
      if (!revisionOk) errors.push({ field: 'revision', message: `must be an integer from 0 to ${MAX_REVISION}` });
      text('reason', true);
      text('decisionRef', false);
      text('correctionRef', false);
      if (data.onlineMode !== undefined && !(ONLINE_MODES as readonly unknown[]).includes(data.onlineMode)) {
        errors.push({ field: 'onlineMode', message: `must be one of ${ONLINE_MODES.join(', ')}` });
      }
      if (data.paperIntake !== undefined && !(PAPER_INTAKES as readonly unknown[]).includes(data.paperIntake)) {
        errors.push({ field: 'paperIntake', message: `must be one of ${PAPER_INTAKES.join(', ')}` });
      }
      if (['effectiveFrom', 'onlineMode', 'paperIntake', 'decisionRef'].every((f) => data[f] === undefined)) {
        errors.push({ field: 'effectiveFrom', message: 'a correction must give at least one right value: effectiveFrom, onlineMode, paperIntake or decisionRef' });
      }
      break;
    }
    case 'RescindTransitions': {
      const revisions = data.revisions;
      if (!Array.isArray(revisions) || revisions.length === 0 || revisions.length > MAX_RESCINDED_PER_COMMAND) {
        errors.push({ field: 'revisions', message: `must be a list of 1 to ${MAX_RESCINDED_PER_COMMAND} revisions` });
      } else if (!revisions.every((r) => Number.isSafeInteger(r) && r >= 0 && r <= MAX_REVISION)) {
        errors.push({ field: 'revisions', message: `every revision must be an integer from 0 to ${MAX_REVISION}` });
      } else if (new Set(revisions).size !== revisions.length) {
        errors.push({ field: 'revisions', message: 'must not name a revision twice' });
      }
      text('decisionRef', true);
      text('reason', false);
      break;
    }
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
  if (command.type === 'DiscontinueProcedure' && (typeof data.successorCode !== 'string' || !AUTHORITY_CODE_PATTERN.test(data.successorCode))) {
    errors.push({ field: 'successorCode', message: 'must be a 2-digit provincial code such as 79' });
  }
  // Whether the authority exists (and is still in force) is its stream's to say: the application reads it.
  if (errors.length > 0) throw new InvalidCommand(errors);
}
