import { randomUUID } from 'node:crypto';
import { InMemoryEventStore } from '../adapters/in-memory/in-memory-event-store.js';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { copyEventLog, EventLogCopyConflict, runsOfOneStream, type CopyCheckpoint } from './copy-event-log.js';

describe('copyEventLog', () => {
  describe('on an empty target', () => {
    it('copies every event in global order, with ids, types, data and metadata (recordedAt included)', async () => {
      const source = await sourceLog(20);
      const target = new InMemoryEventStore(() => new Date('2030-01-01T00:00:00Z'));
      const progress: number[] = [];
      const result = await copyEventLog(source, target, {
        checkpoint: memoryCheckpoint(),
        batchSize: 4,
        onProgress: ({ position }) => progress.push(position),
      });

      const all = await source.readAll({ limit: 100 });
      expect(result).toEqual({ copied: all.length, position: await source.headPosition(), head: await source.headPosition(), completed: true });
      expect(await target.readAll({ limit: 100 })).toEqual(await source.readAll({ limit: 100 }));
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
    });

    it('refuses a target that holds events of its own', async () => {
      const target = new InMemoryEventStore();
      await target.appendToStream('procedure-01:9', [newEvent()]);
      await expect(copyEventLog(await sourceLog(3), target, { checkpoint: memoryCheckpoint() })).rejects.toThrow(EventLogCopyConflict);
    });
  });

  describe('when resumed', () => {
    it('carries on from the checkpoint after a stop, appending nothing twice', async () => {
      const source = await sourceLog(30);
      const target = new InMemoryEventStore();
      const checkpoint = memoryCheckpoint();
      const controller = new AbortController();
      const first = await copyEventLog(source, target, {
        checkpoint,
        batchSize: 5,
        signal: controller.signal,
        onProgress: ({ copied }) => copied >= 12 && controller.abort(),
      });
      expect(first.completed).toBe(false);
      expect(await checkpoint.load()).toBe(first.position);

      const second = await copyEventLog(source, target, { checkpoint, batchSize: 7 });
      expect(second.completed).toBe(true);
      expect(first.copied + second.copied).toBe((await source.readAll({ limit: 100 })).length);
      expect(await target.readAll({ limit: 100 })).toEqual(await source.readAll({ limit: 100 }));
    });

    it('finds what a crashed run appended past its checkpoint, whatever the batches are now', async () => {
      const source = await sourceLog(30);
      const target = new InMemoryEventStore();
      const checkpoint = memoryCheckpoint();
      // The process dies after appending a batch, before saving where it got to.
      let saves = 0;
      const crashing: CopyCheckpoint = { load: checkpoint.load, save: async (p) => (++saves === 3 ? Promise.reject(new Error('killed')) : checkpoint.save(p)) };
      await expect(copyEventLog(source, target, { checkpoint: crashing, batchSize: 9 })).rejects.toThrow('killed');
      expect(await target.headPosition()).toBeGreaterThan((await checkpoint.load())!); // appended, not recorded

      const resumed = await copyEventLog(source, target, { checkpoint, batchSize: 4 });
      expect(resumed.completed).toBe(true);
      expect(await target.readAll({ limit: 100 })).toEqual(await source.readAll({ limit: 100 }));
    });

    it('stops at a stream the target holds differently', async () => {
      const source = await sourceLog(6);
      const target = new InMemoryEventStore();
      const checkpoint = memoryCheckpoint();
      await checkpoint.save(0);
      const [first] = await source.readAll({ limit: 1 });
      await target.appendToStream(first.streamId, [newEvent()]); // someone else wrote there
      await expect(copyEventLog(source, target, { checkpoint })).rejects.toThrow(/revision 0 is event .* in the target but/);
    });
  });

  it('groups consecutive events of one stream, in order', () => {
    const e = (streamId: string, revision: number) => ({ streamId, revision }) as RecordedEvent;
    const runs = runsOfOneStream([e('a', 0), e('a', 1), e('b', 0), e('a', 2), e('a', 3), e('c', 0)]);
    expect(runs.map((run) => run.map((x) => `${x.streamId}${x.revision}`))).toEqual([['a0', 'a1'], ['b0'], ['a2', 'a3'], ['c0']]);
  });
});

/** Appends of one to three events to five streams, some with an explicit recordedAt (an import). */
async function sourceLog(appends: number): Promise<InMemoryEventStore> {
  const store = new InMemoryEventStore();
  for (let i = 0; i < appends; i++) {
    const events = Array.from({ length: (i % 3) + 1 }, (_, j) =>
      newEvent(i % 4 === 0 ? { metadata: { actor: 'import', correlationId: randomUUID(), causationId: null, recordedAt: `2019-0${(j % 9) + 1}-01T00:00:00.000Z` } } : {}),
    );
    await store.appendToStream(`procedure-7${i % 5}:1.00${i % 5}`, events);
  }
  return store;
}

function memoryCheckpoint(): CopyCheckpoint {
  let position: number | undefined;
  return {
    load: async () => position,
    save: async (p) => {
      position = p;
    },
  };
}

function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProcedureRegistered',
    schemaVersion: 1,
    data: { n: Math.random(), name: 'Đăng ký hộ kinh doanh' },
    metadata: { actor: 'unit-test', correlationId: randomUUID(), causationId: null },
    ...overrides,
  };
}
