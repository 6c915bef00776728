import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ONLINE_MODES, PAPER_INTAKES, type OnlineMode, type PaperIntake } from '@tthc/domain';
import { IsInstant } from '../authorities/summary-query.request.js';
import { IsCalendarDate, Optional } from './validators.js';

/** `GET …/procedures/{p}/state?at=&knownAt=`: in force on a date, as recorded at an instant. */
export class ProcedureStateQuery {
  @ApiPropertyOptional({ description: 'In force on this date (default: today in Vietnam)', example: '2023-09-01' })
  @Optional()
  @IsCalendarDate()
  at?: string;

  @ApiPropertyOptional({ description: 'As recorded at this instant: later-recorded events are ignored (default: now)', example: '2023-08-01T00:00:00Z' })
  @Optional()
  @IsInstant()
  knownAt?: string;
}

export class HistoricalProcedureState {
  @ApiProperty({ example: 'Đăng ký thành lập hộ kinh doanh' })
  name: string;
  @ApiProperty({ type: String, nullable: true })
  field: string | null;
  @ApiProperty({ type: String, nullable: true })
  level: string | null;
  @ApiProperty({ enum: ONLINE_MODES })
  onlineMode: OnlineMode;
  @ApiProperty({ enum: PAPER_INTAKES })
  paperIntake: PaperIntake;
  @ApiProperty({ description: 'Withdrawn on or before `at` (its last mode and paper intake are kept)' })
  withdrawn: boolean;
  @ApiPropertyOptional({ format: 'date', description: 'Present once withdrawn' })
  withdrawnFrom?: string;
  @ApiProperty({ format: 'date', description: 'Effective date of the latest transition considered' })
  lastEffectiveFrom: string;
}

export class ProcedureStateAtResponse {
  @ApiProperty({ example: '74' })
  authorityCode: string;
  @ApiProperty({ example: '1.001612' })
  procedureCode: string;
  @ApiProperty({ format: 'date', example: '2023-09-01' })
  at: string;
  @ApiProperty({ format: 'date-time', description: 'The instant asked for, or the moment of the answer' })
  knownAt: string;
  @ApiProperty({ description: 'Registered on or before `at`, and not withdrawn on or before it' })
  inForce: boolean;
  @ApiProperty({ type: HistoricalProcedureState, nullable: true, description: 'null when not registered by `at` as known at `knownAt`' })
  state: HistoricalProcedureState | null;
  @ApiProperty({ type: Number, nullable: true, description: 'Revision of the last event considered; null when none was' })
  revision: number | null;
  @ApiProperty({ description: 'Events both recorded by `knownAt` and effective by `at`' })
  eventsConsidered: number;
  @ApiProperty({ description: "Global position of the stream's last event: the answer reflects the stream up to it" })
  position: number;
}
