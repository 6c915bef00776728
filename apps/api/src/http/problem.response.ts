import { applyDecorators } from '@nestjs/common';
import { ApiExtraModels, ApiProperty, ApiPropertyOptional, ApiResponse, getSchemaPath, type HeadersObject } from '@nestjs/swagger';

/** The media type of every error answer (RFC 9457); the filter in problem-details.filter.ts sends it. */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export class FieldErrorResponse {
  @ApiProperty({ example: 'effectiveFrom' })
  field: string;
  @ApiProperty({ example: 'must be a real calendar date YYYY-MM-DD' })
  message: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: "A CSV annex's: the line of the offending item" })
  line?: number;
}

/** RFC 9457 problem details, served as application/problem+json. */
export class ProblemResponse {
  @ApiProperty({ format: 'uri', example: 'https://tthc-ledger.dev/problems/invalid-request' })
  type: string;
  @ApiProperty({ example: 'Invalid request' })
  title: string;
  @ApiProperty({ type: 'integer', minimum: 400, maximum: 599, example: 400 })
  status: number;
  @ApiProperty({ example: 'This field is malformed: effectiveFrom' })
  detail: string;
  @ApiPropertyOptional({ type: [FieldErrorResponse], description: 'On 400: every offending field' })
  errors?: FieldErrorResponse[];
  @ApiPropertyOptional({ description: 'On 409 from the domain: why it refused; on 503 database-resources: what ran out (DISK_FULL, …)', example: 'ALREADY_IN_MODE' })
  reason?: string;
  @ApiPropertyOptional({ description: "On 503 database-resources: PostgreSQL's SQLSTATE", example: '53100' })
  sqlState?: string;
  @ApiPropertyOptional({ type: 'integer', nullable: true, description: "On 412: the stream's current revision (null: the stream does not exist)" })
  currentRevision?: number | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'On 403 outside-authority-scope: the authority the token may not act for (null for a national endpoint)',
    example: '79',
  })
  authorityCode?: string | null;
  @ApiPropertyOptional({
    description: 'On 409 decision-refused: every refused item (index, CSV line, procedureCode, reason code, message)',
    type: 'array',
    items: {
      type: 'object',
      required: ['index', 'procedureCode', 'reason', 'message'],
      properties: {
        index: { type: 'integer', minimum: 0 },
        line: { type: 'integer', minimum: 2 },
        procedureCode: { type: 'string' },
        reason: { type: 'string', example: 'ALREADY_IN_MODE' },
        message: { type: 'string' },
      },
    },
  })
  items?: { index: number; line?: number; procedureCode: string; reason: string; message: string }[];
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'On 413 decision-too-large: the most items a decision may list (100000)', example: 100000 })
  limit?: number;
  @ApiPropertyOptional({ enum: ['2023', '2025'], description: 'On 404 not-in-boundaries: the boundary set asked for' })
  boundaries?: string;
  @ApiPropertyOptional({ pattern: '^[0-9]{2}$', description: 'On 409 authority-dissolved: the unit that succeeded the dissolved one', example: '79' })
  successorCode?: string;
  @ApiPropertyOptional({ format: 'date', description: 'On 409 authority-dissolved: the first day on which the unit no longer existed', example: '2025-07-01' })
  dissolvedOn?: string;
  @ApiPropertyOptional({
    description:
      'On 409 illegal-transition with reason CONFLICTS_WITH_LATER_TRANSITION: the recorded event that a late decision, a correction or a ' +
      'rescission would make illegal (its revision in the stream, type, effective date, decision, and why it would become illegal)',
    type: 'object',
    additionalProperties: false,
    required: ['revision', 'type', 'effectiveFrom', 'decisionRef', 'reason'],
    properties: {
      revision: { type: 'integer', minimum: 0 },
      type: { type: 'string', example: 'ProcedureUpgradedToFullProcess' },
      effectiveFrom: { type: 'string', format: 'date' },
      decisionRef: { type: 'string', nullable: true },
      reason: { type: 'string', example: 'ALREADY_IN_MODE' },
    },
  })
  conflictsWith?: { revision: number; type: string; effectiveFrom: string; decisionRef: string | null; reason: string };
}

const RETRY_AFTER: HeadersObject = { 'Retry-After': { description: 'Seconds to wait before retrying', schema: { type: 'integer', minimum: 0 } } };
const BEARER_CHALLENGE: HeadersObject = {
  'WWW-Authenticate': { description: 'The Bearer challenge of RFC 6750, with the error when a token was sent', schema: { type: 'string' } },
};

/** Response headers a problem of this status carries (ProblemDetailsFilter.headersOf). */
function problemHeaders(status: number): HeadersObject | undefined {
  if (status === 429 || status === 503) return RETRY_AFTER;
  if (status === 401 || status === 403) return BEARER_CHALLENGE;
  return undefined;
}

/** OpenAPI: an error answer of `status`, as the problem document ProblemDetailsFilter sends. */
export function ApiProblemResponse(status: number, description: string) {
  const headers = problemHeaders(status);
  return applyDecorators(
    ApiExtraModels(ProblemResponse),
    ApiResponse({ status, description, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: getSchemaPath(ProblemResponse) } } }, ...(headers && { headers }) }),
  );
}
