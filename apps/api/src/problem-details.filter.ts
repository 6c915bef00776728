import type { IncomingMessage, ServerResponse } from 'node:http';
import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, Logger, Optional, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { ConcurrencyConflict } from '@tthc/application';
import {
  DecisionNotFound,
  DecisionNumberTaken,
  DecisionRefused,
  DecisionTooLarge,
  AuthorityDissolved,
  AuthorityNotInBoundaries,
  IllegalAuthorityTransition,
  IllegalProcedureTransition,
  InvalidCommand,
  ProcedureNotFound,
  UnknownAuthority,
  type ConflictingEvent,
  type FieldError,
  type ItemRefusal,
} from '@tthc/domain';
import { CommitOutcomeUnknown, MultiStreamAppendUnsupported, WrongExpectedVersion } from '@tthc/event-store';
import { databaseResourceShortage } from '@tthc/platform';
import { ProjectionBehind, QueryTimedOut, ReadReplicaUnavailable } from '@tthc/read-models';
import { AccessDenied, AuthenticationRequired, AuthenticationUnavailable, OutsideAuthorityScope } from './auth/auth.errors.js';
import { isDatabaseUnavailable } from './database/database-unavailable.js';
import { TooManyRequests } from './http/command-rate-limit.js';
import { MethodNotAllowed } from './http/express-adapter.js';
import { INVALID_UTF8, UnsupportedMediaType } from './http/json-body.js';
import { PROBLEM_CONTENT_TYPE } from './http/problem.response.js';
import { InvalidRequest } from './http/invalid-request.error.js';
import { IdempotencyKeyInFlight, IdempotencyKeyReused } from './idempotency/idempotency.errors.js';
import { CommandRefusals } from './logging/command-refusals.js';

export const PROBLEM_BASE = 'https://tthc-ledger.dev/problems/';
/** Seconds a client should wait before retrying after a 503. */
export const RETRY_AFTER_SECONDS = 5;
/** The protection space of RFC 6750's `WWW-Authenticate: Bearer` challenge. */
export const AUTH_REALM = 'tthc-ledger';

/** RFC 9457 problem details, with `errors` on 400 and 415, and the extension members listed below. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: readonly FieldError[];
  /** IllegalProcedureTransition's reason, e.g. ALREADY_IN_MODE; on 503 database-resources, what ran out (DISK_FULL, …). */
  reason?: string;
  /** On 503 database-resources: PostgreSQL's SQLSTATE, e.g. 53100. */
  sqlState?: string;
  /** On 412: the stream's revision now. */
  currentRevision?: number | null;
  /** On 403 outside-authority-scope: the authority the token may not act for (null: a national endpoint). */
  authorityCode?: string | null;
  /** On 409 decision-refused: every refused item. */
  items?: readonly ItemRefusal[];
  /** On 413 decision-too-large: the most items a decision may list. */
  limit?: number;
  /** On 404 not-in-boundaries: the boundary set asked for. */
  boundaries?: string;
  /** On 409 authority-dissolved: the unit that succeeded the dissolved one, and from when. */
  successorCode?: string;
  dissolvedOn?: string;
  /** On 409 illegal-transition (CONFLICTS_WITH_LATER_TRANSITION): the recorded event that would become illegal. */
  conflictsWith?: ConflictingEvent;
}

const problem = (status: number, slug: string, title: string, detail: string, extra: Partial<Problem> = {}): Problem => ({
  type: `${PROBLEM_BASE}${slug}`,
  title,
  status,
  detail,
  ...extra,
});

/**
 * The one global filter: maps every error to `application/problem+json` with the statuses fixed by
 * API.md. Anything unexpected becomes a 500 that is logged with its stack and says nothing more.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemDetails');

  constructor(@Optional() private readonly refusals?: CommandRefusals) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<ServerResponse>();
    const body = this.toProblem(exception);
    this.refusals?.record(host.switchToHttp().getRequest<IncomingMessage>(), {
      status: body.status,
      reason: body.type.slice(PROBLEM_BASE.length),
      detail: body.detail,
      ...(body.reason !== undefined && { rule: body.reason }),
    });
    if (body.status === 500) this.logger.error(exception);
    else if (body.status > 500) this.logger.warn(`${body.title}: ${(exception as Error | undefined)?.message ?? String(exception)}`);
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.statusCode = body.status;
    res.setHeader('Content-Type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    res.setHeader('Cache-Control', 'no-store');
    if (body.status === 503) res.setHeader('Retry-After', String(RETRY_AFTER_SECONDS));
    for (const [name, value] of Object.entries(this.headersOf(exception))) res.setHeader(name, value);
    res.removeHeader('ETag');
    res.end(JSON.stringify(body));
  }

  /** Headers a problem carries besides its body: the Bearer challenge (RFC 6750 §3), Retry-After on 429, Allow on 405. */
  headersOf(exception: unknown): Record<string, string> {
    if (exception instanceof AuthenticationRequired) {
      const challenge =
        exception.reason === 'missing'
          ? `Bearer realm="${AUTH_REALM}"`
          : `Bearer realm="${AUTH_REALM}", error="${exception.reason}", error_description="${exception.message.replace(/[^\x20-\x7e]|["\\]/g, "'")}"`;
      return { 'WWW-Authenticate': challenge };
    }
    if (exception instanceof AccessDenied || exception instanceof OutsideAuthorityScope) {
      return { 'WWW-Authenticate': `Bearer realm="${AUTH_REALM}", error="insufficient_scope"` };
    }
    if (exception instanceof TooManyRequests) return { 'Retry-After': String(exception.retryAfterSeconds) };
    if (exception instanceof MethodNotAllowed) return { Allow: exception.allowed.join(', ') };
    return {};
  }

  toProblem(exception: unknown): Problem {
    if (exception instanceof AuthenticationRequired) {
      return problem(401, 'unauthorized', 'Unauthorized', exception.message);
    }
    if (exception instanceof AccessDenied) {
      return problem(403, 'forbidden', 'Forbidden', exception.message);
    }
    if (exception instanceof OutsideAuthorityScope) {
      return problem(403, 'outside-authority-scope', 'Outside your authority scope', exception.message, { authorityCode: exception.authorityCode });
    }
    if (exception instanceof AuthenticationUnavailable) {
      return problem(503, 'authentication-unavailable', 'Service unavailable', `${exception.message}; retry later`);
    }
    if (exception instanceof TooManyRequests) {
      return problem(429, 'too-many-requests', 'Too many requests', exception.message);
    }
    if (exception instanceof InvalidRequest || exception instanceof InvalidCommand) {
      return problem(400, 'invalid-request', 'Invalid request', describe(exception.errors), { errors: exception.errors });
    }
    if (exception instanceof UnsupportedMediaType) {
      return problem(415, 'unsupported-media-type', 'Unsupported media type', exception.message, {
        errors: [{ field: 'Content-Type', message: `must be ${exception.accepted}` }],
      });
    }
    if (exception instanceof MethodNotAllowed) {
      return problem(405, 'method-not-allowed', 'Method not allowed', exception.message);
    }
    if (exception instanceof UnknownAuthority) {
      return problem(404, 'unknown-authority', 'Unknown authority', exception.message);
    }
    if (exception instanceof AuthorityNotInBoundaries) {
      return problem(404, 'not-in-boundaries', 'Not a unit of these boundaries', exception.message, {
        authorityCode: exception.authorityCode,
        boundaries: exception.boundaries,
      });
    }
    if (exception instanceof AuthorityDissolved) {
      return problem(409, 'authority-dissolved', 'The authority has been dissolved', exception.message, {
        authorityCode: exception.authorityCode,
        successorCode: exception.successorCode,
        dissolvedOn: exception.dissolvedOn,
      });
    }
    if (exception instanceof IllegalAuthorityTransition) {
      return problem(409, 'illegal-authority-transition', 'The authority cannot make this change', exception.message, { reason: exception.reason });
    }
    if (exception instanceof ProcedureNotFound) {
      return problem(404, 'procedure-not-found', 'Procedure not found', exception.message);
    }
    if (exception instanceof IllegalProcedureTransition) {
      return problem(409, 'illegal-transition', 'The procedure cannot make this transition', exception.message, {
        reason: exception.reason,
        ...(exception.conflictsWith !== undefined && { conflictsWith: exception.conflictsWith }),
      });
    }
    if (exception instanceof DecisionRefused) {
      return problem(409, 'decision-refused', 'The decision cannot be issued', exception.message, { items: exception.refusals });
    }
    if (exception instanceof DecisionTooLarge) {
      const field = exception.line === undefined ? 'items' : 'body';
      const errors = [{ field, ...(exception.line !== undefined && { line: exception.line }), message: `must list at most ${exception.limit.toLocaleString('en')} items` }];
      return problem(413, 'decision-too-large', 'Decision too large', exception.message, { limit: exception.limit, errors });
    }
    if (exception instanceof DecisionNumberTaken) {
      return problem(409, 'decision-number-taken', 'Decision number already used', exception.message);
    }
    if (exception instanceof DecisionNotFound) {
      return problem(404, 'decision-not-found', 'Decision not found', exception.message);
    }
    if (exception instanceof MultiStreamAppendUnsupported) {
      return problem(501, 'decisions-unsupported', 'Decisions need an atomic multi-stream append', `${exception.message}; nothing was appended`);
    }
    if (exception instanceof ConcurrencyConflict) {
      return problem(412, 'revision-mismatch', 'The procedure has changed', exception.message, {
        currentRevision: exception.actualRevision,
      });
    }
    if (exception instanceof WrongExpectedVersion) {
      // Without If-Match the handler retries a lost race a few times; this is what is left after that.
      return problem(409, 'concurrent-write', 'Concurrent write', 'The procedure was changed by concurrent commands; retry');
    }
    if (exception instanceof IdempotencyKeyReused) {
      return problem(422, 'idempotency-key-reused', 'Idempotency key reused', exception.message);
    }
    if (exception instanceof IdempotencyKeyInFlight) {
      return problem(409, 'idempotency-key-in-flight', 'Request in progress', exception.message);
    }
    if (exception instanceof ProjectionBehind) {
      return problem(503, 'projection-behind', 'Read models not caught up', exception.message);
    }
    if (exception instanceof QueryTimedOut) {
      return problem(503, 'query-timeout', 'Service unavailable', exception.message);
    }
    if (exception instanceof ReadReplicaUnavailable) {
      return problem(503, 'read-replica-unavailable', 'Service unavailable', `${exception.message}; retry later`);
    }
    if (exception instanceof CommitOutcomeUnknown) {
      return problem(
        503,
        'commit-outcome-unknown',
        'Outcome unknown',
        'The connection to the event store was lost after the command was sent, and whether its events were recorded could not be checked: they may have been. Retry with the same Idempotency-Key (a recorded command then answers with its original reply, and appends nothing twice), or read the stream to check.',
      );
    }
    const shortage = databaseResourceShortage(exception);
    if (shortage) {
      const detail = `Nothing was done: ${shortage.description} (SQLSTATE ${shortage.sqlState}); retry once an operator has freed it`;
      return problem(503, 'database-resources', 'Service unavailable', detail, { reason: shortage.reason, sqlState: shortage.sqlState });
    }
    if (isDatabaseUnavailable(exception)) {
      return problem(503, 'store-unavailable', 'Service unavailable', 'The event store is unreachable and nothing was recorded; retry later');
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    return problem(500, 'internal-error', 'Internal server error', 'An unexpected error occurred');
  }
}

function fromHttpException(exception: HttpException): Problem {
  const status = exception.getStatus();
  const cause = exception.cause as { type?: unknown } | undefined;
  // Errors of express's body parser, mapped to HttpException by Nest's express adapter.
  if (cause?.type === 'entity.too.large') {
    return problem(413, 'payload-too-large', 'Payload too large', 'The request body is larger than the limit');
  }
  if (cause?.type === INVALID_UTF8) {
    const errors = [{ field: 'body', message: 'must be valid UTF-8' }];
    return problem(400, 'invalid-encoding', 'Invalid encoding', 'The request body is not valid UTF-8', { errors });
  }
  if (cause?.type === 'entity.parse.failed') {
    const errors = [{ field: 'body', message: 'must be valid JSON' }];
    return problem(400, 'malformed-json', 'Malformed JSON', 'The request body is not valid JSON', { errors });
  }
  const title = STATUS_CODES[status] ?? 'Error';
  if (status >= 500) return problem(status, 'internal-error', title, 'An unexpected error occurred');
  return problem(status, slugOf(title), title, messageOf(exception));
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.join('; ');
  return typeof message === 'string' ? message : exception.message;
}

function slugOf(title: string): string {
  return title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

function describe(errors: readonly FieldError[]): string {
  const fields = [...new Set(errors.map((e) => e.field))];
  return `${fields.length === 1 ? 'This field is' : 'These fields are'} malformed: ${fields.join(', ')}`;
}
