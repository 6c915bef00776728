import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiHeader,
  ApiNotFoundResponse,
  ApiPayloadTooLargeResponse,
  ApiPreconditionFailedResponse,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiUnauthorizedResponse,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import { CORRELATION_ID_HEADER } from '../http/correlation-id.js';
import { ProblemResponse } from '../http/problem.response.js';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency/idempotency.interceptor.js';

export const ETAG_HEADER_DOC = { ETag: { description: "The stream's revision, quoted", schema: { type: 'string', example: '"1"' } } };

const CorrelationHeaderDoc = () =>
  ApiHeader({ name: CORRELATION_ID_HEADER, required: false, description: 'Up to 100 of [A-Za-z0-9._:-]; echoed back, recorded on events' });

/** OpenAPI, on a controller whose endpoints need a token: the bearer scheme and the 401 and 403 problems. */
export function ApiAuthDocs() {
  return applyDecorators(
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ type: ProblemResponse, description: 'No bearer token, or one that is malformed, expired or not signed by a trusted key' }),
    ApiForbiddenResponse({
      type: ProblemResponse,
      description:
        'The token has none of the roles the endpoint needs (`forbidden`), or its authority scope does not cover the authority ' +
        'on the effective date (`outside-authority-scope`, naming it in `authorityCode`; queries only with AUTH_QUERY_SCOPE=restricted)',
    }),
  );
}

/** OpenAPI: the headers and problem responses every command shares. */
export function ApiCommandDocs() {
  return applyDecorators(
    ApiHeader({ name: 'If-Match', required: false, description: 'The revision the command was decided on, e.g. "3"; a stale one gets 412' }),
    ApiHeader({
      name: IDEMPOTENCY_KEY_HEADER,
      required: false,
      description:
        'Up to 200 printable ASCII characters; a repeat with the same body gets the first reply (Idempotent-Replayed: true), with another body 422, ' +
        'while the first is still running 409 idempotency-key-in-flight. The events\' ids derive from the key, so a command whose reply was lost ' +
        '(commit-outcome-unknown, a crash) is answered with its original reply when repeated, and never appended twice',
    }),
    CorrelationHeaderDoc(),
    ApiBadRequestResponse({ type: ProblemResponse, description: 'Malformed input; every offending field is named' }),
    ApiNotFoundResponse({ type: ProblemResponse, description: 'Unknown authority or procedure' }),
    ApiConflictResponse({
      type: ProblemResponse,
      description: 'The domain refuses the transition (`illegal-transition`, `reason` says why), or a request with this Idempotency-Key is still running (`idempotency-key-in-flight`)',
    }),
    ApiPreconditionFailedResponse({ type: ProblemResponse, description: 'If-Match names a stale revision' }),
    ApiPayloadTooLargeResponse({ type: ProblemResponse, description: 'Body larger than the limit (64 KiB by default)' }),
    ApiUnprocessableEntityResponse({ type: ProblemResponse, description: 'Idempotency-Key reused with another request' }),
    ApiTooManyRequestsResponse({ type: ProblemResponse, description: 'Too many commands from this client; see Retry-After' }),
    ApiServiceUnavailableResponse({
      type: ProblemResponse,
      description:
        'See Retry-After. `store-unavailable`: the database could not be reached, and nothing was appended. ' +
        '`commit-outcome-unknown`: the connection was lost after the command was sent and the database could not be asked whether it ' +
        'committed: its events may have been recorded; repeat it with the same Idempotency-Key (it then answers with the original reply ' +
        'and appends nothing twice), or read the stream. `database-resources`: the database ran out of a resource (disk), nothing was done.',
    }),
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
