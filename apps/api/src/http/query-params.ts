import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional, type ApiPropertyOptions } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { ValidateBy } from 'class-validator';
import { integerRangeMessage, parseDecimalInteger, type IntegerRange } from '@tthc/platform';
import { Optional } from '../procedures/validators.js';

type ParamDocs = Pick<ApiPropertyOptions, 'description' | 'example' | 'default'>;

/**
 * An optional integer query parameter, for every one of them: decimal digits within `range`
 * (`parseDecimalInteger`), else 400 with the one message `must be an integer from min to max`.
 * Documented as an OpenAPI integer with its bounds.
 *
 * @example
 *   @IntegerQuery({ min: 1, max: 1000 }, { description: 'At most this many events', default: 100 })
 *   limit?: number;
 */
export function IntegerQuery(range: IntegerRange, docs: ParamDocs = {}): PropertyDecorator {
  const message = integerRangeMessage(range);
  return applyDecorators(
    ApiPropertyOptional({ type: 'integer', minimum: range.min, maximum: range.max, ...docs }),
    Optional(),
    // An unreadable value stays as it came, for the validator below to name it.
    Transform(({ value }) => parseDecimalInteger(value, range) ?? value),
    ValidateBy({
      name: 'isIntegerInRange',
      constraints: [range.min, range.max],
      validator: {
        validate: (value) => Number.isSafeInteger(value) && (value as number) >= range.min && (value as number) <= range.max,
        defaultMessage: () => message,
      },
    }),
  );
}

/**
 * An optional boolean query parameter: `true` or `false`, nothing else (not `1`, `yes` or an empty
 * value), else 400 `must be true or false`. Documented as an OpenAPI boolean.
 *
 * @example
 *   @BooleanQuery({ description: 'Start the CSV with a UTF-8 byte order mark', default: false })
 *   bom?: boolean;
 */
export function BooleanQuery(docs: ParamDocs = {}): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ type: 'boolean', ...docs }),
    Optional(),
    Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value)),
    ValidateBy({ name: 'isBooleanWord', validator: { validate: (value) => typeof value === 'boolean', defaultMessage: () => 'must be true or false' } }),
  );
}

/** `page` of a paged list: from 1 to 100,000 (default 1); a page past the last answers no items. */
export const PageQuery = (description = 'The page, from 1') => IntegerQuery({ min: 1, max: 100_000 }, { description, default: 1 });

/** `pageSize` of a paged list: from 1 to 500 (default 50). */
export const PageSizeQuery = (what: string) => IntegerQuery({ min: 1, max: 500 }, { description: `${what} per page`, default: 50 });
