import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsInt, Max, Min } from 'class-validator';
import {
  LIMITS,
  MAX_RESCINDED_PER_COMMAND,
  MAX_REVISION,
  ONLINE_MODES,
  PAPER_INTAKES,
  type OnlineMode,
  type PaperIntake,
} from '@tthc/domain';
import { IsCalendarDate, IsText, Optional } from './validators.js';

/**
 * Correct an entry made in error (issue 15): the event at `revision` stands with the right values
 * given here from now on; the event itself is never changed. At least one right value is required.
 */
export class CorrectTransitionRequest {
  @ApiProperty({ type: 'integer', minimum: 0, maximum: MAX_REVISION, description: 'Revision of the event to correct (its place in the stream)', example: 1 })
  @IsInt({ message: 'must be an integer' })
  @Min(0, { message: 'must be at least 0' })
  @Max(MAX_REVISION, { message: `must be at most ${MAX_REVISION}` })
  revision: number;

  @ApiPropertyOptional({ description: 'The right effective date (YYYY-MM-DD, Vietnam)', example: '2023-08-20', format: 'date' })
  @Optional()
  @IsCalendarDate()
  effectiveFrom?: string;

  @ApiPropertyOptional({ enum: ONLINE_MODES, description: 'The right online mode (a registration or a reclassification only)' })
  @Optional()
  @IsIn(ONLINE_MODES, { message: `must be one of ${ONLINE_MODES.join(', ')}` })
  onlineMode?: OnlineMode;

  @ApiPropertyOptional({ enum: PAPER_INTAKES, description: 'The right paper intake (a registration only)' })
  @Optional()
  @IsIn(PAPER_INTAKES, { message: `must be one of ${PAPER_INTAKES.join(', ')}` })
  paperIntake?: PaperIntake;

  @ApiPropertyOptional({ description: 'The right decision reference', example: 'QĐ 1900/QĐ-UBND', maxLength: LIMITS.decisionRef })
  @Optional()
  @IsText(LIMITS.decisionRef)
  decisionRef?: string;

  @ApiProperty({ description: 'Why the entry was wrong', example: 'Nhập nhầm ngày hiệu lực', maxLength: LIMITS.reason })
  @IsText(LIMITS.reason)
  reason: string;

  @ApiPropertyOptional({ description: 'The act that makes the correction, if any', example: 'CV 12/VP-UBND', maxLength: LIMITS.correctionRef })
  @Optional()
  @IsText(LIMITS.correctionRef)
  correctionRef?: string;
}

/** The later decision that rescinds something (events of a procedure, or a whole decision), and why. */
export class RescindingDecisionRequest {
  @ApiProperty({ description: 'The rescinding decision', example: 'QĐ 99/QĐ-UBND', maxLength: LIMITS.decisionRef })
  @IsText(LIMITS.decisionRef)
  decisionRef: string;

  @ApiPropertyOptional({ description: 'Why, in words', maxLength: LIMITS.reason })
  @Optional()
  @IsText(LIMITS.reason)
  reason?: string;
}

/** Rescind events by a later decision: known, from now on, never to have taken effect. */
export class RescindTransitionsRequest extends RescindingDecisionRequest {
  @ApiProperty({
    type: 'array',
    items: { type: 'integer', minimum: 0, maximum: MAX_REVISION },
    minItems: 1,
    maxItems: MAX_RESCINDED_PER_COMMAND,
    uniqueItems: true,
    description: 'Revisions of the events to rescind',
    example: [2],
  })
  @IsArray({ message: 'must be an array of revisions' })
  @ArrayMinSize(1, { message: 'must name at least one revision' })
  @ArrayMaxSize(MAX_RESCINDED_PER_COMMAND, { message: `must name at most ${MAX_RESCINDED_PER_COMMAND} revisions` })
  @ArrayUnique({ message: 'must not name a revision twice' })
  @IsInt({ each: true, message: 'every revision must be an integer' })
  @Min(0, { each: true, message: 'every revision must be at least 0' })
  @Max(MAX_REVISION, { each: true, message: `every revision must be at most ${MAX_REVISION}` })
  revisions: number[];
}
