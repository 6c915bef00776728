import type { IncomingMessage } from 'node:http';
import type { Principal } from '../auth/token-verifier.js';

/** The actor of every command when authentication is off (AUTH_DISABLED=true, development only). */
export const ANONYMOUS = 'anonymous';

/** What the AuthGuard attaches to the request once the bearer token verified. */
export interface AuthenticatedRequest extends IncomingMessage {
  user?: Principal;
}

/**
 * The one seam for "who issued this command": every event's `metadata.actor`, the subject (`sub`) of
 * the caller's token, as the AuthGuard verified it (non-blank, at most 200 printable characters).
 */
export function actorOf(req: AuthenticatedRequest): string {
  return req.user?.subject ?? ANONYMOUS;
}
