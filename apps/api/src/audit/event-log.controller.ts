import type { ServerResponse } from 'node:http';
import { Controller, Get, Headers, Inject, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { EVENT_STORE, readLogBatches, toLogEntry, type EventStore } from '@tthc/event-store';
import { AUDIT_ROLES, Roles } from '../auth/roles.decorator.js';
import { ApiAuthDocs, ApiQueryDocs } from '../procedures/procedure.api-docs.js';
import { EventLogPageResponse, LogEntryResponse } from './audit.responses.js';
import { EventLogQuery } from './event-log.request.js';
import { NDJSON, prefersNdjson, writeNdjson } from './ndjson.js';

/** Events read from the store per query while streaming. */
const STREAM_BATCH = 1_000;

/**
 * Audit: the global log in order, with each event's stream, provenance and hash. As JSON, a page
 * after `after`; as NDJSON (`Accept: application/x-ndjson`), every event after `after` up to the
 * head when the request came, in constant memory: the same lines the cli's `export` writes, and its
 * `import` reads.
 */
@ApiTags('audit')
@ApiExtraModels(EventLogPageResponse, LogEntryResponse)
@ApiAuthDocs()
@Roles(...AUDIT_ROLES)
@Controller('events')
export class EventLogController {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  @Get()
  @ApiOperation({
    summary: 'The global log in position order: a page as JSON, or all of it as NDJSON',
    description:
      'As JSON, up to `limit` events after `after`. With `Accept: application/x-ndjson` (before application/json), every event ' +
      'after `after` up to the head when the request came, one JSON object per line: the format of the cli\'s export and import.',
  })
  @ApiOkResponse({
    description: 'A page (JSON), or one LogEntryResponse per line (NDJSON; the schema given is that of each line)',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(EventLogPageResponse) } },
      [NDJSON]: { schema: { $ref: getSchemaPath(LogEntryResponse) } },
    },
  })
  @ApiQueryDocs()
  async events(@Query() query: EventLogQuery, @Headers('accept') accept: string | undefined, @Res() res: ServerResponse): Promise<void> {
    const after = query.after ?? 0;
    res.setHeader('Cache-Control', 'no-store');
    if (prefersNdjson(accept)) {
      res.statusCode = 200;
      res.setHeader('Content-Type', `${NDJSON}; charset=utf-8`);
      await writeNdjson(res, readLogBatches(this.store, { after, batchSize: STREAM_BATCH }), toLogEntry);
      return;
    }
    const events = await this.store.readAll({ after, limit: query.limit ?? 100 });
    const position = await this.store.headPosition(); // read after the page: never below its events
    const body: EventLogPageResponse = {
      events: events.map(toLogEntry),
      nextAfter: events.length > 0 ? events[events.length - 1].globalPosition : after,
      position,
    };
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.end(JSON.stringify(body));
  }
}
