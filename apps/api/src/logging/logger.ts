import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger } from 'pino';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { AuthenticatedRequest } from '../http/actor.decorator.js';
import { correlationIdOf, requestIdOf } from '../http/correlation-id.js';

/**
 * One JSON line per record, on stdout unless `destination` is given; `level` is `silent` under test.
 * Stdout is written asynchronously: the lines logged while a write is under way go out together in
 * the next (one write per request was a system call per request under load), and pino writes what
 * is left synchronously when the process exits.
 */
export function createRootLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    name: 'tthc-ledger-api',
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  return pino(options, destination ?? pino.destination({ dest: 1, sync: false }));
}

/**
 * Nest's LoggerService over pino, so that Nest's own messages (bootstrap, the problem filter's 500s)
 * come out as the same JSON lines as the request log. nestjs-pino would do this, but its engines
 * want Node 22.
 */
export class PinoLoggerService implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    // Nest calls error(message, stack?, context?).
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? params.pop() : undefined;
    const stack = typeof params[0] === 'string' ? params.shift() : undefined;
    if (isErrorLike(message)) {
      this.logger.error({ context, err: message }, message.message);
    } else {
      this.logger.error({ context, ...(stack !== undefined && { stack }), ...extra(params) }, String(message));
    }
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const context = params.length > 0 && typeof params[params.length - 1] === 'string' ? params.pop() : undefined;
    if (isErrorLike(message)) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message, ...extra(params) });
    } else {
      this.logger[level]({ context, ...extra(params) }, String(message));
    }
  }
}

/** `instanceof Error` fails for errors of another realm (node internals under jest's vm modules). */
function isErrorLike(value: unknown): value is Error {
  return value instanceof Error || (typeof value === 'object' && value !== null && typeof (value as Error).stack === 'string' && typeof (value as Error).message === 'string');
}

function extra(params: unknown[]): Record<string, unknown> {
  const defined = params.filter((p) => p !== undefined);
  return defined.length > 0 ? { params: defined } : {};
}

type Req = IncomingMessage & { originalUrl?: string };

/**
 * Express middleware logging one line per request when it ends: method, url, status, duration (ms),
 * correlationId, requestId (a command's events carry it as causationId) and actor (the verified
 * token's subject; null when the request was not authenticated). Headers are left out: they carry
 * bearer tokens.
 */
export function requestLogger(logger: Logger): HttpLogger<Req, ServerResponse> {
  const summary = (req: Req, res: ServerResponse, duration: number) => ({
    method: req.method,
    url: req.originalUrl ?? req.url,
    status: res.statusCode,
    duration,
    requestId: requestIdOf(req),
    actor: (req as AuthenticatedRequest).user?.subject ?? null,
  });
  return pinoHttp<Req, ServerResponse>({
    logger,
    genReqId: (req) => correlationIdOf(req),
    // Bind only the correlation id (as `correlationId`), not the whole request with its headers.
    customAttributeKeys: { reqId: 'correlationId' },
    quietReqLogger: true,
    quietResLogger: true,
    customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    customSuccessMessage: (req, res) => `${req.method} ${req.originalUrl ?? req.url} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${req.originalUrl ?? req.url} ${res.statusCode}`,
    customSuccessObject: (req, res, val: { responseTime: number }) => summary(req, res, val.responseTime),
    customErrorObject: (req, res, error, val: { responseTime: number }) => ({ ...summary(req, res, val.responseTime), err: error }),
  });
}
