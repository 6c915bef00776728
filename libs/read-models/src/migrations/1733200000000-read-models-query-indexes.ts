import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LIVE_SCHEMA, quoteIdent, statusIntervalIndexesDdl, transitionIndexesDdl } from '../schema/read-model.schema.js';

/**
 * The query side's covering indexes (issue 16; read-model.schema.ts, statusIntervalIndexesDdl and
 * transitionIndexesDdl). A fresh database already has them (the initial migration creates the latest
 * shape); an older one has the two narrower indexes they replace, `(authority_code, valid_from) WHERE
 * recorded_to IS NULL` on the status intervals and `(authority_code, effective_from)` on the
 * transitions, found by their definition and dropped. Building them holds off the projector's writes
 * to these tables while they are built (seconds at a million events); queries go on.
 */
export class ReadModelsQueryIndexes1733200000000 implements MigrationInterface {
  name = 'ReadModelsQueryIndexes1733200000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    const present: { indexname: string; indexdef: string }[] = await runner.query(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = $1 AND tablename IN ('procedure_status_intervals', 'procedure_transitions')`,
      [LIVE_SCHEMA],
    );
    const names = new Set(present.map((i) => i.indexname));
    for (const old of present) {
      if (/\(authority_code, valid_from\) WHERE \(recorded_to IS NULL\)$/.test(old.indexdef) || /\(authority_code, effective_from\)$/.test(old.indexdef)) {
        await runner.query(`DROP INDEX ${s}.${quoteIdent(old.indexname)}`);
      }
    }
    for (const statement of [...statusIntervalIndexesDdl(LIVE_SCHEMA), ...transitionIndexesDdl(LIVE_SCHEMA)]) {
      const name = /^CREATE INDEX (\S+) ON/.exec(statement)![1];
      if (!names.has(name)) await runner.query(statement);
    }
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await runner.query(
      `DROP INDEX IF EXISTS ${s}.procedure_status_intervals_current_idx, ${s}.procedure_status_intervals_valid_idx, ${s}.procedure_transitions_effective_idx`,
    );
    await runner.query(`CREATE INDEX ON ${s}.procedure_status_intervals (authority_code, valid_from) WHERE recorded_to IS NULL`);
    await runner.query(`CREATE INDEX ON ${s}.procedure_transitions (authority_code, effective_from)`);
  }
}
