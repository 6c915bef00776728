import type { MigrationInterface, QueryRunner } from 'typeorm';
import { nationalFactsDdl } from '../national-facts/national-facts.schema.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';

/**
 * The national facts read model (issue 18). A fresh database already has its tables (the initial
 * migration creates the latest shape); an older one gets them here. On an older one, the authority
 * events up to the checkpoint (the provincial-level units set up at the first migrate) were projected
 * before the tables existed: they are filled here from the PostgreSQL event log, as the projection
 * would have (national facts are new with these tables, so none lies before the checkpoint). On
 * another event store (KurrentDB) the tables stay empty until a rebuild (`cli rebuild`).
 */
export class ReadModelsNationalFacts1733100000000 implements MigrationInterface {
  name = 'ReadModelsNationalFacts1733100000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of nationalFactsDdl(LIVE_SCHEMA)) await runner.query(statement);
    const s = quoteIdent(LIVE_SCHEMA);
    const [{ log }] = await runner.query(`SELECT to_regclass('event_store.events') IS NOT NULL AS log`);
    const [checkpoint] = await runner.query(`SELECT position FROM ${s}.projection_checkpoints WHERE name = 'procedures'`);
    if (!log || !checkpoint) return;
    await runner.query(
      `WITH up_to AS (SELECT e.* FROM event_store.events e WHERE e.global_position <= $1 AND e.stream_id LIKE 'authority-%'),
            est AS (SELECT * FROM up_to WHERE event_type = 'AuthorityEstablished'),
            merged AS (SELECT DISTINCT ON (stream_id) * FROM up_to WHERE event_type = 'AuthorityMerged' ORDER BY stream_id, global_position),
            renamed AS (SELECT DISTINCT ON (stream_id) * FROM up_to WHERE event_type = 'AuthorityRenamed' ORDER BY stream_id, global_position DESC),
            last AS (SELECT stream_id, max(stream_revision) AS revision FROM up_to
                     WHERE event_type IN ('AuthorityEstablished', 'AuthorityRenamed', 'AuthorityMerged') GROUP BY stream_id)
       INSERT INTO ${s}.national_fact_authorities (authority_code, kind, kind_group, name, established_from, established_position, established_at,
         dissolved_on, dissolved_position, dissolved_at, revision)
       SELECT est.data->>'authorityCode', est.data->>'kind',
              CASE WHEN est.data->>'kind' IN ('MINISTRY', 'MINISTERIAL_AGENCY') THEN 'MINISTRY' ELSE 'LOCALITY' END,
              coalesce(renamed.data->>'to', est.data->>'name'), (est.data->>'effectiveFrom')::date, est.global_position, est.recorded_at,
              (merged.data->>'effectiveFrom')::date, merged.global_position, merged.recorded_at, last.revision
       FROM est JOIN last USING (stream_id) LEFT JOIN merged USING (stream_id) LEFT JOIN renamed USING (stream_id)
       ON CONFLICT (authority_code) DO NOTHING`,
      [checkpoint.position],
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await runner.query(`DROP TABLE IF EXISTS ${s}.national_facts, ${s}.national_fact_authorities`);
  }
}
