import type pg from 'pg';
import { ADVISORY_LOCKS } from '@tthc/platform';
import type { EventLogSource, LogDigestCheckpoint, LogEntryHash, StoredEvent } from '../../tamper-evidence/event-log-source.js';
import { GENESIS_HASH, nextLogDigest } from '../../tamper-evidence/hash-chain.js';
import { EVENT_COLUMNS, toRecorded, type EventRow } from './postgres-event-store.js';

// As the adapter's readers: only rows of transactions older than every running one (see append_events).
const COMMITTED_IN_ORDER = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

/** Digest checkpoints are written under this advisory lock, so that two advancers never interleave. */
const DIGEST_LOCK = [...ADVISORY_LOCKS.logDigest];

export interface AdvanceLogDigestOptions {
  /** Digest no further than this position (default: the head). */
  upTo?: number;
  /** A checkpoint row every this many events (default 1,000), and one at the end. */
  checkpointEvery?: number;
}

/**
 * Extends the log digest checkpoints (event_store.log_digests) from the last one over the events
 * committed since, in position order: `digest_n = sha256(digest_{n-1} hash_n)`. Only events a reader
 * may see are digested (the pg_snapshot_xmin rule), so no event can later appear below a
 * checkpoint. Each run of `checkpointEvery` events is its own short transaction, ending with its
 * checkpoint row: a long transaction would hold back every reader of the log.
 *
 * @example
 *   const last = await advanceLogDigest(pool); // { position, digest, events } or null for an empty log
 */
export async function advanceLogDigest(pool: pg.Pool, options: AdvanceLogDigestOptions = {}): Promise<LogDigestCheckpoint | null> {
  const every = options.checkpointEvery ?? 1_000;
  if (!Number.isSafeInteger(every) || every < 1) throw new RangeError(`checkpointEvery must be a positive integer, got ${every}`);
  for (;;) {
    const client = await pool.connect();
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', DIGEST_LOCK);
      const last = await lastCheckpoint(client);
      const { rows } = await client.query<{ global_position: string; hash: string }>(
        `SELECT global_position, hash FROM event_store.events
         WHERE global_position > $1 AND ($2::bigint IS NULL OR global_position <= $2) AND ${COMMITTED_IN_ORDER}
         ORDER BY global_position LIMIT $3`,
        [last?.position ?? 0, options.upTo ?? null, every],
      );
      if (rows.length === 0) {
        await client.query('COMMIT');
        return last;
      }
      let digest = last?.digest ?? GENESIS_HASH;
      for (const row of rows) digest = nextLogDigest(digest, row.hash);
      const checkpoint = { position: Number(rows[rows.length - 1].global_position), digest, events: (last?.events ?? 0) + rows.length };
      await client.query(`INSERT INTO event_store.log_digests (position, digest, events) VALUES ($1, $2, $3)`, [
        checkpoint.position,
        checkpoint.digest,
        checkpoint.events,
      ]);
      await client.query('COMMIT');
      if (rows.length < every) return checkpoint;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * Makes the next append take `position` (importEventLog's `reservePosition`, so that an import keeps
 * the source's positions, gaps included). Only sound while nobody else appends.
 */
export async function reservePostgresPosition(pool: pg.Pool, position: number): Promise<void> {
  await pool.query(`SELECT setval('event_store.global_position_seq', $1, false)`, [position]);
}

async function lastCheckpoint(client: pg.ClientBase): Promise<LogDigestCheckpoint | null> {
  const { rows } = await client.query<{ position: string; digest: string; events: string }>(
    `SELECT position, digest, events FROM event_store.log_digests ORDER BY position DESC LIMIT 1`,
  );
  return rows.length === 0 ? null : { position: Number(rows[0].position), digest: rows[0].digest, events: Number(rows[0].events) };
}

/**
 * The PostgreSQL event store as the EventLogVerifier reads it: rows as stored (with their content
 * hash), streams by the (stream_id, stream_revision) index, and the digest checkpoints.
 *
 * @example
 *   const report = await new EventLogVerifier(new PostgresEventLog(pool)).verify();
 */
export class PostgresEventLog implements EventLogSource {
  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { checkpointEvery?: number } = {},
  ) {}

  async headPosition(): Promise<number> {
    const { rows } = await this.pool.query<{ position: string | null }>(
      `SELECT max(global_position) AS position FROM event_store.events WHERE ${COMMITTED_IN_ORDER}`,
    );
    return Number(rows[0].position ?? 0);
  }

  // Rows at or below a head read earlier are final (positions follow transaction ids), so no
  // horizon is needed below `upTo`.
  async readLogHashes(after: number, upTo: number, limit: number): Promise<LogEntryHash[]> {
    const { rows } = await this.pool.query<{ global_position: string; hash: string | null }>(
      `SELECT global_position, hash FROM event_store.events
       WHERE global_position > $1 AND global_position <= $2 ORDER BY global_position LIMIT $3`,
      [after, upTo, limit],
    );
    return rows.map((r) => ({ globalPosition: Number(r.global_position), hash: r.hash ?? undefined }));
  }

  async *readStreams(upTo: number, batchSize: number): AsyncIterable<StoredEvent[]> {
    const select = `SELECT ${EVENT_COLUMNS}, content_hash FROM event_store.events`;
    let last: { streamId: string; revision: number } | undefined;
    for (;;) {
      const { rows } = last
        ? await this.pool.query<EventRow & { content_hash: string | null }>(
            `${select} WHERE (stream_id, stream_revision) > ($1, $2) AND global_position <= $3
             ORDER BY stream_id, stream_revision LIMIT $4`,
            [last.streamId, last.revision, upTo, batchSize],
          )
        : await this.pool.query<EventRow & { content_hash: string | null }>(
            `${select} WHERE global_position <= $1 ORDER BY stream_id, stream_revision LIMIT $2`,
            [upTo, batchSize],
          );
      if (rows.length === 0) return;
      yield rows.map((row) => ({ ...toRecorded(row), ...(row.content_hash !== null && { contentHash: row.content_hash }) }));
      const end = rows[rows.length - 1];
      last = { streamId: end.stream_id, revision: end.stream_revision };
    }
  }

  async readCheckpoints(): Promise<LogDigestCheckpoint[]> {
    const { rows } = await this.pool.query<{ position: string; digest: string; events: string }>(
      `SELECT position, digest, events FROM event_store.log_digests ORDER BY position`,
    );
    return rows.map((r) => ({ position: Number(r.position), digest: r.digest, events: Number(r.events) }));
  }

  advanceLogDigest(): Promise<LogDigestCheckpoint | null> {
    return advanceLogDigest(this.pool, { checkpointEvery: this.options.checkpointEvery });
  }
}
