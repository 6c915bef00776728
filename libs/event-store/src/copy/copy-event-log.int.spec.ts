import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../../test/support/test-database.js';
import { PostgresEventStore } from '../adapters/postgres/postgres-event-store.js';
import { migrateEventStore } from '../adapters/postgres/postgres-schema.js';
import type { NewEvent, RecordedEvent } from '../event-store.port.js';
import { copyEventLog, type CopyCheckpoint } from './copy-event-log.js';

/*
 * A log moved between two real PostgreSQL databases, interrupted twice on the way: once by the signal
 * (a clean stop), once by a "crash" between appending a batch and recording it.
 */
describe('copyEventLog between two PostgreSQL databases', () => {
  const databases: TestDatabase[] = [];
  const pools: pg.Pool[] = [];

  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  async function store(): Promise<PostgresEventStore> {
    const db = await createTestDatabase();
    databases.push(db);
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pools.push(pool);
    await migrateEventStore(pool);
    return new PostgresEventStore(pool);
  }

  it('resumes after a stop and after a crash, and ends with the same log: ids, order, streams, revisions, contents', async () => {
    const source = await store();
    const streams = Array.from({ length: 12 }, (_, i) => `procedure-${String(i % 63).padStart(2, '0')}:1.00${i}`);
    for (let i = 0; i < 150; i++) {
      const imported = i % 7 === 0;
      const events = Array.from({ length: (i % 4) + 1 }, (_, j) =>
        newEvent(imported ? { actor: 'import', correlationId: randomUUID(), causationId: null, recordedAt: `2018-0${(j % 9) + 1}-15T01:02:03.456Z` } : undefined),
      );
      await source.appendToStream(streams[(i * 7) % streams.length], events);
    }
    const expected = (await source.readAll({ limit: 10_000 })).map(contents);
    expect(expected).toHaveLength(373); // 150 appends of 1 to 4 events

    const target = await store();
    const checkpoint = memoryCheckpoint();

    // 1. Stopped by the signal, part way.
    const controller = new AbortController();
    const stopped = await copyEventLog(source, target, {
      checkpoint,
      batchSize: 40,
      signal: controller.signal,
      onProgress: ({ copied }) => copied >= 100 && controller.abort(),
    });
    expect(stopped.completed).toBe(false);
    expect((await target.readAll({ limit: 10_000 })).map(contents)).toEqual(expected.slice(0, stopped.copied));

    // 2. Killed after appending a batch, before recording it: the target is ahead of the checkpoint.
    let saves = 0;
    const dying: CopyCheckpoint = { load: checkpoint.load, save: async (p) => (++saves === 2 ? Promise.reject(new Error('killed')) : checkpoint.save(p)) };
    await expect(copyEventLog(source, target, { checkpoint: dying, batchSize: 33 })).rejects.toThrow('killed');
    const recorded = (await checkpoint.load())!;
    const copiedSoFar = (await target.readAll({ limit: 10_000 })).length;
    expect(copiedSoFar).toBeGreaterThan((await source.readAll({ limit: 10_000 })).filter((e) => e.globalPosition <= recorded).length);

    // 3. Run again, with other batch boundaries: what is there already is recognised, the rest appended.
    const finished = await copyEventLog(source, target, { checkpoint, batchSize: 17 });
    expect(finished.completed).toBe(true);
    expect(finished.position).toBe(await source.headPosition());

    const copied = await target.readAll({ limit: 10_000 });
    expect(copied.map(contents)).toEqual(expected);
    // Global order kept: positions increase along the copy as they did along the source.
    for (let i = 1; i < copied.length; i++) expect(copied[i].globalPosition).toBeGreaterThan(copied[i - 1].globalPosition);
    // A run with nothing left to copy changes nothing.
    const again = await copyEventLog(source, target, { checkpoint });
    expect(again).toMatchObject({ copied: 0, completed: true });
    expect(await target.headPosition()).toBe(copied[copied.length - 1].globalPosition);
  }, 60_000);
});

function contents(e: RecordedEvent) {
  return { id: e.id, type: e.type, streamId: e.streamId, revision: e.revision, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata };
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

function newEvent(metadata?: NewEvent['metadata']): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProcedureUpgradedToFullProcess',
    schemaVersion: 1,
    data: { from: 'PARTIAL', to: 'FULL_PROCESS', decisionRef: 'QĐ 1234/QĐ-UBND', n: Math.random() },
    metadata: metadata ?? { actor: 'int-test', correlationId: randomUUID(), causationId: null },
  };
}
