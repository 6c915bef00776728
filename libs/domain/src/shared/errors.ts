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
  | 'EFFECTIVE_DATE_BEFORE_LAST_TRANSITION';

/** The domain refuses a well-formed command in the procedure's current state. */
export class IllegalProcedureTransition extends DomainError {
  readonly code = 'ILLEGAL_PROCEDURE_TRANSITION';
  constructor(readonly reason: TransitionRefusal, message: string) {
    super(message);
  }
}
