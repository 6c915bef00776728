import type { IncomingMessage } from 'node:http';
import { Injectable, Logger } from '@nestjs/common';
import { Counter, Registry } from 'prom-client';
import { describeScope } from '@tthc/domain';
import type { AuthenticatedRequest } from '../http/actor.decorator.js';
import { correlationIdOf, requestIdOf } from '../http/correlation-id.js';

const COMMANDS = new WeakSet<IncomingMessage>();

/** The AuthGuard marks a request for a command endpoint, before authenticating it. */
export function markCommand(req: IncomingMessage): void {
  COMMANDS.add(req);
}

export function isCommand(req: IncomingMessage): boolean {
  return COMMANDS.has(req);
}

/** What a refusal is, as the problem filter answered it. */
export interface Refusal {
  status: number;
  /** The problem type's last segment: `outside-authority-scope`, `revision-mismatch`, … */
  reason: string;
  detail: string;
  /** The domain's reason on a 409 (`ALREADY_IN_MODE`). */
  rule?: string;
}

/** One structured line per refused command: `event: "command.refused"`, who, what and why. */
export interface RefusalLogLine {
  event: 'command.refused';
  status: number;
  reason: string;
  rule?: string;
  detail: string;
  /** The token's subject; null when no token verified (401). */
  actor: string | null;
  /** The token's authority scope (`*`, `74,79`, `none`); null when no token verified. */
  scope: string | null;
  method: string | undefined;
  path: string | undefined;
  authorityCode: string | null;
  procedureCode: string | null;
  correlationId: string;
  requestId: string;
}

/**
 * The audit trail of refused commands (issue 14): every command the api refuses with a 4xx — 401,
 * 403, 409, 412, 422, and 400, 404, 429 as well — is written as one structured warn line (RefusalLogLine)
 * beside the request log, and counted in `tthc_commands_refused_total{status, reason}` (GET /metrics).
 * Nothing is appended for a refusal, so these are its only record.
 */
@Injectable()
export class CommandRefusals {
  private readonly logger = new Logger('CommandAudit');
  /** This app's series (tests make several apps in one process); MetricsController serves it. */
  readonly registry = new Registry();
  private readonly refused = new Counter({
    name: 'tthc_commands_refused_total',
    help: 'Commands refused, by HTTP status and reason (the problem type: outside-authority-scope, revision-mismatch, …)',
    labelNames: ['status', 'reason'] as const,
    registers: [this.registry],
  });

  /** Records `refusal` when `req` was a command; returns the line written, if any. */
  record(req: IncomingMessage, refusal: Refusal): RefusalLogLine | undefined {
    if (!isCommand(req) || refusal.status < 400 || refusal.status >= 500) return undefined;
    const { user } = req as AuthenticatedRequest;
    const params = (req as { params?: Record<string, string | undefined> }).params ?? {};
    const line: RefusalLogLine = {
      event: 'command.refused',
      status: refusal.status,
      reason: refusal.reason,
      ...(refusal.rule !== undefined && { rule: refusal.rule }),
      detail: refusal.detail,
      actor: user?.subject ?? null,
      scope: user ? describeScope(user.authorities) : null,
      method: req.method,
      path: (req as { originalUrl?: string }).originalUrl ?? req.url,
      authorityCode: params.authorityCode ?? null,
      procedureCode: params.procedureCode ?? null,
      correlationId: correlationIdOf(req),
      requestId: requestIdOf(req),
    };
    this.logger.warn(line);
    // Bounded labels: statuses and problem types are the filter's fixed vocabulary.
    this.refused.inc({ status: String(refusal.status), reason: refusal.reason });
    return line;
  }
}
