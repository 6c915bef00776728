import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LIVE_SCHEMA, quoteIdent, statusIntervalIndexesDdl } from '../schema/read-model.schema.js';

/**
 * The rows open on the record axis indexed by unit and procedure code (issue 16): the procedure list
 * reads a page in code order and stops there, instead of reading every row in force of the unit and
 * sorting it (read-model.reader.ts, currentProcedures). `procedure_status_intervals_current_idx` keeps
 * its name and changes shape, from `(authority_code, valid_from) INCLUDE (valid_to, procedure_code,
 * …)` to `(authority_code, procedure_code, valid_from) INCLUDE (valid_to, …)`, both `WHERE recorded_to
 * IS NULL`. A database that already has the new shape (a fresh one, or one whose 1733200000000 ran
 * with this code) is left as it is. Building it holds off the projector's writes to the table for
 * seconds at a million events; queries go on.
 */
export class ReadModelsListIndex1733300000000 implements MigrationInterface {
  name = 'ReadModelsListIndex1733300000000';

  async up(runner: QueryRunner): Promise<void> {
    await this.reshape(runner, statusIntervalIndexesDdl(LIVE_SCHEMA)[0], /\(authority_code, procedure_code, valid_from\)/);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await this.reshape(
      runner,
      `CREATE INDEX procedure_status_intervals_current_idx ON ${s}.procedure_status_intervals (authority_code, valid_from)
         INCLUDE (valid_to, procedure_code, online_mode, paper_intake) WHERE recorded_to IS NULL`,
      /\(authority_code, valid_from\) INCLUDE/,
    );
  }

  /** Drops the index unless its definition already matches `wanted`, then creates it from `ddl`. */
  private async reshape(runner: QueryRunner, ddl: string, wanted: RegExp): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    const [present]: { indexdef: string }[] = await runner.query(
      `SELECT indexdef FROM pg_indexes WHERE schemaname = $1 AND indexname = 'procedure_status_intervals_current_idx'`,
      [LIVE_SCHEMA],
    );
    if (present !== undefined && wanted.test(present.indexdef)) return;
    await runner.query(`DROP INDEX IF EXISTS ${s}.procedure_status_intervals_current_idx`);
    await runner.query(ddl);
  }
}
