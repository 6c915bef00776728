import { ApiProperty, getSchemaPath } from '@nestjs/swagger';
import { AGENCY_KINDS, AUTHORITY_KINDS } from '@tthc/domain';
import { AnswerBasis } from '../authorities/summary.responses.js';

// The answers of the national facts queries, as libs/read-models/src/national-facts/national-facts.queries.ts gives them.

const COUNT = { type: 'integer', minimum: 0 } as const;
const DATE = { type: String, format: 'date' } as const;

export class FactShareResponse {
  @ApiProperty({ ...COUNT, example: 37 })
  count: number;
  @ApiProperty({ ...COUNT, example: 76 })
  total: number;
  @ApiProperty({ minimum: 0, maximum: 100, example: 48.68, description: 'count / total as a percentage, rounded half-up to 2 decimals (0 when total is 0)' })
  share: number;
}

export class FactSharesByKindResponse {
  @ApiProperty({ type: FactShareResponse, description: 'Ministries and ministry-level agencies' })
  ministries: FactShareResponse;
  @ApiProperty({ type: FactShareResponse, description: 'Provincial-level units (tỉnh, thành phố trực thuộc trung ương)' })
  localities: FactShareResponse;
}

export class ProcedureSystemsResponse extends FactShareResponse {
  @ApiProperty({ type: FactSharesByKindResponse })
  byKind: FactSharesByKindResponse;
  @ApiProperty({ example: 'Thông tư 21/2023/TT-BTTTT', description: 'The requirements the systems are assessed against' })
  requirements: string;
}

export class PopulationDatabaseResponse extends FactShareResponse {
  @ApiProperty({ type: FactSharesByKindResponse })
  byKind: FactSharesByKindResponse;
}

/** `GET /api/national-facts`. */
export class NationalFactsResponse extends AnswerBasis {
  @ApiProperty({
    type: ProcedureSystemsResponse,
    description:
      "Authorities in force on `at` whose procedure-handling system was assessed on or before it (`total`), and those whose latest assessment " +
      'says it meets all requirements (`count`)',
  })
  procedureHandlingSystems: ProcedureSystemsResponse;
  @ApiProperty({ type: PopulationDatabaseResponse, description: 'Authorities in force on `at` (`total`), and those connected to the National Population Database on it (`count`)' })
  populationDatabase: PopulationDatabaseResponse;
}

export class AgencySystemResponse {
  @ApiProperty({ ...DATE, example: '2023-10-16' })
  assessedOn: string;
  @ApiProperty()
  meetsAllRequirements: boolean;
  @ApiProperty({ example: 'Thông tư 21/2023/TT-BTTTT' })
  requirements: string;
  @ApiProperty()
  source: string;
}

export class AgencyConnectionResponse {
  @ApiProperty({ description: 'Connected on `at` (never for an authority not in force then)' })
  connected: boolean;
  @ApiProperty({ ...DATE, nullable: true, description: 'The connection in force: its first day' })
  connectedOn: string | null;
  @ApiProperty({ ...DATE, nullable: true, description: 'When not connected after a connection: the first day without it' })
  disconnectedOn: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The source of the latest connection fact on or before `at`' })
  source: string | null;
}

/** `GET /api/national-facts/{authorityCode}`. */
export class AgencyFactsResponse extends AnswerBasis {
  @ApiProperty({ example: 'B05' })
  authorityCode: string;
  @ApiProperty({ example: 'Bộ Tư pháp', description: 'Its name as now recorded' })
  name: string;
  @ApiProperty({ enum: [...AUTHORITY_KINDS, ...AGENCY_KINDS], description: 'Its kind when established' })
  kind: string;
  @ApiProperty({ ...DATE, example: '2021-07-28' })
  establishedFrom: string;
  @ApiProperty({ ...DATE, nullable: true })
  dissolvedOn: string | null;
  @ApiProperty({ description: 'In force on `at`: established on or before it, not dissolved by then' })
  inForce: boolean;
  @ApiProperty({
    oneOf: [{ $ref: getSchemaPath(AgencySystemResponse) }, { type: 'object', nullable: true, enum: [null] }],
    description: 'The latest assessment on or before `at`; null: none',
  })
  procedureHandlingSystem: AgencySystemResponse | null;
  @ApiProperty({ type: AgencyConnectionResponse })
  populationDatabase: AgencyConnectionResponse;
}
