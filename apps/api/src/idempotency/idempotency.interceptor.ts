import type { ServerResponse } from 'node:http';
import { Injectable, Logger, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { catchError, from, mergeMap, of, throwError, type Observable } from 'rxjs';
import { isRecoveredResult } from '@tthc/application';
import { actorOf, type AuthenticatedRequest } from '../http/actor.decorator.js';
import { InvalidRequest } from '../http/invalid-request.error.js';
import { IdempotencyStore, requestHash } from './idempotency.store.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';

/** Printable ASCII, so that a key can be logged, compared and stored as it came. */
const KEY_PATTERN = /^[\x20-\x7e]{1,200}$/;

export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  const key = typeof header === 'string' ? header.trim() : '';
  if (!KEY_PATTERN.test(key)) {
    throw new InvalidRequest([{ field: 'Idempotency-Key', message: 'must be 1 to 200 printable ASCII characters' }]);
  }
  return key;
}

const IDEMPOTENCY_SCOPE = Symbol('idempotency scope');
type Request = AuthenticatedRequest & { body?: unknown; originalUrl?: string; [IDEMPOTENCY_SCOPE]?: string };

/**
 * The request's Idempotency-Key with the hash of its caller and content, once the interceptor has
 * reserved it: the command's CommandContext.idempotencyKey, from which its events' ids derive.
 */
export function idempotencyScopeOf(req: object): string | undefined {
  return (req as Request)[IDEMPOTENCY_SCOPE];
}

/**
 * `Idempotency-Key` on commands: the same key with the same request gets the first reply again
 * (status, body, ETag) and appends nothing; with another request or from another caller (the token's
 * subject is part of the request's hash), 422. Runs after the guards and before the pipes, so a
 * request the pipes reject releases its key like any other failure.
 *
 * The key's lasting record is the command's events: their ids derive from the key and the request
 * (CommandContext.idempotencyKey), so it commits in the append's own transaction. The row here is
 * the reply's cache and the lock against a concurrent repeat. When the process dies between the
 * append and this row's completion, the row stays reserved: a repeat gets 409 in-flight until it is
 * abandoned (its process's lease gone, ProcessLease; or, where that is unknown, older than
 * IdempotencyOptions.abandonedAfterSeconds), then runs again, finds its events in the stream, and
 * answers with the original reply.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');

  constructor(private readonly store: IdempotencyStore) {}

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<ServerResponse>();
    const key = parseIdempotencyKey(req.headers['idempotency-key']);
    if (key === undefined) return next.handle();

    const path = (req.originalUrl ?? req.url ?? '').split('?')[0];
    const hash = requestHash(req.method ?? 'POST', path, req.body, actorOf(req));
    const reservation = await this.store.reserve(key, hash);
    if (reservation.kind === 'replay') {
      const { reply } = reservation;
      res.statusCode = reply.status;
      if (reply.etag) res.setHeader('ETag', reply.etag);
      res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
      return of(reply.body);
    }

    req[IDEMPOTENCY_SCOPE] = `${key}\n${hash}`;
    const status = successStatus(context, req);
    return next.handle().pipe(
      mergeMap((body) => {
        if (isRecoveredResult(body)) res.setHeader(IDEMPOTENT_REPLAYED_HEADER, 'true');
        const reply = { status, etag: headerValue(res.getHeader('ETag')), body: body ?? null };
        // The command is done and its events recorded: a failure to cache the reply must not turn
        // it into an error. A repeat finds the events instead (see above).
        const cached = this.store.complete(key, reply).catch((error: unknown) => {
          this.logger.warn(`could not record the reply to Idempotency-Key '${key}': ${(error as Error).message}`);
        });
        return from(cached.then(() => body));
      }),
      catchError((error: unknown) =>
        from(this.store.release(key).catch(() => undefined)).pipe(mergeMap(() => throwError(() => error))),
      ),
    );
  }
}

/** The status Nest will answer with: the handler's @HttpCode, else 201 for POST and 200 otherwise. */
function successStatus(context: ExecutionContext, req: Request): number {
  const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
  return declared ?? (req.method === 'POST' ? 201 : 200);
}

function headerValue(value: number | string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : String(value);
}
