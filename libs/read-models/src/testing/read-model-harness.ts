import { randomUUID } from 'node:crypto';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { handleProcedureCommand, setupShippedAuthorities, storeSetup, type CommandContext } from '@tthc/application';
import type { ProcedureCommand } from '@tthc/domain';
import { PostgresEventStore, migrateEventStore } from '@tthc/event-store';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { ProjectionRunner, type ProjectionRunnerOptions } from '../projection/projection-runner.js';
import { ReadModelReader } from '../queries/read-model.reader.js';
import { createReadModelDataSource, migrateReadModels } from '../read-model.data-source.js';

/** A real database with the event store and read models migrated, for projection tests. */
export interface ReadModelHarness {
  db: TestDatabase;
  pool: pg.Pool;
  store: PostgresEventStore;
  dataSource: DataSource;
  reader: ReadModelReader;
  runner(options?: ProjectionRunnerOptions): ProjectionRunner;
  execute(command: ProcedureCommand, context?: Partial<CommandContext>): ReturnType<typeof handleProcedureCommand>;
  close(): Promise<void>;
}

export async function createReadModelHarness(): Promise<ReadModelHarness> {
  const db = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: db.url, max: 20 });
  pool.on('error', () => undefined); // an idle client of a database being dropped at the end
  await migrateEventStore(pool);
  const store = new PostgresEventStore(pool, { pollIntervalMs: 50 });
  // The 63 units of 2023, established as the first migrate does (without the 2025 reorganisation,
  // which the lineage tests record themselves).
  await setupShippedAuthorities(storeSetup(store), 'units', 'test');
  const dataSource = createReadModelDataSource(db.url);
  await dataSource.initialize();
  await migrateReadModels(dataSource);
  return {
    db,
    pool,
    store,
    dataSource,
    reader: new ReadModelReader(dataSource),
    runner: (options) => new ProjectionRunner(dataSource, store, options),
    execute: (command, context) =>
      handleProcedureCommand(store, command, { actor: 'test', correlationId: randomUUID(), ...context }),
    async close() {
      await dataSource.destroy();
      await pool.end();
      await db.drop();
    },
  };
}
