import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DECISION_DATE_FIELDS, type DecisionDateField } from '@tthc/read-models';
import { KnownAtQuery } from '../authorities/summary-query.request.js';
import { PageQuery, PageSizeQuery } from '../http/query-params.js';
import { IsCalendarDate, Optional } from '../procedures/validators.js';

/**
 * `GET …/decisions`: the range (inclusive, on the issued-on or the effective date), the record axis
 * (`knownAt` or `asOfPosition`, `afterPosition` to read one's writes) and the page. No `at` and no
 * `boundaries`: a decision has no state in force on a date, and belongs to the unit that issued it.
 */
export class DecisionListQuery extends KnownAtQuery {
  @ApiPropertyOptional({ description: 'Decisions dated on or after this day (default: the earliest)', format: 'date', example: '2023-06-01' })
  @Optional()
  @IsCalendarDate()
  from?: string;

  @ApiPropertyOptional({ description: 'Decisions dated on or before this day (default: the latest); not before from', format: 'date', example: '2025-12-31' })
  @Optional()
  @IsCalendarDate()
  to?: string;

  @ApiPropertyOptional({
    enum: DECISION_DATE_FIELDS,
    default: 'effectiveFrom',
    description: 'The date from and to apply to, and the list is ordered by (then by log position): the effective date, or the issued-on date',
  })
  @Optional()
  @IsIn(DECISION_DATE_FIELDS, { message: `must be one of ${DECISION_DATE_FIELDS.join(', ')}` })
  by?: DecisionDateField;

  @PageQuery('The page, from 1 (a page past the last is empty; total still counts them all)')
  page?: number;

  @PageSizeQuery('Decisions')
  pageSize?: number;
}
