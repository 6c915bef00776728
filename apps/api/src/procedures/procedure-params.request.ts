import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { AUTHORITY_CODE_PATTERN, PROCEDURE_CODE_PATTERN } from '@tthc/domain';

export const AUTHORITY_CODE_MESSAGE = 'must be a 2-digit provincial code such as 74';
export const PROCEDURE_CODE_MESSAGE = 'must be a national procedure code such as 1.001612';

export class AuthorityParams {
  @ApiProperty({ description: "The provincial-level unit's official 2-digit code", example: '74', pattern: AUTHORITY_CODE_PATTERN.source })
  @Matches(AUTHORITY_CODE_PATTERN, { message: AUTHORITY_CODE_MESSAGE })
  authorityCode: string;
}

export class ProcedureParams extends AuthorityParams {
  @ApiProperty({ description: 'National procedure code', example: '1.001612', pattern: PROCEDURE_CODE_PATTERN.source })
  @Matches(PROCEDURE_CODE_PATTERN, { message: PROCEDURE_CODE_MESSAGE })
  procedureCode: string;
}
