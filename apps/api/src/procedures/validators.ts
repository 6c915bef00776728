import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { isCalendarDate } from '@tthc/domain';

/** A real calendar date YYYY-MM-DD (rejects 2023-02-30, 99999-01-01 and 20230601). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isCalendarDate', validator: { validate: (value) => isCalendarDate(value), defaultMessage: () => 'must be a real calendar date YYYY-MM-DD' } },
    options,
  );
}

// The domain's rule (procedure.validation.ts, not exported there): control characters, bidirectional
// controls and zero-width characters make two equal-looking strings differ. Keep the two in step.
const FORBIDDEN_CHARACTERS = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/;

function textProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim().length === 0) return 'must not be blank';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (FORBIDDEN_CHARACTERS.test(value)) return 'must not contain control, bidirectional or zero-width characters';
  return undefined;
}

/** A non-blank string of at most `maxLength` characters, free of invisible characters: one message per field. */
export function IsText(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isText',
      constraints: [maxLength],
      validator: {
        validate: (value) => textProblem(value, maxLength) === undefined,
        defaultMessage: (args) => textProblem(args?.value, maxLength) ?? 'is invalid',
      },
    },
    options,
  );
}

/** May be absent, but not null: `@IsOptional()` would let null through to the domain. */
export function Optional(): PropertyDecorator {
  return ValidateIf((_object, value) => value !== undefined);
}
