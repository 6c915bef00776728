import type pg from 'pg';
import { QueryFailedError, type DataSource } from 'typeorm';
import { isDatabaseUnreachable, withTimeout } from '@tthc/platform';
import { dataSourcePool } from '../read-model.data-source.js';
import type { Queryable } from './read-model.reader.js';
import { isQueryTimeout, QueryTimedOut } from './query-pool.js';

/**
 * The read side's statements on a pg pool — the query handlers' own (READ_MODEL_QUERY_POOL), or the
 * DataSource's — as DataSource.query runs a SELECT (a client of the pool, the rows; a failure thrown
 * as QueryFailedError) without making a QueryRunner, logging and broadcasting for each statement (a
 * tenth of a summary query's CPU in the api). For statements that only read.
 */
export function pooledReads(source: DataSource | pg.Pool): Queryable {
  const pool = 'driver' in source ? dataSourcePool(source) : source;
  return {
    query: (sql: string, params?: unknown[]) =>
      pool.query(sql, params).then(
        (result) => result.rows,
        (error: unknown) => {
          throw new QueryFailedError(sql, params, error as Error);
        },
      ),
  };
}

/** What queries do while the read replica cannot be reached (DATABASE_READ_FALLBACK). */
export type ReplicaFallback = 'primary' | 'refuse';

/** The read replica cannot be reached and DATABASE_READ_FALLBACK=refuse: the api answers 503 with Retry-After. */
export class ReadReplicaUnavailable extends Error {
  readonly code = 'READ_REPLICA_UNAVAILABLE';
  constructor(cause?: unknown) {
    super('The read replica cannot be reached and queries are not sent to the primary (DATABASE_READ_FALLBACK=refuse)', { cause });
    this.name = 'ReadReplicaUnavailable';
  }
}

/** How far the replica is behind the primary, read at one instant. */
export interface ReplicaState {
  /** The replica answered, within the probe's bound. */
  reachable: boolean;
  /**
   * It is no longer in recovery (`pg_is_in_recovery()` false): promoted, it takes writes of its own;
   * queries go on there. Null when it did not answer.
   */
  promoted: boolean | null;
  /** Bytes of WAL the primary has written that the replica has not replayed; null when unknown. */
  lagBytes: number | null;
  /** Age of the last transaction replayed while WAL waits to be replayed, in seconds (0 when caught up); null when unknown. */
  lagSeconds: number | null;
  /** Where queries go now: the replica, the primary (fallback), or nowhere (503). */
  queriesGoTo: 'replica' | 'primary' | 'none';
}

export interface QueryRouterOptions {
  fallback: ReplicaFallback;
  /** After a failure to reach the replica, queries skip it for this long (ms, default 2,000) before trying it again. */
  retryAfterMs?: number;
}

/**
 * Sends the read side's statements to a streaming replica (DATABASE_READ_URL), or to the primary when
 * none is configured. When the replica cannot be reached (refused, lost, a call past its bound), the
 * statement goes to the primary (`fallback: 'primary'`) or fails with ReadReplicaUnavailable
 * (`'refuse'`), and the replica is skipped for `retryAfterMs` (a statement cancelled by a recovery
 * conflict is sent on likewise, without skipping the replica), so that a replica gone does not cost
 * every query a connection attempt. A statement's own error is thrown as it is.
 *
 * Each statement is self-contained (every read also selects the checkpoint it reflects), so a query
 * whose statements straddle a switch still states, per statement, the position it answers from.
 */
export class QueryRouter implements Queryable {
  private skipReplicaUntil = 0;

  constructor(
    private readonly primary: Queryable,
    private readonly replica: pg.Pool | undefined,
    private readonly options: QueryRouterOptions,
  ) {}

  get hasReplica(): boolean {
    return this.replica !== undefined;
  }

  /** Where the next statement goes. */
  target(now = Date.now()): ReplicaState['queriesGoTo'] {
    if (!this.replica || now >= this.skipReplicaUntil) return this.replica ? 'replica' : 'primary';
    return this.options.fallback === 'primary' ? 'primary' : 'none';
  }

  /** @throws QueryTimedOut when the statement ran past its bound (the query pools' statement or lock timeout). */
  async query(sql: string, params?: unknown[]): Promise<any> {
    try {
      return await this.route(sql, params);
    } catch (error) {
      throw isQueryTimeout(error) ? new QueryTimedOut(error) : error;
    }
  }

  private async route(sql: string, params?: unknown[]): Promise<any> {
    if (!this.replica) return this.primary.query(sql, params);
    if (Date.now() < this.skipReplicaUntil) return this.replicaDown(sql, params);
    try {
      return (await this.replica.query(sql, params)).rows;
    } catch (error) {
      // A statement cancelled by the standby's replay (a lock or a row version it needed was removed
      // on the primary, SQLSTATE 40001): answered as a replica that could not serve this statement.
      if ((error as { code?: unknown }).code === '40001') return this.replicaDown(sql, params, error);
      if (!isDatabaseUnreachable(error)) throw error;
      this.skipReplicaUntil = Date.now() + (this.options.retryAfterMs ?? 2_000);
      return this.replicaDown(sql, params, error);
    }
  }

  /**
   * The replica's lag behind `primary`, each call bounded by `timeoutMs`: bytes of WAL not replayed,
   * and seconds since the last replayed transaction's commit while some WAL waits (0 when none does).
   * The replica is asked first: promoted (`pg_is_in_recovery()` false) it is behind nothing, and the
   * primary is not asked (it may be gone); a primary that does not answer leaves the lag unknown
   * (null) without making the replica unreachable.
   */
  async replicaState(primary: pg.Pool, timeoutMs: number): Promise<ReplicaState | undefined> {
    if (!this.replica) return undefined;
    const bounded = <T>(promise: Promise<T>) => withTimeout(promise, timeoutMs);
    let replica: { replay: string | null; age: number | null; recovering: boolean };
    try {
      ({ rows: [replica] } = await bounded(
        this.replica.query<{ replay: string | null; age: number | null; recovering: boolean }>(
          `SELECT pg_last_wal_replay_lsn()::text AS replay, pg_is_in_recovery() AS recovering,
                  extract(epoch FROM now() - pg_last_xact_replay_timestamp())::float8 AS age`,
        ),
      ));
    } catch {
      // Found unreachable: queries skip it as after a failed statement.
      this.skipReplicaUntil = Math.max(this.skipReplicaUntil, Date.now() + (this.options.retryAfterMs ?? 2_000));
      return { reachable: false, promoted: null, lagBytes: null, lagSeconds: null, queriesGoTo: this.target() };
    }
    const { replay, age, recovering } = replica;
    // Promoted (no longer in recovery): it writes its own WAL, and is not behind in any sense that matters here.
    if (!recovering) return { reachable: true, promoted: true, lagBytes: 0, lagSeconds: 0, queriesGoTo: this.target() };
    try {
      const [{ bytes }] = (await bounded(primary.query<{ bytes: string | null }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1::pg_lsn)::text AS bytes', [replay]))).rows;
      const lagBytes = bytes === null ? null : Math.max(0, Number(bytes));
      const lagSeconds = lagBytes === 0 ? 0 : age === null ? null : Math.max(0, Math.round(age * 1000) / 1000);
      return { reachable: true, promoted: false, lagBytes, lagSeconds, queriesGoTo: this.target() };
    } catch {
      return { reachable: true, promoted: false, lagBytes: null, lagSeconds: null, queriesGoTo: this.target() };
    }
  }

  private replicaDown(sql: string, params: unknown[] | undefined, cause?: unknown): Promise<any> {
    if (this.options.fallback === 'primary') return this.primary.query(sql, params);
    return Promise.reject(new ReadReplicaUnavailable(cause));
  }
}
