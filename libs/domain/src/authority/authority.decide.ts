import { isCalendarDate } from '../shared/calendar-date.js';
import type { Decider } from '../shared/decider.js';
import { IllegalAuthorityTransition, InvalidCommand, UnknownAuthority, type FieldError } from '../shared/errors.js';
import { AUTHORITY_CODE_PATTERN, FORBIDDEN_CHARACTERS } from '../procedure/procedure.validation.js';
import type { AuthorityCommand, Reorganisation } from './authority.commands.js';
import { AGENCY_CODE_PATTERN, AGENCY_KINDS, AUTHORITY_KINDS, isAgencyKind, type AuthorityStreamEvent } from './authority.events.js';
import { decideNationalFact, isNationalFactCommand, validateNationalFactCommand } from './national-facts.decide.js';
import { evolveAuthority, initialAuthorityState, type AuthorityState, type EstablishedAuthority } from './authority.state.js';

/** One stream per provincial-level unit (or central agency), keyed by its code (see authority.state.ts for why). */
export const AUTHORITY_STREAM_CATEGORY = 'authority';
export function authorityStreamId(authorityCode: string): string {
  return `${AUTHORITY_STREAM_CATEGORY}-${authorityCode}`;
}

const TEXT_LIMIT = 200;

/** Validates an authority command's shape; throws InvalidCommand naming every offending field. */
export function validateAuthorityCommand(command: AuthorityCommand): void {
  if (isNationalFactCommand(command)) return validateNationalFactCommand(command);
  const errors: FieldError[] = [];
  const data = command.data as unknown as Record<string, unknown>;
  const code = (field: string, value: unknown) => {
    if (typeof value !== 'string' || !AUTHORITY_CODE_PATTERN.test(value)) errors.push({ field, message: 'must be a 2-digit provincial code such as 74' });
  };
  const text = (field: string, required: boolean) => validText(errors, field, data[field], required);
  const establishing = command.type === 'EstablishAuthority' || command.type === 'RenameAuthority';
  if (establishing && typeof data.authorityCode === 'string' && AGENCY_CODE_PATTERN.test(data.authorityCode)) {
    // A central agency (issue 18): an agency kind, and no territory to merge.
    if (!isAgencyKind(data.kind) && (data.kind !== undefined || command.type === 'EstablishAuthority')) {
      errors.push({ field: 'kind', message: `an agency code (B05) takes one of ${AGENCY_KINDS.join(', ')}` });
    }
  } else {
    code('authorityCode', data.authorityCode);
  }
  if (!isCalendarDate(data.effectiveFrom)) errors.push({ field: 'effectiveFrom', message: 'must be a real calendar date YYYY-MM-DD' });
  const kind = (required: boolean) => {
    if (typeof data.authorityCode === 'string' && AGENCY_CODE_PATTERN.test(data.authorityCode)) return; // checked above
    if ((data.kind !== undefined || required) && !(AUTHORITY_KINDS as readonly unknown[]).includes(data.kind)) {
      errors.push({ field: 'kind', message: `must be one of ${AUTHORITY_KINDS.join(', ')}` });
    }
  };
  switch (command.type) {
    case 'EstablishAuthority':
      text('name', true);
      text('nameEn', false);
      text('region', false);
      text('legalBasis', false);
      kind(true);
      break;
    case 'RenameAuthority':
      text('name', true);
      text('nameEn', false);
      text('legalBasis', true);
      kind(false);
      break;
    case 'DissolveAuthority':
      code('successorCode', data.successorCode);
      text('legalBasis', true);
      if (data.successorCode === data.authorityCode) errors.push({ field: 'successorCode', message: 'must differ from authorityCode' });
      break;
    case 'AbsorbAuthorities':
      text('legalBasis', true);
      if (!Array.isArray(data.absorbed) || data.absorbed.length === 0) errors.push({ field: 'absorbed', message: 'must list at least one unit' });
      else command.data.absorbed.forEach((a, i) => {
        code(`absorbed[${i}].authorityCode`, a?.authorityCode);
        if (a?.authorityCode === command.data.authorityCode) errors.push({ field: `absorbed[${i}].authorityCode`, message: 'must differ from authorityCode' });
      });
      break;
    default: {
      const _exhaustive: never = command;
      return _exhaustive;
    }
  }
  if (errors.length > 0) throw new InvalidCommand(errors);
}

/** Validates a reorganisation as the API receives it; throws InvalidCommand naming every offending field. */
export function validateReorganisation(r: Reorganisation): void {
  const errors: FieldError[] = [];
  const data = r as unknown as Record<string, unknown>;
  if (typeof r.successorCode !== 'string' || !AUTHORITY_CODE_PATTERN.test(r.successorCode)) {
    errors.push({ field: 'successorCode', message: 'must be a 2-digit provincial code such as 79' });
  }
  if (!Array.isArray(r.predecessorCodes) || r.predecessorCodes.length === 0) {
    errors.push({ field: 'predecessorCodes', message: 'must list at least one unit that dissolves into the successor' });
  } else {
    r.predecessorCodes.forEach((c, i) => {
      if (typeof c !== 'string' || !AUTHORITY_CODE_PATTERN.test(c)) errors.push({ field: `predecessorCodes[${i}]`, message: 'must be a 2-digit provincial code' });
      else if (c === r.successorCode) errors.push({ field: `predecessorCodes[${i}]`, message: 'must differ from successorCode (the host continues)' });
    });
    if (new Set(r.predecessorCodes).size !== r.predecessorCodes.length) errors.push({ field: 'predecessorCodes', message: 'must not repeat a code' });
  }
  if (!isCalendarDate(r.effectiveFrom)) errors.push({ field: 'effectiveFrom', message: 'must be a real calendar date YYYY-MM-DD' });
  validText(errors, 'legalBasis', data.legalBasis, true);
  validText(errors, 'successorName', data.successorName, false);
  validText(errors, 'successorNameEn', data.successorNameEn, false);
  if (r.successorKind !== undefined && !(AUTHORITY_KINDS as readonly unknown[]).includes(r.successorKind)) {
    errors.push({ field: 'successorKind', message: `must be one of ${AUTHORITY_KINDS.join(', ')}` });
  }
  if (errors.length > 0) throw new InvalidCommand(errors);
}

function validText(errors: FieldError[], field: string, value: unknown, required: boolean): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.trim().length === 0) errors.push({ field, message: 'must be a non-empty string' });
  else if (value.length > TEXT_LIMIT) errors.push({ field, message: `must be at most ${TEXT_LIMIT} characters` });
  else if (FORBIDDEN_CHARACTERS.test(value)) errors.push({ field, message: 'must not contain control, bidirectional or zero-width characters' });
}

const clean = (s: string) => s.trim().normalize('NFC');

/**
 * Decides one unit's events. Repeating a change already recorded (same date, same content) decides
 * nothing, so that loading the shipped data or re-sending a reorganisation after a crash half-way
 * is safe.
 */
export function decideAuthority(command: AuthorityCommand, state: AuthorityState): AuthorityStreamEvent[] {
  if (isNationalFactCommand(command)) return decideNationalFact(command, state);
  validateAuthorityCommand(command);
  const { authorityCode, effectiveFrom } = command.data;
  if (command.type === 'EstablishAuthority') {
    const d = command.data;
    const data = {
      authorityCode,
      name: clean(d.name),
      ...(d.nameEn !== undefined && { nameEn: clean(d.nameEn) }),
      kind: d.kind,
      ...(d.region !== undefined && { region: clean(d.region) }),
      effectiveFrom,
      ...(d.legalBasis !== undefined && { legalBasis: clean(d.legalBasis) }),
    };
    if (state.status !== 'unestablished') {
      const first = state.versions[0];
      if (state.establishedFrom === effectiveFrom && first.name === data.name && first.kind === data.kind) return []; // a repeat
      if (state.status === 'dissolved') {
        throw new IllegalAuthorityTransition('CODE_RETIRED', `Code ${authorityCode} belonged to a unit dissolved on ${state.dissolvedOn}; it is not reused`);
      }
      throw new IllegalAuthorityTransition('ALREADY_ESTABLISHED', `Authority ${authorityCode} is already established (from ${state.establishedFrom})`);
    }
    return [{ type: 'AuthorityEstablished', data }];
  }

  if (state.status === 'unestablished') throw new UnknownAuthority(authorityCode);
  if (command.type === 'DissolveAuthority') {
    const { successorCode, legalBasis } = command.data;
    if (state.status === 'dissolved') {
      if (state.successorCode === successorCode && state.dissolvedOn === effectiveFrom) return [];
      throw new IllegalAuthorityTransition('ALREADY_DISSOLVED', `Authority ${authorityCode} was dissolved into ${state.successorCode} on ${state.dissolvedOn}`);
    }
    requireNotBefore(state, effectiveFrom, true);
    if (state.facts && state.facts.lastOn >= effectiveFrom) {
      throw new IllegalAuthorityTransition('FACT_AFTER_DISSOLUTION', `A national fact about ${authorityCode} is dated ${state.facts.lastOn}, on or after ${effectiveFrom}`);
    }
    return [{ type: 'AuthorityMerged', data: { authorityCode, successorCode, effectiveFrom, legalBasis: clean(legalBasis) } }];
  }
  if (state.status === 'dissolved') {
    throw new IllegalAuthorityTransition('ALREADY_DISSOLVED', `Authority ${authorityCode} was dissolved into ${state.successorCode} on ${state.dissolvedOn}`);
  }
  const current = state.versions[state.versions.length - 1];
  if (command.type === 'RenameAuthority') {
    const { name, nameEn, kind, legalBasis } = command.data;
    const to = clean(name);
    if (current.name === to && (kind === undefined || kind === current.kind)) {
      if (current.validFrom === effectiveFrom) return [];
      throw new IllegalAuthorityTransition('SAME_NAME', `Authority ${authorityCode} is already named ${to}`);
    }
    requireNotBefore(state, effectiveFrom, false);
    return [
      {
        type: 'AuthorityRenamed',
        data: {
          authorityCode,
          from: current.name,
          to,
          ...(nameEn !== undefined && { nameEn: clean(nameEn) }),
          ...(kind !== undefined && { kind }),
          effectiveFrom,
          legalBasis: clean(legalBasis),
        },
      },
    ];
  }
  // AbsorbAuthorities
  const { absorbed, legalBasis } = command.data;
  const codes = absorbed.map((a) => a.authorityCode).sort();
  if (current.validFrom === effectiveFrom && codes.every((c) => current.absorbed.includes(c))) return [];
  requireNotBefore(state, effectiveFrom, false);
  const territory = [...new Set([...current.territory, ...absorbed.flatMap((a) => a.territory)])].sort();
  return [{ type: 'AuthorityAbsorbed', data: { authorityCode, absorbedCodes: codes, territory, effectiveFrom, legalBasis: clean(legalBasis) } }];
}

/** History is append-only in time, as for procedures; a dissolution must also follow the establishment. */
function requireNotBefore(state: EstablishedAuthority, effectiveFrom: string, strictly: boolean): void {
  if (effectiveFrom < state.lastEffectiveFrom || (strictly && effectiveFrom === state.establishedFrom)) {
    throw new IllegalAuthorityTransition(
      'EFFECTIVE_DATE_BEFORE_LAST_CHANGE',
      `effectiveFrom ${effectiveFrom} is not after the unit's last change (${state.lastEffectiveFrom})`,
    );
  }
}

export const authority: Decider<AuthorityCommand, AuthorityStreamEvent, AuthorityState> = {
  decide: decideAuthority,
  evolve: evolveAuthority,
  initialState: initialAuthorityState,
};
