import { applyDecorators } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader } from '@nestjs/swagger';
import { CORRELATION_ID_HEADER } from '../http/correlation-id.js';
import { ApiProblemResponse } from '../http/problem.response.js';
import { IDEMPOTENCY_KEY_HEADER } from '../idempotency/idempotency.interceptor.js';

export const ETAG_HEADER_DOC = { ETag: { description: "The stream's revision, quoted", schema: { type: 'string', example: '"1"' } } };

const CorrelationHeaderDoc = () =>
  ApiHeader({ name: CORRELATION_ID_HEADER, required: false, description: 'Up to 100 of [A-Za-z0-9._:-]; echoed back, recorded on events' });

/**
 * OpenAPI, on a controller whose endpoints need a token: the bearer scheme, the 401 and 403
 * problems, and the 503 every endpoint may answer (the event store, or the identity provider's keys,
 * unreachable).
 */
export function ApiAuthDocs() {
  return applyDecorators(
    ApiBearerAuth(),
    ApiProblemResponse(401, 'No bearer token, or one that is malformed, expired or not signed by a trusted key'),
    ApiProblemResponse(
      403,
      'The token has none of the roles the endpoint needs (`forbidden`), or its authority scope does not cover the authority ' +
        'on the effective date (`outside-authority-scope`, naming it in `authorityCode`; queries only with AUTH_QUERY_SCOPE=restricted)',
    ),
    ApiProblemResponse(503, "The event store or the identity provider's keys are unreachable; see Retry-After"),
    ApiProblemResponse(500, 'An unexpected error: logged with its stack, and described no further'),
  );
}

const IdempotencyHeaderDoc = () =>
  ApiHeader({
    name: IDEMPOTENCY_KEY_HEADER,
    required: false,
    description: 'Up to 200 printable ASCII characters; a repeat with the same body gets the first reply, with another body 422',
  });

/** OpenAPI: the headers and problems of a reorganisation of units (several streams: no If-Match). */
export function ApiReorganisationDocs() {
  return applyDecorators(
    IdempotencyHeaderDoc(),
    CorrelationHeaderDoc(),
    ApiProblemResponse(400, 'Malformed input; every offending field is named'),
    ApiProblemResponse(404, 'A unit named is not established (`unknown-authority`)'),
    ApiProblemResponse(
      409,
      'A unit cannot take part (`illegal-authority-transition`; `reason`: ALREADY_DISSOLVED, SUCCESSOR_NOT_IN_FORCE, ' +
        'EFFECTIVE_DATE_BEFORE_LAST_CHANGE, …); nothing is appended',
    ),
    ApiProblemResponse(413, 'Body larger than the limit (64 KiB by default)'),
    ApiProblemResponse(422, 'Idempotency-Key reused with another request'),
    ApiProblemResponse(429, 'Too many commands from this client; see Retry-After'),
    ApiProblemResponse(503, 'The event store is unreachable; see Retry-After'),
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
    ApiProblemResponse(400, 'Malformed input; every offending field is named'),
    ApiProblemResponse(404, 'Unknown authority or procedure'),
    ApiProblemResponse(
      409,
      'The domain refuses the transition (`illegal-transition`, `reason` says why), the authority was dissolved by the effective date ' +
        '(`authority-dissolved`, naming `successorCode` and `dissolvedOn`), a concurrent write won (`concurrent-write`), ' +
        'or a request with this Idempotency-Key is still running (`idempotency-key-in-flight`)',
    ),
    ApiProblemResponse(412, 'If-Match names a stale revision'),
    ApiProblemResponse(413, 'Body larger than the limit (64 KiB by default)'),
    ApiProblemResponse(415, 'A body that is not JSON, or in a charset JSON does not allow'),
    ApiProblemResponse(422, 'Idempotency-Key reused with another request'),
    ApiProblemResponse(429, 'Too many commands from this client; see Retry-After'),
    ApiProblemResponse(
      503,
      'See Retry-After. `store-unavailable`: the database could not be reached, and nothing was appended. ' +
        '`commit-outcome-unknown`: the connection was lost after the command was sent and the database could not be asked whether it ' +
        'committed: its events may have been recorded; repeat it with the same Idempotency-Key (it then answers with the original reply ' +
        'and appends nothing twice), or read the stream. `database-resources`: the database ran out of a resource (disk), nothing was done.',
    ),
  );
}

/**
 * OpenAPI: the problem responses of a query. `notFound`: what an unknown path parameter means, for
 * an endpoint that has any.
 */
export function ApiQueryDocs(options: { notFound?: string } = {}) {
  return applyDecorators(
    CorrelationHeaderDoc(),
    ApiProblemResponse(400, 'A malformed path or query parameter; every offending one is named'),
    ...(options.notFound ? [ApiProblemResponse(404, options.notFound)] : []),
    ApiProblemResponse(
      503,
      'The event store is unreachable, the read models did not reach afterPosition or asOfPosition in time, the query ran past its time bound ' +
        '(query-timeout), or the read replica is unreachable with DATABASE_READ_FALLBACK=refuse; see Retry-After',
    ),
  );
}
