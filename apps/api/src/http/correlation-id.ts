import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createParamDecorator, type ExecutionContext } from '@nestjs/common';

export const CORRELATION_ID_HEADER = 'X-Correlation-Id';

/** A caller's id is kept only if it is a plain token: it goes into logs and every event's metadata. */
const SANE_TOKEN = /^[A-Za-z0-9._:-]{1,100}$/;
const CORRELATION_ID = Symbol('correlationId');
const REQUEST_ID = Symbol('requestId');

type WithCorrelationId = IncomingMessage & { [CORRELATION_ID]?: string; [REQUEST_ID]?: string };

/**
 * Express middleware, mounted first: takes the caller's `X-Correlation-Id` or makes a UUID, and
 * echoes it on every response, errors included.
 */
export function correlationIdMiddleware(req: IncomingMessage, res: ServerResponse, next: () => void): void {
  const header = req.headers['x-correlation-id'];
  const id = typeof header === 'string' && SANE_TOKEN.test(header) ? header : randomUUID();
  (req as WithCorrelationId)[CORRELATION_ID] = id;
  res.setHeader(CORRELATION_ID_HEADER, id);
  next();
}

export function correlationIdOf(req: IncomingMessage): string {
  const request = req as WithCorrelationId;
  request[CORRELATION_ID] ??= randomUUID();
  return request[CORRELATION_ID];
}

/**
 * The request's own id, a UUID made for it alone (a caller may give several requests one correlation
 * id). A command's events carry it as `causationId`: the message that caused them is the command, and
 * this id is its. The request's log line carries it as `requestId`, so that an event leads to the
 * exact request (its status, its duration, its actor) and back.
 */
export function requestIdOf(req: IncomingMessage): string {
  const request = req as WithCorrelationId;
  request[REQUEST_ID] ??= randomUUID();
  return request[REQUEST_ID];
}

/** The request's correlation id (see correlationIdMiddleware). */
export const CorrelationId = createParamDecorator((_: unknown, context: ExecutionContext) =>
  correlationIdOf(context.switchToHttp().getRequest<IncomingMessage>()),
);
