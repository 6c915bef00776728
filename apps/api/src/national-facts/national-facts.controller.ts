import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, Inject, Param, Post, Query, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiExtraModels, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { RecordNationalFactCommand, type CommandContext } from '@tthc/application';
import type { NationalFactCommand } from '@tthc/domain';
import { GetAgencyFactsQuery, GetNationalFactsQuery, READ_MODEL_READER, type ReadModelReader } from '@tthc/read-models';
import { QUERY_ROLES, Roles } from '../auth/roles.decorator.js';
import { revisionTag } from '../http/if-match.js';
import { readYourWrites } from '../http/read-your-writes.js';
import { CommandEndpoint, CommandProvenance } from '../procedures/command-endpoint.js';
import { ApiAuthDocs, ApiQueryDocs } from '../procedures/procedure.api-docs.js';
import type { CommandReply } from '../procedures/procedure.responses.js';
import {
  AssessProcedureSystemRequest,
  ConnectPopulationDatabaseRequest,
  DisconnectPopulationDatabaseRequest,
  FactAuthorityParams,
  NationalFactsQuery,
} from './national-facts.requests.js';
import { AgencyFactsResponse, AgencySystemResponse, NationalFactsResponse } from './national-facts.responses.js';

/**
 * Issue 18: the national facts beside the catalogues. Commands record an authority's (a
 * provincial-level unit's or a central agency's) procedure-handling system assessment and its
 * National Population Database connection on its `authority-<code>` stream, with every command's
 * conventions (administrators, authority scope on the fact's date, If-Match, Idempotency-Key,
 * problem+json, nothing appended on a refusal); queries answer the national figures and one
 * authority's facts on a date, as known at an instant or a log position.
 */
@ApiTags('national-facts')
@ApiExtraModels(AgencySystemResponse)
@ApiAuthDocs()
@Controller()
export class NationalFactsController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
    @Inject(READ_MODEL_READER) private readonly projection: ReadModelReader,
  ) {}

  @Post('authorities/:authorityCode/procedure-system/assessments')
  @CommandEndpoint("Record an assessment of the authority's procedure-handling information system against Circular 21/2023/TT-BTTTT", {
    description:
      'Appends ProcedureSystemAssessed on `authority-<code>`. 409 (`illegal-authority-transition`): dated before the establishment ' +
      '(BEFORE_ESTABLISHMENT) or on or after a dissolution (ALREADY_DISSOLVED), on the date of another assessment (ALREADY_ASSESSED_ON_DATE) or ' +
      'before the last one (EFFECTIVE_DATE_BEFORE_LAST_CHANGE). The same assessment sent again appends nothing (`events` empty).',
  })
  assess(
    @Param() { authorityCode }: FactAuthorityParams,
    @Body() body: AssessProcedureSystemRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute({ type: 'AssessProcedureSystem', data: { ...body, authorityCode } }, context, res);
  }

  @Post('authorities/:authorityCode/population-database/connect')
  @CommandEndpoint("Record that the authority's system connected to the National Population Database", {
    description:
      'Appends PopulationDatabaseConnected. 409: already connected (ALREADY_CONNECTED), not after the last disconnection ' +
      '(EFFECTIVE_DATE_BEFORE_LAST_CHANGE), before the establishment or on or after a dissolution. The same connection sent again appends nothing.',
  })
  connect(
    @Param() { authorityCode }: FactAuthorityParams,
    @Body() body: ConnectPopulationDatabaseRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute({ type: 'ConnectPopulationDatabase', data: { ...body, authorityCode } }, context, res);
  }

  @Post('authorities/:authorityCode/population-database/disconnect')
  @CommandEndpoint('Record that the connection to the National Population Database ended', {
    description:
      'Appends PopulationDatabaseDisconnected. 409: not connected (NOT_CONNECTED), not after the connection (EFFECTIVE_DATE_BEFORE_LAST_CHANGE), ' +
      'on or after a dissolution. The same disconnection sent again appends nothing.',
  })
  disconnect(
    @Param() { authorityCode }: FactAuthorityParams,
    @Body() body: DisconnectPopulationDatabaseRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute({ type: 'DisconnectPopulationDatabase', data: { ...body, authorityCode } }, context, res);
  }

  @Get('national-facts')
  @Roles(...QUERY_ROLES)
  @ApiOperation({
    summary: 'The national facts on a date: procedure-handling systems meeting all requirements, and connections to the National Population Database',
    description:
      'Counts, totals and shares (rounded half-up to 2 decimals), overall and by kind (ministries and ministry-level agencies; localities), ' +
      'over the authorities in force on `at`, as recorded at `knownAt` or as the log stood at `asOfPosition`.',
  })
  @ApiOkResponse({ type: NationalFactsResponse })
  @ApiQueryDocs()
  async national(@Query() query: NationalFactsQuery): Promise<NationalFactsResponse> {
    await readYourWrites(this.projection, query.afterPosition, query.asOfPosition);
    return this.queryBus.execute(new GetNationalFactsQuery(query.at, query.knownAt, query.asOfPosition));
  }

  @Get('national-facts/:authorityCode')
  @Roles(...QUERY_ROLES)
  @ApiOperation({
    summary: "One authority's national facts on a date",
    description: 'Its latest assessment and its connection on `at`, whether it is in force then, as recorded at `knownAt` or as of `asOfPosition`.',
  })
  @ApiOkResponse({ type: AgencyFactsResponse })
  @ApiQueryDocs({ notFound: 'No authority of this code is recorded (as known then)' })
  async agency(@Param() { authorityCode }: FactAuthorityParams, @Query() query: NationalFactsQuery): Promise<AgencyFactsResponse> {
    await readYourWrites(this.projection, query.afterPosition, query.asOfPosition);
    return this.queryBus.execute(new GetAgencyFactsQuery(authorityCode, query.at, query.knownAt, query.asOfPosition));
  }

  private async execute(command: NationalFactCommand, context: CommandContext, res: ServerResponse): Promise<CommandReply> {
    const result = await this.commandBus.execute(new RecordNationalFactCommand(command, context));
    res.setHeader('ETag', revisionTag(result.revision));
    return result;
  }
}
