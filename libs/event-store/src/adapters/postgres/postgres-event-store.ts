import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import {
  DuplicateEventIds,
  EventStoreUnavailable,
  WrongExpectedVersion,
  type AppendOptions,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscribeOptions,
} from '../../event-store.port.js';
import { eventContentHash } from '../../tamper-evidence/hash-chain.js';

export const EVENT_COLUMNS = `global_position, stream_id, stream_revision, event_id, event_type, schema_version,
                              data, metadata, recorded_at, hash`;
const SELECT_EVENT = `SELECT ${EVENT_COLUMNS} FROM event_store.events`;

// Only rows of transactions older than the oldest one still running: no row with a lower position
// can commit after them (see append_events in postgres-schema.ts).
const COMMITTED_IN_ORDER = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;

/** Errors of the connection, not of the statement: the store is unreachable or restarting. */
const UNAVAILABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', '57P01', '57P02', '57P03', '08000', '08001', '08003', '08006']);

export interface EventRow {
  global_position: string;
  stream_id: string;
  stream_revision: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: Omit<RecordedEvent['metadata'], 'recordedAt'>;
  recorded_at: Date;
  hash: string | null;
}

/**
 * The default event store: one PostgreSQL table, appends through one SQL function call.
 *
 * @example
 *   const store = new PostgresEventStore(new pg.Pool({ connectionString }));
 *   await migrateEventStore(pool);
 *   await store.appendToStream('procedure-74:1.001612', [event], { expectedRevision: 'no_stream' });
 */
export class PostgresEventStore implements EventStore {
  /** Wakes this process's subscriptions as soon as one of its own appends commits. */
  private readonly appended = new EventEmitter().setMaxListeners(0);
  private notifyScheduled = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { pollIntervalMs?: number; notifyDelayMs?: number } = {},
  ) {}

  /**
   * Tells subscribers that the log grew. Not from inside append_events: a NOTIFY there serialises
   * every appending transaction's commit (see migration 4). In this process at once; to other
   * processes by one NOTIFY per `notifyDelayMs` (default 10 ms), sent on its own.
   */
  private announce(): void {
    this.appended.emit('appended');
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    setTimeout(() => {
      this.notifyScheduled = false;
      this.pool.query(`SELECT pg_notify('event_store_appended', '')`).catch(() => undefined);
    }, this.options.notifyDelayMs ?? 10).unref();
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const expected = options.expectedRevision ?? 'any';
    const data = events.map((e) => toJson(e.data, e.id));
    const params = [
      streamId,
      String(expected),
      events.map((e) => e.id),
      events.map((e) => e.type),
      events.map((e) => e.schemaVersion),
      data,
      events.map((e) => JSON.stringify(withoutRecordedAt(e.metadata))),
      events.map((e) => e.metadata.recordedAt ?? null),
      // append_events chains each event's hash over these (tamper-evidence/hash-chain.ts).
      events.map(eventContentHash),
    ];
    const client = await this.connect();
    let broken = false;
    try {
      const { rows } = await client.query<{ event_id: string; event_type: string; stream_revision: number; global_position: string }>(
        `SELECT * FROM event_store.append_events($1, $2, $3::uuid[], $4::text[], $5::integer[], $6::jsonb[], $7::jsonb[], $8::timestamptz[], $9::text[])`,
        params,
      );
      this.announce();
      return {
        streamId,
        nextExpectedRevision: rows[rows.length - 1].stream_revision,
        events: rows.map((r) => ({ id: r.event_id, type: r.event_type, revision: r.stream_revision, globalPosition: Number(r.global_position) })),
      };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ES001') {
        const actual = (error as Error).message;
        throw new WrongExpectedVersion(streamId, expected, actual === 'no_stream' ? 'no_stream' : Number(actual));
      }
      // 23505 on the event id: a concurrent append of the same new id to another stream committed first.
      if (code === 'ES002' || (code === '23505' && (error as { constraint?: string }).constraint === 'events_event_id_key')) {
        throw new DuplicateEventIds(streamId, events.map((e) => e.id));
      }
      // append_events releases its session-level global lock on error (schema version 2); a connection
      // in an unknown state is dropped all the same rather than handed to the next caller.
      broken = true;
      throw translate(error);
    } finally {
      client.release(broken);
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.query<EventRow>(
      `${SELECT_EVENT} WHERE stream_id = $1 AND stream_revision >= $2 ORDER BY stream_revision LIMIT $3`,
      [streamId, options.fromRevision ?? 0, options.maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.query<EventRow>(
      `${SELECT_EVENT} WHERE global_position > $1 AND ${COMMITTED_IN_ORDER} ORDER BY global_position LIMIT $2`,
      [options.after ?? 0, options.limit ?? 1000],
    );
    return rows.map(toRecorded);
  }

  async headPosition(): Promise<number> {
    const { rows } = await this.query<{ position: string | null }>(
      `SELECT max(global_position) AS position FROM event_store.events WHERE ${COMMITTED_IN_ORDER}`,
    );
    return Number(rows[0].position ?? 0);
  }

  /**
   * Polls the log, woken early by NOTIFY from append_events. A notification can arrive while an
   * older transaction still holds the horizon back, so an empty read after one is retried soon.
   */
  async *subscribeToAll({ after = 0, batchSize = 1000, signal }: SubscribeOptions): AsyncIterable<RecordedEvent[]> {
    const pollMs = this.options.pollIntervalMs ?? 500;
    const listener = new NotificationListener(this.pool, this.appended);
    await listener.start();
    try {
      let position = after;
      while (!signal.aborted) {
        const batch = await this.readAll({ after: position, limit: batchSize });
        if (batch.length > 0) {
          position = batch[batch.length - 1].globalPosition;
          yield batch;
          continue;
        }
        const notified = await listener.wait(pollMs, signal);
        if (notified) await sleep(5, undefined, { signal }).catch(() => undefined);
      }
    } finally {
      await listener.stop();
    }
  }

  async close(): Promise<void> {
    // The pool belongs to whoever created it.
  }

  private async connect(): Promise<pg.PoolClient> {
    try {
      return await this.pool.connect();
    } catch (error) {
      throw translate(error);
    }
  }

  private async query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<pg.QueryResult<R>> {
    try {
      return await this.pool.query<R>(sql, params);
    } catch (error) {
      throw translate(error);
    }
  }
}

/** LISTEN on a dedicated connection; `wait` resolves true on a notification, false on timeout. */
class NotificationListener {
  private client: pg.PoolClient | undefined;
  private pending = false;
  private wake: (() => void) | undefined;
  private readonly onLocalAppend = () => {
    this.pending = true;
    this.wake?.();
  };

  constructor(
    private readonly pool: pg.Pool,
    private readonly local: EventEmitter,
  ) {}

  async start(): Promise<void> {
    this.local.on('appended', this.onLocalAppend);
    try {
      this.client = await this.pool.connect();
      // A checked-out client has no error listener of the pool's: without one, losing the connection
      // would crash the process. The subscription carries on by polling.
      this.client.on('error', () => {
        const client = this.client;
        this.client = undefined;
        client?.release(true);
      });
      this.client.on('notification', () => {
        this.pending = true;
        this.wake?.();
      });
      await this.client.query('LISTEN event_store_appended');
    } catch {
      // Without notifications the subscription still works, by polling.
      this.client?.release(true);
      this.client = undefined;
    }
  }

  async wait(timeoutMs: number, signal: AbortSignal): Promise<boolean> {
    // The signal may have aborted while the caller was reading: it would never fire again.
    if (!this.pending && !signal.aborted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, timeoutMs);
        const onAbort = () => done();
        signal.addEventListener('abort', onAbort, { once: true });
        this.wake = done;
        function done() {
          clearTimeout(timer);
          signal.removeEventListener('abort', onAbort);
          resolve();
        }
      });
      this.wake = undefined;
    }
    const notified = this.pending;
    this.pending = false;
    return notified;
  }

  async stop(): Promise<void> {
    this.local.off('appended', this.onLocalAppend);
    if (!this.client) return;
    const client = this.client;
    this.client = undefined;
    await client.query('UNLISTEN *').catch(() => undefined);
    client.release(true);
  }
}

export function toRecorded(row: EventRow): RecordedEvent {
  return {
    id: row.event_id,
    streamId: row.stream_id,
    revision: row.stream_revision,
    globalPosition: Number(row.global_position),
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata: { ...row.metadata, recordedAt: row.recorded_at.toISOString() },
    ...(row.hash !== null && { hash: row.hash }),
  };
}

function toJson(data: unknown, eventId: string): string {
  const json = JSON.stringify(data);
  if (json === undefined) throw new TypeError(`The data of event ${eventId} cannot be represented as JSON`);
  return json;
}

function withoutRecordedAt(metadata: NewEvent['metadata']) {
  const { recordedAt: _recordedAt, ...rest } = metadata;
  return rest;
}

function translate(error: unknown): Error {
  const code = (error as { code?: string }).code;
  const message = (error as Error).message ?? '';
  if ((code && UNAVAILABLE_CODES.has(code)) || /Connection terminated|timeout exceeded when trying to connect/i.test(message)) {
    return new EventStoreUnavailable('The event store is unreachable', { cause: error });
  }
  return error as Error;
}
