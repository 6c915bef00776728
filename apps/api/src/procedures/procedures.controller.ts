import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, HttpCode, Param, Post, Res, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { COMMAND_ROLES, QUERY_ROLES, Roles } from '../auth/roles.decorator.js';
import { Actor } from '../http/actor.decorator.js';
import { CommandRateLimitGuard } from '../http/command-rate-limit.js';
import { CausationId, CorrelationId } from '../http/correlation-id.js';
import { IfMatchRevision, revisionTag } from '../http/if-match.js';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { DatedDecisionRequest } from './dated-decision.request.js';
import { ApiAuthDocs, ApiCommandDocs, ApiQueryDocs, ETAG_HEADER_DOC } from './procedure.api-docs.js';
import { AuthorityParams, ProcedureParams } from './procedure-params.request.js';
import { CommandReply, ProcedureStateResponse } from './procedure.responses.js';
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
  @Roles(...COMMAND_ROLES)
  @UseGuards(CommandRateLimitGuard)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Register a procedure as offered by an authority' })
  @ApiCreatedResponse({ type: CommandReply, headers: ETAG_HEADER_DOC })
  @ApiCommandDocs()
  register(
    @Param() { authorityCode }: AuthorityParams,
    @Body() body: RegisterProcedureRequest,
    @Actor() actor: string,
    @CorrelationId() correlationId: string,
    @CausationId() causationId: string,
    @IfMatchRevision() expectedRevision: number | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    const context = commandContext(actor, correlationId, causationId, expectedRevision);
    return this.execute(new RegisterProcedureCommand({ ...body, authorityCode }, context), res);
  }

  @Post(':procedureCode/reclassify')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES)
  @UseGuards(CommandRateLimitGuard)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Change the online mode (toàn trình, một phần, cung cấp thông tin trực tuyến)' })
  @ApiOkResponse({ type: CommandReply, headers: ETAG_HEADER_DOC })
  @ApiCommandDocs()
  reclassify(
    @Param() params: ProcedureParams,
    @Body() body: ReclassifyProcedureRequest,
    @Actor() actor: string,
    @CorrelationId() correlationId: string,
    @CausationId() causationId: string,
    @IfMatchRevision() expectedRevision: number | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    const context = commandContext(actor, correlationId, causationId, expectedRevision);
    return this.execute(new ReclassifyProcedureCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Post(':procedureCode/disable-paper-intake')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES)
  @UseGuards(CommandRateLimitGuard)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Stop taking paper dossiers' })
  @ApiOkResponse({ type: CommandReply, headers: ETAG_HEADER_DOC })
  @ApiCommandDocs()
  disablePaperIntake(
    @Param() params: ProcedureParams,
    @Body() body: DatedDecisionRequest,
    @Actor() actor: string,
    @CorrelationId() correlationId: string,
    @CausationId() causationId: string,
    @IfMatchRevision() expectedRevision: number | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    const context = commandContext(actor, correlationId, causationId, expectedRevision);
    return this.execute(new DisablePaperIntakeCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Post(':procedureCode/reenable-paper-intake')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES)
  @UseGuards(CommandRateLimitGuard)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Take paper dossiers again' })
  @ApiOkResponse({ type: CommandReply, headers: ETAG_HEADER_DOC })
  @ApiCommandDocs()
  reenablePaperIntake(
    @Param() params: ProcedureParams,
    @Body() body: DatedDecisionRequest,
    @Actor() actor: string,
    @CorrelationId() correlationId: string,
    @CausationId() causationId: string,
    @IfMatchRevision() expectedRevision: number | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    const context = commandContext(actor, correlationId, causationId, expectedRevision);
    return this.execute(new ReenablePaperIntakeCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Post(':procedureCode/withdraw')
  @HttpCode(200)
  @Roles(...COMMAND_ROLES)
  @UseGuards(CommandRateLimitGuard)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({ summary: 'Withdraw the procedure: the authority no longer offers it' })
  @ApiOkResponse({ type: CommandReply, headers: ETAG_HEADER_DOC })
  @ApiCommandDocs()
  withdraw(
    @Param() params: ProcedureParams,
    @Body() body: DatedDecisionRequest,
    @Actor() actor: string,
    @CorrelationId() correlationId: string,
    @CausationId() causationId: string,
    @IfMatchRevision() expectedRevision: number | undefined,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    const context = commandContext(actor, correlationId, causationId, expectedRevision);
    return this.execute(new WithdrawProcedureCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Get(':procedureCode')
  @Roles(...QUERY_ROLES)
  @ApiOperation({ summary: "The procedure's current state, with its revision as ETag" })
  @ApiOkResponse({ type: ProcedureStateResponse, headers: ETAG_HEADER_DOC })
  @ApiQueryDocs()
  async get(
    @Param() { authorityCode, procedureCode }: ProcedureParams,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<ProcedureStateResponse> {
    const { state, revision, position } = await this.queryBus.execute(new GetProcedureQuery(authorityCode, procedureCode));
    res.setHeader('ETag', revisionTag(revision));
    return {
      authorityCode: state.authorityCode,
      procedureCode: state.procedureCode,
      name: state.name,
      field: state.field ?? null,
      level: state.level ?? null,
      onlineMode: state.onlineMode,
      paperIntake: state.paperIntake,
      withdrawn: state.status === 'withdrawn',
      ...(state.withdrawnFrom !== undefined && { withdrawnFrom: state.withdrawnFrom }),
      lastEffectiveFrom: state.lastEffectiveFrom,
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

/** Provenance of the command's events: who (the token's subject), which correlation, which request caused them. */
function commandContext(actor: string, correlationId: string, causationId: string, expectedRevision: number | undefined): CommandContext {
  return { actor, correlationId, causationId, ...(expectedRevision !== undefined && { expectedRevision }) };
}

function keyOf({ authorityCode, procedureCode }: ProcedureParams) {
  return { authorityCode, procedureCode };
}
