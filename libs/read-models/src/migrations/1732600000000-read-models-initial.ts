import type { MigrationInterface, QueryRunner } from 'typeorm';
import { LIVE_SCHEMA, quoteIdent, readModelTablesDdl } from '../schema/read-model.schema.js';

export class ReadModelsInitial1732600000000 implements MigrationInterface {
  name = 'ReadModelsInitial1732600000000';

  async up(runner: QueryRunner): Promise<void> {
    for (const statement of readModelTablesDdl(LIVE_SCHEMA)) await runner.query(statement);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`DROP SCHEMA ${quoteIdent(LIVE_SCHEMA)} CASCADE`);
  }
}
