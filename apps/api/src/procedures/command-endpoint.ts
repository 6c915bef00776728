import type { IncomingMessage } from 'node:http';
import { applyDecorators, createParamDecorator, HttpCode, UseGuards, UseInterceptors, type ExecutionContext, type Type } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import type { CommandContext } from '@tthc/application';
import { Command, COMMAND_ROLES, Roles } from '../auth/roles.decorator.js';
import { actorOf, type AuthenticatedRequest } from '../http/actor.decorator.js';
import { CommandRateLimitGuard } from '../http/command-rate-limit.js';
import { correlationIdOf, requestIdOf } from '../http/correlation-id.js';
import { parseIfMatch } from '../http/if-match.js';
import { IdempotencyInterceptor, idempotencyScopeOf } from '../idempotency/idempotency.interceptor.js';
import { ApiCommandDocs, ETAG_HEADER_DOC } from './procedure.api-docs.js';
import { CommandReply } from './procedure.responses.js';

/**
 * What every command endpoint is: administrators only, for an authority in the caller's scope on the
 * command's effective date (the AuthGuard's AuthorityScopePolicy), its refusals audit-logged
 * (CommandRefusals), rate-limited per caller, Idempotency-Key aware, documented with its reply and
 * ETag. `created` for the registration's 201; `description` says what the domain checks.
 */
export function CommandEndpoint(summary: string, options: { created?: boolean; reply?: Type<unknown>; description: string }): MethodDecorator {
  const type = options.reply ?? CommandReply;
  const headers = options.reply ? undefined : ETAG_HEADER_DOC;
  return applyDecorators(
    ...(options.created ? [] : [HttpCode(200)]),
    Roles(...COMMAND_ROLES),
    Command(),
    UseGuards(CommandRateLimitGuard),
    UseInterceptors(IdempotencyInterceptor),
    ApiOperation({ summary, description: options.description }),
    options.created
      ? ApiCreatedResponse({ type, headers })
      : ApiOkResponse({ type, headers }),
    ApiCommandDocs(),
  );
}

/**
 * The command's provenance and condition, from the request: who (the token's subject), which
 * correlation, which request caused its events, the revision of `If-Match` if any, and the reserved
 * Idempotency-Key, from which the events' ids derive.
 */
export const CommandProvenance = createParamDecorator((_: unknown, context: ExecutionContext): CommandContext => {
  const request = context.switchToHttp().getRequest<IncomingMessage & AuthenticatedRequest>();
  const expectedRevision = parseIfMatch(request.headers['if-match']);
  const idempotencyKey = idempotencyScopeOf(request);
  return {
    actor: actorOf(request),
    correlationId: correlationIdOf(request),
    causationId: requestIdOf(request),
    ...(expectedRevision !== undefined && { expectedRevision }),
    ...(idempotencyKey !== undefined && { idempotencyKey }),
  };
});
