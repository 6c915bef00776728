import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES, type Role } from '@tthc/platform';
import { ANONYMOUS, type AuthenticatedRequest } from '../http/actor.decorator.js';
import { AccessDenied } from './auth.errors.js';
import type { AuthOptions } from './auth.options.js';
import { AUTH_OPTIONS, TOKEN_VERIFIER } from './auth.tokens.js';
import { COMMAND_ROLES, PUBLIC_METADATA, ROLES_METADATA } from './roles.decorator.js';
import type { TokenVerifier } from './token-verifier.js';

/** With AUTH_DISABLED=true (development only) every caller is this one. */
const UNAUTHENTICATED_ADMINISTRATOR = { subject: ANONYMOUS, roles: [...ROLES] };

/**
 * The global guard (APP_GUARD in ApiModule): a handler marked `@Public()` is open; any other needs a
 * bearer token that verifies (else 401) and carries one of the handler's `@Roles` (else 403), by
 * default `administrator`. It runs before interceptors and pipes, so a refused request reserves no
 * idempotency key, touches no database and gets no validation feedback.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(AUTH_OPTIONS) private readonly options: AuthOptions,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier | null,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(PUBLIC_METADATA, targets)) return true;
    const required = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_METADATA, targets) ?? COMMAND_ROLES;
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal =
      this.options.disabled || this.verifier === null
        ? UNAUTHENTICATED_ADMINISTRATOR
        : await this.verifier.authenticate(header(req.headers.authorization));
    req.user = principal;
    if (!principal.roles.some((role) => required.includes(role))) throw new AccessDenied(required);
    return true;
  }
}

function header(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}
