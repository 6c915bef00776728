/**
 * The event store port. PostgreSQL (default) and KurrentDB implement it; every adapter runs the
 * contract suite in `testing/event-store.contract.ts`.
 *
 * Revisions are 0-based per stream (the first event is revision 0, as in KurrentDB). Global positions
 * are positive, strictly increasing in commit order, and never reused; they may have gaps.
 *
 * @example
 *   const { nextExpectedRevision } = await store.appendToStream('procedure-74:1.001612', [event], {
 *     expectedRevision: 'no_stream',
 *   });
 *   for await (const batch of store.subscribeToAll({ after: checkpoint, signal })) project(batch);
 */
export interface EventStore {
  appendToStream(streamId: string, events: readonly NewEvent[], options?: AppendOptions): Promise<AppendResult>;
  /**
   * Appends to several streams at once, all or nothing: every append's expected revision is checked
   * and either every event commits, in one commit, in the order given (appends in order, each
   * append's events in order), or none does. Streams and event ids must be distinct across the
   * appends. An append that is a verbatim repeat of an earlier one is answered with the original
   * events, as by `appendToStream`.
   *
   * @returns one AppendResult per append, in the order given.
   * @throws WrongExpectedVersion for the first append (in the order given) whose stream is not at its
   *   expected revision, DuplicateEventIds as appendToStream does; nothing is appended then.
   * @throws MultiStreamAppendUnsupported when the server cannot append atomically (KurrentDB before
   *   25.1): nothing is appended then either.
   */
  appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]>;
  /** The stream's events in revision order; an empty array when the stream does not exist. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /**
   * Every event of each of many streams, in revision order, in one read where the adapter can
   * (PostgreSQL: one query for them all); a stream with no events is absent from the map. Optional:
   * callers fall back to one `readStream` per stream (the KurrentDB adapter has no batched read).
   */
  readStreams?(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>>;
  /** Committed events with a position greater than `after`, in position order. */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /**
   * Catch-up subscription: yields non-empty batches in position order, first the history after
   * `after`, then new events as they commit, until `signal` aborts.
   */
  subscribeToAll(options: SubscribeOptions): AsyncIterable<RecordedEvent[]>;
  /** Position of the last event a reader may see now (0 when the log is empty). */
  headPosition(): Promise<number>;
  close(): Promise<void>;
}

export interface EventMetadata {
  /** Who issued the command: the token's subject, `anonymous` until authentication exists. */
  actor: string;
  correlationId: string;
  causationId: string | null;
  /** When the event was recorded (ISO-8601 instant); the store sets it if absent. */
  recordedAt?: string;
}

export interface NewEvent {
  /** A UUID; re-sending the same ids to the same stream appends nothing. */
  id: string;
  type: string;
  schemaVersion: number;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent extends NewEvent {
  streamId: string;
  revision: number;
  globalPosition: number;
  metadata: EventMetadata & { recordedAt: string };
  /**
   * Tamper evidence: sha256 (hex) over this event and its stream's previous event's hash, as
   * `tamper-evidence/hash-chain.ts` defines it. Absent from adapters that keep no hash chain.
   */
  hash?: string;
}

/** `any`, `no_stream` (must not exist yet), `stream_exists`, or the exact revision of the last event. */
export type ExpectedRevision = 'any' | 'no_stream' | 'stream_exists' | number;

export interface AppendOptions {
  expectedRevision?: ExpectedRevision;
}

/** One stream's part of an atomic multi-stream append (`appendToStreams`). */
export interface StreamAppend {
  streamId: string;
  events: readonly NewEvent[];
  expectedRevision?: ExpectedRevision;
}

export interface AppendResult {
  streamId: string;
  /** Revision of the stream's last event after the append. */
  nextExpectedRevision: number;
  /** The appended events' positions, in order (the original ones when the append was a repeat). */
  events: { id: string; type: string; revision: number; globalPosition: number }[];
}

export interface ReadStreamOptions {
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive lower bound; 0 reads from the beginning. */
  after?: number;
  /** At most this many events (default 1,000). */
  limit?: number;
}

export interface SubscribeOptions {
  after?: number;
  batchSize?: number;
  signal: AbortSignal;
}

/** The stream is not at the revision the writer expected (optimistic concurrency). */
export class WrongExpectedVersion extends Error {
  readonly code = 'WRONG_EXPECTED_VERSION';
  constructor(
    readonly streamId: string,
    readonly expected: ExpectedRevision,
    readonly actual: number | 'no_stream',
  ) {
    super(`Stream ${streamId} is at ${actual}, expected ${expected}`);
    this.name = 'WrongExpectedVersion';
  }
}

/** Some event ids of an append already exist, but not as exactly this append. */
export class DuplicateEventIds extends Error {
  readonly code = 'DUPLICATE_EVENT_IDS';
  constructor(readonly streamId: string, readonly ids: readonly string[]) {
    super(`Events ${ids.join(', ')} were already appended, but not as this append to ${streamId}`);
    this.name = 'DuplicateEventIds';
  }
}

/** The store cannot be reached, and nothing of this call was written; the command may be retried. */
export class EventStoreUnavailable extends Error {
  readonly code = 'EVENT_STORE_UNAVAILABLE';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EventStoreUnavailable';
  }
}

/** The server cannot append to several streams atomically; nothing was appended. */
export class MultiStreamAppendUnsupported extends Error {
  readonly code = 'MULTI_STREAM_APPEND_UNSUPPORTED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'MultiStreamAppendUnsupported';
  }
}

/**
 * Checks what every adapter's appendToStreams requires of its argument before it touches the store:
 * at least one append, each with events, distinct streams, distinct event ids across all appends.
 *
 * @throws Error for an empty request, an append without events or a stream named twice;
 *   DuplicateEventIds for an event id used twice.
 */
export function checkStreamAppends(appends: readonly StreamAppend[]): void {
  if (appends.length === 0) throw new Error('appendToStreams needs at least one append');
  const streams = new Set<string>();
  const ids = new Set<string>();
  for (const append of appends) {
    if (append.events.length === 0) throw new Error(`appendToStreams: the append to ${append.streamId} has no events`);
    if (streams.has(append.streamId)) throw new Error(`appendToStreams: stream ${append.streamId} is named twice`);
    streams.add(append.streamId);
    for (const event of append.events) {
      if (ids.has(event.id)) throw new DuplicateEventIds(append.streamId, [event.id]);
      ids.add(event.id);
    }
  }
}

/**
 * An append was sent, its answer was lost (the connection failed or stayed silent), and whether it
 * committed could not be found out either: its events may or may not be in the store. Appending the
 * same events again (the same ids, to the same stream) is safe: if they are there, that appends
 * nothing and answers with them.
 */
export class CommitOutcomeUnknown extends Error {
  readonly code = 'COMMIT_OUTCOME_UNKNOWN';
  constructor(
    readonly streamId: string,
    readonly eventIds: readonly string[],
    options?: { cause?: unknown },
  ) {
    super(`The append of ${eventIds.length} event(s) to ${streamId} may or may not have committed: its answer was lost and the store could not be asked`, options);
    this.name = 'CommitOutcomeUnknown';
  }
}
