import type { DataSource, QueryRunner } from 'typeorm';
import { ADVISORY_LOCKS } from '@tthc/platform';
import { quoteIdent } from '../schema/read-model.schema.js';

/**
 * A rebuild's side schemas are `read_model_rebuild_<id>` (being built) and `read_model_retired_<id>`
 * (the old live tables, until dropped after the swap). The rebuild holds the session advisory lock
 * (REBUILD_LOCK_NAMESPACE, hashtext(<id>)) on a connection of its own from before it creates the
 * schema until after it drops the retired one, so PostgreSQL itself tells a running rebuild (lock held,
 * in whatever process) from a dead one (its connection, and with it the lock, gone with the process).
 */
export const REBUILD_LOCK_NAMESPACE = ADVISORY_LOCKS.rebuildClass;
const SIDE_SCHEMA = /^read_model_(?:rebuild|retired)_([a-z0-9_]+)$/;

export const rebuildSchemaName = (id: string) => `read_model_rebuild_${id}`;
export const retiredSchemaName = (id: string) => `read_model_retired_${id}`;

/** Takes the lock of rebuild `id` on `holder`, a connection kept for the rebuild's whole life. */
export async function lockRebuild(holder: QueryRunner, id: string): Promise<void> {
  await holder.query('SELECT pg_advisory_lock($1, hashtext($2))', [REBUILD_LOCK_NAMESPACE, id]);
}

/**
 * Releases the lock and then `holder`: a session lock would otherwise stay with the pooled
 * connection. When the unlock fails the connection is broken, and the lock died with its session.
 */
export async function unlockRebuild(holder: QueryRunner, id: string): Promise<void> {
  try {
    await holder.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REBUILD_LOCK_NAMESPACE, id]);
  } finally {
    await holder.release();
  }
}

/**
 * Drops the side schemas of rebuilds that died (killed, crashed, their database connection lost)
 * and leaves those of rebuilds still running, in this process or another. Called at the start of
 * every rebuild and when a process opens the read models (ReadModelsModule). Returns the schemas
 * dropped. A hash collision between two ids can only make it keep a dead schema, never drop a live one.
 */
export async function dropAbandonedRebuildSchemas(dataSource: DataSource, log: (message: string) => void = () => undefined): Promise<string[]> {
  const rows: { nspname: string }[] = await dataSource.query(
    `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read\\_model\\_rebuild\\_%' OR nspname LIKE 'read\\_model\\_retired\\_%' ORDER BY 1`,
  );
  const dropped: string[] = [];
  const probe = dataSource.createQueryRunner();
  await probe.connect();
  try {
    for (const { nspname } of rows) {
      const id = SIDE_SCHEMA.exec(nspname)?.[1];
      if (id === undefined) continue;
      const [{ free }] = await probe.query('SELECT pg_try_advisory_lock($1, hashtext($2)) AS free', [REBUILD_LOCK_NAMESPACE, id]);
      if (!free) continue; // a rebuild holding it is alive
      try {
        const size = await schemaSize(probe, nspname);
        await probe.query(`DROP SCHEMA IF EXISTS ${quoteIdent(nspname)} CASCADE`);
        dropped.push(nspname);
        log(`dropped ${nspname} (${size}), left behind by a rebuild that did not finish`);
      } finally {
        await probe.query('SELECT pg_advisory_unlock($1, hashtext($2))', [REBUILD_LOCK_NAMESPACE, id]);
      }
    }
  } finally {
    await probe.release();
  }
  return dropped;
}

async function schemaSize(runner: QueryRunner, schema: string): Promise<string> {
  const [{ size }] = await runner.query(
    `SELECT pg_size_pretty(coalesce(sum(pg_total_relation_size(c.oid)), 0)) AS size
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')`,
    [schema],
  );
  return size;
}
