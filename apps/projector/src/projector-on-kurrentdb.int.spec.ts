import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { handleProcedureCommand, setupShippedAuthorities, storeSetup } from '@tthc/application';
import type { ProcedureCommand } from '@tthc/domain';
import { ProjectionRunner, createReadModelDataSource, migrateReadModels } from '@tthc/read-models';
// The adapter class itself is not exported by @tthc/event-store (it loads the client on demand).
import { KurrentDbEventStore } from '../../../libs/event-store/src/adapters/kurrentdb/kurrentdb-event-store.js';
import { SimulatedKurrentDb } from '../../../libs/event-store/src/testing/simulated-kurrentdb.js';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';

/*
 * The projector on KurrentDB's positions (byte offsets, with gaps): commands through the KurrentDB
 * adapter (on a simulated server, as none can run here), read models and checkpoint in a real
 * PostgreSQL. The checkpoint is the last event's log offset, stored with the rows it covers, and a
 * restarted projector resumes from it without applying anything twice.
 */
describe('the projector on KurrentDB positions', () => {
  let db: TestDatabase;
  let dataSource: DataSource;
  let store: KurrentDbEventStore;

  beforeAll(async () => {
    db = await createTestDatabase();
    dataSource = createReadModelDataSource(db.url);
    await dataSource.initialize();
    await migrateReadModels(dataSource);
    store = new KurrentDbEventStore(new SimulatedKurrentDb({ noiseEvery: 1 }).client);
    await setupShippedAuthorities(storeSetup(store), 'units'); // commands need their provincial-level unit
  }, 30_000);

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const execute = (command: ProcedureCommand) => handleProcedureCommand(store, command, { actor: 'int-test', correlationId: randomUUID() });
  const register = (procedureCode: string) =>
    execute({
      type: 'RegisterProcedure',
      data: { authorityCode: '74', procedureCode, name: 'Cấp giấy phép xây dựng', onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01', decisionRef: 'QĐ 1/QĐ-UBND' },
    });
  const count = async (table: string) => Number((await dataSource.query(`SELECT count(*) AS n FROM read_model.${table}`))[0].n);

  it('stores the log offset as checkpoint with the rows, and resumes from it after a restart', async () => {
    for (let i = 0; i < 5; i++) await register(`1.00161${i}`);
    const first = new ProjectionRunner(dataSource, store, { batchSize: 2 });
    const stopFirst = new AbortController();
    const running = first.run(stopFirst.signal);
    const head = await store.headPosition();
    expect(await first.waitForPosition(head, 10_000)).toBe(true);
    expect(await first.checkpoint()).toBe(head);
    expect(head).toBeGreaterThan(1_000); // an offset in the log, not an event count
    expect(await count('procedures')).toBe(5);
    stopFirst.abort();
    await running;

    // While no projector runs: more events, then another projector takes over from the checkpoint.
    const upgraded = await execute({
      type: 'ReclassifyProcedure',
      data: { authorityCode: '74', procedureCode: '1.001612', onlineMode: 'FULL_PROCESS', effectiveFrom: '2024-01-15', decisionRef: 'QĐ 2/QĐ-UBND' },
    });
    await register('1.001619');
    const second = new ProjectionRunner(dataSource, store, { batchSize: 2 });
    const stopSecond = new AbortController();
    const resumed = second.run(stopSecond.signal);
    const newHead = await store.headPosition();
    expect(await second.waitForPosition(newHead, 10_000)).toBe(true);
    stopSecond.abort();
    await resumed;

    expect(await count('procedures')).toBe(6);
    expect(await count('procedure_transitions')).toBe(7); // 6 registrations and 1 upgrade, each once
    const [row] = await dataSource.query(`SELECT online_mode FROM read_model.procedures WHERE procedure_code = '1.001612'`);
    expect(row.online_mode).toBe('FULL_PROCESS');
    expect(upgraded.events[0].globalPosition).toBeLessThan(newHead);
  }, 30_000);
});
