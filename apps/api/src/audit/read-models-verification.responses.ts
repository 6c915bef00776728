import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/** One place where the read models say something else than the log. */
export class ReadModelMismatchResponse {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiPropertyOptional({ format: 'date', description: 'The date a summary or a transition count is for' })
  date?: string;
  @ApiPropertyOptional({ description: 'The procedure a `procedures` row is for', example: '1.001612' })
  procedureCode?: string;
  @ApiPropertyOptional({ description: 'The decision a `decisions` row is for, its number as printed', example: '1500/QĐ-UBND' })
  decisionNumber?: string;
  @ApiProperty({
    enum: [
      'authority_daily_summaries',
      'procedure_status_intervals',
      'procedures',
      'procedure_transitions',
      'authority_daily_transitions',
      'authorities',
      'decisions',
      'national_facts',
    ],
    description:
      "What was read: the counts' pre-aggregation, the bitemporal intervals, the procedure rows, the transitions, the movement's pre-aggregation, the lineage, the decisions, the national facts",
  })
  source: string;
  @ApiProperty({ example: 'fullProcess' })
  field: string;
  // OpenAPI 3.0 ignores `nullable` beside no `type`: null is one of the alternatives.
  @ApiProperty({ oneOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }], description: 'What the log implies (null: nothing)' })
  expected: string | number | boolean | null;
  @ApiProperty({ oneOf: [{ type: 'string', nullable: true }, { type: 'number' }, { type: 'boolean' }], description: 'What the read models hold (null: nothing)' })
  found: string | number | boolean | null;
}

export class IntervalPathResponse {
  @ApiProperty({ description: 'The log position the intervals were read as of' })
  asOfPosition: number;
  @ApiProperty({ type: [String], description: 'The dates compared on the bitemporal path (a sample when there are many)' })
  dates: string[];
  @ApiProperty()
  summariesChecked: number;
}

/** The read models against the log (ReadModelVerifier, in libs/read-models). */
export class ReadModelsVerificationResponse {
  @ApiProperty({ description: 'No mismatch' })
  ok: boolean;
  @ApiProperty({ description: "The read models' checkpoint: every event up to it was replayed, every answer read as of it" })
  upToPosition: number;
  @ApiProperty({ description: 'The head of the log; events after upToPosition are not projected yet, and not checked' })
  headPosition: number;
  @ApiProperty()
  eventsReplayed: number;
  @ApiProperty()
  authoritiesChecked: number;
  @ApiProperty({ description: 'Distinct dates on which summaries were compared: every date where anything changed, and today' })
  datesChecked: number;
  @ApiProperty({ description: '(authority, date) summaries compared on the pre-aggregated path' })
  summariesChecked: number;
  @ApiProperty({ type: IntervalPathResponse })
  intervalPath: IntervalPathResponse;
  @ApiProperty()
  proceduresChecked: number;
  @ApiProperty()
  transitionCountsChecked: number;
  @ApiProperty({ description: 'Units of the lineage read model compared with their streams (versions, dissolution, successor, revision)' })
  unitsChecked: number;
  @ApiProperty({
    description:
      'Decisions of the decisions read model compared with their records and with what the events they caused did (event count, change of the counts)',
  })
  decisionsChecked: number;
  @ApiProperty({ description: 'Rows of the national facts read model (authorities and their facts) compared with the log' })
  nationalFactsChecked: number;
  @ApiProperty({ description: 'Every mismatch found; `mismatches` lists the first 1,000' })
  mismatchCount: number;
  @ApiProperty({ type: [ReadModelMismatchResponse] })
  mismatches: ReadModelMismatchResponse[];
  @ApiProperty()
  millis: number;
}
