// Domain errors carry a stable `code`; the API maps them to HTTP statuses, never the domain itself.
// `Object.setPrototypeOf` is not needed for ES2022 classes, but `name` is set so logs read well.

export abstract class DomainError extends Error {
  abstract readonly code: string;
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

export interface FieldError {
  readonly field: string;
  readonly message: string;
}

/** Input the domain cannot accept as a command at all (a malformed date, an unknown mode). */
export class InvalidCommand extends DomainError {
  readonly code = 'INVALID_COMMAND';
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
  }
}

export class UnknownAuthority extends DomainError {
  readonly code = 'UNKNOWN_AUTHORITY';
  constructor(readonly authorityCode: string) {
    super(`No provincial-level unit has the code '${authorityCode}'`);
  }
}

export class ProcedureNotFound extends DomainError {
  readonly code = 'PROCEDURE_NOT_FOUND';
  constructor(readonly authorityCode: string, readonly procedureCode: string) {
    super(`Procedure ${procedureCode} is not registered for authority ${authorityCode}`);
  }
}

export type TransitionRefusal =
  | 'ALREADY_REGISTERED'
  | 'ALREADY_IN_MODE'
  | 'ALREADY_WITHDRAWN'
  | 'PAPER_INTAKE_ALREADY_DISABLED'
  | 'PAPER_INTAKE_ALREADY_ACCEPTED'
  | 'PAPER_INTAKE_REQUIRES_ONLINE_MODE'
  | 'EFFECTIVE_DATE_BEFORE_LAST_TRANSITION'
  | 'EFFECTIVE_DATE_BEFORE_REGISTRATION'
  | 'WRONG_DIRECTION'
  | 'CONFLICTS_WITH_LATER_TRANSITION'
  | 'NO_SUCH_EVENT'
  | 'NOT_CORRECTABLE'
  | 'CORRECTION_CHANGES_NOTHING';

/** The recorded event a refusal names (a later transition that the command would make illegal). */
export interface ConflictingEvent {
  revision: number;
  type: string;
  effectiveFrom: string;
  decisionRef: string | null;
  /** Why that event would become illegal (ALREADY_IN_MODE, ALREADY_WITHDRAWN, …). */
  reason: TransitionRefusal;
}

/** The domain refuses a well-formed command in the procedure's current state. */
export class IllegalProcedureTransition extends DomainError {
  readonly code = 'ILLEGAL_PROCEDURE_TRANSITION';
  constructor(
    readonly reason: TransitionRefusal,
    message: string,
    readonly conflictsWith?: ConflictingEvent,
  ) {
    super(message);
  }
}

export type AuthorityRefusal =
  | 'ALREADY_ESTABLISHED'
  | 'CODE_RETIRED'
  | 'ALREADY_DISSOLVED'
  | 'SAME_NAME'
  | 'EFFECTIVE_DATE_BEFORE_LAST_CHANGE'
  | 'SUCCESSOR_NOT_IN_FORCE'
  | 'PREDECESSOR_NOT_IN_FORCE'
  // National facts (issue 18)
  | 'BEFORE_ESTABLISHMENT'
  | 'ALREADY_ASSESSED_ON_DATE'
  | 'ALREADY_CONNECTED'
  | 'NOT_CONNECTED'
  | 'FACT_AFTER_DISSOLUTION';

/** The domain refuses a well-formed command about a provincial-level unit in its current state. */
export class IllegalAuthorityTransition extends DomainError {
  readonly code = 'ILLEGAL_AUTHORITY_TRANSITION';
  constructor(readonly reason: AuthorityRefusal, message: string) {
    super(message);
  }
}

/**
 * A command about a unit on or after the day it ceased to exist: its territory is the successor's,
 * and so are the decisions about it (HTTP 409, naming the successor).
 */
export class AuthorityDissolved extends DomainError {
  readonly code = 'AUTHORITY_DISSOLVED';
  constructor(
    readonly authorityCode: string,
    readonly successorCode: string,
    readonly dissolvedOn: string,
  ) {
    super(`Authority ${authorityCode} was dissolved into ${successorCode} on ${dissolvedOn}; address ${successorCode} instead`);
  }
}

/** A code that names no unit of the boundary set asked for (74 is no unit of 2025: HTTP 404, naming its successor). */
export class AuthorityNotInBoundaries extends DomainError {
  readonly code = 'AUTHORITY_NOT_IN_BOUNDARIES';
  constructor(
    readonly authorityCode: string,
    readonly boundaries: string,
    detail: string,
  ) {
    super(`Authority ${authorityCode} is not a unit of the ${boundaries} boundaries: ${detail}`);
  }
}
