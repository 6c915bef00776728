import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE, PostgresEventStore, migrateEventStore, type EventStore, type NewEvent, type RecordedEvent } from '@tthc/event-store';
import { PG_POOL } from '@tthc/platform';
import pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { runCli } from './cli.js';
import { endpoint, migrateEvents, type MigrateEventsDependencies } from './commands/migrate-events.command.js';
import { EXIT } from './exit-codes.js';
import { bufferIO } from './io.js';
import { createCliContext, type CliRuntime } from './session.js';

/*
 * migrate-events with a second PostgreSQL database standing in for KurrentDB (none can run here):
 * what is tested is the command (options, checkpoint table, resume, output) and the copy over two
 * real databases. The copy to and from a real KurrentDB runs in kurrentdb-event-store.int.spec.ts
 * when KURRENTDB_CONNECTION_STRING is set.
 */
const KURRENTDB = 'kurrentdb+discover://admin:changeit@kdb1:2113,kdb2:2113,kdb3:2113?tls=false';

describe('tthc-ledger migrate-events', () => {
  const databases: TestDatabase[] = [];
  const pools: pg.Pool[] = [];
  const apps: INestApplicationContext[] = [];

  afterAll(async () => {
    await Promise.all(apps.map((a) => a.close()));
    await Promise.all(pools.map((p) => p.end()));
    await Promise.all(databases.map((d) => d.drop()));
  });

  async function session(): Promise<INestApplicationContext> {
    const db = await createTestDatabase();
    databases.push(db);
    const app = await createCliContext(db.url);
    apps.push(app);
    await migrateEventStore(app.get<pg.Pool>(PG_POOL));
    return app;
  }

  /** A PostgreSQL event store of its own, in place of KurrentDB. */
  async function standIn(): Promise<PostgresEventStore> {
    const db = await createTestDatabase();
    databases.push(db);
    const pool = new pg.Pool({ connectionString: db.url, max: 4 });
    pools.push(pool);
    await migrateEventStore(pool);
    return new PostgresEventStore(pool);
  }

  function dependencies(store: EventStore, signal?: AbortSignal): MigrateEventsDependencies {
    return { env: {}, openKurrentDb: async () => store, signal, interactive: false };
  }

  it('copies the log to KurrentDB, resumes after an interruption, and back to a fresh PostgreSQL', async () => {
    const app = await session();
    const source = app.get<EventStore>(EVENT_STORE);
    for (let i = 0; i < 40; i++) {
      await source.appendToStream(`procedure-74:1.0016${i % 9}`, i % 3 === 0 ? [newEvent(), newEvent()] : [newEvent()]);
    }
    const expected = (await source.readAll({ limit: 1000 })).map(contents);
    const kurrent = await standIn();

    // Interrupted after a few appends (Ctrl-C in the real cli).
    const controller = new AbortController();
    let appends = 0;
    const interrupted: EventStore = Object.create(kurrent, {
      appendToStream: { value: (...args: Parameters<EventStore['appendToStream']>) => (++appends === 6 && controller.abort(), kurrent.appendToStream(...args)) },
    });
    const stop = await migrateEvents(app, { from: 'postgres', to: 'kurrentdb', batchSize: '10', kurrentdb: KURRENTDB }, bufferIO(), dependencies(interrupted, controller.signal)).then(
      () => undefined,
      (error: Error) => error,
    );
    const stopped = /^stopped after (\d+) events, at postgres position \d+: run the same command again to resume$/.exec(stop?.message ?? '');
    expect(stopped).not.toBeNull();
    const copiedBefore = Number(stopped![1]);
    expect((await kurrent.readAll({ limit: 1000 })).map(contents)).toEqual(expected.slice(0, copiedBefore));
    const { rows } = await app.get<pg.Pool>(PG_POOL).query(`SELECT source, target, position FROM public.event_log_copies`);
    expect(rows).toEqual([{ source: 'postgres', target: 'kurrentdb+discover://kdb1:2113,kdb2:2113,kdb3:2113', position: expect.any(String) }]);

    const second = bufferIO();
    const result = await migrateEvents(app, { from: 'postgres', to: 'kurrentdb', batchSize: '7', kurrentdb: KURRENTDB }, second, dependencies(kurrent));
    expect(result).toMatchObject({ completed: true, copied: expected.length - copiedBefore });
    expect(second.stderr.lines[0]).toBe(`resuming the copy from postgres to kurrentdb after position ${rows[0].position}`);
    expect(second.stderr.lines.slice(1).every((line) => line.startsWith('migrate-events ['))).toBe(true);
    expect(second.stdout.lines).toEqual([
      expect.stringMatching(new RegExp(`^copied ${expected.length - copiedBefore} events from postgres to kurrentdb up to postgres position \\d+ in `)),
      'positions differ between the stores: to serve from kurrentdb, set EVENT_STORE=kurrentdb and run `tthc-ledger rebuild`',
    ]);
    expect((await kurrent.readAll({ limit: 1000 })).map(contents)).toEqual(expected);

    // And back, into another database.
    const fresh = await session();
    const back = await migrateEvents(fresh, { from: 'kurrentdb', to: 'postgres', kurrentdb: KURRENTDB }, bufferIO(), dependencies(kurrent));
    expect(back).toMatchObject({ completed: true, copied: expected.length });
    expect((await fresh.get<EventStore>(EVENT_STORE).readAll({ limit: 1000 })).map(contents)).toEqual(expected);
  }, 60_000);

  it('refuses to merge into a target that has events of its own', async () => {
    const app = await session();
    await app.get<EventStore>(EVENT_STORE).appendToStream('procedure-01:1.000001', [newEvent()]);
    const kurrent = await standIn();
    await kurrent.appendToStream('procedure-02:1.000002', [newEvent()]);
    await expect(migrateEvents(app, { from: 'postgres', to: 'kurrentdb', kurrentdb: KURRENTDB }, bufferIO(), dependencies(kurrent))).rejects.toThrow(
      /^cannot copy from postgres to kurrentdb: the target already holds events .* refusing to merge two logs$/,
    );
  }, 30_000);

  it('answers wrong options with a usage error before touching any store', async () => {
    const app = await session();
    const cli = async (env: NodeJS.ProcessEnv, ...args: string[]) => {
      const io = bufferIO();
      const runtime: CliRuntime = { io, env, openSession: async () => ({ app, close: async () => undefined }) };
      const code = await runCli(['node', 'tthc-ledger', 'migrate-events', ...args], runtime, '0.0.0-test');
      return { code, stderr: io.stderr.text };
    };
    const env = { KURRENTDB_CONNECTION_STRING: 'kurrentdb://127.0.0.1:1?tls=false' };
    expect(await cli(env, '--from', 'postgres', '--to', 'postgres')).toEqual({
      code: EXIT.USAGE,
      stderr: 'error: --from and --to are both postgres: a log is copied between PostgreSQL and KurrentDB\n',
    });
    expect(await cli(env, '--from', 'mysql', '--to', 'kurrentdb')).toEqual({ code: EXIT.USAGE, stderr: "error: --from must be postgres or kurrentdb, got 'mysql'\n" });
    expect((await cli(env, '--from', 'postgres', '--to', 'kurrentdb', '--batch-size', '0')).code).toBe(EXIT.USAGE);
    expect(await cli({}, '--from', 'postgres', '--to', 'kurrentdb')).toEqual({
      code: EXIT.USAGE,
      stderr: 'error: migrate-events needs KurrentDB: set KURRENTDB_CONNECTION_STRING or pass --kurrentdb kurrentdb://host:2113?tls=false\n',
    });
    expect((await cli(env, '--from', 'postgres')).code).toBe(EXIT.USAGE); // --to missing
  }, 30_000);

  it('names KurrentDB in its checkpoint by its hosts, never its credentials', () => {
    expect(endpoint('kurrentdb', 'kurrentdb://localhost:2113?tls=false')).toBe('kurrentdb://localhost:2113');
    expect(endpoint('kurrentdb', KURRENTDB)).toBe('kurrentdb+discover://kdb1:2113,kdb2:2113,kdb3:2113');
    expect(endpoint('postgres', KURRENTDB)).toBe('postgres');
  });
});

function contents(e: RecordedEvent) {
  return { id: e.id, type: e.type, streamId: e.streamId, revision: e.revision, schemaVersion: e.schemaVersion, data: e.data, metadata: e.metadata };
}

function newEvent(): NewEvent {
  return {
    id: randomUUID(),
    type: 'ProcedureRegistered',
    schemaVersion: 1,
    data: { authorityCode: '74', name: 'Đăng ký thành lập hộ kinh doanh', n: Math.random() },
    metadata: { actor: 'cli-test', correlationId: randomUUID(), causationId: null },
  };
}
