import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { AUTHORITY_CODE_PATTERN, AUTHORITY_EVENT_TYPES, AUTHORITY_KINDS, PROCEDURE_EVENT_TYPES, type AuthorityKind } from '@tthc/domain';
import { IsCalendarDate, Optional } from '../procedures/validators.js';

const CODE_MESSAGE = 'must be a 2-digit provincial code such as 79';

/**
 * A reorganisation (POST /api/authorities/reorganisations): units dissolving into a host that keeps
 * its code, as Resolution 202/2025/QH15 merged them. A national act: national scope only.
 */
export class ReorganisationRequest {
  @ApiProperty({ description: 'The unit that continues (the host of the new centre); it must be in force', pattern: '^[0-9]{2}$', example: '79' })
  @IsString({ message: CODE_MESSAGE })
  @Matches(AUTHORITY_CODE_PATTERN, { message: CODE_MESSAGE })
  successorCode: string;

  @ApiProperty({
    description: 'The units that dissolve into it (not the successor itself), each once',
    type: [String],
    minItems: 1,
    maxItems: 63,
    example: ['74', '77'],
    items: { type: 'string', pattern: '^[0-9]{2}$' },
  })
  @IsArray({ message: 'must be an array of 2-digit codes' })
  @ArrayMinSize(1, { message: 'must list at least one unit' })
  @ArrayMaxSize(63, { message: 'must list at most 63 units' })
  @Matches(AUTHORITY_CODE_PATTERN, { each: true, message: 'must hold 2-digit provincial codes only' })
  predecessorCodes: string[];

  @ApiProperty({ format: 'date', description: 'First day of the new unit (operational start)', example: '2025-07-01' })
  @IsCalendarDate()
  effectiveFrom: string;

  @ApiProperty({ description: 'The legal instrument', maxLength: 200, example: 'Nghị quyết 202/2025/QH15' })
  @IsString({ message: 'must be a non-empty string' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  legalBasis: string;

  @ApiPropertyOptional({ description: "The successor's name from effectiveFrom, when it changes", maxLength: 200, example: 'Lào Cai' })
  @Optional()
  @IsString({ message: 'must be a non-empty string' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  successorName?: string;

  @ApiPropertyOptional({ description: 'Its English name', maxLength: 200, example: 'Lao Cai Province' })
  @Optional()
  @IsString({ message: 'must be a non-empty string' })
  @MaxLength(200, { message: 'must be at most 200 characters' })
  successorNameEn?: string;

  @ApiPropertyOptional({ enum: AUTHORITY_KINDS, description: 'Its kind, when it changes (province or centrally-run city)' })
  @Optional()
  @IsIn(AUTHORITY_KINDS, { message: `must be one of ${AUTHORITY_KINDS.join(', ')}` })
  successorKind?: AuthorityKind;
}

export class AppendedAuthorityEvent {
  @ApiProperty({ enum: [...AUTHORITY_EVENT_TYPES, ...PROCEDURE_EVENT_TYPES], example: 'AuthorityMerged' })
  type: string;
  @ApiProperty({ minimum: 1, description: 'Position in the global log; pass the greatest as afterPosition to read your writes', example: 5210 })
  globalPosition: number;
}

export class StreamReply {
  @ApiProperty({ example: 'authority-74' })
  streamId: string;
  @ApiProperty({ minimum: -1, description: "The stream's revision after the command (0-based; unchanged when the step was already recorded)", example: 1 })
  revision: number;
  @ApiProperty({ type: [AppendedAuthorityEvent], description: 'Empty when this step was already recorded (a re-sent reorganisation)' })
  events: AppendedAuthorityEvent[];
}

export class ReorganisationReply {
  @ApiProperty({ pattern: '^[0-9]{2}$', example: '79' })
  successorCode: string;
  @ApiProperty({ format: 'date', example: '2025-07-01' })
  effectiveFrom: string;
  @ApiProperty({ type: [StreamReply], description: "Each unit's stream: the dissolved units' AuthorityMerged, then the host's AuthorityAbsorbed (and AuthorityRenamed)" })
  streams: StreamReply[];
  @ApiProperty({ minimum: 0, description: "Procedures of the dissolved units still offered, now ended on effectiveFrom (ProcedureDiscontinued, caused by the unit's AuthorityMerged)" })
  proceduresDiscontinued: number;
  @ApiProperty({ type: [String], description: 'Procedure streams that could not be ended on effectiveFrom: a later transition of theirs is already recorded' })
  proceduresNotDiscontinued: string[];
}
