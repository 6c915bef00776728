import {
  ANY,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  jsonEvent,
  streamNameFilter,
  type AppendStreamState,
  type CurrentStreamState,
  type EventData,
  type Filter,
  type JSONType,
  type Position,
  type ReadPosition,
  type RecordedEvent as KurrentRecordedEvent,
} from '@kurrent/kurrentdb-client';
import {
  DuplicateEventIds,
  EventStoreUnavailable,
  MultiStreamAppendUnsupported,
  WrongExpectedVersion,
  type ExpectedRevision,
  type NewEvent,
  type RecordedEvent,
  type StreamAppend,
} from '../../event-store.port.js';

/*
 * The pure half of the KurrentDB adapter: positions, revisions, errors, serialization and the
 * server-side filter. Unit-tested in kurrentdb-mapping.unit.spec.ts; the adapter only does I/O.
 */

// ---- Positions ---------------------------------------------------------------------------------

/**
 * A KurrentDB `$all` position is a pair of byte offsets into the transaction log, `{ commit, prepare }`,
 * ordered by commit, then prepare. The port's `globalPosition` is one JS number. The mapping is the
 * event's own log offset, and it is faithful because of how the server writes and reads:
 *
 * - An append over gRPC writes one prepare record per event, each flagged IsCommitted (the event
 *   commits itself; there is no commit record): StorageWriterService.WritePrepares. The `$all` reader
 *   gives such an event the position (LogPosition, LogPosition) (AllReader.ReadAllEventsForward), and
 *   stream reads give it the same pair (ResolvedEvent.CalculatePosition: "unless it committed itself",
 *   servers from 22.6 on). So the events of one append do *not* share a commit position: each has its
 *   own record offset, and `$all` order is offset order. Strictly increasing, as the port requires;
 *   the gaps are record sizes and other streams' records.
 * - commit ≠ prepare only for explicit transactions (several prepares under one later commit record),
 *   which only the legacy TCP protocol could write and KurrentDB no longer serves. Their prepare
 *   offsets are not in `$all` order, so no single number maps them faithfully: such a position is
 *   refused, not approximated. None can occur in this application's streams, which only this adapter
 *   writes.
 * - Offsets are byte counts: 2^53 bytes is 8 PiB of log, so a JS number (and the read models' bigint
 *   checkpoint column) holds every real one exactly; a larger one is refused, never rounded.
 * - Every node of a cluster has the same log, byte for byte, so a checkpoint stays valid across a
 *   leader change. It is NOT valid against another store: after moving the log (`migrate-events`),
 *   rebuild the read models.
 * - Reading `$all` forward from a position includes the event at it (the reader compares `>= pos`);
 *   a subscription starts after it. The adapter reads from `{ after, after }` and drops anything at or
 *   below `after` either way.
 */
export function toGlobalPosition(position: Position | undefined, eventId: string): number {
  if (position === undefined || position.commit === U64_MAX) {
    throw new Error(`KurrentDB gave event ${eventId} no log position: the server must be EventStoreDB 22.10 or later, or KurrentDB`);
  }
  if (position.commit !== position.prepare) {
    throw new Error(
      `Event ${eventId} was committed by an explicit transaction (commit ${position.commit}, prepare ${position.prepare}); ` +
        'its position has no single-number equivalent, and this application never writes such events',
    );
  }
  if (position.commit <= 0n || position.commit > MAX_SAFE) {
    throw new Error(`Log position ${position.commit} of event ${eventId} is outside 1..2^53-1 and cannot be a global position`);
  }
  return Number(position.commit);
}

/** Where to read `$all` from to get the events after `after` (0: from the start). */
export function toReadPosition(after: number): ReadPosition {
  if (!Number.isSafeInteger(after) || after < 0) throw new TypeError(`A global position is a non-negative integer, got ${after}`);
  if (after === 0) return START;
  return { commit: BigInt(after), prepare: BigInt(after) };
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
/** What older servers put in a position they do not know (2^64 - 1). */
const U64_MAX = 2n ** 64n - 1n;

// ---- Revisions ---------------------------------------------------------------------------------

export function toStreamState(expected: ExpectedRevision): AppendStreamState {
  switch (expected) {
    case 'any':
      return ANY;
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    default:
      if (!Number.isSafeInteger(expected) || expected < 0) {
        throw new TypeError(`An expected revision is 'any', 'no_stream', 'stream_exists' or a non-negative integer, got ${expected}`);
      }
      return BigInt(expected);
  }
}

/** The stream's revision as the server reported it; negative states (deleted, tombstoned) count as absent. */
export function toActualRevision(actual: CurrentStreamState | undefined): number | 'no_stream' {
  if (actual === undefined || actual === NO_STREAM || actual < 0n) return 'no_stream';
  return Number(actual);
}

// ---- Errors ------------------------------------------------------------------------------------

/** ErrorType values of the client's CommandError subclasses that mean "the store cannot be reached now". */
const UNAVAILABLE_TYPES = new Set(['unavailable', 'deadline-exceeded', 'not-leader', 'timeout']);
/** gRPC status codes UNAVAILABLE and DEADLINE_EXCEEDED: some client paths reject with the raw ServiceError. */
const UNAVAILABLE_GRPC_CODES = new Set([14, 4]);
const UNAVAILABLE_SYSCALL_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);

/**
 * The error of a failed append, in the port's terms. KurrentDB answers a batch whose ids are only
 * partly an earlier append's ("corrupted idempotency") with WrongExpectedVersion, whatever the expected
 * state (StorageWriterService.ActOnCommitCheckFailure). With `any`, or `stream_exists` on an existing
 * stream, no version check can fail, so that answer can only mean reused ids: DuplicateEventIds, as
 * PostgreSQL would say. With an exact revision the two cannot be told apart; it stays a
 * WrongExpectedVersion (the caller re-reads and finds its events there or not).
 */
export function translateAppendError(error: unknown, streamId: string, expected: ExpectedRevision, ids: readonly string[]): Error {
  if (isWrongExpectedVersion(error)) {
    const actual = toActualRevision(error.actualState);
    if (expected === 'any' || (expected === 'stream_exists' && actual !== 'no_stream')) return new DuplicateEventIds(streamId, ids);
    return new WrongExpectedVersion(streamId, expected, actual);
  }
  return translateError(error);
}

/** Connection-level failures become EventStoreUnavailable (retryable, 503); anything else is passed on. */
export function translateError(error: unknown): Error {
  if (error instanceof EventStoreUnavailable) return error;
  if (isUnavailable(error)) return new EventStoreUnavailable('The event store (KurrentDB) is unreachable', { cause: error });
  return error instanceof Error ? error : new Error(String(error));
}

export function isStreamNotFound(error: unknown): boolean {
  return (error as { type?: unknown } | undefined)?.type === 'stream-not-found';
}

function isWrongExpectedVersion(error: unknown): error is { actualState?: CurrentStreamState } {
  return (error as { type?: unknown } | undefined)?.type === 'wrong-expected-version';
}

function isUnavailable(error: unknown): boolean {
  const e = error as { type?: unknown; code?: unknown; details?: unknown } | undefined;
  if (typeof e?.type === 'string') return UNAVAILABLE_TYPES.has(e.type);
  if (typeof e?.code === 'number') return typeof e.details === 'string' && UNAVAILABLE_GRPC_CODES.has(e.code);
  return typeof e?.code === 'string' && UNAVAILABLE_SYSCALL_CODES.has(e.code);
}

// ---- Serialization -----------------------------------------------------------------------------

/**
 * An event as KurrentDB stores it: `type` as the event type, `data` as JSON data, and as JSON metadata
 * the port's metadata (actor, correlationId, causationId) plus `schemaVersion`, and `recordedAt` only
 * when the caller gave one (an import of past events). Otherwise the server's own record time stands
 * for it, as PostgreSQL's clock does there.
 */
export function toEventData(event: NewEvent): EventData {
  if (JSON.stringify(event.data) === undefined) throw new TypeError(`The data of event ${event.id} cannot be represented as JSON`);
  const { recordedAt, ...metadata } = event.metadata;
  return jsonEvent({
    id: event.id,
    type: event.type,
    // JSON.stringify'd by the client; any JSON value goes, not only the objects its type names.
    data: event.data as JSONType,
    metadata: {
      ...metadata,
      schemaVersion: event.schemaVersion,
      ...(recordedAt === undefined ? {} : { recordedAt: normalizeInstant(recordedAt, event.id) }),
    },
  });
}

/**
 * For the multi-stream append, whose records carry string-valued properties instead of JSON
 * metadata (client 1.3 refuses anything else): every metadata value as a string, a null causation
 * left out. `fromRecordedEvent` reads both shapes back alike.
 */
export function toMultiAppendEventData(event: NewEvent): EventData {
  const { recordedAt, causationId, ...rest } = event.metadata;
  const metadata: Record<string, string> = { schemaVersion: String(event.schemaVersion) };
  for (const [key, value] of Object.entries(rest)) {
    if (value !== undefined && value !== null) metadata[key] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (causationId !== null && causationId !== undefined) metadata.causationId = causationId;
  if (recordedAt !== undefined) metadata.recordedAt = normalizeInstant(recordedAt, event.id);
  if (JSON.stringify(event.data) === undefined) throw new TypeError(`The data of event ${event.id} cannot be represented as JSON`);
  return jsonEvent({ id: event.id, type: event.type, data: event.data as JSONType, metadata });
}

/**
 * A refused multi-stream append in the port's terms: the first conflicting stream's
 * WrongExpectedVersion, MultiStreamAppendUnsupported for a server before 25.1 (gRPC UNIMPLEMENTED).
 */
export function translateMultiAppendError(error: unknown, appends: readonly StreamAppend[]): Error {
  if (isWrongExpectedVersion(error)) {
    const streamName = (error as { streamName?: string }).streamName;
    const append = appends.find((a) => a.streamId === streamName) ?? appends[0];
    return new WrongExpectedVersion(append.streamId, append.expectedRevision ?? 'any', toActualRevision(error.actualState));
  }
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (e?.code === GRPC_UNIMPLEMENTED || (typeof e?.message === 'string' && /unimplemented/i.test(e.message))) {
    return new MultiStreamAppendUnsupported('This KurrentDB server cannot append to several streams atomically (KurrentDB 25.1 or later is needed)', {
      cause: error,
    });
  }
  return translateError(error);
}

/** gRPC status UNIMPLEMENTED: the server has no such method. */
const GRPC_UNIMPLEMENTED = 12;

/** Back from the store. `schemaVersion` defaults to 1 for an event some other tool wrote into our streams. */
export function fromRecordedEvent(event: KurrentRecordedEvent): RecordedEvent {
  if (!event.isJson) throw new Error(`Event ${event.id} of ${event.streamId} is not JSON: this application did not write it`);
  const metadata = event.metadata;
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata) || metadata instanceof Uint8Array) {
    throw new Error(`Event ${event.id} of ${event.streamId} has no JSON object as metadata: this application did not write it`);
  }
  const { schemaVersion, recordedAt, causationId = null, ...rest } = metadata as Record<string, unknown>;
  return {
    id: event.id,
    type: event.type,
    schemaVersion: typeof schemaVersion === 'number' ? schemaVersion : typeof schemaVersion === 'string' ? Number(schemaVersion) : 1,
    data: event.data,
    metadata: {
      ...(withoutServerProperties(rest) as Omit<RecordedEvent['metadata'], 'recordedAt' | 'causationId'>),
      causationId: causationId as string | null, // the multi-stream append leaves a null one out
      recordedAt: typeof recordedAt === 'string' ? recordedAt : event.created.toISOString(),
    },
    streamId: event.streamId,
    revision: Number(event.revision),
    globalPosition: toGlobalPosition(event.position, event.id),
  };
}

/** Properties the server adds to a multi-stream append's records (`$schema.…`) are not ours. */
function withoutServerProperties(metadata: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(metadata).filter(([key]) => !key.startsWith('$')));
}

/** As PostgreSQL returns a timestamptz: an ISO-8601 instant in UTC, to the millisecond. */
function normalizeInstant(value: string, eventId: string): string {
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new TypeError(`metadata.recordedAt of event ${eventId} is not an ISO-8601 instant: '${value}'`);
  return new Date(time).toISOString();
}

// ---- Streams and the server-side filter ----------------------------------------------------------

/** This application's stream categories: `procedure-{authorityCode}:{procedureCode}`, `decision-{authorityCode}:{number}`, `authority-{code}`. Add new ones here. */
export const APPLICATION_STREAM_PREFIXES: readonly string[] = ['procedure-', 'decision-', 'authority-'];

/**
 * Reads of `$all` ask the server for this application's streams only (a stream-name prefix filter),
 * which leaves out system streams (`$…`, metadata `$$…`, projections' `$ce-…`), statistics and any
 * other application sharing the database. System events inside our streams (a `$streamDeleted`
 * tombstone) are dropped by the adapter, as a filter can be on stream names or event types, not both.
 */
export function streamFilter(prefixes: readonly string[]): Filter {
  return streamNameFilter({ prefixes: [...prefixes] });
}

export function checkPrefixes(prefixes: readonly string[]): void {
  if (prefixes.length === 0) throw new Error('KurrentDbEventStore needs at least one stream prefix');
  for (const prefix of prefixes) {
    if (prefix === '' || prefix.startsWith('$')) throw new Error(`Stream prefix '${prefix}' would take in system streams`);
  }
}

export function isOwnStream(prefixes: readonly string[], streamId: string): boolean {
  return prefixes.some((prefix) => streamId.startsWith(prefix));
}

export function isSystemEvent(type: string): boolean {
  return type.startsWith('$');
}

/** Ids repeated within one batch (KurrentDB would store both copies). */
export function repeatedIds(events: readonly NewEvent[]): string[] {
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const { id } of events) (seen.has(id) ? repeated : seen).add(id);
  return [...repeated];
}
