import pg from 'pg';
import { isDatabaseUnreachable } from './database-errors.js';
import { writerClientClass, type WriterDiscovery } from './writer-discovery.js';

/**
 * How long any database call may take (milliseconds; 0 turns a bound off). Server-side bounds end a
 * statement the server is running; the client-side one ends a call whose answer never comes back —
 * a silent network (sockets open, no bytes) never delivers the server's cancel, nor its answer.
 */
export interface DatabaseBounds {
  /** statement_timeout and lock_timeout of every session (DATABASE_STATEMENT_TIMEOUT_MS, default 15,000). */
  statementTimeoutMs: number;
  /** idle_in_transaction_session_timeout (DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS, default 30,000). */
  idleInTransactionTimeoutMs: number;
  /**
   * Client-side: a call unanswered after this long has its connection destroyed, so that the call fails
   * and the pool opens a new connection instead of reusing a stuck one (DATABASE_QUERY_TIMEOUT_MS,
   * default 20,000: the statement timeout plus 5 s for the server's own answer to arrive).
   */
  queryTimeoutMs: number;
  /** Opening a connection, TLS and authentication included (DATABASE_CONNECT_TIMEOUT_MS, default 5,000). */
  connectTimeoutMs: number;
  /** TCP keepalive probes start after this much silence on an idle socket (10,000). */
  keepAliveInitialDelayMs: number;
}

export const DEFAULT_DATABASE_BOUNDS: DatabaseBounds = {
  statementTimeoutMs: 15_000,
  idleInTransactionTimeoutMs: 30_000,
  queryTimeoutMs: 20_000,
  connectTimeoutMs: 5_000,
  keepAliveInitialDelayMs: 10_000,
};

/** No bound on statements (the cli's batch commands: rebuild, import, verify); connections still time out and keep alive. */
export const UNBOUNDED_STATEMENTS: DatabaseBounds = { ...DEFAULT_DATABASE_BOUNDS, statementTimeoutMs: 0, idleInTransactionTimeoutMs: 0, queryTimeoutMs: 0 };

/** A call unanswered within DatabaseBounds.queryTimeoutMs: its connection was destroyed. The outcome of a write is unknown. */
export class DatabaseCallTimeout extends Error {
  /** Node's code for a timed-out socket, so that isDatabaseUnreachable counts it. */
  readonly code = 'ETIMEDOUT';
  constructor(readonly timeoutMs: number) {
    super(`The database did not answer within ${timeoutMs} ms; the connection was closed`);
    this.name = 'DatabaseCallTimeout';
  }
}

/** What the requests of this process saw of the database lately (see DatabaseMonitor.snapshot). */
export interface DatabaseRequestState {
  /**
   * False while calls fail or hang: the last call failed to reach the database, in the last
   * `recentMs`, with no success since; or a call has been unanswered for longer than `stalledAfterMs`.
   */
  reachable: boolean;
  /** Calls sent and not answered yet, and how long the oldest has waited (ms; 0 when none). */
  inFlight: number;
  oldestInFlightMs: number;
  /** Calls that failed to reach the database (timeouts, lost connections) in the last minute. */
  failuresLastMinute: number;
  lastFailure: { at: string; message: string } | null;
  lastSuccessAt: string | null;
}

/**
 * Counts the outcome of every call of the process's pools (the event store, idempotency keys, the read
 * models): the `database` member of /health and a metrics gauge read `snapshot().reachable`. Only
 * failures to reach the database count; a statement's own error (a constraint, a conflict) is an
 * answer, and counts as a success.
 */
export class DatabaseMonitor {
  private readonly inFlight = new Map<number, number>();
  private nextCall = 0;
  private failures: number[] = [];
  private lastFailure: { at: number; message: string } | null = null;
  private lastSuccess: number | null = null;
  /** Whether the call that finished last failed (timestamps may tie within a millisecond). */
  private lastFailed = false;

  /**
   * @param options.stalledAfterMs an unanswered call older than this makes `reachable` false (default
   *   15,000: by then the server's statement_timeout would have answered)
   * @param options.recentMs a failure older than this no longer counts (default 30,000): without
   *   traffic there is no success to clear it, and the health check alone decides
   */
  constructor(private readonly options: { stalledAfterMs?: number; recentMs?: number } = {}) {}

  /** A call was sent; returns its handle for `finished`. */
  started(): number {
    const id = this.nextCall++;
    this.inFlight.set(id, Date.now());
    return id;
  }

  finished(call: number, error?: unknown): void {
    this.inFlight.delete(call);
    const now = Date.now();
    if (error !== undefined && error !== null && isDatabaseUnreachable(error)) {
      this.failures.push(now);
      this.lastFailure = { at: now, message: (error as Error).message ?? String(error) };
      this.lastFailed = true;
    } else {
      this.lastSuccess = now;
      this.lastFailed = false;
    }
  }

  snapshot(now = Date.now()): DatabaseRequestState {
    this.failures = this.failures.filter((at) => now - at < 60_000);
    let oldest = now;
    for (const startedAt of this.inFlight.values()) oldest = Math.min(oldest, startedAt);
    const oldestInFlightMs = now - oldest;
    const failing = this.lastFailed && this.lastFailure !== null && now - this.lastFailure.at < (this.options.recentMs ?? 30_000);
    return {
      reachable: !failing && oldestInFlightMs <= (this.options.stalledAfterMs ?? 15_000),
      inFlight: this.inFlight.size,
      oldestInFlightMs,
      failuresLastMinute: this.failures.length,
      lastFailure: this.lastFailure && { at: new Date(this.lastFailure.at).toISOString(), message: this.lastFailure.message },
      lastSuccessAt: this.lastSuccess === null ? null : new Date(this.lastSuccess).toISOString(),
    };
  }
}

type Callback = (error: Error | null, result?: unknown) => void;

const UNMONITORED = Symbol('unmonitored');

/** A query config whose outcome DatabaseMonitor does not count: the health check's own probe. */
export function unmonitored(text: string): pg.QueryConfig {
  return { text, [UNMONITORED]: true } as pg.QueryConfig;
}

/**
 * A `pg.Client` whose every call is bounded by `queryTimeoutMs` and reported to `monitor`. A call that
 * outlives the bound destroys the connection's socket: every call on it fails with DatabaseCallTimeout
 * and the pool, seeing a client that is no longer queryable, replaces it. (pg's own `query_timeout`
 * answers the caller but leaves the connection, still waiting, in the pool.) Cursors and streams
 * (submittables) are not timed. `Base`: the class it extends (default pg.Client; writerClientClass's
 * to follow the writer among several hosts).
 */
export function boundedClientClass(queryTimeoutMs: number, monitor: DatabaseMonitor, Base: typeof pg.Client = pg.Client): typeof pg.Client {
  class BoundedClient extends (Base as typeof pg.Client) {
    constructor(config?: string | pg.ClientConfig) {
      super(config);
      // A lost connection is reported to its callers; without a listener it would crash the process.
      this.on('error', () => undefined);
    }

    override query(config: unknown, values?: unknown, callback?: unknown): never {
      const query = (super.query as (...args: unknown[]) => unknown).bind(this);
      if (typeof (config as { submit?: unknown } | null)?.submit === 'function') return query(config, values, callback) as never;
      const monitored = !(config as { [UNMONITORED]?: boolean } | null)?.[UNMONITORED];
      const call = monitored ? monitor.started() : -1;
      let timer: NodeJS.Timeout | undefined;
      if (queryTimeoutMs > 0) {
        timer = setTimeout(() => {
          const stream = (this as unknown as { connection?: { stream?: { destroy(error?: Error): void } } }).connection?.stream;
          stream?.destroy(new DatabaseCallTimeout(queryTimeoutMs));
        }, queryTimeoutMs);
      }
      const finish = (error?: unknown) => {
        clearTimeout(timer);
        if (monitored) monitor.finished(call, error);
      };
      const wrap = (cb: Callback): Callback => (error, result) => {
        finish(error ?? undefined);
        cb(error, result);
      };
      if (typeof values === 'function') return query(config, wrap(values as Callback)) as never;
      if (typeof callback === 'function') return query(config, values, wrap(callback as Callback)) as never;
      const result = query(config, values) as Promise<unknown>;
      result.then(() => finish(), finish);
      return result as never;
    }
  }
  return BoundedClient as unknown as typeof pg.Client;
}

/**
 * pg pool options that apply `bounds` to every connection (session settings sent at start-up, TCP
 * keepalive, the client-side bound of BoundedClient), for the `pg` pool and TypeORM's (`extra`).
 * With `writers` (DATABASE_URL of several hosts), every connection goes to the host it finds writable.
 */
export function boundedPoolOptions(bounds: DatabaseBounds, monitor: DatabaseMonitor, writers?: WriterDiscovery): pg.PoolConfig {
  return {
    connectionTimeoutMillis: bounds.connectTimeoutMs,
    keepAlive: true,
    keepAliveInitialDelayMillis: bounds.keepAliveInitialDelayMs,
    ...(bounds.statementTimeoutMs > 0 && { statement_timeout: bounds.statementTimeoutMs, lock_timeout: bounds.statementTimeoutMs }),
    ...(bounds.idleInTransactionTimeoutMs > 0 && { idle_in_transaction_session_timeout: bounds.idleInTransactionTimeoutMs }),
    Client: boundedClientClass(bounds.queryTimeoutMs, monitor, writerClientClass(writers)),
  } as pg.PoolConfig;
}
