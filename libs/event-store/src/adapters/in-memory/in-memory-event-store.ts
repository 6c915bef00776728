import {
  DuplicateEventIds,
  WrongExpectedVersion,
  type AppendOptions,
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

interface CheckedAppend {
  streamId: string;
  events: readonly NewEvent[];
  repeat?: AppendResult;
}
import { eventContentHash, eventHash, GENESIS_HASH } from '../../tamper-evidence/hash-chain.js';

/**
 * An event store in process memory, for unit tests of domain and application code. It behaves as
 * the PostgreSQL adapter does (the same contract suite runs against both): data and metadata go
 * through JSON as they would over the wire, and what is read is a copy.
 *
 * @example
 *   const store = new InMemoryEventStore();
 *   await store.appendToStream('procedure-74:1.001612', [event], { expectedRevision: 'no_stream' });
 */
export class InMemoryEventStore implements EventStore {
  private readonly log: RecordedEvent[] = [];
  private readonly streams = new Map<string, RecordedEvent[]>();
  private readonly byId = new Map<string, RecordedEvent>();
  private readonly waiters = new Set<() => void>();
  private lastRecordedAt = 0;

  constructor(private readonly clock: () => Date = () => new Date()) {}

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    const checked = this.check({ streamId, events, expectedRevision: options.expectedRevision });
    return checked.repeat ?? this.commit([checked])[0];
  }

  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    checkStreamAppends(appends);
    // Every append is checked before any is applied: all or nothing.
    const checked = appends.map((append) => this.check(append));
    const committed = this.commit(checked.filter((c) => c.repeat === undefined));
    return checked.map((c) => c.repeat ?? committed.shift()!);
  }

  /** The append's checks; a verbatim repeat comes back answered, anything else still to commit. */
  private check(append: StreamAppend): CheckedAppend {
    const { streamId, events } = append;
    const expected = append.expectedRevision ?? 'any';
    const ids = events.map((e) => e.id);
    if (new Set(ids).size !== ids.length) throw new DuplicateEventIds(streamId, ids);

    const existing = ids.map((id) => this.byId.get(id));
    if (existing.some((e) => e !== undefined)) {
      // A repeat of an earlier append is answered with the original events; anything else conflicts.
      const first = existing[0];
      const repeat =
        first !== undefined &&
        existing.every((e, i) => e !== undefined && e.streamId === streamId && e.revision === first.revision + i);
      if (!repeat) throw new DuplicateEventIds(streamId, ids);
      return { streamId, events, repeat: result(streamId, existing as RecordedEvent[]) };
    }

    const stream = this.streams.get(streamId) ?? [];
    const current = stream.length === 0 ? undefined : stream.length - 1;
    if (
      (expected === 'no_stream' && current !== undefined) ||
      (expected === 'stream_exists' && current === undefined) ||
      (typeof expected === 'number' && current !== expected)
    ) {
      throw new WrongExpectedVersion(streamId, expected, current ?? 'no_stream');
    }
    return { streamId, events };
  }

  /** Records checked appends in order, as one commit: serialised first, so that a failure stores nothing. */
  private commit(appends: readonly CheckedAppend[]): AppendResult[] {
    const now = Math.max(this.clock().getTime(), this.lastRecordedAt);
    let position = this.log.length;
    const recorded = appends.map(({ streamId, events }) => {
      const stream = this.streams.get(streamId) ?? [];
      let prevHash = stream.length === 0 ? GENESIS_HASH : (stream[stream.length - 1].hash ?? GENESIS_HASH);
      return events.map((event, i): RecordedEvent => {
        const { recordedAt, ...metadata } = event.metadata;
        const stored: RecordedEvent = {
          id: event.id,
          type: event.type,
          schemaVersion: event.schemaVersion,
          data: throughJson(event.data, `data of event ${event.id}`),
          metadata: {
            ...(throughJson(metadata, `metadata of event ${event.id}`) as typeof metadata),
            recordedAt: recordedAt === undefined ? new Date(now).toISOString() : new Date(recordedAt).toISOString(),
          },
          streamId,
          revision: stream.length + i,
          globalPosition: ++position,
        };
        // The same hash chain as the PostgreSQL adapter's (tamper-evidence/hash-chain.ts).
        stored.hash = prevHash = eventHash({
          prevHash,
          streamId,
          revision: stored.revision,
          recordedAtMs: Date.parse(stored.metadata.recordedAt),
          contentHash: eventContentHash(event),
        });
        return stored;
      });
    });
    this.lastRecordedAt = now;
    for (const events of recorded) {
      const streamId = events[0].streamId;
      const stream = this.streams.get(streamId) ?? [];
      for (const event of events) {
        this.log.push(event);
        stream.push(event);
        this.byId.set(event.id, event);
      }
      this.streams.set(streamId, stream);
    }
    if (recorded.length > 0) for (const wake of [...this.waiters]) wake();
    return recorded.map((events) => result(events[0].streamId, events));
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const from = options.fromRevision ?? 0;
    const stream = this.streams.get(streamId) ?? [];
    return stream.slice(from, options.maxCount === undefined ? undefined : from + options.maxCount).map(copy);
  }

  async readStreams(streamIds: readonly string[]): Promise<Map<string, RecordedEvent[]>> {
    const out = new Map<string, RecordedEvent[]>();
    for (const id of streamIds) {
      const stream = this.streams.get(id);
      if (stream && stream.length > 0) out.set(id, stream.map(copy));
    }
    return out;
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    // Positions are 1, 2, 3...: the event at position p is log[p - 1].
    const after = Math.max(0, options.after ?? 0);
    return this.log.slice(after, after + (options.limit ?? 1000)).map(copy);
  }

  async *subscribeToAll({ after = 0, batchSize = 1000, signal }: SubscribeOptions): AsyncIterable<RecordedEvent[]> {
    let position = after;
    while (!signal.aborted) {
      const batch = await this.readAll({ after: position, limit: batchSize });
      if (batch.length > 0) {
        position = batch[batch.length - 1].globalPosition;
        yield batch;
        continue;
      }
      await this.nextAppend(signal, position);
    }
  }

  async headPosition(): Promise<number> {
    return this.log.length;
  }

  async close(): Promise<void> {
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves once the log is longer than `position` (at once if an append came since the read). */
  private nextAppend(signal: AbortSignal, position: number): Promise<void> {
    if (signal.aborted || this.log.length > position) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        this.waiters.delete(done);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.add(done);
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function result(streamId: string, events: readonly RecordedEvent[]): AppendResult {
  return {
    streamId,
    nextExpectedRevision: events[events.length - 1].revision,
    events: events.map((e) => ({ id: e.id, type: e.type, revision: e.revision, globalPosition: e.globalPosition })),
  };
}

function throughJson(value: unknown, what: string): unknown {
  const json = JSON.stringify(value);
  if (json === undefined) throw new TypeError(`The ${what} cannot be represented as JSON`);
  return JSON.parse(json);
}

function copy(event: RecordedEvent): RecordedEvent {
  return { ...event, data: structuredClone(event.data), metadata: { ...event.metadata } };
}
