import { randomBytes } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { EventStore } from '@tthc/event-store';
import { LIVE_SCHEMA, quoteIdent, readModelTablesDdl } from '../schema/read-model.schema.js';
import { bulkLoadReadModels, type BulkLoadOptions } from './bulk-load.js';
import { ProjectionRunner } from './projection-runner.js';
import { dropAbandonedRebuildSchemas, lockRebuild, rebuildSchemaName, retiredSchemaName, unlockRebuild } from './rebuild-leftovers.js';

export interface RebuildOptions extends Pick<BulkLoadOptions, 'onProgress' | 'log'> {
  /** Events read from the log at a time; with the live writer, per transaction (default 5000). */
  batchSize?: number;
  /**
   * How the side schema is filled: `bulk` (default) keeps the planner's state in memory and writes
   * each row once by COPY, indexes built afterwards (bulk-load.ts); `live` runs the live projector's
   * batches (ProjectionRunner.catchUp). Both give the same tables; `live` is kept to compare them.
   */
  writer?: 'bulk' | 'live';
}

export interface RebuildResult {
  events: number;
  position: number;
  millis: number;
  /** With the bulk writer: milliseconds per phase (bulk-load.ts), then the ANALYZE of the rebuilt tables and the swap. */
  phases?: Record<string, number>;
}

/**
 * Replays the whole log into fresh read models beside the live ones, then swaps them in: queries
 * keep being answered from the live tables until the swap, which is one short transaction. The side
 * schema is filled by the bulk writer (bulk-load.ts: the planner's state in memory, each row written
 * once by COPY, keys and indexes built after the load), then caught up by the live projector's batches.
 *
 * The swap holds an exclusive lock on the live checkpoint table while the new tables catch up with
 * the last events and the schemas are renamed, so the live projector pauses instead of racing.
 *
 * A rebuild that dies half-way (SIGKILL, lost connection) leaves its side schema; it holds an advisory
 * lock from before creating it until after dropping the retired one, so the next rebuild, or the next
 * process to open the read models, drops what a dead rebuild left and never a running one's
 * (rebuild-leftovers.ts).
 */
export async function rebuildReadModels(
  dataSource: DataSource,
  store: EventStore,
  options: RebuildOptions = {},
): Promise<RebuildResult> {
  const started = Date.now();
  const log = options.log ?? (() => undefined);
  await dropAbandonedRebuildSchemas(dataSource, log);
  const id = `${Date.now()}_${randomBytes(3).toString('hex')}`;
  const building = rebuildSchemaName(id);
  const retired = retiredSchemaName(id);
  // Held on a connection of its own until the end; released with the connection if this process dies.
  const lock = dataSource.createQueryRunner();
  await lock.connect();
  try {
    await lockRebuild(lock, id);
    return await buildAndSwap(dataSource, store, { ...options, log }, building, retired, started);
  } finally {
    await unlockRebuild(lock, id);
  }
}

async function buildAndSwap(
  dataSource: DataSource,
  store: EventStore,
  options: RebuildOptions & { log: (message: string) => void },
  building: string,
  retired: string,
  started: number,
): Promise<RebuildResult> {
  const log = options.log;
  for (const statement of readModelTablesDdl(building)) await dataSource.query(statement);
  log(`building read models in schema ${building}`);
  try {
    const batchSize = options.batchSize ?? 5000;
    const runner = new ProjectionRunner(dataSource, store, { schema: building, batchSize });
    let events: number;
    let phases: Record<string, number> | undefined;
    if ((options.writer ?? 'bulk') === 'bulk') {
      const loaded = await bulkLoadReadModels(dataSource, store, building, { pageSize: batchSize, onProgress: options.onProgress, log });
      events = loaded.events;
      phases = loaded.phases;
    } else {
      events = await runner.catchUp(options.onProgress);
    }
    // Statistics before the tables serve queries: freshly loaded tables have none until autovacuum
    // reaches them, and meanwhile the planner guesses (at 1M events it sorted a whole province's rows
    // for a page of 50, estimating 8 rows where there were 10,548).
    const analyzeStarted = Date.now();
    await analyzeSchema(dataSource, building);
    if (phases) phases.analyze = Date.now() - analyzeStarted;
    const swapStarted = Date.now();

    const swap = dataSource.createQueryRunner();
    await swap.connect();
    try {
      await swap.startTransaction();
      await swap.query(`LOCK TABLE ${quoteIdent(LIVE_SCHEMA)}.projection_checkpoints IN EXCLUSIVE MODE`);
      events += await runner.catchUp(options.onProgress);
      await swap.query(`ALTER SCHEMA ${quoteIdent(LIVE_SCHEMA)} RENAME TO ${quoteIdent(retired)}`);
      await swap.query(`ALTER SCHEMA ${quoteIdent(building)} RENAME TO ${quoteIdent(LIVE_SCHEMA)}`);
      await swap.commitTransaction();
    } catch (error) {
      if (swap.isTransactionActive) await swap.rollbackTransaction();
      throw error;
    } finally {
      await swap.release();
    }
    log(`swapped the rebuilt read models in; dropping ${retired}`);
    await dataSource.query(`DROP SCHEMA ${quoteIdent(retired)} CASCADE`);
    const position = await new ProjectionRunner(dataSource, store).checkpoint();
    if (phases) phases.swap = Date.now() - swapStarted;
    return { events, position, millis: Date.now() - started, ...(phases ? { phases } : {}) };
  } catch (error) {
    await dataSource.query(`DROP SCHEMA IF EXISTS ${quoteIdent(building)} CASCADE`).catch(() => undefined);
    throw error;
  }
}

/** ANALYZE of every table of `schema` (a sample of 30,000 rows a table by default: about a second at 1M events). */
async function analyzeSchema(dataSource: DataSource, schema: string): Promise<void> {
  const tables: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  );
  for (const { table_name: table } of tables) await dataSource.query(`ANALYZE ${quoteIdent(schema)}.${quoteIdent(table)}`);
}
