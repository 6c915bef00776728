import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { ONLINE_MODES, PAPER_INTAKES, PROCEDURE_EVENT_TYPES, type OnlineMode, type PaperIntake, type RegisteredProcedure, NATIONAL_FACT_EVENT_TYPES } from '@tthc/domain';

export class AppendedEvent {
  @ApiProperty({ enum: [...PROCEDURE_EVENT_TYPES, ...NATIONAL_FACT_EVENT_TYPES], example: 'ProcedureUpgradedToFullProcess' })
  type: string;
  @ApiProperty({ description: 'Position in the global log; pass it as afterPosition to read your writes', example: 5210 })
  globalPosition: number;
}

/** A command's reply; its `revision` is also the `ETag`. */
export class CommandReply {
  @ApiProperty({ example: 'procedure-74:1.001612' })
  streamId: string;
  @ApiProperty({ description: "The stream's revision after the command (0-based)", example: 1 })
  revision: number;
  @ApiProperty({ type: [AppendedEvent] })
  events: AppendedEvent[];
}

/** A procedure's state as both state endpoints show it (the current one and the time-travelling one). */
export function describeProcedureState(state: RegisteredProcedure) {
  return {
    name: state.name,
    field: state.field ?? null,
    level: state.level ?? null,
    onlineMode: state.onlineMode,
    paperIntake: state.paperIntake,
    withdrawn: state.status === 'withdrawn',
    ...(state.withdrawnFrom !== undefined && { withdrawnFrom: state.withdrawnFrom }),
    lastEffectiveFrom: state.lastEffectiveFrom,
  };
}

/** What describes a procedure in every answer about it: its name, field, level, online mode and paper intake. */
export class ProcedureDescription {
  @ApiProperty({ example: 'Đăng ký thành lập hộ kinh doanh' })
  name: string;
  @ApiProperty({ type: String, nullable: true })
  field: string | null;
  @ApiProperty({ type: String, nullable: true })
  level: string | null;
  @ApiProperty({ enum: ONLINE_MODES })
  onlineMode: OnlineMode;
  @ApiProperty({ enum: PAPER_INTAKES })
  paperIntake: PaperIntake;
}

export class ProcedureStateResponse extends ProcedureDescription {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiProperty({ example: '1.001612' })
  procedureCode: string;
  @ApiProperty()
  withdrawn: boolean;
  @ApiPropertyOptional({ format: 'date', description: 'Present once withdrawn' })
  withdrawnFrom?: string;
  @ApiProperty({ format: 'date', description: 'Effective date of the latest transition' })
  lastEffectiveFrom: string;
  @ApiProperty({ description: "The stream's revision, also the ETag" })
  revision: number;
  @ApiProperty({ description: "Global position of the stream's last event" })
  position: number;
}

/** An event's fields as recorded, but its type: a procedure stream's events and the global log's differ there. */
export class RecordedEventFields {
  @ApiProperty({ format: 'uuid' })
  id: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  data: unknown;
  @ApiProperty()
  revision: number;
  @ApiProperty()
  globalPosition: number;
  @ApiProperty({ format: 'date-time' })
  recordedAt: string;
  @ApiProperty({ example: 'anonymous' })
  actor: string;
  @ApiProperty()
  correlationId: string;
  @ApiProperty({ type: String, nullable: true })
  causationId: string | null;
  @ApiProperty({ example: 1 })
  schemaVersion: number;
}

/** The recorded decision (POST …/decisions) a procedure event came from. */
export class DecisionLinkResponse {
  @ApiProperty({ example: '1500/QĐ-UBND' })
  number: string;
  @ApiProperty({ example: 'decision-74:1500/QĐ-UBND' })
  streamId: string;
  @ApiProperty({ format: 'uuid', description: 'Its DecisionIssued event: the causationId of the procedure event' })
  eventId: string;
  @ApiProperty({ type: 'integer', minimum: 1 })
  globalPosition: number;
}

/** OpenAPI 3.0: a $ref cannot be nullable, so null is the other alternative. */
export const nullableDecisionLink = (description: string) => ({
  oneOf: [{ $ref: getSchemaPath(DecisionLinkResponse) }, { type: 'object', nullable: true, enum: [null] }],
  description,
});

@ApiExtraModels(DecisionLinkResponse)
export class RecordedEventResponse extends RecordedEventFields {
  @ApiProperty({ enum: PROCEDURE_EVENT_TYPES })
  type: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 0 },
    description: 'Revisions of the TransitionCorrected events that corrected this one, in order (the last one stands); empty when none',
  })
  correctedBy: number[];
  @ApiProperty({ type: 'integer', minimum: 0, nullable: true, description: 'Revision of the TransitionRescinded that rescinded this event; null when none' })
  rescindedBy: number | null;
  @ApiProperty(nullableDecisionLink('The recorded decision that appended it (GET …/decisions/{number}); null for a single command, whose decisionRef is only cited'))
  decision: DecisionLinkResponse | null;
}

export class ProcedureEventsResponse {
  @ApiProperty({ example: 'procedure-74:1.001612' })
  streamId: string;
  @ApiProperty({ type: [RecordedEventResponse] })
  events: RecordedEventResponse[];
}
