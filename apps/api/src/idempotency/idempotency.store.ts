import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '@tthc/platform';
import { IdempotencyKeyInFlight, IdempotencyKeyReused } from './idempotency.errors.js';
import { ProcessLease, leaseGoneSql } from './process-lease.js';

/** The first reply to a key, replayed for its repeats. */
export interface StoredReply {
  status: number;
  etag: string | null;
  body: unknown;
}

export type Reservation = { kind: 'reserved' } | { kind: 'replay'; reply: StoredReply };

export interface IdempotencyOptions {
  /** How long a repeat waits for the first request to finish before a 409. */
  waitMs: number;
  pollMs: number;
  /**
   * A reservation older than this is from a process that died mid-request; it may be taken over.
   * One whose process's lease (ProcessLease) is gone is taken over at once.
   */
  abandonedAfterSeconds: number;
}

export const IDEMPOTENCY_OPTIONS = Symbol('IDEMPOTENCY_OPTIONS');
export const DEFAULT_IDEMPOTENCY_OPTIONS: IdempotencyOptions = { waitMs: 10_000, pollMs: 50, abandonedAfterSeconds: 60 };

/**
 * sha256 of the caller, method, path and the body as canonical JSON (keys sorted, so key order does not
 * matter). With the caller in it, another token's subject reusing a key gets 422, never the first reply.
 */
export function requestHash(method: string, path: string, body: unknown, caller = ''): string {
  const who = caller === '' ? '' : `${JSON.stringify(caller)}\n`;
  return createHash('sha256').update(`${who}${method.toUpperCase()} ${path}\n${canonicalJson(body ?? null)}`).digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Idempotency keys in `api.idempotency_keys`. A key is reserved atomically before the command runs
 * (INSERT … ON CONFLICT DO NOTHING), completed with the reply, or released when the command fails, so
 * that a failed attempt may be retried with the same key.
 */
@Injectable()
export class IdempotencyStore {
  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(IDEMPOTENCY_OPTIONS) private readonly options: IdempotencyOptions,
    private readonly lease: ProcessLease,
  ) {}

  /** Reserves `key` for this request, or returns the first request's reply (waiting while it runs). */
  async reserve(key: string, hash: string): Promise<Reservation> {
    const deadline = Date.now() + this.options.waitMs;
    for (;;) {
      // Abandoned: its process's lease is gone (it died), or, where that cannot be told, it is old.
      await this.pool.query(
        `DELETE FROM api.idempotency_keys
          WHERE key = $1 AND status IS NULL
            AND (created_at < now() - make_interval(secs => $2) OR ${leaseGoneSql('holder')})`,
        [key, this.options.abandonedAfterSeconds],
      );
      const inserted = await this.pool.query(
        `INSERT INTO api.idempotency_keys (key, request_hash, holder) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING RETURNING key`,
        [key, hash, this.lease.holder],
      );
      if (inserted.rowCount === 1) return { kind: 'reserved' };
      const { rows } = await this.pool.query<{ request_hash: string; status: number | null; response: StoredReply | null }>(
        `SELECT request_hash, status, response FROM api.idempotency_keys WHERE key = $1`,
        [key],
      );
      const row = rows[0];
      if (row === undefined) continue; // released by a failed first attempt: try to reserve again
      if (row.request_hash !== hash) throw new IdempotencyKeyReused(key);
      if (row.status !== null && row.response !== null) return { kind: 'replay', reply: row.response };
      if (Date.now() >= deadline) throw new IdempotencyKeyInFlight(key);
      await sleep(this.options.pollMs);
    }
  }

  async complete(key: string, reply: StoredReply): Promise<void> {
    await this.pool.query(
      `UPDATE api.idempotency_keys SET status = $2, response = $3, completed_at = now() WHERE key = $1`,
      [key, reply.status, JSON.stringify(reply)],
    );
  }

  async release(key: string): Promise<void> {
    await this.pool.query(`DELETE FROM api.idempotency_keys WHERE key = $1 AND status IS NULL`, [key]);
  }
}
