import { isCalendarDate } from '../shared/calendar-date.js';
import { IllegalAuthorityTransition, InvalidCommand, UnknownAuthority, type FieldError } from '../shared/errors.js';
import { AUTHORITY_CODE_PATTERN, FORBIDDEN_CHARACTERS } from '../procedure/procedure.validation.js';
import { AGENCY_CODE_PATTERN, type NationalFactEvent } from './authority.events.js';
import type { AuthorityState, EstablishedAuthority } from './authority.state.js';

/**
 * The requirements a procedure-handling information system is assessed against: Circular
 * 21/2023/TT-BTTTT (shared/DOMAIN.md §6). Recorded in every assessment, so that a later standard
 * can be told apart.
 */
export const CIRCULAR_21_2023 = 'Thông tư 21/2023/TT-BTTTT';

/** Record an assessment of the agency's procedure-handling system, dated and sourced. */
export type AssessProcedureSystem = {
  type: 'AssessProcedureSystem';
  data: { authorityCode: string; assessedOn: string; meetsAllRequirements: boolean; source: string };
};
/** Record that the agency's system connected to the National Population Database on a date. */
export type ConnectPopulationDatabase = {
  type: 'ConnectPopulationDatabase';
  data: { authorityCode: string; connectedOn: string; source: string };
};
/** Record that the connection ended on a date (the first day without it). */
export type DisconnectPopulationDatabase = {
  type: 'DisconnectPopulationDatabase';
  data: { authorityCode: string; disconnectedOn: string; source: string; reason?: string };
};
export type NationalFactCommand = AssessProcedureSystem | ConnectPopulationDatabase | DisconnectPopulationDatabase;

const NATIONAL_FACT_COMMAND_TYPES: readonly string[] = ['AssessProcedureSystem', 'ConnectPopulationDatabase', 'DisconnectPopulationDatabase'];
export function isNationalFactCommand(command: { type: string }): command is NationalFactCommand {
  return NATIONAL_FACT_COMMAND_TYPES.includes(command.type);
}

export const FACT_LIMITS = { source: 500, reason: 2000 } as const;

/** A provincial code (74) or a central agency's (B05). */
export function isAnyAuthorityCode(value: unknown): value is string {
  return typeof value === 'string' && (AUTHORITY_CODE_PATTERN.test(value) || AGENCY_CODE_PATTERN.test(value));
}

/** The date field each command is dated by. */
export function factDateOf(command: NationalFactCommand): string {
  switch (command.type) {
    case 'AssessProcedureSystem':
      return command.data.assessedOn;
    case 'ConnectPopulationDatabase':
      return command.data.connectedOn;
    case 'DisconnectPopulationDatabase':
      return command.data.disconnectedOn;
  }
}
const DATE_FIELD = { AssessProcedureSystem: 'assessedOn', ConnectPopulationDatabase: 'connectedOn', DisconnectPopulationDatabase: 'disconnectedOn' } as const;

/** Validates a fact command's shape; throws InvalidCommand naming every offending field. */
export function validateNationalFactCommand(command: NationalFactCommand): void {
  const errors: FieldError[] = [];
  const data = command.data as unknown as Record<string, unknown>;
  if (!isAnyAuthorityCode(data.authorityCode)) errors.push({ field: 'authorityCode', message: 'must be a 2-digit provincial code such as 74 or an agency code such as B05' });
  const dateField = DATE_FIELD[command.type];
  if (!isCalendarDate(data[dateField])) errors.push({ field: dateField, message: 'must be a real calendar date YYYY-MM-DD' });
  text(errors, 'source', data.source, true, FACT_LIMITS.source);
  if (command.type === 'AssessProcedureSystem' && typeof data.meetsAllRequirements !== 'boolean') {
    errors.push({ field: 'meetsAllRequirements', message: 'must be true or false' });
  }
  if (command.type === 'DisconnectPopulationDatabase') text(errors, 'reason', data.reason, false, FACT_LIMITS.reason);
  if (errors.length > 0) throw new InvalidCommand(errors);
}

function text(errors: FieldError[], field: string, value: unknown, required: boolean, limit: number): void {
  if (value === undefined && !required) return;
  if (typeof value !== 'string' || value.trim().length === 0) errors.push({ field, message: 'must be a non-empty string' });
  else if (value.length > limit) errors.push({ field, message: `must be at most ${limit} characters` });
  else if (FORBIDDEN_CHARACTERS.test(value)) errors.push({ field, message: 'must not contain control, bidirectional or zero-width characters' });
}

const clean = (s: string) => s.trim().normalize('NFC');
const refuse = (reason: ConstructorParameters<typeof IllegalAuthorityTransition>[0], message: string) => new IllegalAuthorityTransition(reason, message);

/**
 * Decides a national fact on the authority's stream. Rules: the authority must be established, and
 * the fact dated on or after its establishment and before its dissolution (nothing is recorded about
 * a unit that no longer exists: its successor's facts speak for the territory). Each timeline is
 * append-only in time: an assessment not before the last one, a connection change after the last.
 * A connection needs the agency not connected; a disconnection needs it connected, after the
 * connection's date. The same fact sent again (same date, same content) decides nothing, so that
 * loading the demo data twice is safe; another assessment on the same date is refused.
 */
export function decideNationalFact(command: NationalFactCommand, state: AuthorityState): NationalFactEvent[] {
  validateNationalFactCommand(command);
  const { authorityCode } = command.data;
  if (state.status === 'unestablished') throw new UnknownAuthority(authorityCode);
  const date = factDateOf(command);
  const facts = state.facts ?? { assessments: [], connections: [], lastOn: state.establishedFrom };
  const source = clean(command.data.source);
  const repeat = isRepeat(command, state, source);
  if (repeat) return [];
  requireInForce(state, date);
  switch (command.type) {
    case 'AssessProcedureSystem': {
      const last = facts.assessments.at(-1);
      if (last && date <= last.assessedOn) {
        throw refuse(
          date === last.assessedOn ? 'ALREADY_ASSESSED_ON_DATE' : 'EFFECTIVE_DATE_BEFORE_LAST_CHANGE',
          `${authorityCode}'s system was last assessed on ${last.assessedOn}; an assessment must be dated after it`,
        );
      }
      return [{ type: 'ProcedureSystemAssessed', data: { authorityCode, assessedOn: date, meetsAllRequirements: command.data.meetsAllRequirements, requirements: CIRCULAR_21_2023, source } }];
    }
    case 'ConnectPopulationDatabase': {
      const last = facts.connections.at(-1);
      if (last && last.disconnectedOn === null) throw refuse('ALREADY_CONNECTED', `${authorityCode} is connected to the National Population Database since ${last.connectedOn}`);
      if (last && date <= last.disconnectedOn!) {
        throw refuse('EFFECTIVE_DATE_BEFORE_LAST_CHANGE', `${authorityCode} was disconnected on ${last.disconnectedOn}; a new connection must be dated after it`);
      }
      return [{ type: 'PopulationDatabaseConnected', data: { authorityCode, connectedOn: date, source } }];
    }
    case 'DisconnectPopulationDatabase': {
      const last = facts.connections.at(-1);
      if (!last || last.disconnectedOn !== null) throw refuse('NOT_CONNECTED', `${authorityCode} is not connected to the National Population Database`);
      if (date <= last.connectedOn) {
        throw refuse('EFFECTIVE_DATE_BEFORE_LAST_CHANGE', `${authorityCode} connected on ${last.connectedOn}; a disconnection must be dated after it`);
      }
      const reason = command.data.reason === undefined ? undefined : clean(command.data.reason);
      return [{ type: 'PopulationDatabaseDisconnected', data: { authorityCode, disconnectedOn: date, source, ...(reason !== undefined && { reason }) } }];
    }
  }
}

/** The same fact already recorded as the stream's latest of its timeline. */
function isRepeat(command: NationalFactCommand, state: EstablishedAuthority, source: string): boolean {
  const facts = state.facts;
  if (!facts) return false;
  switch (command.type) {
    case 'AssessProcedureSystem': {
      const last = facts.assessments.at(-1);
      return last !== undefined && last.assessedOn === command.data.assessedOn && last.meetsAllRequirements === command.data.meetsAllRequirements && last.source === source;
    }
    case 'ConnectPopulationDatabase': {
      const last = facts.connections.at(-1);
      return last !== undefined && last.connectedOn === command.data.connectedOn && last.disconnectedOn === null && last.source === source;
    }
    case 'DisconnectPopulationDatabase': {
      const last = facts.connections.at(-1);
      return last !== undefined && last.disconnectedOn === command.data.disconnectedOn && last.disconnection?.source === source;
    }
  }
}

function requireInForce(state: EstablishedAuthority, date: string): void {
  if (date < state.establishedFrom) {
    throw refuse('BEFORE_ESTABLISHMENT', `${state.authorityCode} is recorded from ${state.establishedFrom}; nothing can be recorded about it on ${date}`);
  }
  if (state.status === 'dissolved' && date >= state.dissolvedOn!) {
    throw refuse('ALREADY_DISSOLVED', `${state.authorityCode} was dissolved into ${state.successorCode} on ${state.dissolvedOn}; nothing can be recorded about it on ${date}`);
  }
}
