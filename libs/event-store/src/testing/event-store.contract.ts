import { randomUUID } from 'node:crypto';
import {
  DuplicateEventIds,
  WrongExpectedVersion,
  type AppendResult,
  type EventMetadata,
  type EventStore,
  type NewEvent,
  type RecordedEvent,
} from '../event-store.port.js';
import { storeEventLogSource } from '../tamper-evidence/event-log-source.js';
import { EventLogVerifier } from '../tamper-evidence/event-log-verifier.js';
import { GENESIS_HASH, recomputeEventHash } from '../tamper-evidence/hash-chain.js';

export interface EventStoreContractSubject {
  store: EventStore;
  teardown(): Promise<void>;
  /**
   * Put before every stream name the suite writes (default none), for a store that cannot be emptied
   * for the run (a shared KurrentDB server): with an adapter reading only streams of that prefix, the
   * run still starts from an empty log.
   */
  streamPrefix?: string;
}

/** What the stores guarantee differently; each flag defaults to the stricter behaviour. */
export interface EventStoreCapabilities {
  /**
   * Event ids are unique in the whole log: an id already stored is refused with DuplicateEventIds
   * unless the append is a verbatim repeat (same ids, same stream, same order). PostgreSQL and the
   * in-memory store check every id. KurrentDB only recognises repeats, from the ids' places in the
   * stream and a cache of recent ids: an id reused in another stream, or behind a fresh id at the head
   * of a batch, is appended again (see adapters/kurrentdb/kurrentdb-mapping.ts).
   */
  uniqueEventIds: boolean;
  /**
   * Every recorded event carries `hash`, chained over its stream as `tamper-evidence/hash-chain.ts`
   * defines it, so that the EventLogVerifier can check the log through the port. PostgreSQL and the
   * in-memory store keep it.
   */
  hashChain: boolean;
}

/**
 * The behaviour every EventStore adapter must have. Call it at the top level of an adapter's spec
 * file; `setup` is called once for the whole suite and must give a new, empty store.
 *
 * The tests share that store and run in order: each writes to streams of its own (random ids) and
 * reads the global log only after a head position it observed itself, so that they stay
 * independent of one another. Only the first test relies on the store being empty. Positions are
 * compared, never computed: an adapter's positions may have gaps (KurrentDB's are log offsets).
 *
 * @example
 *   eventStoreContract('InMemoryEventStore', async () => {
 *     const store = new InMemoryEventStore();
 *     return { store, teardown: () => store.close() };
 *   });
 */
export function eventStoreContract(
  name: string,
  setup: () => Promise<EventStoreContractSubject>,
  capabilities: Partial<EventStoreCapabilities> = {},
): void {
  const { uniqueEventIds = true, hashChain = true } = capabilities;

  describe(`${name} honours the EventStore contract`, () => {
    let subject: EventStoreContractSubject | undefined;
    let store: EventStore;
    let prefix = '';
    const streamId = () => `${prefix}contract-${randomUUID()}`;

    beforeAll(async () => {
      subject = await setup();
      store = subject.store;
      prefix = subject.streamPrefix ?? '';
    });

    afterAll(async () => {
      await subject?.teardown();
    });

    it('starts empty: head position 0, nothing to read', async () => {
      expect(await store.headPosition()).toBe(0);
      expect(await store.readAll()).toEqual([]);
      expect(await store.readAll({ after: 0, limit: 10 })).toEqual([]);
    });

    describe('appendToStream', () => {
      it("appends to a new stream with 'no_stream': revisions 0..n-1, positions increasing", async () => {
        const stream = streamId();
        const events = [newEvent(), newEvent({ type: 'Second' }), newEvent({ type: 'Third' })];
        const result = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });

        expect(result.streamId).toBe(stream);
        expect(result.nextExpectedRevision).toBe(2);
        expect(result.events.map((e) => [e.id, e.type, e.revision])).toEqual(events.map((e, i) => [e.id, e.type, i]));
        expectStrictlyIncreasing(result.events.map((e) => e.globalPosition));
        expect(result.events[0].globalPosition).toBeGreaterThan(0);

        const read = await store.readStream(stream);
        expect(read.map((e) => [e.id, e.revision, e.globalPosition])).toEqual(
          result.events.map((e) => [e.id, e.revision, e.globalPosition]),
        );
      });

      it('gives every later append higher positions, across streams', async () => {
        const first = await store.appendToStream(streamId(), [newEvent()]);
        const second = await store.appendToStream(streamId(), [newEvent(), newEvent()]);
        const third = await store.appendToStream(streamId(), [newEvent()]);
        expectStrictlyIncreasing([first, second, third].flatMap((r) => r.events.map((e) => e.globalPosition)));
      });

      it("refuses 'no_stream' on an existing stream with WrongExpectedVersion carrying the actual revision", async () => {
        const stream = streamId();
        await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });

        const error = await rejectionOf(
          store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' }),
          WrongExpectedVersion,
        );
        expect(error).toMatchObject({ code: 'WRONG_EXPECTED_VERSION', streamId: stream, expected: 'no_stream', actual: 1 });
        expect(await store.readStream(stream)).toHaveLength(2);
      });

      it('appends at the exact current revision and refuses a stale or future one', async () => {
        const stream = streamId();
        await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' });

        const ok = await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 1 });
        expect(ok.nextExpectedRevision).toBe(3);
        expect(ok.events.map((e) => e.revision)).toEqual([2, 3]);

        const stale = await rejectionOf(store.appendToStream(stream, [newEvent()], { expectedRevision: 1 }), WrongExpectedVersion);
        expect(stale).toMatchObject({ streamId: stream, expected: 1, actual: 3 });

        const future = await rejectionOf(store.appendToStream(stream, [newEvent()], { expectedRevision: 7 }), WrongExpectedVersion);
        expect(future).toMatchObject({ streamId: stream, expected: 7, actual: 3 });

        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      });

      it('refuses an exact revision on a missing stream, with actual no_stream', async () => {
        const stream = streamId();
        const error = await rejectionOf(store.appendToStream(stream, [newEvent()], { expectedRevision: 0 }), WrongExpectedVersion);
        expect(error).toMatchObject({ streamId: stream, expected: 0, actual: 'no_stream' });
        expect(await store.readStream(stream)).toEqual([]);
      });

      it("appends with 'any' (and by default) whether or not the stream exists", async () => {
        const stream = streamId();
        const first = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'any' });
        expect(first.events.map((e) => e.revision)).toEqual([0]);
        const second = await store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'any' });
        expect(second.events.map((e) => e.revision)).toEqual([1, 2]);
        const third = await store.appendToStream(stream, [newEvent()]);
        expect(third.nextExpectedRevision).toBe(3);
        expect((await store.readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2, 3]);
      });

      it("refuses 'stream_exists' on a missing stream and accepts it on an existing one", async () => {
        const stream = streamId();
        const error = await rejectionOf(
          store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' }),
          WrongExpectedVersion,
        );
        expect(error).toMatchObject({ streamId: stream, expected: 'stream_exists', actual: 'no_stream' });
        expect(await store.readStream(stream)).toEqual([]);

        await store.appendToStream(stream, [newEvent()], { expectedRevision: 'no_stream' });
        const ok = await store.appendToStream(stream, [newEvent()], { expectedRevision: 'stream_exists' });
        expect(ok.events.map((e) => e.revision)).toEqual([1]);
      });

      it('answers a re-sent append (same ids, same stream, same batch) with the original events, appending nothing', async () => {
        const stream = streamId();
        const events = [newEvent(), newEvent({ type: 'Second' }), newEvent({ type: 'Third' })];
        const original = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        await store.appendToStream(streamId(), [newEvent()]); // the log moves on in between
        const head = await store.headPosition();

        // The retry of a command whose answer was lost: still 'no_stream', which no longer holds.
        const retried = await store.appendToStream(stream, events, { expectedRevision: 'no_stream' });
        expect(retried).toEqual(original);
        expect(await store.appendToStream(stream, events, { expectedRevision: 'any' })).toEqual(original);

        expect(await store.readStream(stream)).toHaveLength(3);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readAll({ after: head })).toEqual([]);
      });

      if (uniqueEventIds) {
        it('refuses an id reused in another stream with DuplicateEventIds, appending nothing', async () => {
          const stream = streamId();
          const event = newEvent();
          await store.appendToStream(stream, [event]);
          const head = await store.headPosition();

          const other = streamId();
          const error = await rejectionOf(store.appendToStream(other, [event]), DuplicateEventIds);
          expect(error).toMatchObject({ code: 'DUPLICATE_EVENT_IDS', streamId: other });
          expect(error.ids).toContain(event.id);

          expect(await store.readStream(other)).toEqual([]);
          expect(await store.headPosition()).toBe(head);
        });
      } else {
        it('keeps the first stream intact when an id is reused in another stream (ids unique per stream only)', async () => {
          const stream = streamId();
          const event = newEvent();
          const original = await store.appendToStream(stream, [event]);

          // Not a repeat, so not refused either: the other stream gets its own copy.
          const other = streamId();
          const copy = await store.appendToStream(other, [event]);
          expect(copy.events.map((e) => [e.id, e.revision])).toEqual([[event.id, 0]]);
          expect(copy.events[0].globalPosition).toBeGreaterThan(original.events[0].globalPosition);
          expect((await store.readStream(stream)).map((e) => [e.id, e.globalPosition])).toEqual([
            [event.id, original.events[0].globalPosition],
          ]);
        });
      }

      it('refuses an id reused in another batch of the same stream with DuplicateEventIds, appending nothing', async () => {
        const stream = streamId();
        const [a, b] = [newEvent(), newEvent()];
        await store.appendToStream(stream, [a, b], { expectedRevision: 'no_stream' });
        const head = await store.headPosition();

        await rejectionOf(store.appendToStream(stream, [a, newEvent()]), DuplicateEventIds); // with a new one
        // A fresh id first: only a store that checks every id sees the reused one behind it.
        if (uniqueEventIds) await rejectionOf(store.appendToStream(stream, [newEvent(), b]), DuplicateEventIds);
        await rejectionOf(store.appendToStream(stream, [b, a]), DuplicateEventIds); // reordered
        await rejectionOf(store.appendToStream(stream, [a, b, newEvent()]), DuplicateEventIds); // extended

        expect((await store.readStream(stream)).map((e) => e.id)).toEqual([a.id, b.id]);
        expect(await store.headPosition()).toBe(head);
      });

      it('refuses a batch that repeats an id within itself with DuplicateEventIds, appending nothing', async () => {
        const stream = streamId();
        const event = newEvent();
        const head = await store.headPosition();
        await rejectionOf(store.appendToStream(stream, [event, newEvent(), event]), DuplicateEventIds);
        expect(await store.readStream(stream)).toEqual([]);
        expect(await store.headPosition()).toBe(head);
      });

      it('appends nothing at all when an append fails (readAll unchanged)', async () => {
        const stream = streamId();
        const existing = newEvent();
        const start = await store.headPosition();
        await store.appendToStream(streamId(), [existing]);
        await store.appendToStream(stream, [newEvent()]);
        const head = await store.headPosition();
        const before = await store.readAll({ after: start });
        expect(before).toHaveLength(2);

        // Fresh events before the offending one must not be appended either.
        if (uniqueEventIds) {
          await rejectionOf(store.appendToStream(stream, [newEvent(), newEvent(), existing]), DuplicateEventIds);
          await rejectionOf(store.appendToStream(streamId(), [newEvent(), existing]), DuplicateEventIds);
        }
        const repeated = newEvent();
        await rejectionOf(store.appendToStream(stream, [newEvent(), repeated, newEvent(), repeated]), DuplicateEventIds);
        await rejectionOf(store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 'no_stream' }), WrongExpectedVersion);
        await rejectionOf(store.appendToStream(stream, [newEvent(), newEvent()], { expectedRevision: 5 }), WrongExpectedVersion);

        expect(await store.readAll({ after: start })).toEqual(before);
        expect(await store.readAll({ after: head })).toEqual([]);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readStream(stream)).toHaveLength(1);

        // And the stream carries on from where it was.
        const next = await store.appendToStream(stream, [newEvent()], { expectedRevision: 0 });
        expect(next.events.map((e) => e.revision)).toEqual([1]);
        expect(next.events[0].globalPosition).toBeGreaterThan(head);
      });
    });

    describe('appendToStreams (atomic, several streams)', () => {
      it('appends to every stream in one commit: revisions per stream, positions increasing in the order given', async () => {
        const [a, b, c] = [streamId(), streamId(), streamId()];
        await store.appendToStream(b, [newEvent()], { expectedRevision: 'no_stream' });
        const appends = [
          { streamId: a, events: [newEvent({ type: 'DecisionIssued' })], expectedRevision: 'no_stream' as const },
          { streamId: b, events: [newEvent(), newEvent()], expectedRevision: 0 },
          { streamId: c, events: [newEvent()] },
        ];
        const results = await store.appendToStreams(appends);

        expect(results.map((r) => [r.streamId, r.nextExpectedRevision])).toEqual([[a, 0], [b, 2], [c, 0]]);
        expect(results.flatMap((r) => r.events.map((e) => e.id))).toEqual(appends.flatMap((x) => x.events.map((e) => e.id)));
        expectStrictlyIncreasing(results.flatMap((r) => r.events.map((e) => e.globalPosition)));
        expect((await store.readStream(b)).map((e) => e.revision)).toEqual([0, 1, 2]);
        const logged = await store.readAll({ after: results[0].events[0].globalPosition - 1, limit: 100 });
        expect(logged.filter((e) => [a, b, c].includes(e.streamId)).map((e) => e.id)).toEqual(
          appends.flatMap((x) => x.events.map((e) => e.id)),
        );
      });

      it('appends nothing when one stream is not at its expected revision, and names that stream', async () => {
        const [a, b, c] = [streamId(), streamId(), streamId()];
        await store.appendToStream(c, [newEvent(), newEvent()]);
        const head = await store.headPosition();
        const error = await rejectionOf(
          store.appendToStreams([
            { streamId: a, events: [newEvent()], expectedRevision: 'no_stream' },
            { streamId: b, events: [newEvent(), newEvent()], expectedRevision: 'no_stream' },
            { streamId: c, events: [newEvent()], expectedRevision: 0 },
          ]),
          WrongExpectedVersion,
        );
        expect(error).toMatchObject({ streamId: c, expected: 0, actual: 1 });
        expect(await store.readStream(a)).toEqual([]);
        expect(await store.readStream(b)).toEqual([]);
        expect(await store.readStream(c)).toHaveLength(2);
        expect(await store.headPosition()).toBe(head);
        expect(await store.readAll({ after: head })).toEqual([]);
      });

      it('lets exactly one of two racing writers win a stream they share, the loser appending nothing', async () => {
        const [shared, mine, theirs] = [streamId(), streamId(), streamId()];
        await store.appendToStream(shared, [newEvent()], { expectedRevision: 'no_stream' });
        const outcomes = await Promise.allSettled([
          store.appendToStreams([
            { streamId: mine, events: [newEvent()], expectedRevision: 'no_stream' },
            { streamId: shared, events: [newEvent()], expectedRevision: 0 },
          ]),
          store.appendToStream(shared, [newEvent()], { expectedRevision: 0 }),
          store.appendToStreams([
            { streamId: theirs, events: [newEvent()], expectedRevision: 'no_stream' },
            { streamId: shared, events: [newEvent()], expectedRevision: 0 },
          ]),
        ]);
        expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
        for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(WrongExpectedVersion);
        expect(await store.readStream(shared)).toHaveLength(2);
        const written = (await store.readStream(mine)).length + (await store.readStream(theirs)).length;
        expect(written).toBe(outcomes[1].status === 'fulfilled' ? 0 : 1);
      });

      it('answers a verbatim repeat with the original events, appending nothing', async () => {
        const [a, b] = [streamId(), streamId()];
        const appends = [
          { streamId: a, events: [newEvent()], expectedRevision: 'no_stream' as const },
          { streamId: b, events: [newEvent(), newEvent()], expectedRevision: 'no_stream' as const },
        ];
        const first = await store.appendToStreams(appends);
        const head = await store.headPosition();
        expect(await store.appendToStreams(appends)).toEqual(first);
        expect(await store.headPosition()).toBe(head);
      });

      it('refuses malformed requests before touching the store', async () => {
        const head = await store.headPosition();
        const s = streamId();
        const event = newEvent();
        await expect(store.appendToStreams([])).rejects.toThrow(/at least one append/);
        await expect(store.appendToStreams([{ streamId: s, events: [] }])).rejects.toThrow(/no events/);
        await expect(
          store.appendToStreams([
            { streamId: s, events: [newEvent()] },
            { streamId: s, events: [newEvent()] },
          ]),
        ).rejects.toThrow(/named twice/);
        await rejectionOf(
          store.appendToStreams([
            { streamId: s, events: [event] },
            { streamId: streamId(), events: [event] },
          ]),
          DuplicateEventIds,
        );
        expect(await store.headPosition()).toBe(head);
      });

      it('is seen by readers all at once or not at all, and delivered in order to a subscription', async () => {
        const streams = Array.from({ length: 50 }, () => streamId());
        const after = await store.headPosition();
        const controller = new AbortController();
        const seen: RecordedEvent[] = [];
        const reading = (async () => {
          for await (const batch of store.subscribeToAll({ after, signal: controller.signal })) {
            seen.push(...batch);
            if (seen.length >= streams.length) controller.abort();
          }
        })();
        let done = false;
        const observed = new Set<number>();
        const polling = (async () => {
          while (!done) {
            observed.add((await store.readAll({ after, limit: 1000 })).length);
            await sleep(1);
          }
        })();
        const results = await store.appendToStreams(streams.map((s) => ({ streamId: s, events: [newEvent()], expectedRevision: 'no_stream' as const })));
        done = true;
        await polling;
        await withDeadline(reading, 10_000, 'the subscription did not deliver the multi-stream append');
        expect([...observed].every((n) => n === 0 || n === streams.length)).toBe(true);
        expect(seen.map((e) => e.globalPosition)).toEqual(results.map((r) => r.events[0].globalPosition));
      });
    });

    describe('readStream', () => {
      it('gives an empty array for a missing stream', async () => {
        expect(await store.readStream(streamId())).toEqual([]);
        expect(await store.readStream(streamId(), { fromRevision: 3, maxCount: 2 })).toEqual([]);
      });

      it('reads from a revision, at most maxCount events', async () => {
        const stream = streamId();
        await store.appendToStream(stream, [newEvent(), newEvent(), newEvent(), newEvent(), newEvent()]);
        const revisions = async (options: { fromRevision?: number; maxCount?: number }) =>
          (await store.readStream(stream, options)).map((e) => e.revision);

        expect(await revisions({})).toEqual([0, 1, 2, 3, 4]);
        expect(await revisions({ fromRevision: 2 })).toEqual([2, 3, 4]);
        expect(await revisions({ maxCount: 2 })).toEqual([0, 1]);
        expect(await revisions({ fromRevision: 1, maxCount: 3 })).toEqual([1, 2, 3]);
        expect(await revisions({ fromRevision: 3, maxCount: 10 })).toEqual([3, 4]);
        expect(await revisions({ fromRevision: 5 })).toEqual([]);
      });

      it('reads only its own stream, even among interleaved appends', async () => {
        const [s1, s2] = [streamId(), streamId()];
        const a = await store.appendToStream(s1, [newEvent()]);
        await store.appendToStream(s2, [newEvent(), newEvent()]);
        const b = await store.appendToStream(s1, [newEvent()]);
        const read = await store.readStream(s1);
        expect(read.map((e) => e.streamId)).toEqual([s1, s1]);
        expect(read.map((e) => e.globalPosition)).toEqual([a.events[0].globalPosition, b.events[0].globalPosition]);
      });

      it('gives back every field of the recorded events', async () => {
        const stream = streamId();
        const event = newEvent({ type: 'ProcedureRegistered', schemaVersion: 3, data: { code: '1.001612', level: 'PROVINCE' } });
        const head = await store.headPosition();
        const { events } = await store.appendToStream(stream, [event]);
        const [read] = await store.readStream(stream);
        expect(read).toEqual<RecordedEvent>({
          id: event.id,
          type: 'ProcedureRegistered',
          schemaVersion: 3,
          data: { code: '1.001612', level: 'PROVINCE' },
          metadata: { ...event.metadata, recordedAt: expect.any(String) },
          streamId: stream,
          revision: 0,
          globalPosition: events[0].globalPosition,
          hash: hashChain ? expect.stringMatching(/^[0-9a-f]{64}$/) : undefined,
        });
        const [fromLog] = await store.readAll({ after: head, limit: 1 });
        expect(fromLog).toEqual(read);
      });
    });

    describe('event contents', () => {
      it('round-trips metadata (actor, correlationId, causationId)', async () => {
        const stream = streamId();
        const correlationId = randomUUID();
        const first = newEvent({ metadata: { actor: 'anonymous', correlationId, causationId: null } });
        const second = newEvent({ metadata: { actor: 'cán-bộ@sotp.hanoi.gov.vn', correlationId, causationId: first.id } });
        await store.appendToStream(stream, [first, second]);

        const read = await store.readStream(stream);
        expect(read[0].metadata).toEqual({ actor: 'anonymous', correlationId, causationId: null, recordedAt: expect.any(String) });
        expect(read[1].metadata).toEqual({
          actor: 'cán-bộ@sotp.hanoi.gov.vn',
          correlationId,
          causationId: first.id,
          recordedAt: expect.any(String),
        });
      });

      it('sets recordedAt itself, as an ISO-8601 instant of the append', async () => {
        const stream = streamId();
        const before = Date.now();
        await store.appendToStream(stream, [newEvent()]);
        const after = Date.now();

        const [event] = await store.readStream(stream);
        const { recordedAt } = event.metadata;
        expect(recordedAt).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/);
        expect(new Date(recordedAt).toISOString()).toBe(recordedAt);
        // The store's clock may be another machine's: allow it some drift.
        expect(Date.parse(recordedAt)).toBeGreaterThanOrEqual(before - CLOCK_DRIFT_MS);
        expect(Date.parse(recordedAt)).toBeLessThanOrEqual(after + CLOCK_DRIFT_MS);
      });

      it('never lets recordedAt decrease along the log', async () => {
        const head = await store.headPosition();
        const streams = [streamId(), streamId(), streamId()];
        for (let i = 0; i < 12; i++) {
          await store.appendToStream(streams[i % 3], i % 4 === 0 ? [newEvent(), newEvent()] : [newEvent()]);
        }
        const read = await store.readAll({ after: head });
        expect(read).toHaveLength(15);
        const instants = read.map((e) => Date.parse(e.metadata.recordedAt));
        for (let i = 1; i < instants.length; i++) expect(instants[i]).toBeGreaterThanOrEqual(instants[i - 1]);
      });

      it('keeps an explicit metadata.recordedAt (imports of past events)', async () => {
        const stream = streamId();
        const recordedAt = '2019-03-01T08:00:00.000Z';
        await store.appendToStream(stream, [
          newEvent({ metadata: { ...metadata(), recordedAt } }),
          newEvent({ metadata: { ...metadata(), recordedAt: '2021-07-01T00:30:15.250Z' } }),
          newEvent(),
        ]);
        const read = await store.readStream(stream);
        expect(read[0].metadata.recordedAt).toBe(recordedAt);
        expect(read[1].metadata.recordedAt).toBe('2021-07-01T00:30:15.250Z');
        expect(Date.parse(read[2].metadata.recordedAt)).toBeGreaterThan(Date.parse('2024-01-01T00:00:00Z'));
      });

      it('round-trips schemaVersion', async () => {
        const stream = streamId();
        const head = await store.headPosition();
        await store.appendToStream(stream, [
          newEvent({ schemaVersion: 1 }),
          newEvent({ schemaVersion: 2 }),
          newEvent({ schemaVersion: 17 }),
        ]);
        expect((await store.readStream(stream)).map((e) => e.schemaVersion)).toEqual([1, 2, 17]);
        expect((await store.readAll({ after: head })).map((e) => e.schemaVersion)).toEqual([1, 2, 17]);
      });

      it('round-trips data with Vietnamese, emoji and right-to-left text exactly', async () => {
        const data = {
          // Precomposed (NFC) and decomposed (NFD) spellings must come back as they went in.
          tenThuTuc: 'Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ',
          tenThuTucNfd: 'Cấp giấy phép xây dựng'.normalize('NFD'),
          coQuan: 'Sở Xây dựng tỉnh Thừa Thiên Huế',
          'địa chỉ': { 'phường/xã': 'Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh', ghiChú: 'Đường Lê Duẩn' },
          emoji: '👨‍👩‍👧‍👦 🇻🇳 👍🏽 🧑🏻‍💻 ✅ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
          arabic: 'مرحبا بالعالم',
          hebrew: '\u200Fשלום עולם\u200E (42)',
          mixed: 'abc \u202Eأبج\u202C xyz \u2066ltr\u2069',
          chinese: '越南行政程序',
          zeroWidth: 'a\u200Bb\u200Dc\uFEFFd',
          escapes: 'quote " backslash \\ slash / tab \t newline \n cr \r bell \u0007',
          list: ['Hà Nội', 'Đà Nẵng', '🏛️', '', 'ـ'],
          numbers: { int: 74, negative: -1, fraction: 0.1, big: 9007199254740991, exponent: 1.5e-7 },
          flags: [true, false, null],
          empty: {},
        };
        const stream = streamId();
        await store.appendToStream(stream, [newEvent({ data })]);
        const [read] = await store.readStream(stream);
        expect(read.data).toStrictEqual(data);
        expect((read.data as typeof data).tenThuTucNfd).not.toBe((read.data as typeof data).tenThuTucNfd.normalize('NFC'));

        const strings: unknown[] = ['Thủ tục hành chính ✓', 'שלום', '🇻🇳'];
        for (const value of strings) {
          const s = streamId();
          await store.appendToStream(s, [newEvent({ data: value })]);
          expect((await store.readStream(s))[0].data).toBe(value);
        }
      });

      it('round-trips an event type and stream id with non-ASCII characters', async () => {
        const stream = `${prefix}thủ-tục-${randomUUID()}:1.001612`;
        await store.appendToStream(stream, [newEvent({ type: 'ThủTụcĐãĐăngKý' })]);
        const [read] = await store.readStream(stream);
        expect(read.streamId).toBe(stream);
        expect(read.type).toBe('ThủTụcĐãĐăngKý');
      });
    });

    describe('readAll and headPosition', () => {
      it('pages through the log with after/limit, every event exactly once, in order', async () => {
        const head = await store.headPosition();
        const appended: AppendResult[] = [];
        const streams = [streamId(), streamId(), streamId(), streamId()];
        for (let i = 0; i < 10; i++) {
          appended.push(await store.appendToStream(streams[i % 4], Array.from({ length: (i % 3) + 1 }, () => newEvent())));
        }
        const expected = appended.flatMap((r) => r.events.map((e) => [e.id, e.globalPosition]));
        expect(expected).toHaveLength(19);

        for (const limit of [1, 5, 19, 50]) {
          const seen: RecordedEvent[] = [];
          let after = head;
          for (;;) {
            const page = await store.readAll({ after, limit });
            expect(page.length).toBeLessThanOrEqual(limit);
            if (page.length === 0) break;
            expect(page[0].globalPosition).toBeGreaterThan(after);
            seen.push(...page);
            after = page[page.length - 1].globalPosition;
          }
          expect(seen.map((e) => [e.id, e.globalPosition])).toEqual(expected);
          expectStrictlyIncreasing(seen.map((e) => e.globalPosition));
        }
      });

      it('reads the log from the beginning with after 0 (or no options)', async () => {
        const { events } = await store.appendToStream(streamId(), [newEvent()]);
        const all = await store.readAll({ after: 0, limit: 100_000 });
        expect(all.length).toBeGreaterThan(1);
        expectStrictlyIncreasing(all.map((e) => e.globalPosition));
        expect(all[all.length - 1].id).toBe(events[0].id);
        // Each event once; where ids are unique per stream only, an id reused elsewhere is another event.
        const keys = all.map((e) => (uniqueEventIds ? e.id : `${e.streamId} ${e.id}`));
        expect(new Set(keys).size).toBe(all.length);
        expect((await store.readAll()).slice(0, 10)).toEqual(all.slice(0, 10));
      });

      it('gives as headPosition the position of the last event', async () => {
        const start = await store.headPosition();
        const { events } = await store.appendToStream(streamId(), [newEvent(), newEvent()]);
        const head = await store.headPosition();
        expect(head).toBe(events[1].globalPosition);
        const tail = await store.readAll({ after: start });
        expect(tail.map((e) => e.id)).toEqual(events.map((e) => e.id));
        expect(tail[tail.length - 1].globalPosition).toBe(head);
        expect(await store.readAll({ after: head })).toEqual([]);
      });
    });

    describe('subscribeToAll', () => {
      it('yields the history after `after`, then live events in order, and ends when the signal aborts', async () => {
        const head = await store.headPosition();
        const stream = streamId();
        const history = await store.appendToStream(stream, [newEvent(), newEvent(), newEvent()]);
        const controller = new AbortController();
        const live: AppendResult[] = [];
        const seen: RecordedEvent[] = [];
        const batches: number[] = [];

        const consumed = (async () => {
          for await (const batch of store.subscribeToAll({ after: head, batchSize: 2, signal: controller.signal })) {
            batches.push(batch.length);
            seen.push(...batch);
            if (seen.length === 3) {
              // History is in: now append while the subscription is live.
              live.push(await store.appendToStream(stream, [newEvent()]));
              live.push(await store.appendToStream(streamId(), [newEvent(), newEvent()]));
            }
            if (seen.length >= 6) controller.abort();
          }
          return 'ended' as const;
        })();

        // A subscription that stops only at the deadline would leave the test to time out instead.
        expect(await withDeadline(consumed, 10_000, 'the subscription did not end after abort')).toBe('ended');
        const expected = [history, ...live].flatMap((r) => r.events.map((e) => e.id));
        expect(seen.map((e) => e.id)).toEqual(expected);
        expectStrictlyIncreasing(seen.map((e) => e.globalPosition));
        expect(seen[0].globalPosition).toBeGreaterThan(head);
        expect(batches.every((n) => n >= 1 && n <= 2)).toBe(true);
      });

      it('picks up events appended by another writer while it waits', async () => {
        const head = await store.headPosition();
        const controller = new AbortController();
        const seen: RecordedEvent[] = [];
        const consumed = (async () => {
          for await (const batch of store.subscribeToAll({ after: head, signal: controller.signal })) {
            seen.push(...batch);
            if (seen.length >= 4) controller.abort();
          }
        })();
        const appended: AppendResult[] = [];
        for (let i = 0; i < 4; i++) {
          await sleep(20);
          appended.push(await store.appendToStream(streamId(), [newEvent()]));
        }
        await withDeadline(consumed, 10_000, 'the subscription did not deliver live events');
        expect(seen.map((e) => e.id)).toEqual(appended.map((r) => r.events[0].id));
      });

      it('ends promptly when aborted while waiting for events', async () => {
        const controller = new AbortController();
        const head = await store.headPosition();
        let yielded = 0;
        const consumed = (async () => {
          for await (const batch of store.subscribeToAll({ after: head, signal: controller.signal })) yielded += batch.length;
        })();
        await sleep(100);
        const abortedAt = Date.now();
        controller.abort();
        await withDeadline(consumed, 5_000, 'the subscription did not end after abort');
        expect(Date.now() - abortedAt).toBeLessThan(1_000);
        expect(yielded).toBe(0);
      });

      it('yields nothing and ends when the signal is already aborted', async () => {
        await store.appendToStream(streamId(), [newEvent()]);
        const controller = new AbortController();
        controller.abort();
        const batches: RecordedEvent[][] = [];
        await withDeadline(
          (async () => {
            for await (const batch of store.subscribeToAll({ after: 0, signal: controller.signal })) batches.push(batch);
          })(),
          5_000,
          'the subscription did not end',
        );
        expect(batches).toEqual([]);
      });

      it('ends when the consumer breaks out of the loop', async () => {
        const head = await store.headPosition();
        await store.appendToStream(streamId(), [newEvent(), newEvent()]);
        const controller = new AbortController();
        const seen: RecordedEvent[] = [];
        await withDeadline(
          (async () => {
            for await (const batch of store.subscribeToAll({ after: head, batchSize: 1, signal: controller.signal })) {
              seen.push(...batch);
              break;
            }
          })(),
          5_000,
          'the subscription did not end on break',
        );
        expect(seen).toHaveLength(1);
        controller.abort();
      });
    });

    if (hashChain) {
      describe('tamper evidence', () => {
        it("chains each event's hash over its stream's previous event, across appends", async () => {
          const stream = streamId();
          await store.appendToStream(stream, [newEvent(), newEvent({ data: { 'địa chỉ': 'Thủ Dầu Một', n: 1.5e-7, big: 1e21 } })]);
          await store.appendToStream(streamId(), [newEvent()]);
          await store.appendToStream(stream, [newEvent({ metadata: { ...metadata(), recordedAt: '2019-03-01T08:00:00.123Z' } })]);

          const read = await store.readStream(stream);
          expect(read).toHaveLength(3);
          let prevHash = GENESIS_HASH;
          for (const event of read) {
            expect(event.hash).toBe(recomputeEventHash(event, prevHash).hash);
            prevHash = event.hash!;
          }
          const [fromLog] = await store.readAll({ after: read[2].globalPosition - 1, limit: 1 });
          expect(fromLog.hash).toBe(read[2].hash);
        });

        it('verifies, through the port alone, every event this suite wrote', async () => {
          let events = 0;
          for (let after = 0; ; ) {
            const page = await store.readAll({ after, limit: 500 });
            if (page.length === 0) break;
            events += page.length;
            after = page[page.length - 1].globalPosition;
          }
          const report = await new EventLogVerifier(storeEventLogSource(store)).verify({ batchSize: 50 });
          expect(report.chains.problems).toEqual([]);
          expect(report).toMatchObject({ ok: true, eventsChecked: events, logDigest: { ok: true, problems: [] } });
          expect(report.streamsChecked).toBeGreaterThan(20);
        });
      });
    }
  });
}

const CLOCK_DRIFT_MS = 60_000;

function metadata(): EventMetadata {
  return { actor: 'contract-test', correlationId: randomUUID(), causationId: null };
}

function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return { id: randomUUID(), type: 'ContractTested', schemaVersion: 1, data: { n: Math.random() }, metadata: metadata(), ...overrides };
}

function expectStrictlyIncreasing(values: readonly number[]): void {
  for (let i = 1; i < values.length; i++) {
    if (!(values[i] > values[i - 1])) {
      throw new Error(`expected strictly increasing values, but ${values[i]} follows ${values[i - 1]} (index ${i})`);
    }
  }
}

async function rejectionOf<E extends Error>(promise: Promise<unknown>, type: abstract new (...args: never[]) => E): Promise<E> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(type);
    return error as E;
  }
  throw new Error(`expected a ${type.name}, but the call succeeded with ${JSON.stringify(outcome)}`);
}

async function withDeadline<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${message} within ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
