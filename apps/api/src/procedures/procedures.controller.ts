import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  DisablePaperIntakeCommand,
  GetProcedureQuery,
  ReclassifyProcedureCommand,
  ReenablePaperIntakeCommand,
  RegisterProcedureCommand,
  WithdrawProcedureCommand,
  type AnyProcedureBusCommand,
  type CommandContext,
} from '@tthc/application';
import { QUERY_ROLES, Roles } from '../auth/roles.decorator.js';
import { revisionTag } from '../http/if-match.js';
import { CommandEndpoint, CommandProvenance } from './command-endpoint.js';
import { DatedDecisionRequest } from './dated-decision.request.js';
import { ApiAuthDocs, ApiQueryDocs, ETAG_HEADER_DOC } from './procedure.api-docs.js';
import { AuthorityParams, ProcedureParams } from './procedure-params.request.js';
import { CommandReply, describeProcedureState, ProcedureStateResponse } from './procedure.responses.js';
import { ReclassifyProcedureRequest } from './reclassify-procedure.request.js';
import { RegisterProcedureRequest } from './register-procedure.request.js';

/**
 * The procedure commands of API.md and the procedure's current state. A command endpoint validates
 * its input (the global ValidationPipe), maps If-Match to the expected revision, executes the command
 * and sets the ETag; the domain decides everything else. Idempotency-Key is the interceptor's; who may
 * call (commands: administrators, rate-limited per caller) is the guards'.
 */
@ApiTags('procedures')
@ApiAuthDocs()
@Controller('authorities/:authorityCode/procedures')
export class ProceduresController {
  constructor(
    private readonly commandBus: CommandBus,
    private readonly queryBus: QueryBus,
  ) {}

  @Post()
  @CommandEndpoint('Register a procedure as offered by an authority', {
    created: true,
    description: 'Starts the procedure\'s stream (revision 0) with ProcedureRegistered; 409 when the authority already offers it.',
  })
  register(
    @Param() { authorityCode }: AuthorityParams,
    @Body() body: RegisterProcedureRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute(new RegisterProcedureCommand({ ...body, authorityCode }, context), res);
  }

  @Post(':procedureCode/reclassify')
  @CommandEndpoint('Change the online mode (toàn trình, một phần, cung cấp thông tin trực tuyến)', {
    description: 'Appends the upgrade or downgrade the new mode means; 409 when already in that mode, withdrawn, or dated before the last transition.',
  })
  reclassify(
    @Param() params: ProcedureParams,
    @Body() body: ReclassifyProcedureRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute(new ReclassifyProcedureCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Post(':procedureCode/disable-paper-intake')
  @CommandEndpoint('Stop taking paper dossiers', {
    description: 'Appends PaperIntakeDisabled; 409 for an information-only procedure, one already paperless, or one withdrawn.',
  })
  disablePaperIntake(
    @Param() params: ProcedureParams,
    @Body() body: DatedDecisionRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute(new DisablePaperIntakeCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Post(':procedureCode/reenable-paper-intake')
  @CommandEndpoint('Take paper dossiers again', { description: 'Appends PaperIntakeReenabled; 409 when it already takes paper, or is withdrawn.' })
  reenablePaperIntake(
    @Param() params: ProcedureParams,
    @Body() body: DatedDecisionRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute(new ReenablePaperIntakeCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Post(':procedureCode/withdraw')
  @CommandEndpoint('Withdraw the procedure: the authority no longer offers it', {
    description: 'Appends ProcedureWithdrawn: from its effective date it is no longer in force; 409 when already withdrawn.',
  })
  withdraw(
    @Param() params: ProcedureParams,
    @Body() body: DatedDecisionRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute(new WithdrawProcedureCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Get(':procedureCode')
  @Roles(...QUERY_ROLES)
  @ApiOperation({
    summary: "The procedure's current state, with its revision as ETag",
    description: 'Replayed from its stream: the state after every transition recorded, whatever its effective date.',
  })
  @ApiOkResponse({ type: ProcedureStateResponse, headers: ETAG_HEADER_DOC })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag seen before, e.g. "3": 304 while it is still current' })
  @ApiNotModifiedResponse({ description: 'If-None-Match names the current ETag: the state has not changed', headers: ETAG_HEADER_DOC })
  @ApiQueryDocs({ notFound: 'Unknown authority, or no such procedure registered there' })
  async get(
    @Param() { authorityCode, procedureCode }: ProcedureParams,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<ProcedureStateResponse> {
    const { state, revision, position } = await this.queryBus.execute(new GetProcedureQuery(authorityCode, procedureCode));
    res.setHeader('ETag', revisionTag(revision));
    return {
      authorityCode: state.authorityCode,
      procedureCode: state.procedureCode,
      ...describeProcedureState(state),
      revision,
      position,
    };
  }

  private async execute(command: AnyProcedureBusCommand, res: ServerResponse): Promise<CommandReply> {
    const result = await this.commandBus.execute(command);
    res.setHeader('ETag', revisionTag(result.revision));
    return result;
  }
}

function keyOf({ authorityCode, procedureCode }: ProcedureParams) {
  return { authorityCode, procedureCode };
}
