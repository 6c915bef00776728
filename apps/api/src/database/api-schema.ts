import type pg from 'pg';
import { migrateEventStore } from '@tthc/event-store';
import { ADVISORY_LOCKS, runVersionedMigrations, type VersionedMigration } from '@tthc/platform';

/**
 * The api's own tables, in schema `api`, versioned in `public.schema_migrations` (component `api`)
 * beside the event store's, under an advisory lock so that several processes may start at once.
 */
const MIGRATIONS: VersionedMigration[] = [
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
  {
    version: 2,
    description: 'idempotency reservations name the process holding them',
    // The reserving process's lease (ProcessLease): when it is no longer held, the reservation is abandoned.
    sql: `ALTER TABLE api.idempotency_keys ADD COLUMN holder integer;`,
  },
];

/** Creates or upgrades the api's schema; returns the versions it applied. */
export function migrateApi(pool: pg.Pool, log?: (message: string) => void): Promise<number[]> {
  return runVersionedMigrations(pool, { component: 'api', lock: ADVISORY_LOCKS.apiMigrations, migrations: MIGRATIONS, label: 'api schema', log });
}

/** Everything the api needs in the database before it serves: the event store's schema, then its own. */
export async function migrateDatabase(pool: pg.Pool, log?: (message: string) => void): Promise<void> {
  await migrateEventStore(pool, log);
  await migrateApi(pool, log);
}
