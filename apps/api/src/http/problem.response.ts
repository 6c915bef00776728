import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldErrorResponse {
  @ApiProperty({ example: 'effectiveFrom' })
  field: string;
  @ApiProperty({ example: 'must be a real calendar date YYYY-MM-DD' })
  message: string;
}

/** RFC 9457 problem details, served as application/problem+json. */
export class ProblemResponse {
  @ApiProperty({ example: 'https://tthc-ledger.dev/problems/invalid-request' })
  type: string;
  @ApiProperty({ example: 'Invalid request' })
  title: string;
  @ApiProperty({ example: 400 })
  status: number;
  @ApiProperty()
  detail: string;
  @ApiPropertyOptional({ type: [FieldErrorResponse], description: 'On 400: every offending field' })
  errors?: FieldErrorResponse[];
  @ApiPropertyOptional({ description: 'On 409 from the domain: why it refused', example: 'ALREADY_IN_MODE' })
  reason?: string;
  @ApiPropertyOptional({ type: Number, nullable: true, description: "On 412: the stream's current revision" })
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
}
