import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiPreconditionFailedResponse,
  ApiServiceUnavailableResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CORRELATION_ID_HEADER } from '../http/correlation-id.js';
import { ProblemResponse } from '../http/problem.response.js';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency/idempotency.interceptor.js';

export const ETAG_HEADER_DOC = { ETag: { description: "The stream's revision, quoted", schema: { type: 'string', example: '"1"' } } };

const CorrelationHeaderDoc = () =>
  ApiHeader({ name: CORRELATION_ID_HEADER, required: false, description: 'Up to 100 of [A-Za-z0-9._:-]; echoed back, recorded on events' });

/** OpenAPI: the headers and problem responses every command shares. */
export function ApiCommandDocs() {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The revision the command was decided on, e.g. "3"; a stale one gets 412' }),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description: 'Up to 200 printable ASCII characters; a repeat with the same body gets the first reply, with another body 422',
    }),
    CorrelationHeaderDoc(),
    ApiBadRequestResponse({ type: ProblemResponse, description: 'Malformed input; every offending field is named' }),
    ApiNotFoundResponse({ type: ProblemResponse, description: 'Unknown authority or procedure' }),
    ApiConflictResponse({ type: ProblemResponse, description: 'The domain refuses the transition (`reason` says why)' }),
    ApiPreconditionFailedResponse({ type: ProblemResponse, description: 'If-Match names a stale revision' }),
    ApiPayloadTooLargeResponse({ type: ProblemResponse, description: 'Body larger than the limit (64 KiB by default)' }),
    ApiUnprocessableEntityResponse({ type: ProblemResponse, description: 'Idempotency-Key reused with another request' }),
    ApiServiceUnavailableResponse({ type: ProblemResponse, description: 'The event store is unreachable; see Retry-After' }),
  );
}

/** OpenAPI: the problem responses of a procedure query. */
export function ApiQueryDocs() {
  return applyDecorators(
    CorrelationHeaderDoc(),
    ApiBadRequestResponse({ type: ProblemResponse, description: 'Malformed authority or procedure code' }),
    ApiNotFoundResponse({ type: ProblemResponse, description: 'Unknown authority or procedure' }),
    ApiServiceUnavailableResponse({ type: ProblemResponse, description: 'The event store is unreachable; see Retry-After' }),
  );
}
