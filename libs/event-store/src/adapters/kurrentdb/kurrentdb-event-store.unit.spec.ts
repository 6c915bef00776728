import { randomUUID } from 'node:crypto';
import { CommitOutcomeUnknown, EventStoreUnavailable, MultiStreamAppendUnsupported, type NewEvent, type RecordedEvent } from '../../event-store.port.js';
import { eventStoreContract } from '../../testing/event-store.contract.js';
import { SimulatedKurrentDb } from '../../testing/simulated-kurrentdb.js';
import { KurrentDbEventStore } from './kurrentdb-event-store.js';

/*
 * The adapter's own logic against a simulated server (testing/simulated-kurrentdb.ts, modelled on the
 * server's source): the whole contract suite, then what only KurrentDB's log shows. The same suite
 * runs against a real server in kurrentdb-event-store.int.spec.ts when KURRENTDB_CONNECTION_STRING is set.
 */
eventStoreContract(
  'KurrentDbEventStore on a simulated KurrentDB',
  async () => {
    const server = new SimulatedKurrentDb();
    const streamPrefix = `run${randomUUID().slice(0, 8)}-`;
    const store = new KurrentDbEventStore(server.client, { streamPrefixes: [streamPrefix] });
    return { store, streamPrefix, teardown: () => store.close() };
  },
  // Tamper-evidence hashes are not kept in KurrentDB yet (designed in another issue).
  { uniqueEventIds: false, hashChain: false },
);

describe('KurrentDbEventStore on a simulated KurrentDB', () => {
  let server: SimulatedKurrentDb;
  let store: KurrentDbEventStore;
  const stream = () => `procedure-74:${randomUUID()}`;

  beforeEach(() => {
    server = new SimulatedKurrentDb({ noiseEvery: 1 });
    store = new KurrentDbEventStore(server.client);
  });

  it("gives each event its record's log offset as global position, gaps and all", async () => {
    const s = stream();
    const { events } = await store.appendToStream(s, [newEvent(), newEvent(), newEvent()], { expectedRevision: 'no_stream' });
    const offsets = server.log.filter((r) => r.streamId === s).map((r) => Number(r.position));
    expect(events.map((e) => e.globalPosition)).toEqual(offsets);
    expect(offsets[0]).toBeGreaterThan(0); // system records come first
    expect(offsets[1] - offsets[0]).toBeGreaterThan(1);
    expect((await store.readAll()).map((e) => e.globalPosition)).toEqual(offsets);
  });

  it("reads only this application's streams, and no system events, from $all, its head and a subscription", async () => {
    const s = stream();
    await store.appendToStream(s, [newEvent()]);
    server.write(s, '$streamDeleted', {}); // a system event inside one of our streams
    await store.appendToStream(s, [newEvent()]);
    server.write('$stats-127.0.0.1:2113', '$statsCollected', {});
    server.write('other-app-1', 'SomethingHappened', {});

    const all = await store.readAll();
    expect(all.map((e) => [e.streamId, e.type])).toEqual([
      [s, 'ContractTested'],
      [s, 'ContractTested'],
    ]);
    expect(await store.headPosition()).toBe(all[1].globalPosition);

    const seen = await collect(store, 0, 2);
    expect(seen.map((e) => e.id)).toEqual(all.map((e) => e.id));
  });

  it('reads on past a page made only of system events', async () => {
    const s = stream();
    await store.appendToStream(s, [newEvent()]);
    for (let i = 0; i < 5; i++) server.write(s, '$metadataChanged', { i });
    const last = await store.appendToStream(s, [newEvent()]);
    const first = await store.readAll({ limit: 1 });
    expect(await store.readAll({ after: first[0].globalPosition, limit: 1 })).toEqual([
      expect.objectContaining({ id: last.events[0].id }),
    ]);

    // And its head is the last event of ours, behind trailing system events.
    for (let i = 0; i < 150; i++) server.write(s, '$metadataChanged', { i });
    expect(await store.headPosition()).toBe(last.events[0].globalPosition);
  });

  it('stores type, JSON data, and metadata with schemaVersion, recordedAt only when given', async () => {
    const s = stream();
    const plain = newEvent({ schemaVersion: 3 });
    const imported = newEvent({ metadata: { actor: 'import', correlationId: 'c', causationId: null, recordedAt: '2019-03-01T08:00:00Z' } });
    await store.appendToStream(s, [plain, imported]);
    const [first, second] = server.log.filter((r) => r.streamId === s);
    expect({ type: first.type, data: JSON.parse(first.data), metadata: JSON.parse(first.metadata) }).toEqual({
      type: 'ContractTested',
      data: plain.data,
      metadata: { ...plain.metadata, schemaVersion: 3 },
    });
    expect(JSON.parse(second.metadata)).toEqual({ actor: 'import', correlationId: 'c', causationId: null, schemaVersion: 1, recordedAt: '2019-03-01T08:00:00.000Z' });
    const [readFirst] = await store.readStream(s);
    expect(readFirst.metadata.recordedAt).toBe(first.created.toISOString());
  });

  it('refuses to append to a stream it would not read back', async () => {
    await expect(store.appendToStream('agency-74', [newEvent()])).rejects.toThrow(/outside this store's categories/);
    await expect(store.appendToStream('$procedure-74:1', [newEvent()])).rejects.toThrow(/outside/);
  });

  it('reports an unreachable server as EventStoreUnavailable from reads and a live subscription, and an append it cannot check as of unknown outcome', async () => {
    const s = stream();
    await store.appendToStream(s, [newEvent()]);
    const controller = new AbortController();
    const subscription = (async () => {
      for await (const _batch of store.subscribeToAll({ signal: controller.signal })) server.goDown();
    })();
    await expect(subscription).rejects.toBeInstanceOf(EventStoreUnavailable);

    // Whether the call reached the server cannot be told, nor checked while it is unreachable.
    await expect(store.appendToStream(s, [newEvent()])).rejects.toBeInstanceOf(CommitOutcomeUnknown);
    await expect(store.readStream(s)).rejects.toBeInstanceOf(EventStoreUnavailable);
    await expect(store.readAll()).rejects.toBeInstanceOf(EventStoreUnavailable);
    await expect(store.headPosition()).rejects.toBeInstanceOf(EventStoreUnavailable);
    const late = (async () => {
      for await (const _batch of store.subscribeToAll({ signal: controller.signal }));
    })();
    await expect(late).rejects.toBeInstanceOf(EventStoreUnavailable);
  });

  describe('an append whose answer was lost', () => {
    it('answers with its events when it was carried out, whatever revision it expected, and a retry appends nothing', async () => {
      for (const expectedRevision of ['no_stream', 'any'] as const) {
        const s = stream();
        const events = [newEvent(), newEvent()];
        server.loseAnswers(1);
        const result = await store.appendToStream(s, events, { expectedRevision });
        expect(result.events.map((e) => [e.id, e.revision])).toEqual([[events[0].id, 0], [events[1].id, 1]]);
        expect(result.nextExpectedRevision).toBe(1);
        expect(await store.appendToStream(s, events, { expectedRevision })).toEqual(result);
        expect((await store.readStream(s)).map((e) => e.id)).toEqual(events.map((e) => e.id));
      }
      const s = stream();
      await store.appendToStream(s, [newEvent()]);
      server.loseAnswers(1);
      const third = newEvent();
      const { events } = await store.appendToStream(s, [third], { expectedRevision: 0 });
      expect(events.map((e) => [e.id, e.revision])).toEqual([[third.id, 1]]);
    });

    it('is reported as not appended when the revision it expected is taken by other events', async () => {
      const s = stream();
      await store.appendToStream(s, [newEvent()], { expectedRevision: 'no_stream' });
      await store.appendToStream(s, [newEvent()], { expectedRevision: 0 }); // another writer took revision 1
      server.loseAnswers(1, { written: false });
      await expect(store.appendToStream(s, [newEvent()], { expectedRevision: 0 })).rejects.toBeInstanceOf(EventStoreUnavailable);
      expect(await store.readStream(s)).toHaveLength(2);
    });

    it('is of unknown outcome when it is not there and could still land', async () => {
      const s = stream();
      await store.appendToStream(s, [newEvent()]);
      server.loseAnswers(1, { written: false });
      const lost = store.appendToStream(s, [newEvent()], { expectedRevision: 0 });
      await expect(lost).rejects.toBeInstanceOf(CommitOutcomeUnknown);
      server.loseAnswers(1, { written: false });
      await expect(store.appendToStream(s, [newEvent()])).rejects.toBeInstanceOf(CommitOutcomeUnknown);
    });

    it("of several streams at once answers with every stream's events when the write was carried out", async () => {
      const [a, b] = [stream(), stream()];
      const appends = [
        { streamId: a, events: [newEvent()], expectedRevision: 'no_stream' as const },
        { streamId: b, events: [newEvent(), newEvent()], expectedRevision: 'no_stream' as const },
      ];
      server.loseAnswers(1);
      const results = await store.appendToStreams(appends);
      expect(results.map((r) => [r.streamId, r.events.map((e) => e.id)])).toEqual(appends.map((x) => [x.streamId, x.events.map((e) => e.id)]));
      server.loseAnswers(1, { written: false });
      await expect(store.appendToStreams([{ streamId: stream(), events: [newEvent()], expectedRevision: 'no_stream' }])).rejects.toBeInstanceOf(CommitOutcomeUnknown);
    });
  });

  it('delivers batches of at most batchSize while the server pushes events one by one', async () => {
    const s = stream();
    for (let i = 0; i < 7; i++) await store.appendToStream(s, [newEvent()]);
    const batches: number[] = [];
    const controller = new AbortController();
    for await (const batch of store.subscribeToAll({ batchSize: 3, signal: controller.signal })) {
      batches.push(batch.length);
      if (batches.reduce((a, b) => a + b) >= 7) controller.abort();
    }
    expect(batches.every((n) => n >= 1 && n <= 3)).toBe(true);
    expect(batches.reduce((a, b) => a + b)).toBe(7);
  });
});

async function collect(store: KurrentDbEventStore, after: number, count: number): Promise<RecordedEvent[]> {
  const controller = new AbortController();
  const seen: RecordedEvent[] = [];
  for await (const batch of store.subscribeToAll({ after, signal: controller.signal })) {
    seen.push(...batch);
    if (seen.length >= count) controller.abort();
  }
  return seen;
}

describe('KurrentDbEventStore.appendToStreams on a simulated KurrentDB', () => {
  const stream = () => `procedure-74:${randomUUID()}`;

  it('writes through the multi-stream append and reads back metadata, schema version and a causation exactly', async () => {
    const server = new SimulatedKurrentDb();
    const store = new KurrentDbEventStore(server.client);
    const cause = newEvent({ schemaVersion: 2 });
    const effect = newEvent({ metadata: { actor: 'nguyen.van.a', correlationId: randomUUID(), causationId: cause.id } });
    const [decision, procedure] = [`decision-74:${randomUUID()}`, stream()];
    const results = await store.appendToStreams([
      { streamId: decision, events: [cause], expectedRevision: 'no_stream' },
      { streamId: procedure, events: [effect], expectedRevision: 'no_stream' },
    ]);
    const [readCause] = await store.readStream(decision);
    const [readEffect] = await store.readStream(procedure);
    expect(readCause).toMatchObject({ schemaVersion: 2, metadata: { ...cause.metadata, causationId: null } });
    expect(readEffect.metadata).toEqual({ ...effect.metadata, recordedAt: readEffect.metadata.recordedAt });
    expect(results.map((r) => r.events[0].globalPosition)).toEqual([readCause.globalPosition, readEffect.globalPosition]);
  });

  it('refuses, writing nothing, on a server without the multi-stream append (before KurrentDB 25.1)', async () => {
    const server = new SimulatedKurrentDb({ multiStreamAppend: false });
    const store = new KurrentDbEventStore(server.client);
    const before = server.log.length;
    await expect(store.appendToStreams([{ streamId: stream(), events: [newEvent()] }])).rejects.toBeInstanceOf(MultiStreamAppendUnsupported);
    expect(server.log).toHaveLength(before);
  });
});

function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ContractTested',
    schemaVersion: 1,
    data: { n: Math.random() },
    metadata: { actor: 'unit-test', correlationId: randomUUID(), causationId: null },
    ...overrides,
  };
}
