import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { RecordedEventFields } from '../procedures/procedure.responses.js';
import { ReadModelMismatchResponse, ReadModelsVerificationResponse } from './read-models-verification.responses.js';

/** One event of the global log: the per-procedure events' fields, plus its stream and hash. */
export class LogEntryResponse extends RecordedEventFields {
  @ApiProperty({
    description: "The event's type: a procedure event's in procedure streams, any other in other streams (the log is open to every stream)",
    example: 'ProcedureRegistered',
  })
  type: string;
  @ApiProperty({ example: 'procedure-74:1.001612' })
  streamId: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description: "sha256 (hex) chained over the stream's previous event's hash; null from a store that keeps none",
    example: '1eead41222313d62f62c4475ff043b25a94d780313b94f27590ad2ed01d3f20d',
  })
  hash: string | null;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Metadata members other than actor, correlationId, causationId and recordedAt, when the event has any',
  })
  metadata?: Record<string, unknown>;
}

export class EventLogPageResponse {
  @ApiProperty({ type: [LogEntryResponse] })
  events: LogEntryResponse[];
  @ApiProperty({ description: "Pass it as `after` for the next page: the last event's position (`after` itself when none)", example: 100 })
  nextAfter: number;
  @ApiProperty({ description: 'The head of the log when the page was read; the log is read through once nextAfter reaches it', example: 5210 })
  position: number;
}

export class ChainProblemResponse {
  @ApiProperty({ example: 'procedure-74:1.001612' })
  streamId: string;
  @ApiProperty({ example: 1 })
  revision: number;
  @ApiProperty({ type: Number, nullable: true, description: 'null for a missing revision' })
  globalPosition: number | null;
  @ApiProperty({ enum: ['hash-mismatch', 'broken-link', 'missing-revision', 'position-order', 'missing-hash'] })
  problem: string;
  // OpenAPI 3.0 ignores `nullable` beside no `type`: null is one of the alternatives.
  @ApiProperty({ oneOf: [{ type: 'string', nullable: true }, { type: 'number' }], description: 'What the evidence recorded (null: nothing)' })
  expected: string | number | null;
  @ApiProperty({ oneOf: [{ type: 'string', nullable: true }, { type: 'number' }], description: 'What the stored rows give now (null: nothing)' })
  found: string | number | null;
  @ApiProperty()
  detail: string;
}

export class LogDigestProblemResponse {
  @ApiProperty({ enum: ['digest-mismatch'] })
  problem: string;
  @ApiProperty({ description: 'The window where the log changed: after this position…' })
  fromPosition: number;
  @ApiProperty({ description: '…up to this checkpoint' })
  toPosition: number;
  @ApiProperty({ description: "The checkpoint's digest" })
  expected: string;
  @ApiProperty({ description: "The checkpoint's event count" })
  eventsExpected: number;
  @ApiProperty({ description: 'The digest of the log now over the same positions' })
  found: string;
  @ApiProperty()
  eventsFound: number;
  @ApiProperty()
  detail: string;
}

export class ChainsResponse {
  @ApiProperty()
  ok: boolean;
  @ApiProperty({ description: 'Every problem found; `problems` lists the first 1,000' })
  problemCount: number;
  @ApiProperty({ type: [ChainProblemResponse] })
  problems: ChainProblemResponse[];
}

export class LogDigestResponse {
  @ApiProperty()
  ok: boolean;
  @ApiProperty({ description: 'Stored checkpoints of the running digest compared with the log' })
  checkpointsChecked: number;
  @ApiProperty({ description: 'The digest of the whole log up to upToPosition: keep it outside the system to compare later' })
  digest: string;
  @ApiProperty()
  problemCount: number;
  @ApiProperty({ type: [LogDigestProblemResponse] })
  problems: LogDigestProblemResponse[];
}

/** The event store's tamper evidence, checked (EventLogVerifier). */
export class TamperEvidenceResponse {
  @ApiProperty()
  ok: boolean;
  @ApiProperty()
  eventsChecked: number;
  @ApiProperty()
  streamsChecked: number;
  @ApiProperty({ description: 'Every event at or below this position was checked' })
  upToPosition: number;
  @ApiProperty({ type: ChainsResponse })
  chains: ChainsResponse;
  @ApiProperty({ type: LogDigestResponse })
  logDigest: LogDigestResponse;
}

/**
 * `POST /api/audit/verifications`: one member per part of the verification, each with its own `ok`;
 * `ok` is true when every part is.
 */
export class VerificationResponse {
  @ApiProperty()
  ok: boolean;
  @ApiProperty({ format: 'date-time' })
  verifiedAt: string;
  @ApiProperty({ description: 'The log position the verification covers' })
  upToPosition: number;
  @ApiProperty({ type: TamperEvidenceResponse })
  tamperEvidence: TamperEvidenceResponse;
  @ApiProperty({ type: ReadModelsVerificationResponse })
  readModels: ReadModelsVerificationResponse;
  // API.md's summary of the read models' part, also at the top level:
  @ApiProperty({ description: 'readModels.eventsReplayed' })
  eventsReplayed: number;
  @ApiProperty({ description: 'readModels.authoritiesChecked' })
  authoritiesChecked: number;
  @ApiProperty({ description: 'readModels.datesChecked' })
  datesChecked: number;
  @ApiProperty({ type: [ReadModelMismatchResponse], description: 'readModels.mismatches' })
  mismatches: ReadModelMismatchResponse[];
}
