import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { Optional } from '../procedures/validators.js';

export const EVENT_LOG_PAGE_MAX = 1_000;

/** `GET /api/events?after=&limit=`: a page of the global log. */
export class EventLogQuery {
  @ApiPropertyOptional({ description: 'Events after this global position (exclusive); 0 reads from the start', default: 0, minimum: 0 })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'must be a non-negative integer' })
  @Min(0, { message: 'must be a non-negative integer' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'is too large' })
  after?: number;

  @ApiPropertyOptional({
    description: `At most this many events (JSON only: NDJSON streams every event after \`after\`)`,
    default: 100,
    minimum: 1,
    maximum: EVENT_LOG_PAGE_MAX,
  })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: `must be an integer from 1 to ${EVENT_LOG_PAGE_MAX}` })
  @Min(1, { message: `must be an integer from 1 to ${EVENT_LOG_PAGE_MAX}` })
  @Max(EVENT_LOG_PAGE_MAX, { message: `must be an integer from 1 to ${EVENT_LOG_PAGE_MAX}` })
  limit?: number;
}
