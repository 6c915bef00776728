import { Body, Controller, Post, UseGuards, UseInterceptors } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ReorganiseAuthoritiesCommand, type CommandContext, type ReorganisationResult } from '@tthc/application';
import { Command, COMMAND_ROLES, Roles } from '../auth/roles.decorator.js';
import { CommandRateLimitGuard } from '../http/command-rate-limit.js';
import { IdempotencyInterceptor } from '../idempotency/idempotency.interceptor.js';
import { CommandProvenance } from '../procedures/command-endpoint.js';
import { ApiAuthDocs, ApiReorganisationDocs } from '../procedures/procedure.api-docs.js';
import { ReorganisationReply, ReorganisationRequest } from './reorganisation.request.js';

/**
 * An administrator records a reorganisation of provincial-level units, as the shipped 2025 merger was
 * recorded at the first start: the same command, through the command bus. Idempotent: the same
 * reorganisation sent again appends nothing and completes one cut short.
 */
@ApiTags('authorities')
@ApiAuthDocs()
@Controller('authorities/reorganisations')
export class ReorganisationsController {
  constructor(private readonly commandBus: CommandBus) {}

  @Post()
  @Roles(...COMMAND_ROLES)
  @Command()
  @UseGuards(CommandRateLimitGuard)
  @UseInterceptors(IdempotencyInterceptor)
  @ApiOperation({
    summary: 'Record a merger of provincial-level units (national scope): the predecessors dissolve into the successor, which continues',
    description:
      'Appends, atomically, AuthorityMerged on each dissolved unit and AuthorityAbsorbed (and AuthorityRenamed) on the successor, then ' +
      "ends the dissolved units' procedures still offered on effectiveFrom (ProcedureDiscontinued). The same reorganisation sent again appends nothing.",
  })
  @ApiCreatedResponse({ type: ReorganisationReply })
  @ApiReorganisationDocs()
  reorganise(@Body() body: ReorganisationRequest, @CommandProvenance() context: CommandContext): Promise<ReorganisationResult> {
    // Several streams, each at its own revision: an If-Match has nothing to name.
    const { expectedRevision: _ignored, ...provenance } = context;
    return this.commandBus.execute(new ReorganiseAuthoritiesCommand(body, provenance));
  }
}
