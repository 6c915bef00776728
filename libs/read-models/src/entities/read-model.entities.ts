import { Column, Entity, PrimaryColumn } from 'typeorm';
import { LIVE_SCHEMA } from '../schema/read-model.schema.js';

// TypeORM entities of the live read-model tables. Their DDL lives in one place
// (schema/read-model.schema.ts) because a rebuild creates the same tables in a schema beside these.

@Entity({ schema: LIVE_SCHEMA, name: 'projection_checkpoints' })
export class ProjectionCheckpointEntity {
  @PrimaryColumn('text') name: string;
  @Column('bigint') position: string;
  @Column('timestamptz', { name: 'updated_at' }) updatedAt: Date;
}

@Entity({ schema: LIVE_SCHEMA, name: 'procedures' })
export class ProcedureEntity {
  @PrimaryColumn('text', { name: 'authority_code' }) authorityCode: string;
  @PrimaryColumn('text', { name: 'procedure_code' }) procedureCode: string;
  @Column('text') name: string;
  @Column('text', { nullable: true }) field: string | null;
  @Column('text', { nullable: true }) level: string | null;
  @Column('text', { name: 'online_mode' }) onlineMode: string;
  @Column('text', { name: 'paper_intake' }) paperIntake: string;
  @Column('boolean') withdrawn: boolean;
  @Column('date', { name: 'registered_from' }) registeredFrom: string;
  @Column('date', { name: 'last_effective_from' }) lastEffectiveFrom: string;
  @Column('integer') revision: number;
  @Column('bigint') position: string;
  @Column('date', { name: 'open_valid_from', nullable: true }) openValidFrom: string | null;
  @Column('timestamptz', { name: 'open_recorded_from', nullable: true }) openRecordedFrom: Date | null;
  @Column('bigint', { name: 'open_recorded_from_position', nullable: true }) openRecordedFromPosition: string | null;
}

@Entity({ schema: LIVE_SCHEMA, name: 'procedure_status_intervals' })
export class ProcedureStatusIntervalEntity {
  @PrimaryColumn('text', { name: 'authority_code' }) authorityCode: string;
  @PrimaryColumn('text', { name: 'procedure_code' }) procedureCode: string;
  @PrimaryColumn('date', { name: 'valid_from' }) validFrom: string;
  @Column('date', { name: 'valid_to', nullable: true }) validTo: string | null;
  @PrimaryColumn('timestamptz', { name: 'recorded_from' }) recordedFrom: Date;
  @Column('timestamptz', { name: 'recorded_to', nullable: true }) recordedTo: Date | null;
  @Column('text', { name: 'online_mode' }) onlineMode: string;
  @Column('text', { name: 'paper_intake' }) paperIntake: string;
  @Column('bigint', { name: 'recorded_from_position' }) recordedFromPosition: string;
  @Column('bigint', { name: 'recorded_to_position', nullable: true }) recordedToPosition: string | null;
}

@Entity({ schema: LIVE_SCHEMA, name: 'procedure_transitions' })
export class ProcedureTransitionEntity {
  @PrimaryColumn('bigint') position: string;
  @Column('text', { name: 'authority_code' }) authorityCode: string;
  @Column('text', { name: 'procedure_code' }) procedureCode: string;
  @Column('text') kind: string;
  @Column('date', { name: 'effective_from' }) effectiveFrom: string;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt: Date;
  @Column('text', { name: 'decision_ref', nullable: true }) decisionRef: string | null;
  @Column('text', { name: 'from_value', nullable: true }) fromValue: string | null;
  @Column('text', { name: 'to_value', nullable: true }) toValue: string | null;
  @Column('timestamptz', { name: 'superseded_at', nullable: true }) supersededAt: Date | null;
  @Column('bigint', { name: 'superseded_position', nullable: true }) supersededPosition: string | null;
  @Column('bigint', { name: 'superseded_by', nullable: true }) supersededBy: string | null;
}

@Entity({ schema: LIVE_SCHEMA, name: 'authority_daily_summaries' })
export class AuthorityDailySummaryEntity {
  @PrimaryColumn('text', { name: 'authority_code' }) authorityCode: string;
  @PrimaryColumn('date') date: string;
  @Column('integer') total: number;
  @Column('integer', { name: 'full_process' }) fullProcess: number;
  @Column('integer') partial: number;
  @Column('integer', { name: 'information_only' }) informationOnly: number;
  @Column('integer', { name: 'paper_intake_disabled' }) paperIntakeDisabled: number;
}

/** The movement's pre-aggregation (read-model.schema.ts, dailyTransitionsDdl). */
@Entity({ schema: LIVE_SCHEMA, name: 'authority_daily_transitions' })
export class AuthorityDailyTransitionEntity {
  @PrimaryColumn('text', { name: 'authority_code' }) authorityCode: string;
  @PrimaryColumn('date') date: string;
  /** The transition's event type, as in procedure_transitions. */
  @PrimaryColumn('text') kind: string;
  @Column('integer') n: number;
}

export const READ_MODEL_ENTITIES = [
  ProjectionCheckpointEntity,
  ProcedureEntity,
  ProcedureStatusIntervalEntity,
  ProcedureTransitionEntity,
  AuthorityDailySummaryEntity,
  AuthorityDailyTransitionEntity,
];
