import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, Max, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { ONLINE_MODES, PAPER_INTAKES } from '@tthc/domain';
import { IsCalendarDate, Optional } from '../procedures/validators.js';

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** An ISO-8601 instant with a zone (2023-07-01T00:00:00Z), within years 1900–9999. */
export function IsInstant(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isInstant',
      validator: {
        validate: (value) => {
          if (typeof value !== 'string' || !INSTANT.test(value)) return false;
          const ms = Date.parse(value);
          return Number.isFinite(ms) && new Date(ms).getUTCFullYear() >= 1900;
        },
        defaultMessage: () => 'must be an ISO-8601 instant with a time zone, such as 2023-07-01T00:00:00Z',
      },
    },
    options,
  );
}

/** Read-your-writes: wait until the read models reflect a command's globalPosition. */
export class ReadYourWritesQuery {
  @ApiPropertyOptional({ description: "Wait until the read models reflect this command reply's globalPosition", example: 5210 })
  @Optional()
  @Type(() => Number)
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
  @Type(() => Number)
  @IsInt({ message: 'must be an integer from 1 to 100000' })
  @Min(1, { message: 'must be an integer from 1 to 100000' })
  @Max(100_000, { message: 'must be an integer from 1 to 100000' })
  page?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'must be an integer from 1 to 500' })
  @Min(1, { message: 'must be an integer from 1 to 500' })
  @Max(500, { message: 'must be an integer from 1 to 500' })
  pageSize?: number;
}
