import pg from 'pg';

/**
 * How long one statement of the query handlers may run, and wait for a lock (milliseconds). Queries
 * are one index probe or a few thousand index entries: a few milliseconds, on a busy machine tens.
 * A statement past its bound is cancelled by the server and the query fails with QueryTimedOut (the
 * api answers 503 with Retry-After): no answer hangs for seconds behind a lock, a stalled plan or a
 * starved server. A reader waits on a lock only behind an ACCESS EXCLUSIVE one (DDL: a migration, a
 * schema dropped), never behind the projector's row writes, so its lock bound is short.
 */
export interface QueryBounds {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
}

export const DEFAULT_QUERY_BOUNDS: QueryBounds = { statementTimeoutMs: 1_000, lockTimeoutMs: 100 };

/** A query's statement ran past QueryBounds (SQLSTATE 57014 or 55P03): nothing is wrong with the query; retry. */
export class QueryTimedOut extends Error {
  readonly code = 'QUERY_TIMED_OUT';
  constructor(cause: unknown) {
    const lock = (cause as { code?: unknown }).code === '55P03';
    super(
      lock
        ? 'The query waited too long for a lock held by a schema change; retry'
        : 'The query ran past its time bound on a busy database; retry',
      { cause },
    );
    this.name = 'QueryTimedOut';
  }
}

/** SQLSTATEs of a statement cancelled by statement_timeout (57014) or lock_timeout (55P03). */
export function isQueryTimeout(error: unknown): boolean {
  // pg's error, or TypeORM's QueryFailedError around it (which copies its code).
  const code = (error as { code?: unknown } | null)?.code;
  return code === '57014' || code === '55P03';
}

/**
 * Session settings of a pool that serves the query handlers: `bounds`; read-only transactions (a
 * query never takes a write lock, and a write slipped into one fails at once); no parallel workers
 * and no JIT. The last two only ever come into play when the planner misjudges a query as large (a
 * plan flip): then they add worker start-up and waits on the slowest worker, or a compilation of tens
 * to hundreds of milliseconds, on a machine whose cores the writers already use.
 */
export function queryPoolOptions(bounds: QueryBounds = DEFAULT_QUERY_BOUNDS): pg.PoolConfig {
  return {
    statement_timeout: bounds.statementTimeoutMs,
    lock_timeout: bounds.lockTimeoutMs,
    options: '-c default_transaction_read_only=on -c max_parallel_workers_per_gather=0 -c jit=off',
  } as pg.PoolConfig;
}

/** Connections a query pool opens at most (the api's, the replica's, the benchmark's). */
export const QUERY_POOL_SIZE = 10;

/**
 * A pool serving the query handlers on `url`: `base` (the process's connection bounds) with
 * queryPoolOptions(`bounds`) over it, QUERY_POOL_SIZE connections opened on demand (a server down at
 * start does not stop the caller). An idle client losing its server is dropped and replaced, not an
 * uncaught error.
 */
export function createQueryPool(url: string, base: pg.PoolConfig = {}, bounds: QueryBounds = DEFAULT_QUERY_BOUNDS): pg.Pool {
  const pool = new pg.Pool({ ...base, ...queryPoolOptions(bounds), connectionString: url, max: QUERY_POOL_SIZE });
  pool.on('error', () => undefined);
  return pool;
}
