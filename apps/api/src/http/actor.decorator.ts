import type { IncomingMessage } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export const ANONYMOUS = 'anonymous';

/** What an authentication guard will attach to the request; nothing does yet. */
export interface AuthenticatedRequest extends IncomingMessage {
  user?: { subject: string };
}

/**
 * The one seam for "who issued this command": every event's `metadata.actor`. Until authentication
 * exists (API.md roles), every caller is `anonymous`; a guard setting `request.user` is all it takes.
 */
export function actorOf(req: AuthenticatedRequest): string {
  return req.user?.subject ?? ANONYMOUS;
}

export const Actor = createParamDecorator((_: unknown, context: ExecutionContext) =>
  actorOf(context.switchToHttp().getRequest<AuthenticatedRequest>()),
);
