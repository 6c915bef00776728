import type { MigrationInterface, QueryRunner } from 'typeorm';
import { authorityLineageDdl } from '../authorities/authority-lineage.schema.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';

/**
 * The lineage read model (issue 12). A fresh database already has its tables (the initial migration
 * creates the latest shape); an older one gets them here, empty. Authority events are new with them,
 * so they all lie after the checkpoint and the projector fills the tables as it goes on.
 */
export class ReadModelsAuthorityLineage1732800000000 implements MigrationInterface {
  name = 'ReadModelsAuthorityLineage1732800000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of authorityLineageDdl(LIVE_SCHEMA)) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    const s = quoteIdent(LIVE_SCHEMA);
    await runner.query(`DROP TABLE IF EXISTS ${s}.authority_versions, ${s}.authorities`);
  }
}
