import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, Matches } from 'class-validator';
import { AGENCY_CODE_PATTERN, AUTHORITY_CODE_PATTERN, FACT_LIMITS } from '@tthc/domain';
import { KnownAtQuery } from '../authorities/summary-query.request.js';
import { IsCalendarDate, IsText, Optional } from '../procedures/validators.js';

/** A provincial code (74) or a central agency's (B05): AUTHORITY_CODE_PATTERN or AGENCY_CODE_PATTERN. */
export const ANY_AUTHORITY_CODE = new RegExp(`^(?:${AUTHORITY_CODE_PATTERN.source.slice(1, -1)}|${AGENCY_CODE_PATTERN.source.slice(1, -1)})$`);

export class FactAuthorityParams {
  @ApiProperty({
    description: "A provincial-level unit's 2-digit code (74), or a central agency's code (B05: `B` and two digits, this ledger's own)",
    example: 'B05',
    pattern: ANY_AUTHORITY_CODE.source,
  })
  @Matches(ANY_AUTHORITY_CODE, { message: 'must be a 2-digit provincial code such as 74 or an agency code such as B05' })
  authorityCode: string;
}

const SOURCE_DOC = { description: 'The report or act the fact comes from', example: 'Báo cáo Tổ công tác cải cách TTHC, 16-10-2023', maxLength: FACT_LIMITS.source };

/** `POST …/procedure-system/assessments`. */
export class AssessProcedureSystemRequest {
  @ApiProperty({ description: 'The date of the assessment (YYYY-MM-DD); it holds from then until a later one', example: '2023-10-16', format: 'date' })
  @IsCalendarDate()
  assessedOn: string;

  @ApiProperty({ description: 'Whether the system meets all functional and technical requirements of Circular 21/2023/TT-BTTTT', example: true })
  @IsBoolean({ message: 'must be true or false' })
  meetsAllRequirements: boolean;

  @ApiProperty(SOURCE_DOC)
  @IsText(FACT_LIMITS.source)
  source: string;
}

/** `POST …/population-database/connect`. */
export class ConnectPopulationDatabaseRequest {
  @ApiProperty({ description: 'The first day of the connection (YYYY-MM-DD)', example: '2023-03-01', format: 'date' })
  @IsCalendarDate()
  connectedOn: string;

  @ApiProperty(SOURCE_DOC)
  @IsText(FACT_LIMITS.source)
  source: string;
}

/** `POST …/population-database/disconnect`. */
export class DisconnectPopulationDatabaseRequest {
  @ApiProperty({ description: 'The first day without the connection (YYYY-MM-DD), after it was connected', example: '2024-01-15', format: 'date' })
  @IsCalendarDate()
  disconnectedOn: string;

  @ApiProperty(SOURCE_DOC)
  @IsText(FACT_LIMITS.source)
  source: string;

  @ApiPropertyOptional({ description: 'Why, in words', maxLength: FACT_LIMITS.reason })
  @Optional()
  @IsText(FACT_LIMITS.reason)
  reason?: string;
}

/** `GET /api/national-facts` and `GET /api/national-facts/{authorityCode}`. */
export class NationalFactsQuery extends KnownAtQuery {
  @ApiPropertyOptional({ description: 'In force on this date (default: today in Vietnam)', format: 'date', example: '2023-10-16' })
  @Optional()
  @IsCalendarDate()
  at?: string;
}
