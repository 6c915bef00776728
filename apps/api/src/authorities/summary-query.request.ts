import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, ValidateBy, type ValidationOptions } from 'class-validator';
import { BOUNDARIES, ONLINE_MODES, PAPER_INTAKES, isCalendarDate, type Boundaries } from '@tthc/domain';
import { POSITION_RANGE } from '@tthc/platform';
import { BooleanQuery, IntegerQuery, PageQuery, PageSizeQuery } from '../http/query-params.js';
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

/** Read-your-writes: wait until the read models reflect a command's globalPosition. */
export class ReadYourWritesQuery {
  // No example on a position, nor on knownAt: Swagger UI's "Try it out" sends examples, and
  // afterPosition, knownAt and asOfPosition pre-filled together are a request the server refuses.
  @IntegerQuery(POSITION_RANGE, { description: "Wait (up to 5 s, else 503) until the read models reflect this command reply's globalPosition" })
  afterPosition?: number;
}

export class KnownAtQuery extends ReadYourWritesQuery {
  @ApiPropertyOptional({ description: 'As the records stood at this instant, such as 2023-07-01T00:00:00Z (default: now). Not with asOfPosition.', format: 'date-time' })
  @Optional()
  @IsInstant()
  knownAt?: string;

  @IntegerQuery(POSITION_RANGE, {
    description:
      'As the log stood at this global position: give the `position` an earlier answer stated to regenerate it exactly. ' +
      'Not with knownAt. Beyond the read models, the query waits as with afterPosition, then answers 503.',
  })
  @ValidateBy({
    name: 'notWithKnownAt',
    validator: {
      validate: (_value, args) => (args?.object as KnownAtQuery | undefined)?.knownAt === undefined,
      defaultMessage: () => 'cannot be combined with knownAt: a log position already fixes what was known',
    },
  })
  asOfPosition?: number;
}

/** `boundaries=2023|2025`: the set of units to answer in (issue 12). */
export class BoundariesQuery extends KnownAtQuery {
  @ApiPropertyOptional({
    enum: BOUNDARIES,
    description:
      'The set of provincial-level units to answer in: 2023 (63 units) or 2025 (34 units, from 2025-07-01). Default: the set in force on `at` ' +
      '(on `to` for a movement) — for a unit of one set only, that set. A 2025 unit before 2025-07-01 answers for its whole territory ' +
      '(`composedOf`); a 2023 unit after its dissolution answers with the catalogue serving its territory (`servedBy`, `dissolvedOn`).',
    example: '2025',
  })
  @Optional()
  @IsIn(BOUNDARIES, { message: `must be one of ${BOUNDARIES.join(', ')}` })
  boundaries?: Boundaries;
}

export class SummaryQuery extends BoundariesQuery {
  @ApiPropertyOptional({ description: 'In force on this date (default: today in Vietnam)', format: 'date', example: '2023-06-01' })
  @Optional()
  @IsCalendarDate()
  at?: string;
}

/** `GET /api/summary`: the national table, as JSON or CSV. */
export class NationalSummaryQuery extends SummaryQuery {
  @BooleanQuery({
    description:
      'With `Accept: text/csv`: start the file with a UTF-8 byte order mark, so that spreadsheet programs (Excel) read the Vietnamese names as UTF-8. No effect on JSON.',
    default: false,
  })
  bom?: boolean;
}

export class MovementQuery extends BoundariesQuery {
  @ApiProperty({ description: 'Start date (transitions effective after it count)', format: 'date', example: '2023-06-01' })
  @IsCalendarDate()
  from: string;

  @ApiProperty({ description: 'End date (transitions effective on it count); not before from', format: 'date', example: '2023-10-16' })
  @IsCalendarDate()
  to: string;
}

export class ProcedureListQuery extends SummaryQuery {
  @ApiPropertyOptional({ enum: ONLINE_MODES, description: 'Only the procedures in this online mode' })
  @Optional()
  @IsIn(ONLINE_MODES, { message: `must be one of ${ONLINE_MODES.join(', ')}` })
  onlineMode?: string;

  @ApiPropertyOptional({ enum: PAPER_INTAKES, description: 'Only the procedures that take (or no longer take) paper dossiers' })
  @Optional()
  @IsIn(PAPER_INTAKES, { message: `must be one of ${PAPER_INTAKES.join(', ')}` })
  paperIntake?: string;

  @PageQuery()
  page?: number;

  @PageSizeQuery('Procedures')
  pageSize?: number;
}
