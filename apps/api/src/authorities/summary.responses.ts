import { ApiProperty, ApiPropertyOptional, IntersectionType } from '@nestjs/swagger';
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
export class AnswerBasis {
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

/** An answer about one unit's territory: which unit, in which boundary set, and who served it (issue 12). */
class TerritoryBasis extends AnswerBasis {
  @ApiPropertyOptional({ enum: ['2023', '2025'], description: 'The boundary set the answer is in (issue 12)' })
  boundaries?: string;
  @ApiPropertyOptional({ type: [String], description: 'A 2025 unit before the merger: the units whose catalogues were summed' })
  composedOf?: string[];
  @ApiPropertyOptional({ pattern: '^[0-9]{2}$', description: 'The unit whose catalogue serves the territory on the date (a 2023 unit after the merger)' })
  servedBy?: string;
  @ApiPropertyOptional({ format: 'date', description: 'The day the unit ceased to exist, when it had by the date' })
  dissolvedOn?: string;
  @ApiProperty({ example: '74' })
  authorityCode: string;
}

export class AuthoritySummaryResponse extends IntersectionType(SummaryFigures, TerritoryBasis) {
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
export class UnitLineageResponse {
  @ApiProperty({ enum: ['PROVINCE', 'CITY'] })
  kind: string;
  @ApiProperty({ type: String, nullable: true })
  nameEn: string | null;
  @ApiProperty({ type: String, nullable: true })
  region: string | null;
  @ApiProperty({ format: 'date' })
  establishedFrom: string;
  @ApiProperty({ format: 'date', description: 'The version of the unit in the boundary set: in force on [validFrom, validTo)' })
  validFrom: string;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  validTo: string | null;
  @ApiProperty({ type: [String], description: 'Base territories (2023 codes) it covers in the boundary set' })
  territory: string[];
  @ApiProperty({ type: [String], description: 'Units that merged into it on validFrom' })
  predecessors: string[];
  @ApiProperty({ type: String, nullable: true })
  successorCode: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true })
  dissolvedOn: string | null;
}

export class AuthorityRowResponse extends AuthoritySummaryResponse {
  @ApiProperty({ type: UnitLineageResponse })
  lineage: UnitLineageResponse;
}

export class NationalSummaryResponse extends AnswerBasis {
  @ApiProperty({ enum: ['2023', '2025'], description: 'The boundary set of the rows: 63 units in 2023, 34 in 2025' })
  boundaries: string;
  @ApiProperty({ type: [AuthorityRowResponse], description: 'One summary per authority, by code' })
  authorities: AuthorityRowResponse[];
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
  @ApiProperty({ minimum: 0, description: 'Ended because the authority was dissolved (ProcedureDiscontinued)' })
  discontinued: number;
}

export class CatalogueTransitionsResponse {
  @ApiProperty({ pattern: '^[0-9]{2}$' })
  authorityCode: string;
  @ApiProperty({ format: 'date' })
  from: string;
  @ApiProperty({ format: 'date' })
  to: string;
  @ApiProperty({ type: TransitionCountsResponse })
  transitions: TransitionCountsResponse;
}

export class LineageStepResponse {
  @ApiProperty({ format: 'date' })
  effectiveFrom: string;
  @ApiProperty({ pattern: '^[0-9]{2}$' })
  successorCode: string;
  @ApiProperty()
  successorName: string;
  @ApiProperty({ type: [String] })
  predecessors: string[];
  @ApiProperty({ type: String, nullable: true })
  legalBasis: string | null;
}

export class MovementResponse {
  @ApiProperty({ enum: ['2023', '2025'] })
  boundaries: string;
  @ApiProperty({ type: [CatalogueTransitionsResponse], description: 'Each catalogue that served the territory, in its part of (from, to]' })
  transitionsByAuthority: CatalogueTransitionsResponse[];
  @ApiProperty({ type: [LineageStepResponse], description: 'The mergers that touched the territory in (from, to]' })
  lineage: LineageStepResponse[];
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
  @ApiProperty({ pattern: '^[0-9]{2}$', description: 'The catalogue it belongs to' })
  authorityCode: string;
  @ApiProperty({ example: '1.001612' })
  procedureCode: string;
  @ApiProperty({ format: 'date', description: "Effective date of the procedure's registration" })
  inForceFrom: string;
}

/** `GET …/procedures`: a page of the procedures in force on a date. */
export class ProcedurePageResponse extends TerritoryBasis {
  @ApiProperty({ type: 'integer', minimum: 1, example: 1 })
  page: number;
  @ApiProperty({ type: 'integer', minimum: 1, example: 50 })
  pageSize: number;
  @ApiProperty({ ...COUNT, description: 'Procedures matching, on every page' })
  total: number;
  @ApiProperty({ type: [ProcedureListItemResponse] })
  items: ProcedureListItemResponse[];
}
