import type { ValidationError } from '@nestjs/common';
import { invalidRequestFromValidation } from './invalid-request.error.js';

const error = (property: string, value: unknown, constraints: Record<string, string>, children: ValidationError[] = []): ValidationError => ({
  property,
  value,
  constraints,
  children,
});

describe('invalidRequestFromValidation', () => {
  it('names every field, joins nested paths with dots, and keeps whitelist messages whole', () => {
    const { errors } = invalidRequestFromValidation([
      error('name', 42, { isText: 'must be a string' }),
      error('effectiveFrom', undefined, { isCalendarDate: 'must be a real calendar date YYYY-MM-DD' }),
      error('extra', 1, { whitelistValidation: 'property extra should not exist' }),
      error('decision', {}, {}, [error('ref', 3, { isString: 'ref must be a string' })]),
    ]);
    expect(errors).toEqual([
      { field: 'name', message: 'must be a string' },
      { field: 'effectiveFrom', message: 'is required' },
      { field: 'extra', message: 'property extra should not exist' },
      { field: 'decision.ref', message: 'must be a string' },
    ]);
  });
});
