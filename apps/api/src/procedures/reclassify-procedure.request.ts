import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { ONLINE_MODES, type OnlineMode } from '@tthc/domain';
import { DatedDecisionRequest } from './dated-decision.request.js';

export class ReclassifyProcedureRequest extends DatedDecisionRequest {
  @ApiProperty({ enum: ONLINE_MODES, description: 'The new online mode', example: 'FULL_PROCESS' })
  @IsIn(ONLINE_MODES, { message: `must be one of ${ONLINE_MODES.join(', ')}` })
  onlineMode: OnlineMode;
}
