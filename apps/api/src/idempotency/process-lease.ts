import { randomInt } from 'node:crypto';
import { Inject, Injectable, Logger, Optional, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import pg from 'pg';
import { ADVISORY_LOCKS, PG_POOL, WRITER_DISCOVERY, writerClientClass, type WriterDiscovery } from '@tthc/platform';

/** First key of the lease's advisory lock (the second is the holder id). */
export const PROCESS_LEASE_LOCK = ADVISORY_LOCKS.processLeaseClass;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 30_000;

/**
 * This api process's liveness, as the database sees it: a session-level advisory lock
 * (PROCESS_LEASE_LOCK, holder id) held on a connection of its own for the process's lifetime. The
 * server releases it when the session ends, so when the process dies (SIGKILL, a lost machine) any
 * other process can tell at once (`pg_locks`) that what it had in flight is abandoned: used by
 * idempotency reservations, which otherwise wait out `abandonedAfterSeconds`.
 *
 * `holder` is the id (1 … 2^31−1, random) while the lock is held, null while it is not (the
 * connection lost: it is opened again after 1 s, 2 s … 30 s, asking for the same id first, so that
 * this process's reservations stay its own).
 */
@Injectable()
export class ProcessLease implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('ProcessLease');
  private client: pg.Client | undefined;
  private held: number | null = null;
  private wanted = randomInt(1, 2 ** 31);
  private retryMs = FIRST_RETRY_MS;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  /** A plain client class, on the writer among DATABASE_URL's hosts when it names several. */
  private readonly Client: typeof pg.Client;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Optional() @Inject(WRITER_DISCOVERY) writers?: WriterDiscovery | null,
  ) {
    this.Client = writerClientClass(writers);
  }

  get holder(): number | null {
    return this.held;
  }

  async onModuleInit(): Promise<void> {
    // Not awaited: a database down at start is the pool's concern; reservations meanwhile have no holder.
    void this.acquire();
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    this.held = null;
    await this.client?.end().catch(() => undefined);
  }

  private async acquire(): Promise<void> {
    if (this.closed) return;
    // The pool's settings (server, keepalive, timeouts), on a plain client: it stays idle on purpose.
    // With several hosts it follows the writer, as the pool does: after a promotion, the lease is taken there.
    const client = new this.Client(this.pool.options as pg.ClientConfig);
    client.on('error', () => undefined); // 'end' follows
    try {
      await client.connect();
      for (let tries = 0; ; tries++) {
        const { rows } = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS ok', [PROCESS_LEASE_LOCK, this.wanted]);
        if (rows[0].ok) break;
        if (tries === 5) throw new Error('no free holder id');
        this.wanted = randomInt(1, 2 ** 31); // another live process has it
      }
    } catch (error) {
      await client.end().catch(() => undefined);
      this.retry(`could not take this process's lease: ${(error as Error).message}`);
      return;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.held = this.wanted;
    this.retryMs = FIRST_RETRY_MS;
    client.once('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.held = null;
      this.retry("lost the connection holding this process's lease");
    });
  }

  private retry(why: string): void {
    if (this.closed) return;
    this.logger.warn(`${why}; idempotency reservations fall back to their age until it is back (trying again in ${this.retryMs / 1000} s)`);
    this.timer = setTimeout(() => void this.acquire(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
  }
}

/**
 * SQL: whether the reservation's holder (a column or parameter, integer) no longer holds its lease
 * in this database — its process is gone.
 */
export function leaseGoneSql(holder: string): string {
  return `(${holder} IS NOT NULL AND NOT EXISTS (
    SELECT 1 FROM pg_locks l
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
       AND l.classid = ${PROCESS_LEASE_LOCK} AND l.objid::bigint = ${holder}
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())))`;
}
