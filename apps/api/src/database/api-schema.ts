import type pg from 'pg';
import { migrateEventStore } from '@tthc/event-store';

/**
 * The api's own tables, in schema `api`, versioned in `public.schema_migrations` (component `api`)
 * beside the event store's, under an advisory lock so that several processes may start at once.
 */
const MIGRATIONS: { version: number; description: string; sql: string }[] = [
  {
    version: 1,
    description: 'idempotency keys',
    sql: `
      CREATE SCHEMA IF NOT EXISTS api;
      CREATE TABLE api.idempotency_keys (
        key          text        PRIMARY KEY,
        -- sha256 of method, path and the canonical JSON body: the same key must come with the same request.
        request_hash text        NOT NULL,
        -- NULL while the first request is in flight.
        status       integer,
        response     jsonb,
        created_at   timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz
      );
    `,
  },
];

/** Creates or upgrades the api's schema; returns the versions it applied. */
export async function migrateApi(pool: pg.Pool, log: (message: string) => void = () => undefined): Promise<number[]> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock(74000, 1)');
    await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
      component text NOT NULL, version integer NOT NULL, description text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (component, version))`);
    const { rows } = await client.query<{ version: number }>(`SELECT version FROM public.schema_migrations WHERE component = 'api'`);
    const done = new Set(rows.map((r) => r.version));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql);
      await client.query(`INSERT INTO public.schema_migrations (component, version, description) VALUES ('api', $1, $2)`, [
        migration.version,
        migration.description,
      ]);
      applied.push(migration.version);
      log(`api schema: applied ${migration.version} (${migration.description})`);
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

/** Everything the api needs in the database before it serves: the event store's schema, then its own. */
export async function migrateDatabase(pool: pg.Pool, log?: (message: string) => void): Promise<void> {
  await migrateEventStore(pool, log);
  await migrateApi(pool, log);
}
