import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Matches } from 'class-validator';
import { LIMITS, ONLINE_MODES, PAPER_INTAKES, PROCEDURE_CODE_PATTERN, type OnlineMode, type PaperIntake } from '@tthc/domain';
import { PROCEDURE_CODE_MESSAGE } from './procedure-params.request.js';
import { IsCalendarDate, IsText, Optional } from './validators.js';

export class RegisterProcedureRequest {
  @ApiProperty({ description: 'National procedure code', example: '1.001612', pattern: PROCEDURE_CODE_PATTERN.source })
  @Matches(PROCEDURE_CODE_PATTERN, { message: PROCEDURE_CODE_MESSAGE })
  procedureCode: string;

  @ApiProperty({ example: 'Đăng ký thành lập hộ kinh doanh', maxLength: LIMITS.name })
  @IsText(LIMITS.name)
  name: string;

  @ApiPropertyOptional({ description: 'Field (lĩnh vực)', example: 'Thành lập và hoạt động của hộ kinh doanh', maxLength: LIMITS.field })
  @Optional()
  @IsText(LIMITS.field)
  field?: string;

  @ApiPropertyOptional({ description: 'Level that performs it (cấp thực hiện)', example: 'Cấp huyện', maxLength: LIMITS.level })
  @Optional()
  @IsText(LIMITS.level)
  level?: string;

  @ApiProperty({ enum: ONLINE_MODES, example: 'PARTIAL' })
  @IsIn(ONLINE_MODES, { message: `must be one of ${ONLINE_MODES.join(', ')}` })
  onlineMode: OnlineMode;

  // Said in words, not as `default`: generated clients (openapi-typescript) make a member with a default required.
  @ApiPropertyOptional({ enum: PAPER_INTAKES, description: 'ACCEPTED when absent' })
  @Optional()
  @IsIn(PAPER_INTAKES, { message: `must be one of ${PAPER_INTAKES.join(', ')}` })
  paperIntake?: PaperIntake;

  @ApiProperty({ description: 'Calendar date the procedure is offered from (YYYY-MM-DD, Vietnam)', example: '2023-06-01', format: 'date' })
  @IsCalendarDate()
  effectiveFrom: string;

  @ApiPropertyOptional({ example: 'QĐ 1234/QĐ-UBND', maxLength: LIMITS.decisionRef })
  @Optional()
  @IsText(LIMITS.decisionRef)
  decisionRef?: string;
}
