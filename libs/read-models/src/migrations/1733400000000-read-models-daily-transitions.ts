import type { MigrationInterface, QueryRunner } from 'typeorm';
import { dailyTransitionsDdl, fillDailyTransitionsSql, LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';

/**
 * The movement's pre-aggregation (issue 16; read-model.schema.ts, dailyTransitionsDdl): a database
 * made before it gets the table, filled from the transitions it already holds, those not superseded
 * (as the projector would have written it), in the migration's transaction. A fresh database already
 * has it from the initial migration and is left as it is.
 */
export class ReadModelsDailyTransitions1733400000000 implements MigrationInterface {
  name = 'ReadModelsDailyTransitions1733400000000';

  async up(runner: QueryRunner): Promise<void> {
    const [{ present }] = await runner.query(`SELECT to_regclass($1) IS NOT NULL AS present`, [`${LIVE_SCHEMA}.authority_daily_transitions`]);
    if (present) return;
    for (const statement of dailyTransitionsDdl(LIVE_SCHEMA)) await runner.query(statement);
    await runner.query(fillDailyTransitionsSql(LIVE_SCHEMA));
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS ${quoteIdent(LIVE_SCHEMA)}.authority_daily_transitions`);
  }
}
