import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';

/**
 * Corrections and rescissions (issue 15): a transition row can stop being true as of an instant
 * (`superseded_at`, `superseded_position`) because of the event at `superseded_by`. A fresh database
 * already has the columns (the initial migration creates the latest shape); an older one gets them
 * here, empty (no event before this version corrected or rescinded anything).
 */
export class ReadModelsSupersededTransitions1733000000000 implements MigrationInterface {
  name = 'ReadModelsSupersededTransitions1733000000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await runner.query(
      `ALTER TABLE ${s}.procedure_transitions ADD COLUMN IF NOT EXISTS superseded_at timestamptz,
         ADD COLUMN IF NOT EXISTS superseded_position bigint, ADD COLUMN IF NOT EXISTS superseded_by bigint`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await runner.query(
      `ALTER TABLE ${s}.procedure_transitions DROP COLUMN IF EXISTS superseded_at, DROP COLUMN IF EXISTS superseded_position,
         DROP COLUMN IF EXISTS superseded_by`,
    );
  }
}
