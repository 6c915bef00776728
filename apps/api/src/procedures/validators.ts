import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { FORBIDDEN_CHARACTERS, isCalendarDate } from '@tthc/domain';

/** A real calendar date YYYY-MM-DD (rejects 2023-02-30, 99999-01-01 and 20230601). */
export function IsCalendarDate(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    { name: 'isCalendarDate', validator: { validate: (value) => isCalendarDate(value), defaultMessage: () => 'must be a real calendar date YYYY-MM-DD' } },
    options,
  );
}

// After NFC, Vietnamese needs no combining mark at all; a few are tolerated for other scripts' names, a
// pile of them ("Zalgo" text) only serves to garble what is displayed around it.
const STACKED_COMBINING_MARKS = /\p{M}{3,}/u;

function textProblem(value: unknown, maxLength: number): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (value.trim().length === 0) return 'must not be blank';
  if (value.length > maxLength) return `must be at most ${maxLength} characters`;
  if (FORBIDDEN_CHARACTERS.test(value)) return 'must not contain control, bidirectional or zero-width characters';
  if (STACKED_COMBINING_MARKS.test(value)) return 'must not stack more than 2 combining marks on a character';
  return undefined;
}

/**
 * A non-blank string of at most `maxLength` characters, free of invisible characters: one message per
 * field. Normalised to NFC first, so that text typed with combining tone marks (the legacy Vietnamese
 * "tổ hợp" input) is stored, compared and counted as its precomposed equivalent.
 */
export function IsText(maxLength: number, options?: ValidationOptions): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }) => (typeof value === 'string' ? value.normalize('NFC') : value)),
    textValidator(maxLength, options),
  );
}

function textValidator(maxLength: number, options?: ValidationOptions): PropertyDecorator {
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
