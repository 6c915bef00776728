import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsInt, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { ONLINE_MODES, PAPER_INTAKES, isCalendarDate } from '@tthc/domain';
import { IsCalendarDate, Optional } from '../procedures/validators.js';

const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * An ISO-8601 instant with a zone (2023-07-01T00:00:00Z), within years 1900–9999, on a real calendar
 * date: Date.parse would read 2023-02-30 as 2 March, and PostgreSQL would refuse it.
 */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value) => {
          const match = typeof value === 'string' ? INSTANT.exec(value) : null;
          if (!match || !isCalendarDate(match[1])) return false;
          const ms = Date.parse(value as string);
          return Number.isFinite(ms) && new Date(ms).getUTCFullYear() >= 1900 && new Date(ms).getUTCFullYear() <= 9999;
        },
        defaultMessage: () => 'must be an ISO-8601 instant with a time zone, such as 2023-07-01T00:00:00Z',
      },
    },
    options,
  );
}

/**
 * A query parameter read as a decimal integer: `Number()` would also take `0x10`, `1e3`, `0b11` and
 * ` ` (0); anything but optional minus and digits becomes NaN, which @IsInt then refuses.
 */
function DecimalInteger(): PropertyDecorator {
  return Transform(({ value }) => (typeof value === 'string' && /^-?\d{1,20}$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN));
}

/** Read-your-writes: wait until the read models reflect a command's globalPosition. */
export class ReadYourWritesQuery {
  @ApiPropertyOptional({ description: "Wait until the read models reflect this command reply's globalPosition", example: 5210 })
  @Optional()
  @DecimalInteger()
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'is too large' })
  afterPosition?: number;
}

export class KnownAtQuery extends ReadYourWritesQuery {
  @ApiPropertyOptional({ description: 'As the records stood at this instant (default: now)', example: '2023-07-01T00:00:00Z' })
  @Optional()
  @IsInstant()
  knownAt?: string;

  @ApiPropertyOptional({
    description:
      'As the log stood at this global position: give the `position` an earlier answer stated to regenerate it exactly. ' +
      'Not with knownAt. Beyond the read models, the query waits as with afterPosition, then answers 503.',
    example: 5210,
  })
  @Optional()
  @DecimalInteger()
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'is too large' })
  @ValidateBy({
    name: 'notWithKnownAt',
    validator: {
      validate: (_value, args) => (args?.object as KnownAtQuery | undefined)?.knownAt === undefined,
      defaultMessage: () => 'cannot be combined with knownAt: a log position already fixes what was known',
    },
  })
  asOfPosition?: number;
}

export class SummaryQuery extends KnownAtQuery {
  @ApiPropertyOptional({ description: 'In force on this date (default: today in Vietnam)', example: '2023-06-01' })
  @Optional()
  @IsCalendarDate()
  at?: string;
}

export class MovementQuery extends KnownAtQuery {
  @ApiPropertyOptional({ description: 'Start date (transitions effective after it count)', example: '2023-06-01' })
  @IsCalendarDate()
  from: string;

  @ApiPropertyOptional({ description: 'End date (transitions effective on it count)', example: '2023-10-16' })
  @IsCalendarDate()
  to: string;
}

export class ProcedureListQuery extends SummaryQuery {
  @ApiPropertyOptional({ enum: ONLINE_MODES })
  @Optional()
  @IsIn(ONLINE_MODES, { message: `must be one of ${ONLINE_MODES.join(', ')}` })
  onlineMode?: string;

  @ApiPropertyOptional({ enum: PAPER_INTAKES })
  @Optional()
  @IsIn(PAPER_INTAKES, { message: `must be one of ${PAPER_INTAKES.join(', ')}` })
  paperIntake?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 100_000, default: 1 })
  @Optional()
  @DecimalInteger()
  @IsInt({ message: 'must be an integer from 1 to 100000' })
  @Min(1, { message: 'must be an integer from 1 to 100000' })
  @Max(100_000, { message: 'must be an integer from 1 to 100000' })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Optional()
  @DecimalInteger()
  @IsInt({ message: 'must be an integer from 1 to 500' })
  @Min(1, { message: 'must be an integer from 1 to 500' })
  @Max(500, { message: 'must be an integer from 1 to 500' })
  pageSize?: number;
}
