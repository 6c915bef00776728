import { POSITION_RANGE } from '@tthc/platform';
import { IntegerQuery } from '../http/query-params.js';

export const EVENT_LOG_PAGE_MAX = 1_000;

/** `GET /api/events?after=&limit=`: a page of the global log. */
export class EventLogQuery {
  @IntegerQuery(POSITION_RANGE, { description: 'Events after this global position (exclusive); 0 reads from the start', default: 0 })
  after?: number;

  @IntegerQuery(
    { min: 1, max: EVENT_LOG_PAGE_MAX },
    { description: 'At most this many events (JSON only: NDJSON streams every event after `after`)', default: 100 },
  )
  limit?: number;
}
