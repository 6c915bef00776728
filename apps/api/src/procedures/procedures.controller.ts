import type { ServerResponse } from 'node:http';
import { Body, Controller, Get, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiHeader, ApiNotModifiedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  CorrectTransitionCommand,
  DisablePaperIntakeCommand,
  RescindTransitionsCommand,
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
import { CorrectTransitionRequest, RescindTransitionsRequest } from './correction.request.js';
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
    description:
      'Appends the upgrade or downgrade the new mode means, decided on the state in force on `effectiveFrom`: a late decision (dated before ' +
      'transitions already recorded) is accepted when every later transition stays legal. 409 when already in that mode on that date, ' +
      'withdrawn, dated before the registration, or CONFLICTS_WITH_LATER_TRANSITION (naming the later transition in `conflictsWith`).',
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

  @Post(':procedureCode/corrections')
  @CommandEndpoint('Correct an entry made in error (TransitionCorrected)', {
    description:
      'Appends TransitionCorrected naming the event at `revision` and its right values; the corrected event keeps its bytes, and every ' +
      'answer "as known at" an instant before the correction still shows it. 409 `illegal-transition` when the event cannot be corrected ' +
      '(NO_SUCH_EVENT, NOT_CORRECTABLE: a correction or a rescinded event, CORRECTION_CHANGES_NOTHING) or the corrected history breaks a rule: ' +
      'CONFLICTS_WITH_LATER_TRANSITION names the transition in `conflictsWith`. A scoped administrator states `effectiveFrom` unless the ' +
      'scope covers the unit on every date.',
  })
  correct(
    @Param() params: ProcedureParams,
    @Body() body: CorrectTransitionRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute(new CorrectTransitionCommand({ ...body, ...keyOf(params) }, context), res);
  }

  @Post(':procedureCode/rescissions')
  @CommandEndpoint('Rescind events by a later decision (TransitionRescinded)', {
    description:
      'Appends one TransitionRescinded per revision: from now on the events are known never to have taken effect (every answer "as known ' +
      'at" an earlier instant still shows them). 409 `illegal-transition` for NO_SUCH_EVENT, NOT_CORRECTABLE (already rescinded, or a ' +
      'correction), or CONFLICTS_WITH_LATER_TRANSITION naming in `conflictsWith` a transition the rescission would leave illegal. ' +
      'A scoped administrator needs a scope that covers the unit on every date.',
  })
  rescind(
    @Param() params: ProcedureParams,
    @Body() body: RescindTransitionsRequest,
    @CommandProvenance() context: CommandContext,
    @Res({ passthrough: true }) res: ServerResponse,
  ): Promise<CommandReply> {
    return this.execute(new RescindTransitionsCommand({ ...body, ...keyOf(params) }, context), res);
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
