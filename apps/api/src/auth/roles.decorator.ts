import { SetMetadata } from '@nestjs/common';
import type { Role } from '@tthc/platform';

export const ROLES_METADATA = 'tthc:roles';
export const PUBLIC_METADATA = 'tthc:public';
export const COMMAND_METADATA = 'tthc:command';

/** API.md's endpoint groups and the roles each admits. */
export const COMMAND_ROLES: readonly Role[] = ['administrator'];
export const QUERY_ROLES: readonly Role[] = ['viewer', 'auditor', 'administrator'];
export const AUDIT_ROLES: readonly Role[] = ['auditor', 'administrator'];

/**
 * The roles that may call a handler (or every handler of a controller). A handler with neither
 * `@Roles` nor `@Public` is for administrators only: a forgotten decorator fails closed.
 */
export const Roles = (...roles: Role[]) => SetMetadata(ROLES_METADATA, roles);

/** Open to anyone, without a token: /health, /metrics. */
export const Public = () => SetMetadata(PUBLIC_METADATA, true);

/**
 * A command endpoint (set by CommandEndpoint): its authority (the `authorityCode` path parameter) must
 * be in the caller's scope on the command's effective date, and its refusals are audit-logged.
 */
export const Command = () => SetMetadata(COMMAND_METADATA, true);

