import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { PROCEDURE_EVENT_TYPES } from '@tthc/domain';
import { IsInstant } from '../authorities/summary-query.request.js';
import { DecisionLinkResponse, nullableDecisionLink, ProcedureDescription } from './procedure.responses.js';
import { IsCalendarDate, Optional } from './validators.js';

/** `GET …/procedures/{p}/state?at=&knownAt=`: in force on a date, as recorded at an instant. */
export class ProcedureStateQuery {
  @ApiPropertyOptional({ description: 'In force on this date (default: today in Vietnam)', format: 'date', example: '2023-09-01' })
  @Optional()
  @IsCalendarDate()
  at?: string;

  @ApiPropertyOptional({
    description: 'As recorded at this instant: later-recorded events are ignored (default: now)',
    format: 'date-time',
    example: '2023-08-01T00:00:00Z',
  })
  @Optional()
  @IsInstant()
  knownAt?: string;
}

export class HistoricalProcedureState extends ProcedureDescription {
  @ApiProperty({ description: 'Withdrawn on or before `at` (its last mode and paper intake are kept)' })
  withdrawn: boolean;
  @ApiPropertyOptional({ format: 'date', description: 'Present once withdrawn' })
  withdrawnFrom?: string;
  @ApiProperty({ format: 'date', description: 'Effective date of the latest transition considered' })
  lastEffectiveFrom: string;
}

/** One transition the state results from, with the decision it came from. */
@ApiExtraModels(DecisionLinkResponse)
export class ProcedureTransitionResponse {
  @ApiProperty({ type: 'integer', minimum: 0 })
  revision: number;
  @ApiProperty({ enum: PROCEDURE_EVENT_TYPES })
  type: string;
  @ApiProperty({ format: 'date' })
  effectiveFrom: string;
  @ApiProperty({ format: 'date-time' })
  recordedAt: string;
  @ApiProperty({ type: String, nullable: true, description: 'The legal decision the command cited, as given' })
  decisionRef: string | null;
  @ApiProperty(nullableDecisionLink('The recorded decision that appended it; null for a single command'))
  decision: DecisionLinkResponse | null;
}

@ApiExtraModels(HistoricalProcedureState)
export class ProcedureStateAtResponse {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiProperty({ example: '1.001612' })
  procedureCode: string;
  @ApiProperty({ format: 'date', example: '2023-09-01' })
  at: string;
  @ApiProperty({ format: 'date-time', description: 'The instant asked for, or the moment of the answer' })
  knownAt: string;
  @ApiProperty({ description: 'Registered on or before `at`, and not withdrawn on or before it' })
  inForce: boolean;
  // A $ref cannot be nullable in OpenAPI 3.0: null is the other alternative.
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(HistoricalProcedureState) }, { type: 'object', nullable: true, enum: [null] }],
    description: 'null when not registered by `at` as known at `knownAt`',
  })
  state: HistoricalProcedureState | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'Revision of the last event considered; null when none was' })
  revision: number | null;
  @ApiProperty({ type: 'integer', description: 'Events both recorded by `knownAt` and effective by `at`' })
  eventsConsidered: number;
  @ApiProperty({ type: 'integer', description: "Global position of the stream's last event: the answer reflects the stream up to it" })
  position: number;
  @ApiProperty({ type: [ProcedureTransitionResponse], description: 'The transitions considered (recorded by `knownAt`, effective by `at`), in order, each with the decision it came from' })
  transitions: ProcedureTransitionResponse[];
}
