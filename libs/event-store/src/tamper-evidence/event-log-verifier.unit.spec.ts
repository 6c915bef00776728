import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '../adapters/in-memory/in-memory-event-store.js';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { storeEventLogSource, type EventLogSource, type LogDigestCheckpoint, type StoredEvent } from './event-log-source.js';
import { EventLogVerifier } from './event-log-verifier.js';
import { eventHash, GENESIS_HASH, nextLogDigest, recomputeEventHash } from './hash-chain.js';

/*
 * The verifier over a log held in an array that the tests edit as someone with write access to the
 * table would: rows changed, deleted, moved. The PostgreSQL int spec does the same with SQL.
 */

describe('EventLogVerifier', () => {
  describe('on an untouched log', () => {
    it('reports every chain and the digest ok, with what it checked', async () => {
      const { source, events, checkpoints } = await tamperableLog();
      const report = await new EventLogVerifier(source).verify();
      expect(report).toEqual({
        ok: true,
        eventsChecked: events.length,
        streamsChecked: 4,
        upToPosition: events[events.length - 1].globalPosition,
        chains: { ok: true, problemCount: 0, problems: [] },
        logDigest: { ok: true, checkpointsChecked: checkpoints.length, digest: digestOf(events), problemCount: 0, problems: [] },
      });
    });

    it('verifies a store through the port alone', async () => {
      const store = new InMemoryEventStore();
      await store.appendToStream('procedure-74:1.000001', [event(), event()]);
      await store.appendToStream('procedure-74:1.000002', [event()]);
      await store.appendToStream('procedure-74:1.000001', [event({ data: { 'địa chỉ': 'Thủ Dầu Một', n: 1e21 } })]);
      const progress: string[] = [];
      const report = await new EventLogVerifier(storeEventLogSource(store)).verify({
        batchSize: 2,
        onProgress: (pass, done, total) => progress.push(`${pass} ${done}/${total}`),
      });
      expect(report).toMatchObject({ ok: true, eventsChecked: 4, streamsChecked: 2, upToPosition: 4, logDigest: { checkpointsChecked: 0 } });
      expect(progress).toEqual(['log 2/4', 'log 4/4', 'streams 2/4', 'streams 3/4', 'streams 4/4']);
    });

    it('verifies an empty log', async () => {
      const report = await new EventLogVerifier(storeEventLogSource(new InMemoryEventStore())).verify();
      expect(report).toMatchObject({ ok: true, eventsChecked: 0, streamsChecked: 0, upToPosition: 0, logDigest: { digest: GENESIS_HASH } });
    });
  });

  describe('when an event was edited', () => {
    it('reports a hash mismatch at that event only, naming its stream, revision and position', async () => {
      const { source, events } = await tamperableLog();
      const target = events.find((e) => e.streamId === STREAMS[1] && e.revision === 1)!;
      target.data = { ...(target.data as object), onlineMode: 'FULL_PROCESS' };

      const report = await new EventLogVerifier(source).verify();
      expect(report.ok).toBe(false);
      expect(report.chains.problems).toEqual([
        {
          streamId: STREAMS[1],
          revision: 1,
          globalPosition: target.globalPosition,
          problem: 'hash-mismatch',
          expected: target.hash,
          found: expect.stringMatching(/^[0-9a-f]{64}$/),
          detail: expect.stringContaining('content'),
        },
      ]);
      // The stored hashes were left alone, so the digest still holds: the chain is what tells.
      expect(report.logDigest.ok).toBe(true);
    });

    it("tells a changed record time from changed content when the store keeps the content hash", async () => {
      const { source, events } = await tamperableLog({ withContentHash: true });
      const target = events.find((e) => e.streamId === STREAMS[0] && e.revision === 2)!;
      target.metadata = { ...target.metadata, recordedAt: '2020-01-01T00:00:00.000Z' };
      const [problem] = (await new EventLogVerifier(source).verify()).chains.problems;
      expect(problem).toMatchObject({ streamId: STREAMS[0], revision: 2, problem: 'hash-mismatch', detail: expect.stringContaining('recordedAt') });
    });

    it('reports an event without a hash', async () => {
      const { source, events } = await tamperableLog();
      const target = events[3];
      delete target.hash;
      const report = await new EventLogVerifier(source).verify();
      expect(report.chains.problems).toEqual([expect.objectContaining({ streamId: target.streamId, revision: target.revision, problem: 'missing-hash' })]);
      expect(report.logDigest.ok).toBe(false);
    });
  });

  describe('when an event was deleted', () => {
    it('reports the missing revision, and the broken link of the event after it', async () => {
      const { source, events } = await tamperableLog();
      const index = events.findIndex((e) => e.streamId === STREAMS[2] && e.revision === 1);
      const [deleted] = events.splice(index, 1);
      const next = events.find((e) => e.streamId === STREAMS[2] && e.revision === 2)!;

      const report = await new EventLogVerifier(source).verify();
      expect(report.chains.problems).toEqual([
        expect.objectContaining({ streamId: STREAMS[2], revision: 1, globalPosition: null, problem: 'missing-revision', expected: 1, found: 2 }),
        expect.objectContaining({ streamId: STREAMS[2], revision: 2, globalPosition: next.globalPosition, problem: 'broken-link' }),
      ]);
      expect(report.logDigest.problems).toEqual([
        expect.objectContaining({ problem: 'digest-mismatch', eventsExpected: expect.any(Number), eventsFound: expect.any(Number) }),
      ]);
      const [window] = report.logDigest.problems;
      expect(window.eventsExpected - window.eventsFound).toBe(1);
      expect(deleted.globalPosition).toBeGreaterThan(window.fromPosition);
      expect(deleted.globalPosition).toBeLessThanOrEqual(window.toPosition);
    });

    it("detects the deletion of a stream's last event, which no chain can show, by the digest", async () => {
      const { source, events } = await tamperableLog();
      const last = events.filter((e) => e.streamId === STREAMS[3]).pop()!;
      events.splice(events.indexOf(last), 1);
      const report = await new EventLogVerifier(source).verify();
      expect(report.chains.ok).toBe(true);
      expect(report.logDigest.problems).toEqual([
        expect.objectContaining({ problem: 'digest-mismatch', detail: expect.stringContaining('1 event(s)') }),
      ]);
      expect(last.globalPosition).toBeGreaterThan(report.logDigest.problems[0].fromPosition);
      expect(last.globalPosition).toBeLessThanOrEqual(report.logDigest.problems[0].toPosition);
    });

    it("detects a deletion whose stream was re-hashed to hide it, by the digest", async () => {
      const { source, events } = await tamperableLog();
      const index = events.findIndex((e) => e.streamId === STREAMS[0] && e.revision === 1);
      events.splice(index, 1);
      rehash(events, STREAMS[0]); // renumbered and re-chained: the stream looks whole
      const report = await new EventLogVerifier(source).verify();
      expect(report.chains.ok).toBe(true);
      expect(report.logDigest.ok).toBe(false);
      expect(report.logDigest.problems[0].fromPosition).toBeLessThan(events[index].globalPosition);
    });
  });

  describe('when events were reordered', () => {
    it("reports a stream's revisions out of position order, and the digest window", async () => {
      const { source, events } = await tamperableLog();
      const a = events.find((e) => e.streamId === STREAMS[1] && e.revision === 0)!;
      const b = events.find((e) => e.streamId === STREAMS[1] && e.revision === 1)!;
      [a.globalPosition, b.globalPosition] = [b.globalPosition, a.globalPosition];

      const report = await new EventLogVerifier(source).verify();
      expect(report.chains.problems).toEqual([
        expect.objectContaining({ streamId: STREAMS[1], revision: 1, globalPosition: b.globalPosition, problem: 'position-order', expected: a.globalPosition + 1, found: b.globalPosition }),
      ]);
      // Positions 2 and 6 lie in two checkpoint windows (every 5 events): each reports its own change.
      expect(report.logDigest.problems).toEqual([
        expect.objectContaining({ problem: 'digest-mismatch', fromPosition: 0, toPosition: 5, detail: expect.stringContaining('reordered') }),
        expect.objectContaining({ problem: 'digest-mismatch', fromPosition: 5, toPosition: 10, detail: expect.stringContaining('reordered') }),
      ]);
    });

    it('detects two events of different streams swapped, by the digest only', async () => {
      const { source, events } = await tamperableLog({ checkpointEvery: 3 });
      const a = events.find((e) => e.streamId === STREAMS[3] && e.revision === 1)!;
      const b = events.find((e) => e.streamId === STREAMS[0] && e.revision === 2)!;
      expect([a.globalPosition, b.globalPosition]).toEqual([8, 9]);
      [a.globalPosition, b.globalPosition] = [b.globalPosition, a.globalPosition];

      const report = await new EventLogVerifier(source).verify();
      expect(report.chains.ok).toBe(true);
      // Checkpoints every 3 events: the window (6, 9] holds both; those after it still verify, because
      // the verifier carries on from each checkpoint's own digest.
      expect(report.logDigest).toMatchObject({
        ok: false,
        checkpointsChecked: 6,
        problems: [{ problem: 'digest-mismatch', fromPosition: 6, toPosition: 9, eventsExpected: 9, eventsFound: 9 }],
      });
    });
  });

  it('counts every problem but lists at most maxProblems', async () => {
    const { source, events } = await tamperableLog();
    for (const e of events) e.data = { tampered: true };
    const report = await new EventLogVerifier(source).verify({ maxProblems: 3 });
    expect(report.chains.problemCount).toBe(events.length);
    expect(report.chains.problems).toHaveLength(3);
  });
});

const STREAMS = ['procedure-74:1.000001', 'procedure-74:1.000002', 'procedure-01:1.000003', 'procedure-01:thủ-tục'];

function event(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProcedureReclassified',
    schemaVersion: 1,
    data: { onlineMode: 'PARTIAL', decisionRef: 'QĐ 1/QĐ-UBND' },
    metadata: { actor: 'unit', correlationId: randomUUID(), causationId: null },
    ...overrides,
  };
}

/**
 * 16 events in 4 interleaved streams, written by the in-memory store (so hashed by the adapter),
 * then copied into an array that a test may edit, with digest checkpoints taken beforehand.
 */
async function tamperableLog(options: { checkpointEvery?: number; withContentHash?: boolean } = {}) {
  const store = new InMemoryEventStore();
  for (let i = 0; i < 16; i++) await store.appendToStream(STREAMS[i % 4], [event()]);
  const events: StoredEvent[] = (await store.readAll()).map((e) =>
    options.withContentHash ? { ...e, contentHash: recomputeEventHash(e, GENESIS_HASH).contentHash } : e,
  );
  const every = options.checkpointEvery ?? 5;
  const checkpoints: LogDigestCheckpoint[] = [];
  let digest = GENESIS_HASH;
  events.forEach((e, i) => {
    digest = nextLogDigest(digest, e.hash!);
    if ((i + 1) % every === 0 || i === events.length - 1) checkpoints.push({ position: e.globalPosition, digest, events: i + 1 });
  });
  const source: EventLogSource = {
    headPosition: async () => Math.max(0, ...events.map((e) => e.globalPosition)),
    readLogHashes: async (after, upTo, limit) =>
      [...events]
        .sort((x, y) => x.globalPosition - y.globalPosition)
        .filter((e) => e.globalPosition > after && e.globalPosition <= upTo)
        .slice(0, limit)
        .map((e) => ({ globalPosition: e.globalPosition, hash: e.hash })),
    async *readStreams(upTo) {
      yield [...events]
        .filter((e) => e.globalPosition <= upTo)
        .sort((x, y) => (x.streamId < y.streamId ? -1 : x.streamId > y.streamId ? 1 : x.revision - y.revision));
    },
    readCheckpoints: async () => checkpoints,
    advanceLogDigest: async () => checkpoints[checkpoints.length - 1] ?? null,
  };
  return { source, events, checkpoints };
}

function digestOf(events: readonly RecordedEvent[]): string {
  return events.reduce((digest, e) => nextLogDigest(digest, e.hash!), GENESIS_HASH);
}

/** What someone covering their tracks would do: renumber a stream and recompute its hashes. */
function rehash(events: StoredEvent[], streamId: string): void {
  let prevHash = GENESIS_HASH;
  events
    .filter((e) => e.streamId === streamId)
    .forEach((e, revision) => {
      e.revision = revision;
      const { contentHash } = recomputeEventHash(e, prevHash);
      e.hash = prevHash = eventHash({ prevHash, streamId, revision, recordedAtMs: Date.parse(e.metadata.recordedAt), contentHash });
    });
}
