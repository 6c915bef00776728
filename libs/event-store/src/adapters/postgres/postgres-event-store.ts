import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { isDatabaseUnreachable } from '@tthc/platform';
import {
  CommitOutcomeUnknown,
  DuplicateEventIds,
  EventStoreUnavailable,
  WrongExpectedVersion,
  type AppendOptions,
  type ExpectedRevision,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type ReadAllOptions,
  type ReadStreamOptions,
  type RecordedEvent,
  type StreamAppend,
  type SubscribeOptions,
  checkStreamAppends,
} from '../../event-store.port.js';
import { eventContentHash } from '../../tamper-evidence/hash-chain.js';

// The record time comes as the ISO-8601 text RecordedEvent carries (what Date#toISOString writes, to
// the millisecond, truncated as JavaScript truncates): parsing a timestamptz into a Date and writing
// it back out was a third of the client's work per row read (BENCHMARKS.md, "Reading the log").
export const EVENT_COLUMNS = `global_position, stream_id, stream_revision, event_id, event_type, schema_version,
                              data, metadata, to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS recorded_at, hash`;
const SELECT_EVENT = `SELECT ${EVENT_COLUMNS} FROM event_store.events`;

// Only rows of transactions older than the oldest one still running: no row with a lower position
// can commit after them (see append_events in postgres-schema.ts).
const COMMITTED_IN_ORDER = `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`;


export interface EventRow {
  global_position: string;
  stream_id: string;
  stream_revision: number;
  event_id: string;
  event_type: string;
  schema_version: number;
  data: unknown;
  metadata: Omit<RecordedEvent['metadata'], 'recordedAt'>;
  /** ISO-8601, UTC, milliseconds (see EVENT_COLUMNS). */
  recorded_at: string;
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
  private readonly queue: PendingAppend[] = [];
  private inFlight = 0;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: {
      pollIntervalMs?: number;
      notifyDelayMs?: number;
      maxAppendCallsInFlight?: number;
      /** How long finding out a lost append's outcome may take before CommitOutcomeUnknown (ms, default 5,000). */
      outcomeTimeoutMs?: number;
    } = {},
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
      // A NOTIFY takes a transaction id, so its commit waits for a WAL flush like an append's: with
      // appends one at a time that was a second flush per append (BENCHMARKS.md, "Appends: the
      // wake-up's commit"). It is committed asynchronously: a notification lost to a crash only
      // means subscribers find the events at their next poll.
      this.pool
        .query(`SELECT set_config('synchronous_commit', 'off', true), pg_notify('event_store_appended', '')`)
        .catch(() => undefined);
    }, this.options.notifyDelayMs ?? 10).unref();
  }

  /**
   * Appends go through a small group-commit queue: an append waits for nothing when none is in
   * flight; while some are, the ones that arrive meanwhile are sent together, in one call and one
   * commit (append_events_many), each still checked and answered on its own. Appends to one stream
   * keep their order, and never share a call.
   */
  appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) return Promise.reject(new Error('appendToStream needs at least one event'));
    let pending: PendingAppend;
    try {
      pending = prepareAppend(streamId, events, options.expectedRevision ?? 'any');
    } catch (error) {
      return Promise.reject(error);
    }
    const result = new Promise<AppendResult>((resolve, reject) => {
      pending.resolve = resolve;
      pending.reject = reject;
    });
    this.queue.push(pending);
    this.pump();
    return result;
  }

  /**
   * One transaction: append_events_many checks every append and inserts under the same locks and the
   * same global-order rule as single appends (positions and the transaction id taken together under
   * the global lock, so catch-up readers never skip an event); if it reports any append refused, the
   * transaction rolls back and nothing is stored. Not queued for group commit: it is its own group.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    checkStreamAppends(appends);
    const group = appends.map((a) => prepareAppend(a.streamId, a.events, a.expectedRevision ?? 'any'));
    const client = await this.connect();
    let broken = false;
    let lost: LostAnswer;
    try {
      await client.query('BEGIN');
      const rows = await this.callAppendMany(client, group);
      const byAppend = group.map((): AppendManyRow[] => []);
      for (const row of rows) byAppend[(row.append_index ?? 1) - 1].push(row);
      const failed = byAppend.findIndex((own) => own.some((r) => r.error_code !== null));
      if (failed >= 0) {
        await client.query('ROLLBACK');
        throw appendFailure(group[failed], byAppend[failed].find((r) => r.error_code !== null)!);
      }
      await client.query('COMMIT');
      this.announce();
      return group.map((p, index) => appendResult(p.streamId, byAppend[index].sort((a, b) => a.stream_revision - b.stream_revision)));
    } catch (error) {
      if (error instanceof WrongExpectedVersion || error instanceof DuplicateEventIds) throw error;
      broken = true; // an unknown state (the global lock, an open transaction): never hand it on
      if (answerLost(error)) lost = new LostAnswer(client, error);
      else throw translate(error);
    } finally {
      client.release(broken);
    }
    // The answer was lost (before COMMIT was sent too: the session is ended all the same, so that it
    // holds no stream's lock until the server notices): what the store holds is the answer.
    let found: (AppendResult | null)[];
    try {
      found = await this.findAppends(lost.backendPid, group);
    } catch (lookup) {
      throw new CommitOutcomeUnknown(group[0].streamId, group.flatMap((p) => p.ids), { cause: lookup });
    }
    if (found.every((r) => r === null)) throw notAppended(lost);
    if (found.some((r) => r === null)) throw new CommitOutcomeUnknown(group[0].streamId, group.flatMap((p) => p.ids), { cause: lost });
    this.announce();
    return found as AppendResult[];
  }

  private pump(): void {
    const maxInFlight = this.options.maxAppendCallsInFlight ?? 4;
    while (this.inFlight < maxInFlight && this.queue.length > 0) {
      const group = takeGroup(this.queue);
      this.inFlight++;
      void this.sendGroup(group).finally(() => {
        this.inFlight--;
        this.pump();
      });
    }
  }

  private async sendGroup(group: PendingAppend[]): Promise<void> {
    if (group.length === 1) {
      await this.appendOneAnswered(group[0]).then(group[0].resolve, group[0].reject);
      return;
    }
    let rows: AppendManyRow[];
    try {
      rows = await this.appendMany(group);
    } catch (error) {
      if (error instanceof LostAnswer) {
        await this.settleLost(group, error);
        return;
      }
      if (error instanceof EventStoreUnavailable) {
        for (const p of group) p.reject(error);
        return;
      }
      // Whatever failed the whole call (a deadlock with another process, a cancel), each append is
      // tried again on its own and answered by that.
      for (const p of group) await this.appendOneAnswered(p).then(p.resolve, p.reject);
      return;
    }
    this.announce();
    group.forEach((p, index) => {
      const own = rows.filter((r) => r.append_index === index + 1);
      const failure = own.find((r) => r.error_code !== null);
      if (failure) {
        p.reject(appendFailure(p, failure));
      } else if (own.length !== p.ids.length) {
        p.reject(new Error(`append_events_many answered ${own.length} events for an append of ${p.ids.length} to ${p.streamId}`));
      } else {
        p.resolve(appendResult(p.streamId, own.sort((a, b) => (a.stream_revision ?? 0) - (b.stream_revision ?? 0))));
      }
    });
  }

  /**
   * A group call whose answer was lost: each append is answered with what the store holds. Found:
   * its events. Not found while others of the call are: the call committed without it (its own check
   * refused it), so it is tried again on its own for the reason. None found: nothing was written.
   */
  private async settleLost(group: PendingAppend[], lost: LostAnswer): Promise<void> {
    let found: (AppendResult | null)[];
    try {
      found = await this.findAppends(lost.backendPid, group);
    } catch (error) {
      for (const p of group) p.reject(new CommitOutcomeUnknown(p.streamId, p.ids, { cause: error }));
      return;
    }
    if (found.some((r) => r !== null)) this.announce();
    const committed = found.some((r) => r !== null);
    for (const [index, p] of group.entries()) {
      const result = found[index];
      if (result) p.resolve(result);
      else if (committed) await this.appendOneAnswered(p).then(p.resolve, p.reject);
      else p.reject(notAppended(lost));
    }
  }

  private async appendMany(group: PendingAppend[]): Promise<AppendManyRow[]> {
    const client = await this.connect();
    let broken = false;
    try {
      return await this.callAppendMany(client, group);
    } catch (error) {
      broken = true; // the session may hold the global lock if the error came while it was taken
      if (answerLost(error)) throw new LostAnswer(client, error);
      throw translate(error);
    } finally {
      client.release(broken);
    }
  }

  private async callAppendMany(client: pg.PoolClient, group: readonly PendingAppend[]): Promise<AppendManyRow[]> {
    const all = <K extends keyof PendingAppend>(key: K) => group.flatMap((p) => p[key] as unknown[]);
    const { rows } = await client.query<AppendManyRow>(
      `SELECT * FROM event_store.append_events_many($1::text[], $2::text[], $3::integer[], $4::uuid[], $5::text[],
         $6::integer[], $7::jsonb[], $8::jsonb[], $9::timestamptz[], $10::text[])`,
      [
        group.map((p) => p.streamId),
        group.map((p) => String(p.expected)),
        group.flatMap((p, index) => p.ids.map(() => index + 1)),
        all('ids'),
        all('types'),
        all('versions'),
        all('data'),
        all('metadata'),
        all('recordedAt'),
        all('contentHashes'),
      ],
    );
    return rows;
  }

  private async appendOne(p: PendingAppend): Promise<AppendResult> {
    const client = await this.connect();
    let broken = false;
    try {
      const { rows } = await client.query<AppendManyRow>(
        `SELECT * FROM event_store.append_events($1, $2, $3::uuid[], $4::text[], $5::integer[], $6::jsonb[], $7::jsonb[], $8::timestamptz[], $9::text[])`,
        [p.streamId, String(p.expected), p.ids, p.types, p.versions, p.data, p.metadata, p.recordedAt, p.contentHashes],
      );
      this.announce();
      return appendResult(p.streamId, rows);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ES001') {
        const actual = (error as Error).message;
        throw new WrongExpectedVersion(p.streamId, p.expected, actual === 'no_stream' ? 'no_stream' : Number(actual));
      }
      // 23505 on the event id: a concurrent append of the same new id to another stream committed first.
      if (code === 'ES002' || (code === '23505' && (error as { constraint?: string }).constraint === 'events_event_id_key')) {
        throw new DuplicateEventIds(p.streamId, p.ids);
      }
      // append_events releases its session-level global lock on error (schema version 2); a connection
      // in an unknown state is dropped all the same rather than handed to the next caller.
      broken = true;
      if (answerLost(error)) throw new LostAnswer(client, error);
      throw translate(error);
    } finally {
      client.release(broken);
    }
  }

  /**
   * appendOne, and when its answer was lost, the truth about it: its events if they are in the
   * store, EventStoreUnavailable if they are not, CommitOutcomeUnknown if the store cannot be asked.
   */
  private async appendOneAnswered(p: PendingAppend): Promise<AppendResult> {
    try {
      return await this.appendOne(p);
    } catch (error) {
      if (!(error instanceof LostAnswer)) throw error;
      let found: AppendResult | null;
      try {
        [found] = await this.findAppends(error.backendPid, [p]);
      } catch (lookup) {
        throw new CommitOutcomeUnknown(p.streamId, p.ids, { cause: lookup });
      }
      if (found === null) throw notAppended(error);
      this.announce();
      return found;
    }
  }

  /**
   * Finds out what became of appends whose answer was lost, on a connection of its own (the pool's
   * may be stuck the same way). The session that ran them is ended first and waited for
   * (pg_terminate_backend): a transaction that had not committed then never will, so what the lookup
   * finds is final. Each append's events by id, as its result, or null when none is there.
   *
   * @throws whatever stops the lookup (unreachable, `outcomeTimeoutMs` passed): the outcome is unknown.
   */
  private async findAppends(backendPid: number | undefined, group: readonly PendingAppend[]): Promise<(AppendResult | null)[]> {
    const timeoutMs = this.options.outcomeTimeoutMs ?? 5_000;
    const options = this.pool.options as pg.ClientConfig & { Client?: typeof pg.Client };
    const client = new (options.Client ?? pg.Client)({ ...options, connectionTimeoutMillis: Math.min(options.connectionTimeoutMillis || timeoutMs, timeoutMs) });
    client.on('error', () => undefined);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`the outcome could not be checked within ${timeoutMs} ms`)), timeoutMs);
    });
    const lookup = async () => {
      await client.connect();
      if (backendPid !== undefined) {
        const { rows: ended } = await client.query<{ ended: boolean }>(
          `SELECT pg_terminate_backend(pid, $2) AS ended FROM pg_stat_activity
            WHERE pid = $1 AND datname = current_database() AND usename = current_user`,
          [backendPid, timeoutMs],
        );
        // Still running after the wait: it might yet commit, so nothing found now would prove nothing.
        if (ended.some((r) => !r.ended)) throw new Error(`the session ${backendPid} that ran the append did not end within ${timeoutMs} ms`);
      }
      const { rows } = await client.query<AppendManyRow & { stream_id: string }>(
        `SELECT event_id, event_type, stream_id, stream_revision, global_position FROM event_store.events
          WHERE event_id = ANY ($1::uuid[]) ORDER BY global_position`,
        [group.flatMap((p) => p.ids)],
      );
      return group.map((p) => {
        const own = rows.filter((r) => p.ids.includes(r.event_id));
        if (own.length === 0) return null;
        if (own.length !== p.ids.length || own.some((r) => r.stream_id !== p.streamId)) throw new DuplicateEventIds(p.streamId, p.ids);
        return appendResult(p.streamId, own.sort((a, b) => a.stream_revision - b.stream_revision));
      });
    };
    try {
      return await Promise.race([lookup(), deadline]);
    } finally {
      clearTimeout(timer);
      // On a silent network end() would wait for ever: the socket is dropped instead.
      (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
    }
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const { rows } = await this.query<EventRow>(
      `${SELECT_EVENT} WHERE stream_id = $1 AND stream_revision >= $2 ORDER BY stream_revision LIMIT $3`,
      [streamId, options.fromRevision ?? 0, options.maxCount ?? null],
    );
    return rows.map(toRecorded);
  }

  /** One query for all the streams (the primary key's index on stream_id, stream_revision). */
  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const out = new Map<string, RecordedEvent[]>();
    if (streamIds.length === 0) return out;
    const { rows } = await this.query<EventRow>(
      `${SELECT_EVENT} WHERE stream_id = ANY($1::text[]) ORDER BY stream_id, stream_revision`,
      [[...new Set(streamIds)]],
    );
    for (const row of rows) {
      const event = toRecorded(row);
      const list = out.get(event.streamId);
      if (list) list.push(event);
      else out.set(event.streamId, [event]);
    }
    return out;
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

/** An append waiting in the group-commit queue, its parameters already encoded. */
interface PendingAppend {
  streamId: string;
  expected: ExpectedRevision;
  ids: string[];
  types: string[];
  versions: number[];
  data: string[];
  metadata: string[];
  recordedAt: (string | null)[];
  contentHashes: string[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

interface AppendManyRow {
  append_index?: number;
  event_id: string;
  event_type: string;
  stream_revision: number;
  global_position: string;
  error_code?: string | null;
  error_detail?: string | null;
}

/** Encodes an append (throws for data that JSON cannot carry, before anything is queued). */
function prepareAppend(streamId: string, events: readonly NewEvent[], expected: ExpectedRevision): PendingAppend {
  return {
    streamId,
    expected,
    ids: events.map((e) => e.id),
    types: events.map((e) => e.type),
    versions: events.map((e) => e.schemaVersion),
    data: events.map((e) => toJson(e.data, e.id)),
    metadata: events.map((e) => JSON.stringify(withoutRecordedAt(e.metadata))),
    recordedAt: events.map((e) => e.metadata.recordedAt ?? null),
    // append_events chains each event's hash over these (tamper-evidence/hash-chain.ts).
    contentHashes: events.map(eventContentHash),
    resolve: () => undefined,
    reject: () => undefined,
  };
}

const MAX_GROUP_APPENDS = 64;
const MAX_GROUP_EVENTS = 200;

/**
 * Takes the next group off the queue, in order: appends to streams and with ids not already in the
 * group (append_events_many's checks cannot see each other's pending rows), so that appends to one
 * stream stay in order across groups.
 */
function takeGroup(queue: PendingAppend[]): PendingAppend[] {
  const group: PendingAppend[] = [];
  const streams = new Set<string>();
  const ids = new Set<string>();
  let events = 0;
  for (let i = 0; i < queue.length && group.length < MAX_GROUP_APPENDS; ) {
    const p = queue[i];
    const fits = group.length === 0 || (events + p.ids.length <= MAX_GROUP_EVENTS && !streams.has(p.streamId) && !p.ids.some((id) => ids.has(id)));
    if (fits) {
      group.push(p);
      queue.splice(i, 1);
      events += p.ids.length;
      for (const id of p.ids) ids.add(id);
    } else {
      i++;
    }
    streams.add(p.streamId); // also when left queued: a later append to it must not overtake it
  }
  return group;
}

/** The error of an append that append_events_many reported refused. */
function appendFailure(p: PendingAppend, failure: AppendManyRow): Error {
  if (failure.error_code === 'ES001') {
    const actual = failure.error_detail ?? 'no_stream';
    return new WrongExpectedVersion(p.streamId, p.expected, actual === 'no_stream' ? 'no_stream' : Number(actual));
  }
  return new DuplicateEventIds(p.streamId, p.ids);
}

function appendResult(streamId: string, rows: AppendManyRow[]): AppendResult {
  return {
    streamId,
    nextExpectedRevision: rows[rows.length - 1].stream_revision,
    events: rows.map((r) => ({ id: r.event_id, type: r.event_type, revision: r.stream_revision, globalPosition: Number(r.global_position) })),
  };
}

export function toRecorded(row: EventRow): RecordedEvent {
  // The row's metadata object is its own (parsed from this row's jsonb): completed in place.
  const metadata = row.metadata as RecordedEvent['metadata'];
  metadata.recordedAt = row.recorded_at;
  const event: RecordedEvent = {
    id: row.event_id,
    streamId: row.stream_id,
    revision: row.stream_revision,
    globalPosition: Number(row.global_position),
    type: row.event_type,
    schemaVersion: row.schema_version,
    data: row.data,
    metadata,
  };
  if (row.hash !== null) event.hash = row.hash;
  return event;
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

/**
 * The call was sent and no answer came: the connection failed or stayed silent (the client-side bound
 * ended it). An error the server sent (a DatabaseError, with its severity) is an answer: the statement
 * failed, and an autocommitted call rolled back.
 */
function answerLost(error: unknown): boolean {
  const severity = (error as { severity?: unknown } | null)?.severity; // duck-typed, as in isDatabaseUnreachable
  return typeof severity !== 'string' && isDatabaseUnreachable(error);
}

/** An append call whose answer was lost, with the server session that ran it. */
class LostAnswer extends Error {
  readonly backendPid: number | undefined;
  constructor(client: pg.PoolClient, cause: unknown) {
    super('the answer to an append was lost', { cause });
    this.backendPid = (client as unknown as { processID?: number }).processID ?? undefined;
  }
}

function notAppended(lost: LostAnswer): EventStoreUnavailable {
  return new EventStoreUnavailable('The event store is unreachable; nothing was appended', { cause: lost.cause });
}

function translate(error: unknown): Error {
  if (isDatabaseUnreachable(error)) {
    return new EventStoreUnavailable('The event store is unreachable', { cause: error });
  }
  return error as Error;
}
