import type { ValidationError } from '@nestjs/common';
import type { FieldError } from '@tthc/domain';

/**
 * Malformed HTTP input found before the domain sees it: a body or path field, or a header
 * (`If-Match`, `Idempotency-Key`). Answered as 400 with every offending field named.
 */
export class InvalidRequest extends Error {
  readonly code = 'INVALID_REQUEST';
  constructor(readonly errors: readonly FieldError[]) {
    super(errors.map((e) => `${e.field}: ${e.message}`).join('; '));
    this.name = 'InvalidRequest';
  }
}

/** ValidationPipe's exceptionFactory: one entry per offending field, nested paths joined by dots. */
export function invalidRequestFromValidation(errors: ValidationError[]): InvalidRequest {
  return new InvalidRequest(flatten(errors, ''));
}

function flatten(errors: readonly ValidationError[], parent: string): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const constraints = error.constraints ?? {};
    // A required field that is absent gets one plain message rather than its format's.
    const missing = error.value === undefined && Object.keys(constraints).length > 0 && !('whitelistValidation' in constraints);
    const own = missing
      ? [{ field, message: 'is required' }]
      : Object.values(constraints).map((message) => ({ field, message: withoutFieldName(message, error.property) }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

// class-validator's built-in messages start with the property name ("name must be a string"); the
// field is reported beside the message, so it is not repeated. Whitelist messages read
// "property x should not exist" and are kept as they are.
function withoutFieldName(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
