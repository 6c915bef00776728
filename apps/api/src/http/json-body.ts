import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';

/** The one media type of the api's request bodies. */
export const JSON_MEDIA_TYPE = 'application/json';

/** 415: a request body in another media type than the endpoint reads. */
export class UnsupportedMediaType extends Error {
  constructor(
    readonly contentType: string | undefined,
    readonly accepted: string,
  ) {
    super(`The request body must be sent as ${accepted}${contentType ? `, not ${contentType}` : ' (Content-Type is missing)'}`);
    this.name = 'UnsupportedMediaType';
  }
}

/** What body-parser's `verify` throws: it keeps `status` and `type` (http-errors), Nest maps it to an HttpException. */
class BodyRefused extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

/** body-parser's `type` of the error for a body that is not UTF-8; the problem filter answers it with 400. */
export const INVALID_UTF8 = 'entity.encoding.invalid';

/**
 * body-parser's `verify`, called with the raw bytes before they are decoded: JSON is UTF-8 (RFC 8259
 * §8.1), so another charset gets 415, and bytes that are not UTF-8 get 400. Decoding would otherwise
 * replace them with U+FFFD, and the replacement would be stored for good in the hash-chained log.
 */
export function verifyUtf8(_req: IncomingMessage, _res: unknown, body: Buffer, encoding: string | null): void {
  if (encoding !== null && !/^utf-?8$/i.test(encoding)) {
    throw new BodyRefused(415, 'charset.unsupported', `unsupported charset "${encoding.toUpperCase()}": JSON is UTF-8 (RFC 8259 §8.1)`);
  }
  if (!isUtf8(body)) throw new BodyRefused(400, INVALID_UTF8, 'The request body is not valid UTF-8');
}

/** The JSON body parser's options: the size limit, JSON only, UTF-8 only. */
export function jsonBodyParserOptions(limit: number) {
  return { limit, type: JSON_MEDIA_TYPE, verify: verifyUtf8 };
}

const ALSO_ACCEPTS = 'tthc:also-accepts-media-types';
/** On an endpoint that takes other bodies besides JSON (a decision's `text/csv` annex); it parses them itself. */
export const AlsoAccepts = (...mediaTypes: string[]) => SetMetadata(ALSO_ACCEPTS, mediaTypes);

/**
 * Global guard, after authentication: a request that carries a body (GET and HEAD aside, whose
 * bodies are ignored) in another media type than JSON gets 415. Without it such a body is simply not
 * parsed, and the command is refused as if every field were missing, which misleads the caller.
 * A guard rather than a middleware, so that unknown paths still get 404 and wrong methods 405.
 */
@Injectable()
export class JsonBodyGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<Request>();
    if (req.method === 'GET' || req.method === 'HEAD' || req.headers['content-length'] === '0') return true;
    // type-is: null without a body, false for another type.
    const also = this.reflector.get<string[] | undefined>(ALSO_ACCEPTS, context.getHandler()) ?? [];
    if (req.is([JSON_MEDIA_TYPE, ...also]) === false) throw new UnsupportedMediaType(req.headers['content-type'], [JSON_MEDIA_TYPE, ...also].join(', '));
    return true;
  }
}
