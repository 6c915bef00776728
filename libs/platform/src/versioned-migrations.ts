import type pg from 'pg';

export interface VersionedMigration {
  version: number;
  description: string;
  sql: string;
  /** What SQL alone cannot do, run after `sql` in the same transaction. */
  then?: (client: pg.PoolClient, log: (message: string) => void) => Promise<void>;
}

export interface MigrationRun {
  /** The component's name in `public.schema_migrations` (`event-store`, `api`). */
  component: string;
  /** Its own advisory lock, so that several processes may migrate at start-up at the same time. */
  lock: readonly [number, number];
  migrations: readonly VersionedMigration[];
  /** How log lines name the component: "<label>: applied 3 (…)". */
  label: string;
  log?: (message: string) => void;
  /** Stop short of the latest (tests of a migration start from the version before it). */
  targetVersion?: number;
}

/**
 * Applies a component's versioned SQL migrations not yet recorded in `public.schema_migrations`, in
 * order, in one transaction holding the component's advisory lock; returns the versions applied.
 *
 * @example
 *   await runVersionedMigrations(pool, { component: 'api', lock: [74000, 1], migrations: MIGRATIONS, label: 'api schema' });
 */
export async function runVersionedMigrations(pool: pg.Pool, run: MigrationRun): Promise<number[]> {
  const log = run.log ?? (() => undefined);
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [...run.lock]);
    await createSchemaMigrationsTable(client);
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM public.schema_migrations WHERE component = $1',
      [run.component],
    );
    const done = new Set(rows.map((r) => r.version));
    for (const migration of run.migrations) {
      if (done.has(migration.version) || migration.version > (run.targetVersion ?? Infinity)) continue;
      await client.query(migration.sql);
      await migration.then?.(client, log);
      await client.query('INSERT INTO public.schema_migrations (component, version, description) VALUES ($1, $2, $3)', [
        run.component,
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
      log(`${run.label}: applied ${migration.version} (${migration.description})`);
    }
    await client.query('COMMIT');
    return applied;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

/**
 * Components create the shared table under advisory locks of their own: when two do so at once,
 * IF NOT EXISTS does not help and the second fails on the catalog's unique index once the first
 * commits. The table then exists: carry on.
 */
async function createSchemaMigrationsTable(client: pg.PoolClient): Promise<void> {
  await client.query('SAVEPOINT create_schema_migrations');
  try {
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      component text NOT NULL, version integer NOT NULL, description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
    await client.query('RELEASE SAVEPOINT create_schema_migrations');
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw error;
    await client.query('ROLLBACK TO SAVEPOINT create_schema_migrations');
  }
}
