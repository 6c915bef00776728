import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { NATIONAL_SCOPE } from '@tthc/domain';
import { ROLES, type Role } from '@tthc/platform';
import { ANONYMOUS, type AuthenticatedRequest } from '../http/actor.decorator.js';
import { markCommand } from '../logging/command-refusals.js';
import { AccessDenied } from './auth.errors.js';
import type { AuthOptions } from './auth.options.js';
import { AUTH_OPTIONS, TOKEN_VERIFIER } from './auth.tokens.js';
import { AuthorityScopePolicy, type ScopedRequest } from './authority-scope.policy.js';
import { COMMAND_METADATA, COMMAND_ROLES, PUBLIC_METADATA, ROLES_METADATA } from './roles.decorator.js';
import type { Principal, TokenVerifier } from './token-verifier.js';

/** With AUTH_DISABLED=true (development only) every caller is this one. */
const UNAUTHENTICATED_ADMINISTRATOR: Principal = { subject: ANONYMOUS, roles: [...ROLES], authorities: NATIONAL_SCOPE };

/**
 * The global guard (APP_GUARD in ApiModule): a handler marked `@Public()` is open; any other needs a
 * bearer token that verifies (else 401) and carries one of the handler's `@Roles` (else 403), by
 * default `administrator`; then a command's authority must be in the token's authority scope (else
 * 403 naming it; AuthorityScopePolicy), and so must a query's with AUTH_QUERY_SCOPE=restricted. It
 * runs before interceptors and pipes, so a refused request reserves no idempotency key, gets no
 * validation feedback and appends nothing.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier | null,
    private readonly scope: AuthorityScopePolicy,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets) ?? COMMAND_ROLES;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest & ScopedRequest>();
    const command = this.reflector.getAllAndOverride<boolean | undefined>(COMMAND_METADATA, targets) === true;
    // Marked before authenticating, so that a 401 is audit-logged as a refused command too.
    if (command) markCommand(req);
    const principal =
      this.options.disabled || this.verifier === null
        ? UNAUTHENTICATED_ADMINISTRATOR
        : await this.verifier.authenticate(header(req.headers.authorization));
    req.user = principal;
    if (!principal.roles.some((role) => required.includes(role))) throw new AccessDenied(required);
    if (command) await this.scope.authorize(principal, req, 'command');
    else if (this.options.queryScope === 'restricted') await this.scope.authorize(principal, req, 'query');
    return true;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
