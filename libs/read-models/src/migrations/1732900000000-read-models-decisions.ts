import type { MigrationInterface, QueryRunner } from 'typeorm';
import { DECISION_STREAM_CATEGORY } from '@tthc/domain';
import { decisionsDdl } from '../decisions/decisions.schema.js';
import { PROCEDURE_PROJECTION } from '../projection/projection-runner.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';

/**
 * The decisions read model (issue 13). A fresh database already has the table (the initial migration
 * creates the latest shape); an older one gets it here. Decisions recorded before it lie at or below
 * the checkpoint, where the projector will not go again: their rows are filled in from the event log
 * when the log lives in the same database (as `npm start` and the tests have it), exactly as the
 * projector writes them (decisions.projection.ts), and only those up to the checkpoint (the projector
 * writes the rest). With the log kept elsewhere (KurrentDB), the read models are emptied and their
 * checkpoint reset instead, and the projector replays the whole log into them.
 */
export class ReadModelsDecisions1732900000000 implements MigrationInterface {
  name = 'ReadModelsDecisions1732900000000';

  async up(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    for (const statement of decisionsDdl(LIVE_SCHEMA)) await runner.query(statement);
    const [row] = await runner.query(`SELECT position FROM ${s}.projection_checkpoints WHERE name = $1`, [PROCEDURE_PROJECTION.name]);
    const checkpoint = row ? Number(row.position) : 0;
    if (checkpoint === 0) return;
    const [{ log }] = await runner.query(`SELECT to_regclass('event_store.events') IS NOT NULL AS log`);
    if (log) {
      await runner.query(
        `INSERT INTO ${s}.decisions
           (authority_code, number, issued_on, effective_from, title, item_count, event_count, annex_digest,
            effect_total, effect_full_process, effect_partial, effect_information_only, effect_paper_intake_disabled,
            stream_id, event_id, actor, recorded_at, position)
         SELECT data->>'authorityCode', data->>'number', (data->>'issuedOn')::date, (data->>'effectiveFrom')::date, data->>'title',
                (data->>'itemCount')::int, (data->>'eventCount')::int, data->>'annexDigest',
                (data->'effect'->>'total')::int, (data->'effect'->>'fullProcess')::int, (data->'effect'->>'partial')::int,
                (data->'effect'->>'informationOnly')::int, (data->'effect'->>'paperIntakeDisabled')::int,
                stream_id, event_id, metadata->>'actor', recorded_at, global_position
         FROM event_store.events
         WHERE event_type = 'DecisionIssued' AND stream_id LIKE '${DECISION_STREAM_CATEGORY}-%' AND global_position <= $1
         ON CONFLICT (authority_code, number) DO NOTHING`,
        [checkpoint],
      );
      return;
    }
    const tables = ['procedures', 'procedure_status_intervals', 'procedure_transitions', 'authority_daily_summaries', 'authorities', 'authority_versions', 'decisions'];
    await runner.query(`TRUNCATE ${tables.map((t) => `${s}.${quoteIdent(t)}`).join(', ')}`);
    await runner.query(`UPDATE ${s}.projection_checkpoints SET position = 0, updated_at = now() WHERE name = $1`, [PROCEDURE_PROJECTION.name]);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP TABLE IF EXISTS ${quoteIdent(LIVE_SCHEMA)}.decisions`);
  }
}
