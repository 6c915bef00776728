import { Controller, Get, Header, Headers, Inject, Param, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { Response } from 'express';
import {
  GetAuthoritySummaryQuery,
  GetMovementQuery,
  GetNationalSummaryQuery,
  ListProceduresQuery,
  READ_MODEL_READER,
  type ReadModelReader,
} from '@tthc/read-models';
import { QUERY_ROLES, Roles } from '../auth/roles.decorator.js';
import { InvalidRequest } from '../http/invalid-request.error.js';
import { readYourWrites } from '../http/read-your-writes.js';
import { ApiAuthDocs, ApiQueryDocs } from '../procedures/procedure.api-docs.js';
import { AuthorityParams } from '../procedures/procedure-params.request.js';
import { CSV_CONTENT_TYPE, csvMetadataHeaders, nationalSummaryCsv } from './national-summary.csv.js';
import { MovementQuery, NationalSummaryQuery, ProcedureListQuery, SummaryQuery } from './summary-query.request.js';
import { AuthoritySummaryResponse, MovementResponse, NationalSummaryResponse, ProcedurePageResponse } from './summary.responses.js';

const UNKNOWN_AUTHORITY = 'No authority has this code';

/** OpenAPI: the headers of the CSV answer. */
const CSV_HEADERS_DOC = {
  Boundaries: { description: 'CSV: the boundary set of the rows (2023: 63 units, 2025: 34)', schema: { type: 'string', enum: ['2023', '2025'] } },
  'Log-Position': { description: 'CSV: the global log position the table reflects', schema: { type: 'integer', minimum: 0 } },
  'Known-At': { description: 'CSV: as recorded at this instant (absent with asOfPosition)', schema: { type: 'string', format: 'date-time' } },
  'As-Of-Position': { description: 'CSV: the asOfPosition asked for, when asked', schema: { type: 'integer', minimum: 0 } },
};

/** Dashboards' queries, answered from the read models; every answer states its `position`. */
@ApiTags('queries')
@ApiExtraModels(NationalSummaryResponse)
@ApiAuthDocs()
@Roles(...QUERY_ROLES)
@Controller()
export class AuthoritiesController {
  constructor(
    private readonly queryBus: QueryBus,
    @Inject(READ_MODEL_READER) private readonly projection: ReadModelReader,
  ) {}

  @Get('authorities')
  @ApiOperation({
    summary: 'The units in force on a date (default today) in either boundaries, each with its summary and its lineage',
    description: 'The national table of the boundary set (default: the set in force on `at`), each row with its `lineage` (kind, territory, predecessors, successor, dates).',
  })
  @ApiOkResponse({ type: NationalSummaryResponse, description: 'The national table today' })
  @ApiQueryDocs()
  async authorities(@Query() query: SummaryQuery): Promise<NationalSummaryResponse> {
    await this.readYourWrites(query.afterPosition, query.asOfPosition);
    return this.queryBus.execute(new GetNationalSummaryQuery(query.at, query.knownAt, query.asOfPosition, query.boundaries));
  }

  @Get('authorities/:authorityCode/summary')
  @ApiOperation({
    summary: "One authority's procedures in force on a date, as known at an instant",
    description: 'Counts and shares of the procedures in force on `at` (every transition effective on or before it), as recorded at `knownAt` or as the log stood at `asOfPosition`.',
  })
  @ApiOkResponse({ type: AuthoritySummaryResponse })
  @ApiQueryDocs({ notFound: UNKNOWN_AUTHORITY })
  async summary(@Param() { authorityCode }: AuthorityParams, @Query() query: SummaryQuery): Promise<AuthoritySummaryResponse> {
    await this.readYourWrites(query.afterPosition, query.asOfPosition);
    return this.queryBus.execute(new GetAuthoritySummaryQuery(authorityCode, query.at, query.knownAt, query.asOfPosition, query.boundaries));
  }

  @Get('authorities/:authorityCode/movement')
  @ApiOperation({
    summary: 'How an authority moved between two dates, with the transitions effective in (from, to]',
    description: 'The summaries on `from` and on `to`, their difference, and the transitions of each kind effective after `from` and on or before `to`.',
  })
  @ApiOkResponse({ type: MovementResponse })
  @ApiQueryDocs({ notFound: UNKNOWN_AUTHORITY })
  async movement(@Param() { authorityCode }: AuthorityParams, @Query() query: MovementQuery): Promise<MovementResponse> {
    if (query.from > query.to) throw new InvalidRequest([{ field: 'to', message: 'must not be before from' }]);
    await this.readYourWrites(query.afterPosition, query.asOfPosition);
    return this.queryBus.execute(new GetMovementQuery(authorityCode, query.from, query.to, query.knownAt, query.asOfPosition, query.boundaries));
  }

  @Get('summary')
  @ApiOperation({
    summary: 'The national table: one summary per authority, and totals',
    description:
      'As JSON by default. As CSV (`Accept: text/csv` before application/json): the header row first, one row per authority, the totals last; ' +
      'the position and known-at are in the `Log-Position`, `Known-At` (or `As-Of-Position`) response headers; `bom=true` adds a UTF-8 byte order mark.',
  })
  @ApiOkResponse({
    description: 'The national table on `at`',
    headers: CSV_HEADERS_DOC,
    content: {
      'application/json': { schema: { $ref: getSchemaPath(NationalSummaryResponse) } },
      'text/csv': { schema: { type: 'string', description: 'RFC 4180 CSV, UTF-8, CRLF line ends' } },
    },
  })
  @ApiQueryDocs()
  async national(
    @Query() query: NationalSummaryQuery,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) res: Response,
  ): Promise<NationalSummaryResponse | string> {
    await this.readYourWrites(query.afterPosition, query.asOfPosition);
    const table = await this.queryBus.execute(new GetNationalSummaryQuery(query.at, query.knownAt, query.asOfPosition, query.boundaries));
    if (prefersCsv(accept)) {
      res.setHeader('Content-Type', CSV_CONTENT_TYPE);
      res.setHeader('Content-Disposition', `inline; filename="tthc-summary-${table.at}.csv"`);
      for (const [name, value] of Object.entries(csvMetadataHeaders(table))) res.setHeader(name, value);
      return nationalSummaryCsv(table, { bom: query.bom });
    }
    return table;
  }

  @Get('authorities/:authorityCode/procedures')
  @Header('Cache-Control', 'no-store')
  @ApiOperation({
    summary: 'The procedures in force on a date, paged',
    description: 'In procedure-code order, optionally only those in one online mode or paper intake.',
  })
  @ApiOkResponse({ type: ProcedurePageResponse })
  @ApiQueryDocs({ notFound: UNKNOWN_AUTHORITY })
  async procedures(@Param() { authorityCode }: AuthorityParams, @Query() query: ProcedureListQuery) {
    await this.readYourWrites(query.afterPosition, query.asOfPosition);
    return this.queryBus.execute(
      new ListProceduresQuery(authorityCode, {
        at: query.at,
        knownAt: query.knownAt,
        asOfPosition: query.asOfPosition,
        boundaries: query.boundaries,
        onlineMode: query.onlineMode,
        paperIntake: query.paperIntake,
        page: query.page,
        pageSize: query.pageSize,
      }),
    );
  }

  private readYourWrites(afterPosition: number | undefined, asOfPosition?: number): Promise<void> {
    return readYourWrites(this.projection, afterPosition, asOfPosition);
  }
}

function prefersCsv(accept: string | undefined): boolean {
  if (!accept) return false;
  const csv = accept.indexOf('text/csv');
  const json = accept.indexOf('application/json');
  return csv >= 0 && (json < 0 || csv < json);
}
