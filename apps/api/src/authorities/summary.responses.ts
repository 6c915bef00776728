import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProcedureDescription } from '../procedures/procedure.responses.js';

// The answers of the dashboards' queries, as the read models' queries give them (libs/read-models,
// queries/summary.ts and read-model.queries.ts); API.md shows a summary and a movement.

const POSITION = { type: 'integer', minimum: 0 } as const;
const COUNT = { type: 'integer', minimum: 0 } as const;

export class ShareResponse {
  @ApiProperty({ ...COUNT, example: 697 })
  count: number;
  @ApiProperty({ minimum: 0, maximum: 100, example: 36.82, description: 'Percent of the procedures in force, rounded half-up to 2 decimals' })
  share: number;
}

/** What an answer reflects: the date, the record axis and the log position. */
class AnswerBasis {
  @ApiProperty({ format: 'date', example: '2023-06-01', description: 'In force on this date' })
  at: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'As recorded at this instant (now when not asked); null for an answer as of a log position' })
  knownAt: string | null;
  @ApiProperty({ ...POSITION, example: 5210, description: "Global log position the answer reflects: the read models' checkpoint, or asOfPosition when asked" })
  position: number;
  @ApiPropertyOptional({ ...POSITION, description: 'Present when the answer was asked for as the log stood at this position' })
  asOfPosition?: number;
}

/** A summary's figures: the procedures in force, and each mode's count and share of them. */
class SummaryFigures extends AnswerBasis {
  @ApiProperty({ ...COUNT, example: 1893, description: 'Procedures in force' })
  total: number;
  @ApiProperty({ type: ShareResponse, description: 'Full-process and partial together' })
  online: ShareResponse;
  @ApiProperty({ type: ShareResponse, description: 'Toàn trình' })
  fullProcess: ShareResponse;
  @ApiProperty({ type: ShareResponse, description: 'Một phần' })
  partial: ShareResponse;
  @ApiProperty({ type: ShareResponse, description: 'Cung cấp thông tin trực tuyến' })
  informationOnly: ShareResponse;
  @ApiProperty({ type: ShareResponse, description: 'No longer taking paper dossiers' })
  paperIntakeDisabled: ShareResponse;
}

export class AuthoritySummaryResponse extends SummaryFigures {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiProperty({ example: 'Bình Dương' })
  authorityName: string;
}

export class NationalTotalsResponse extends SummaryFigures {
  @ApiProperty({ type: String, nullable: true, description: 'Always null: the totals are no one authority' })
  authorityCode: null;
  @ApiProperty({ enum: ['Toàn quốc'] })
  authorityName: 'Toàn quốc';
}

/** `GET /api/summary` and `GET /api/authorities`: one summary per authority, and the totals. */
export class NationalSummaryResponse extends AnswerBasis {
  @ApiProperty({ type: [AuthoritySummaryResponse], description: 'One summary per authority, by code' })
  authorities: AuthoritySummaryResponse[];
  @ApiProperty({ type: NationalTotalsResponse })
  totals: NationalTotalsResponse;
}

/** Differences of counts (to minus from); negative when a count fell. */
export class SummaryCountsResponse {
  @ApiProperty({ type: 'integer', example: -3 })
  total: number;
  @ApiProperty({ type: 'integer', example: 59 })
  fullProcess: number;
  @ApiProperty({ type: 'integer', example: 138 })
  partial: number;
  @ApiProperty({ type: 'integer', example: -200 })
  informationOnly: number;
  @ApiProperty({ type: 'integer', example: 40 })
  paperIntakeDisabled: number;
}

/** Transitions effective in (from, to], by kind. */
export class TransitionCountsResponse {
  @ApiProperty(COUNT)
  registered: number;
  @ApiProperty(COUNT)
  upgradedToFullProcess: number;
  @ApiProperty(COUNT)
  upgradedToPartial: number;
  @ApiProperty(COUNT)
  downgradedToPartial: number;
  @ApiProperty(COUNT)
  downgradedToInformationOnly: number;
  @ApiProperty(COUNT)
  paperIntakeDisabled: number;
  @ApiProperty(COUNT)
  paperIntakeReenabled: number;
  @ApiProperty(COUNT)
  withdrawn: number;
}

export class MovementResponse {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiProperty({ ...POSITION, example: 5210, description: 'Global log position the answer reflects' })
  position: number;
  @ApiPropertyOptional({ ...POSITION, description: 'Present when the answer was asked for as the log stood at this position' })
  asOfPosition?: number;
  @ApiProperty({ type: AuthoritySummaryResponse, description: 'The summary on `from`' })
  from: AuthoritySummaryResponse;
  @ApiProperty({ type: AuthoritySummaryResponse, description: 'The summary on `to`' })
  to: AuthoritySummaryResponse;
  @ApiProperty({ type: SummaryCountsResponse })
  delta: SummaryCountsResponse;
  @ApiProperty({ type: TransitionCountsResponse })
  transitions: TransitionCountsResponse;
}

export class ProcedureListItemResponse extends ProcedureDescription {
  @ApiProperty({ example: '1.001612' })
  procedureCode: string;
  @ApiProperty({ format: 'date', description: "Effective date of the procedure's registration" })
  inForceFrom: string;
}

/** `GET …/procedures`: a page of the procedures in force on a date. */
export class ProcedurePageResponse extends AnswerBasis {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  page: number;
  @ApiProperty({ type: 'integer', minimum: 1, example: 50 })
  pageSize: number;
  @ApiProperty({ ...COUNT, description: 'Procedures matching, on every page' })
  total: number;
  @ApiProperty({ type: [ProcedureListItemResponse] })
  items: ProcedureListItemResponse[];
}
