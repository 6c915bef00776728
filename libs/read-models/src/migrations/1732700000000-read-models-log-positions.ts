import type { MigrationInterface, QueryRunner } from 'typeorm';
import { PROCEDURE_STREAM_CATEGORY } from '@tthc/domain';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';

/**
 * Log positions on the record axis of the status intervals (asOfPosition queries), and the position
 * of each procedure's open interval (so that the planner can carry it on).
 *
 * A fresh database already has the columns, because the initial migration creates the latest shape
 * (read-model.schema.ts); this only upgrades a database created before them. Its rows are filled in
 * from the event log when the log lives in the same database (as `npm start` and the tests have it):
 * the planner gives a row the position of its stream's first event recorded at the row's instant, and
 * so does this. Should any row stay unmatched (a log kept elsewhere, or record times stored finer than
 * milliseconds), the read models are emptied and their checkpoint reset instead, and the projector
 * replays the whole log into them: derived data, rebuilt from the source of truth.
 */
export class ReadModelsLogPositions1732700000000 implements MigrationInterface {
  name = 'ReadModelsLogPositions1732700000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await runner.query(`ALTER TABLE ${s}.procedures ADD COLUMN IF NOT EXISTS open_recorded_from_position bigint`);
    await runner.query(
      `ALTER TABLE ${s}.procedure_status_intervals ADD COLUMN IF NOT EXISTS recorded_from_position bigint,
                                                    ADD COLUMN IF NOT EXISTS recorded_to_position bigint`,
    );
    if (await unfilled(runner)) {
      const [{ log }] = await runner.query(`SELECT to_regclass('event_store.events') IS NOT NULL AS log`);
      if (log) await fillFromLog(runner);
      if (await unfilled(runner)) {
        await runner.query(
          `TRUNCATE ${s}.procedures, ${s}.procedure_status_intervals, ${s}.procedure_transitions,
                    ${s}.authority_daily_summaries, ${s}.projection_checkpoints`,
        );
        // The movement's pre-aggregation, the lineage, decisions and national facts tables (later shapes) exist here only on a database
        // created with them: the checkpoint they share goes back to 0, so they are replayed too.
        for (const table of ['authority_daily_transitions', 'authorities', 'authority_versions', 'decisions', 'national_fact_authorities', 'national_facts']) {
          const [{ present }] = await runner.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${LIVE_SCHEMA}.${table}`]);
          if (present) await runner.query(`TRUNCATE ${s}.${quoteIdent(table)}`);
        }
      }
    }
    await runner.query(`ALTER TABLE ${s}.procedure_status_intervals ALTER COLUMN recorded_from_position SET NOT NULL`);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await runner.query(
      `ALTER TABLE ${s}.procedure_status_intervals DROP COLUMN recorded_from_position, DROP COLUMN recorded_to_position`,
    );
    await runner.query(`ALTER TABLE ${s}.procedures DROP COLUMN open_recorded_from_position`);
  }
}

async function unfilled(runner: QueryRunner): Promise<boolean> {
  const s = quoteIdent(LIVE_SCHEMA);
  const [{ missing }] = await runner.query(
    `SELECT EXISTS (SELECT 1 FROM ${s}.procedure_status_intervals
                    WHERE recorded_from_position IS NULL OR (recorded_to IS NOT NULL AND recorded_to_position IS NULL))
         OR EXISTS (SELECT 1 FROM ${s}.procedures
                    WHERE open_recorded_from IS NOT NULL AND open_recorded_from_position IS NULL) AS missing`,
  );
  return missing === true;
}

async function fillFromLog(runner: QueryRunner): Promise<void> {
  const s = quoteIdent(LIVE_SCHEMA);
  // The first position of each (stream, record instant), at the millisecond precision the projector keeps.
  const firsts = `WITH firsts AS (
      SELECT stream_id, date_trunc('milliseconds', recorded_at) AS recorded_at, min(global_position) AS position
      FROM event_store.events WHERE stream_id LIKE '${PROCEDURE_STREAM_CATEGORY}-%'
      GROUP BY 1, 2)`;
  const stream = (t: string) => `'${PROCEDURE_STREAM_CATEGORY}-' || ${t}.authority_code || ':' || ${t}.procedure_code`;
  await runner.query(
    `${firsts} UPDATE ${s}.procedure_status_intervals i SET recorded_from_position = f.position
     FROM firsts f WHERE f.stream_id = ${stream('i')} AND f.recorded_at = i.recorded_from AND i.recorded_from_position IS NULL`,
  );
  await runner.query(
    `${firsts} UPDATE ${s}.procedure_status_intervals i SET recorded_to_position = f.position
     FROM firsts f WHERE f.stream_id = ${stream('i')} AND f.recorded_at = i.recorded_to AND i.recorded_to_position IS NULL`,
  );
  await runner.query(
    `${firsts} UPDATE ${s}.procedures p SET open_recorded_from_position = f.position
     FROM firsts f WHERE f.stream_id = ${stream('p')} AND f.recorded_at = p.open_recorded_from AND p.open_recorded_from_position IS NULL`,
  );
}
