import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { LIMITS } from '@tthc/domain';
import { IsCalendarDate, IsText, Optional } from './validators.js';

/** A dated change decided by a legal act: disable or re-enable paper intake, withdraw. */
export class DatedDecisionRequest {
  @ApiProperty({ description: 'Calendar date the change takes effect (YYYY-MM-DD, Vietnam)', example: '2023-06-01', format: 'date' })
  @IsCalendarDate()
  effectiveFrom: string;

  @ApiProperty({ description: 'The decision behind the change', example: 'QĐ 1234/QĐ-UBND', maxLength: LIMITS.decisionRef })
  @IsText(LIMITS.decisionRef)
  decisionRef: string;

  @ApiPropertyOptional({ description: 'Why, in words', maxLength: LIMITS.reason })
  @Optional()
  @IsText(LIMITS.reason)
  reason?: string;
}
