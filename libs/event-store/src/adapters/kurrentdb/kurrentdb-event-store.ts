import {
  BACKWARDS,
  END,
  FORWARDS,
  KurrentDBClient,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type Filter,
  type ReadPosition,
} from '@kurrent/kurrentdb-client';
import {
  CommitOutcomeUnknown,
  DuplicateEventIds,
  EventStoreUnavailable,
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
import {
  APPLICATION_STREAM_PREFIXES,
  checkPrefixes,
  fromRecordedEvent,
  isOwnStream,
  isStreamNotFound,
  isSystemEvent,
  repeatedIds,
  streamFilter,
  toEventData,
  toGlobalPosition,
  toMultiAppendEventData,
  translateMultiAppendError,
  toReadPosition,
  toStreamState,
  translateAppendError,
  translateError,
} from './kurrentdb-mapping.js';

/** The calls of the official client this adapter makes (tests pass a simulated server). */
export type KurrentClient = Pick<
  KurrentDBClient,
  'appendToStream' | 'multiStreamAppend' | 'readStream' | 'readAll' | 'subscribeToAll' | 'dispose'
>;

/** Appended streams read back at once for their events' positions, at most this many at a time. */
const READ_BACK_CONCURRENCY = 16;

/** A lost append to a stream without an exact expected revision is looked for in at most this many of its events. */
const LOST_APPEND_LOOKUP_LIMIT = 10_000;

export interface KurrentDbEventStoreOptions {
  /** The stream categories this application owns (default `procedure-`); `$all` is read through them. */
  streamPrefixes?: readonly string[];
  /** Dispose of the client on close (true when the store made it from a connection string). */
  ownsClient?: boolean;
}

/**
 * The event store on KurrentDB (or EventStoreDB 22.10+), through the official Node client. Positions,
 * revisions, errors and serialization are mapped in kurrentdb-mapping.ts, which explains the choices.
 *
 * An append costs a write and a read: the server answers with the stream's revision only, so the
 * appended events are read back (from the leader) for their positions; the read also tells a repeat
 * of the same events from ids the server took for one (see `appendToStream`).
 *
 * @example
 *   const store = KurrentDbEventStore.fromConnectionString('kurrentdb://localhost:2113?tls=false');
 *   await store.appendToStream('procedure-74:1.001612', [event], { expectedRevision: 'no_stream' });
 *   for await (const batch of store.subscribeToAll({ after: checkpoint, signal })) project(batch);
 *   await store.close();
 */
export class KurrentDbEventStore implements EventStore {
  private readonly prefixes: readonly string[];
  private readonly filter: Filter;

  constructor(
    private readonly client: KurrentClient,
    private readonly options: KurrentDbEventStoreOptions = {},
  ) {
    this.prefixes = options.streamPrefixes ?? APPLICATION_STREAM_PREFIXES;
    checkPrefixes(this.prefixes);
    this.filter = streamFilter(this.prefixes);
  }

  static fromConnectionString(connectionString: string, options: Omit<KurrentDbEventStoreOptions, 'ownsClient'> = {}): KurrentDbEventStore {
    return new KurrentDbEventStore(KurrentDBClient.connectionString(connectionString), { ...options, ownsClient: true });
  }

  async appendToStream(streamId: string, events: readonly NewEvent[], options: AppendOptions = {}): Promise<AppendResult> {
    if (events.length === 0) throw new Error('appendToStream needs at least one event');
    if (!isOwnStream(this.prefixes, streamId)) {
      // Its events would be written but never read back from $all: refuse rather than lose them.
      throw new Error(`Stream ${streamId} is outside this store's categories (${this.prefixes.join(', ')})`);
    }
    const expected = options.expectedRevision ?? 'any';
    const ids = events.map((e) => e.id);
    if (repeatedIds(events).length > 0) throw new DuplicateEventIds(streamId, ids);
    const data = events.map(toEventData);

    let nextExpectedRevision: number;
    try {
      const result = await this.client.appendToStream(streamId, data, { streamState: toStreamState(expected) });
      nextExpectedRevision = Number(result.nextExpectedRevision);
    } catch (error) {
      const translated = translateAppendError(error, streamId, expected, ids);
      if (!(translated instanceof EventStoreUnavailable)) throw translated;
      // The call may have been carried out (a silent connection, a deadline): find out, as the
      // PostgreSQL store does, rather than say that nothing was written.
      const outcome = await this.lostAppendOutcome(streamId, expected, ids);
      if (outcome === 'not-appended') throw translated;
      if (outcome === 'unknown') throw new CommitOutcomeUnknown(streamId, ids, { cause: error });
      return outcome;
    }

    // The events now at the revisions the server reported: ours, or (a repeat) the originals. The
    // server also answers "already there" when every id is somewhere in the stream, in any order
    // (its check for `any` looks ids up one by one): only the same ids in the same order are a repeat.
    const first = nextExpectedRevision - events.length + 1;
    const stored = first < 0 ? [] : await this.read(streamId, first, events.length, true);
    if (stored.length !== events.length || stored.some((e, i) => e.id !== ids[i])) throw new DuplicateEventIds(streamId, ids);
    return appendedAs(streamId, stored);
  }

  /**
   * The server's multi-stream append (KurrentDB 25.1 and later): one atomic write, every stream's
   * expected state checked. Its metadata must be string-valued, so events go as `toMultiAppendEventData`
   * encodes them. A server without it answers UNIMPLEMENTED: MultiStreamAppendUnsupported, and
   * nothing is written (there is no weaker fallback that could leave a decision half applied).
   * The server answers with revisions only, so each stream's new events are read back for positions.
   */
  async appendToStreams(appends: readonly StreamAppend[]): Promise<AppendResult[]> {
    checkStreamAppends(appends);
    for (const { streamId } of appends) {
      if (!isOwnStream(this.prefixes, streamId)) {
        throw new Error(`Stream ${streamId} is outside this store's categories (${this.prefixes.join(', ')})`);
      }
    }
    const requests = appends.map((a) => ({
      streamName: a.streamId,
      events: a.events.map(toMultiAppendEventData),
      expectedState: toStreamState(a.expectedRevision ?? 'any'),
    }));
    let revisions: Map<string, number>;
    try {
      const result = await this.client.multiStreamAppend(requests);
      revisions = new Map(result.responses.map((r) => [r.streamName, Number(r.revision)]));
    } catch (error) {
      const translated = translateMultiAppendError(error, appends);
      if (!(translated instanceof EventStoreUnavailable)) throw translated;
      // One atomic write: every stream has its events, or none has.
      const outcomes = await Promise.all(appends.map((a) => this.lostAppendOutcome(a.streamId, a.expectedRevision ?? 'any', a.events.map((e) => e.id))));
      if (outcomes.every((o): o is AppendResult => typeof o === 'object')) return outcomes;
      if (outcomes.some((o) => o === 'not-appended')) throw translated;
      throw new CommitOutcomeUnknown(appends[0].streamId, appends.flatMap((a) => a.events.map((e) => e.id)), { cause: error });
    }
    const results: AppendResult[] = new Array(appends.length);
    for (let start = 0; start < appends.length; start += READ_BACK_CONCURRENCY) {
      await Promise.all(
        appends.slice(start, start + READ_BACK_CONCURRENCY).map(async (append, offset) => {
          const next = revisions.get(append.streamId);
          if (next === undefined) throw new Error(`KurrentDB answered no revision for ${append.streamId}`);
          const ids = append.events.map((e) => e.id);
          const stored = await this.read(append.streamId, next - ids.length + 1, ids.length, true);
          if (stored.length !== ids.length || stored.some((e, i) => e.id !== ids[i])) throw new DuplicateEventIds(append.streamId, ids);
          results[start + offset] = appendedAs(append.streamId, stored);
        }),
      );
    }
    return results;
  }

  /**
   * What became of an append whose answer was lost, read from the leader: its events in the stream,
   * in order (the append's result); 'not-appended' when the revision it expected is already taken by
   * other events, so that it can never commit; 'unknown' otherwise (the write may still land: a
   * KurrentDB write cannot be cancelled) or when the stream cannot be read.
   */
  private async lostAppendOutcome(streamId: string, expected: ExpectedRevision, ids: readonly string[]): Promise<AppendResult | 'not-appended' | 'unknown'> {
    const exact = expected === 'no_stream' ? 0 : typeof expected === 'number' ? expected + 1 : undefined;
    let stored: RecordedEvent[];
    try {
      stored = await this.read(streamId, exact ?? 0, exact === undefined ? LOST_APPEND_LOOKUP_LIMIT : ids.length, true);
    } catch {
      return 'unknown';
    }
    const at = stored.findIndex((e) => e.id === ids[0]);
    const ours = at < 0 ? [] : stored.slice(at, at + ids.length);
    if (ours.length === ids.length && ours.every((e, i) => e.id === ids[i])) return appendedAs(streamId, ours);
    return exact !== undefined && stored.length > 0 && at !== 0 ? 'not-appended' : 'unknown';
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    return this.read(streamId, options.fromRevision ?? 0, options.maxCount, false);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? 0;
    const limit = options.limit ?? 1000;
    const events: RecordedEvent[] = [];
    let from = toReadPosition(after);
    let last = after;
    // The read is inclusive of its start, and system events are dropped here: read on until `limit`
    // events are in or a read comes back empty.
    while (events.length < limit) {
      let seen = 0;
      const page = () =>
        this.client.readAll({ fromPosition: from, maxCount: limit - events.length + 1, direction: FORWARDS, filter: this.filter });
      for await (const resolved of this.iterate(page)) {
        const event = resolved.event;
        if (!event) continue;
        const position = toGlobalPosition(event.position, event.id);
        if (position <= last) continue;
        seen++;
        last = position;
        if (!isSystemEvent(event.type)) events.push(fromRecordedEvent(event));
        if (events.length === limit) break;
      }
      if (seen === 0) break;
      from = toReadPosition(last);
    }
    return events;
  }

  /**
   * A catch-up subscription filtered by the server to this application's streams. Read in paused
   * mode, so that the client's buffer (one batch) pushes back on the server while a batch is projected.
   */
  async *subscribeToAll({ after = 0, batchSize = 1000, signal }: SubscribeOptions): AsyncIterable<RecordedEvent[]> {
    if (signal.aborted) return;
    const subscription: AllStreamSubscription = this.client.subscribeToAll(
      { fromPosition: toReadPosition(after), filter: this.filter },
      { highWaterMark: batchSize },
    );
    let failure: unknown;
    let ended = false;
    const onError = (error: unknown) => {
      failure ??= error;
    };
    const onEnd = () => {
      ended = true;
    };
    // Without an error listener an 'error' event would crash the process.
    subscription.on('error', onError);
    subscription.once('end', onEnd);
    subscription.once('close', onEnd);
    try {
      let last = after;
      while (!signal.aborted) {
        const batch: RecordedEvent[] = [];
        let resolved: AllStreamResolvedEvent | null;
        while (batch.length < batchSize && (resolved = subscription.read() as AllStreamResolvedEvent | null) !== null) {
          const event = resolved.event;
          if (!event) continue;
          const position = toGlobalPosition(event.position, event.id);
          if (position <= last) continue;
          last = position;
          if (!isSystemEvent(event.type)) batch.push(fromRecordedEvent(event));
        }
        if (batch.length > 0) {
          yield batch;
          continue;
        }
        if (failure !== undefined) throw translateError(failure);
        if (ended) throw new EventStoreUnavailable('The KurrentDB subscription ended');
        await readableOrDone(subscription, signal);
      }
    } finally {
      subscription.off('error', onError);
      subscription.on('error', () => undefined); // cancelling may still report
      await subscription.unsubscribe().catch(() => undefined);
      subscription.destroy();
    }
  }

  /** The position of the last event of this application's streams (0 when there is none). */
  async headPosition(): Promise<number> {
    let from: ReadPosition = END;
    for (;;) {
      let seen = 0;
      const page = () => this.client.readAll({ fromPosition: from, maxCount: 100, direction: BACKWARDS, filter: this.filter });
      for await (const resolved of this.iterate(page)) {
        const event = resolved.event;
        if (!event) continue;
        seen++;
        const position = toGlobalPosition(event.position, event.id);
        if (!isSystemEvent(event.type)) return position;
        // A backward read from an event's position starts before it.
        from = { commit: BigInt(position), prepare: BigInt(position) };
      }
      if (seen === 0) return 0;
    }
  }

  async close(): Promise<void> {
    if (this.options.ownsClient) await this.client.dispose();
  }

  private async read(streamId: string, fromRevision: number, maxCount: number | undefined, fromLeader: boolean): Promise<RecordedEvent[]> {
    if (maxCount === 0) return [];
    const events: RecordedEvent[] = [];
    try {
      for await (const resolved of this.iterate(() =>
        this.client.readStream(streamId, {
          fromRevision: BigInt(fromRevision),
          maxCount: maxCount ?? Number.MAX_SAFE_INTEGER,
          direction: FORWARDS,
          // A follower may not have an append's events yet when its answer arrives.
          requiresLeader: fromLeader,
        }),
      )) {
        if (resolved.event) events.push(fromRecordedEvent(resolved.event));
      }
    } catch (error) {
      if (isStreamNotFound(error)) return [];
      throw error;
    }
    return events;
  }

  /** The client's async iterators, with their errors in the port's terms. */
  private async *iterate<T>(open: () => AsyncIterable<T>): AsyncIterable<T> {
    try {
      yield* open();
    } catch (error) {
      throw isStreamNotFound(error) ? error : translateError(error);
    }
  }
}

/** An append's result from its events as read back (checked to be exactly its ids, in order, before). */
function appendedAs(streamId: string, stored: readonly RecordedEvent[]): AppendResult {
  return {
    streamId,
    nextExpectedRevision: stored[stored.length - 1].revision,
    events: stored.map((e) => ({ id: e.id, type: e.type, revision: e.revision, globalPosition: e.globalPosition })),
  };
}

/** Resolves when the subscription has something to read, ends or fails, or the signal aborts. */
function readableOrDone(subscription: AllStreamSubscription, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      subscription.off('readable', done);
      subscription.off('error', done);
      subscription.off('end', done);
      subscription.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    subscription.once('readable', done);
    subscription.once('error', done);
    subscription.once('end', done);
    subscription.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
