import type pg from 'pg';
import { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { ADVISORY_LOCKS } from '@tthc/platform';
import { READ_MODEL_ENTITIES } from './entities/read-model.entities.js';
import { ReadModelsInitial1732600000000 } from './migrations/1732600000000-read-models-initial.js';
import { ReadModelsLogPositions1732700000000 } from './migrations/1732700000000-read-models-log-positions.js';
import { ReadModelsAuthorityLineage1732800000000 } from './migrations/1732800000000-read-models-authority-lineage.js';
import { ReadModelsDecisions1732900000000 } from './migrations/1732900000000-read-models-decisions.js';
import { ReadModelsSupersededTransitions1733000000000 } from './migrations/1733000000000-read-models-superseded-transitions.js';
import { ReadModelsNationalFacts1733100000000 } from './migrations/1733100000000-read-models-national-facts.js';
import { ReadModelsQueryIndexes1733200000000 } from './migrations/1733200000000-read-models-query-indexes.js';
import { ReadModelsListIndex1733300000000 } from './migrations/1733300000000-read-models-list-index.js';
import { ReadModelsDailyTransitions1733400000000 } from './migrations/1733400000000-read-models-daily-transitions.js';

export const READ_MODEL_MIGRATIONS = [
  ReadModelsInitial1732600000000,
  ReadModelsLogPositions1732700000000,
  ReadModelsAuthorityLineage1732800000000,
  ReadModelsDecisions1732900000000,
  ReadModelsSupersededTransitions1733000000000,
  ReadModelsNationalFacts1733100000000,
  ReadModelsQueryIndexes1733200000000,
  ReadModelsListIndex1733300000000,
  ReadModelsDailyTransitions1733400000000,
];

/**
 * The read models' TypeORM DataSource. Migrations, never `synchronize`. `poolOptions`: the process's
 * bounds on database calls (DATABASE_POOL_OPTIONS of DatabaseModule), so that its connections are
 * bounded, kept alive and monitored like the `pg` pool's.
 */
export function createReadModelDataSource(url: string, options: { poolSize?: number; poolOptions?: pg.PoolConfig } = {}): DataSource {
  return new DataSource({
    type: 'postgres',
    url,
    entities: READ_MODEL_ENTITIES,
    migrations: READ_MODEL_MIGRATIONS,
    migrationsTableName: 'read_model_migrations',
    synchronize: false,
    logging: false,
    extra: { connectionTimeoutMillis: 5_000, ...options.poolOptions, max: options.poolSize ?? 10 },
  });
}

/**
 * The pg pool under an initialized DataSource (TypeORM's PostgresDriver `master`): for statements
 * that need a client of their own (COPY) or no QueryRunner per statement (pooledReads).
 */
export function dataSourcePool(dataSource: DataSource): pg.Pool {
  return (dataSource.driver as PostgresDriver).master as pg.Pool;
}

/** Creates or upgrades the read-model tables (concurrent callers are serialised by an advisory lock). */
export async function migrateReadModels(dataSource: DataSource): Promise<string[]> {
  // The lock is a session's: hold it on one dedicated connection while migrations run on others.
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1, $2)', [...ADVISORY_LOCKS.readModelMigrations]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1, $2)', [...ADVISORY_LOCKS.readModelMigrations]).catch(() => undefined);
    await lock.release();
  }
}
