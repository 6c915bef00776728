import { Readable } from 'node:stream';
import {
  END,
  START,
  DeadlineExceededError,
  UnavailableError,
  StreamNotFoundError,
  WrongExpectedVersionError,
  type AllStreamResolvedEvent,
  type AllStreamSubscription,
  type AppendResult,
  type AppendStreamRequest,
  type AppendStreamState,
  type MultiAppendResult,
  type EventData,
  type Filter,
  type Position,
  type ReadPosition,
  type ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import type { KurrentClient } from '../adapters/kurrentdb/kurrentdb-event-store.js';

interface LogRecord {
  position: bigint;
  size: bigint;
  streamId: string;
  revision: bigint;
  id: string;
  type: string;
  data: string;
  metadata: string;
  created: Date;
}

export interface SimulatedKurrentDbOptions {
  /** After every n-th append, write a `$stats` system event and an event of another application (default 3). */
  noiseEvery?: number;
  /** Whether the server has the multi-stream append of KurrentDB 25.1 (default true); without it, UNIMPLEMENTED. */
  multiStreamAppend?: boolean;
}

/**
 * KurrentDB as the adapter sees it through the client, in memory, for unit tests where no server can
 * run. It models what the adapter relies on, after the server's source (KurrentDB `src/KurrentDB.Core`):
 *
 * - positions are byte offsets of self-committed records, commit = prepare, with gaps (record sizes,
 *   system records and other applications' streams in between);
 * - `$all` forward reads include the event at their start position, backward reads start before it,
 *   subscriptions start after it; filters by stream-name prefix or regex, or event-type regex;
 * - the append check of IndexWriter.CheckCommit: `any`/`stream_exists` look each id up in a cache of
 *   committed ids (a first id not found: a fresh append; a later one: "corrupted idempotency"), an
 *   older exact revision compares ids at their revisions, and corrupted idempotency is answered with
 *   WrongExpectedVersion (StorageWriterService.ActOnCommitCheckFailure); a repeat answers with the
 *   revision of the last id found.
 *
 * Not modelled: replication, leader changes, scavenging, deletes, ACLs, size limits.
 */
export class SimulatedKurrentDb {
  readonly log: LogRecord[] = [];
  private readonly streams = new Map<string, LogRecord[]>();
  /** IndexWriter._committedEvents: id → where it was last committed. */
  private readonly committedIds = new Map<string, { streamId: string; revision: bigint }>();
  private readonly subscriptions = new Set<SimulatedSubscription>();
  private nextPosition = 0n;
  private appends = 0;
  private down = false;
  private lostAnswers: { count: number; written: boolean } = { count: 0, written: true };
  private lastCreated = 0;

  constructor(private readonly options: SimulatedKurrentDbOptions = {}) {
    // What a fresh node writes before any client does.
    this.write('$settings', '$settings', { $userStreamAcl: {} });
    this.write('$users', '$UserCreated', { loginName: 'admin' });
  }

  /** From now on every call fails as an unreachable server does, and live subscriptions drop. */
  goDown(): void {
    this.down = true;
    for (const subscription of this.subscriptions) subscription.destroy(new UnavailableError(undefined as never));
  }

  /**
   * The next `count` appends (single or multi-stream) fail with DEADLINE_EXCEEDED, as when the
   * connection stays silent: carried out but unanswered (`written`, the default), or never carried out.
   */
  loseAnswers(count = 1, { written = true }: { written?: boolean } = {}): void {
    this.lostAnswers = { count, written };
  }

  readonly client: KurrentClient = {
    appendToStream: async (streamName: string, events: EventData | EventData[], options?: { streamState?: AppendStreamState }) =>
      this.answered(() => this.append(streamName, Array.isArray(events) ? events : [events], options?.streamState ?? 'any')),
    multiStreamAppend: async (requests: AppendStreamRequest[]) => this.answered(() => this.multiAppend(requests)),
    readStream: ((streamName: string, options: { fromRevision?: bigint | 'start' | 'end'; maxCount?: number | bigint } = {}) =>
      this.readStream(streamName, options)) as KurrentClient['readStream'],
    readAll: ((options: { fromPosition?: ReadPosition; maxCount?: number | bigint; direction?: string; filter?: Filter } = {}) =>
      this.readAll(options)) as KurrentClient['readAll'],
    subscribeToAll: ((options: { fromPosition?: ReadPosition; filter?: Filter } = {}) => this.subscribe(options)) as KurrentClient['subscribeToAll'],
    dispose: async () => {
      for (const subscription of this.subscriptions) subscription.destroy();
    },
  };

  private async append(streamId: string, events: EventData[], state: AppendStreamState): Promise<AppendResult> {
    this.failIfDown();
    const stream = this.streams.get(streamId) ?? [];
    const current = BigInt(stream.length) - 1n;
    const decision = this.checkCommit(streamId, stream, state, events.map((e) => e.id));
    if (decision.kind === 'wrong') {
      throw new WrongExpectedVersionError(undefined, { streamName: streamId, expected: state, current: current < 0n ? 'no_stream' : current });
    }
    if (decision.kind === 'idempotent') return { success: true, nextExpectedRevision: decision.end, position: undefined };
    for (const event of events) {
      const metadata = event.metadata === undefined ? '' : JSON.stringify(event.metadata);
      this.write(streamId, event.type, event.data, metadata, event.id);
    }
    this.appends++;
    if (this.appends % (this.options.noiseEvery ?? 3) === 0) {
      this.write('$stats-127.0.0.1:2113', '$statsCollected', { 'proc-mem': 1234 });
      this.write(`other-app-${this.appends}`, 'SomethingHappened', { n: this.appends });
    }
    const last = this.streams.get(streamId)!;
    return { success: true, nextExpectedRevision: BigInt(last.length - 1), position: { commit: last[last.length - 1].position, prepare: last[last.length - 1].position } };
  }

  /**
   * The v2 append session: every request checked first, then all written as one transaction, its
   * records' string properties stored as the event's JSON metadata beside the schema properties the
   * server adds (`$schema.…`). A stream at another revision fails the whole request with the
   * StreamRevisionConflict details the client turns into WrongExpectedVersionError.
   */
  private async multiAppend(requests: AppendStreamRequest[]): Promise<MultiAppendResult> {
    this.failIfDown();
    if (this.options.multiStreamAppend === false) {
      throw Object.assign(new Error('12 UNIMPLEMENTED: unknown service kurrentdb.protocol.v2.streams.StreamsService'), { code: 12 });
    }
    const repeats = new Set<string>();
    for (const request of requests) {
      const stream = this.streams.get(request.streamName) ?? [];
      const current = BigInt(stream.length) - 1n;
      const decision = this.checkCommit(request.streamName, stream, request.expectedState, request.events.map((e) => e.id));
      if (decision.kind === 'idempotent') repeats.add(request.streamName);
      else if (decision.kind !== 'ok') {
        throw WrongExpectedVersionError.fromRevisionConflict({
          stream: request.streamName,
          expectedRevision: typeof request.expectedState === 'bigint' ? request.expectedState.toString() : { any: '-2', no_stream: '-1', stream_exists: '-4' }[request.expectedState],
          actualRevision: current < 0n ? '-1' : current.toString(),
        } as never);
      }
    }
    for (const request of requests.filter((r) => !repeats.has(r.streamName))) {
      for (const event of request.events) {
        const metadata = { ...(event.metadata as Record<string, string> | undefined), '$schema.name': event.type, '$schema.format': 'Json' };
        this.write(request.streamName, event.type, event.data, JSON.stringify(metadata), event.id);
      }
    }
    this.appends++;
    return {
      position: this.nextPosition,
      responses: requests.map((r) => ({ streamName: r.streamName, revision: BigInt(this.streams.get(r.streamName)!.length - 1) })),
    };
  }

  /** IndexWriter.CheckCommit, for the cases the adapter meets. */
  private checkCommit(
    streamId: string,
    stream: LogRecord[],
    state: AppendStreamState,
    ids: string[],
  ): { kind: 'ok' } | { kind: 'wrong' } | { kind: 'idempotent'; end: bigint } {
    const current = BigInt(stream.length) - 1n;
    if (state === 'stream_exists' && current < 0n) return { kind: 'wrong' };
    if (state === 'any' || state === 'stream_exists') {
      let end: bigint | undefined;
      for (const [i, id] of ids.entries()) {
        const found = this.committedIds.get(id);
        if (!found || found.streamId !== streamId) return i === 0 ? { kind: 'ok' } : { kind: 'wrong' };
        end = found.revision;
      }
      return { kind: 'idempotent', end: end! };
    }
    const expected = state === 'no_stream' ? -1n : state;
    if (expected < current) {
      let revision = expected;
      for (const id of ids) {
        revision++;
        if (stream[Number(revision)]?.id === id) continue;
        return { kind: 'wrong' }; // the first: a plain conflict; a later one: corrupted idempotency, answered alike
      }
      return { kind: 'idempotent', end: revision };
    }
    return expected > current ? { kind: 'wrong' } : { kind: 'ok' };
  }

  /** Writes a record as the server would for any writer: other applications, system services. */
  write(streamId: string, type: string, data: unknown, metadata = '', id: string = crypto.randomUUID()): void {
    const stream = this.streams.get(streamId) ?? [];
    const json = JSON.stringify(data);
    this.lastCreated = Math.max(this.lastCreated, Date.now());
    const size = BigInt(90 + Buffer.byteLength(streamId + type + json + metadata));
    const record: LogRecord = {
      position: this.nextPosition,
      size,
      streamId,
      revision: BigInt(stream.length),
      id,
      type,
      data: json,
      metadata,
      created: new Date(this.lastCreated),
    };
    this.nextPosition += size;
    stream.push(record);
    this.streams.set(streamId, stream);
    this.log.push(record);
    this.committedIds.set(id, { streamId, revision: record.revision });
    for (const subscription of this.subscriptions) subscription.offer(record);
  }

  private async *readStream(streamId: string, options: { fromRevision?: bigint | 'start' | 'end'; maxCount?: number | bigint }): AsyncIterableIterator<ResolvedEvent> {
    this.failIfDown();
    const stream = this.streams.get(streamId);
    if (!stream) throw new StreamNotFoundError(undefined as never, streamId);
    const from = typeof options.fromRevision === 'bigint' ? Number(options.fromRevision) : 0;
    const count = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    for (const record of stream.slice(from, from + count)) yield { event: toRecorded(record) } as ResolvedEvent;
  }

  private async *readAll(options: { fromPosition?: ReadPosition; maxCount?: number | bigint; direction?: string; filter?: Filter }): AsyncIterableIterator<AllStreamResolvedEvent> {
    this.failIfDown();
    const count = Number(options.maxCount ?? Number.MAX_SAFE_INTEGER);
    const from = options.fromPosition ?? (options.direction === 'backwards' ? END : START);
    let records: LogRecord[];
    if (options.direction === 'backwards') {
      // Positions are post-positions going backwards: the record at `from` ends after it, so it is left out.
      records = this.log.filter((r) => from === END || (from !== START && r.position + r.size <= (from as Position).commit)).reverse();
    } else {
      records = this.log.filter((r) => from === START || (from !== END && r.position >= (from as Position).commit));
    }
    let yielded = 0;
    for (const record of records) {
      if (yielded >= count) return;
      if (!matches(record, options.filter)) continue;
      yielded++;
      yield { event: toRecorded(record) } as AllStreamResolvedEvent;
    }
  }

  private subscribe(options: { fromPosition?: ReadPosition; filter?: Filter }): AllStreamSubscription {
    const subscription = new SimulatedSubscription(options.filter, () => this.subscriptions.delete(subscription));
    if (this.down) {
      queueMicrotask(() => subscription.destroy(new UnavailableError(undefined as never)));
      return subscription as unknown as AllStreamSubscription;
    }
    // Catch-up: everything after the start position, then live.
    const from = options.fromPosition ?? START;
    for (const record of this.log) {
      if (from === START || (from !== END && record.position > (from as Position).commit)) subscription.offer(record);
    }
    this.subscriptions.add(subscription);
    return subscription as unknown as AllStreamSubscription;
  }

  private async answered<T>(call: () => Promise<T>): Promise<T> {
    if (this.lostAnswers.count === 0) return call();
    this.lostAnswers.count--;
    if (this.lostAnswers.written) await call();
    throw new DeadlineExceededError(undefined as never);
  }

  private failIfDown(): void {
    if (this.down) throw new UnavailableError(undefined as never);
  }
}

class SimulatedSubscription extends Readable {
  constructor(
    private readonly streamFilter: Filter | undefined,
    private readonly forget: () => void,
  ) {
    super({ objectMode: true, read() {} });
    this.once('close', forget);
  }

  offer(record: LogRecord): void {
    if (!this.destroyed && matches(record, this.streamFilter)) this.push({ event: toRecorded(record) });
  }

  async unsubscribe(): Promise<void> {
    this.forget();
    this.destroy();
  }
}

function matches(record: LogRecord, filter: Filter | undefined): boolean {
  if (!filter) return true;
  const subject = filter.filterOn === 'streamName' ? record.streamId : record.type;
  if ('prefixes' in filter) return filter.prefixes.some((prefix) => subject.startsWith(prefix));
  return new RegExp(filter.regex).test(subject);
}

function toRecorded(record: LogRecord) {
  return {
    streamId: record.streamId,
    id: record.id,
    revision: record.revision,
    type: record.type,
    isJson: true,
    data: JSON.parse(record.data),
    metadata: record.metadata === '' ? undefined : JSON.parse(record.metadata),
    created: record.created,
    position: { commit: record.position, prepare: record.position },
  };
}
