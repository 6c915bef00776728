import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { handleProcedureCommand, seedNational } from '@tthc/application';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@tthc/event-store';
import { PG_POOL } from '@tthc/platform';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { runCli } from './cli.js';
import { migrate } from './commands/migrate.command.js';
import { EXIT } from './exit-codes.js';
import { BufferWriter, bufferIO } from './io.js';
import { createCliContext, type CliRuntime } from './session.js';

/*
 * export, import and verify, end to end through the program: a seeded store with gaps in its
 * positions is exported, imported into a fresh database, and the two logs compared field by field;
 * then files and rows are tampered with.
 */

interface Database {
  db: TestDatabase;
  app: INestApplicationContext;
  store: EventStore;
  pool: pg.Pool;
}

const databases: Database[] = [];
let dir: string;

/** A migrated test database: with the shipped provincial-level units, or (`schemaOnly`) an empty log, as import needs. */
async function database(options: { schemaOnly?: boolean } = {}): Promise<Database> {
  const db = await createTestDatabase();
  const app = await createCliContext(db.url);
  await migrate(app, new BufferWriter(), options);
  const opened = { db, app, store: app.get<EventStore>(EVENT_STORE), pool: app.get<pg.Pool>(PG_POOL) };
  databases.push(opened);
  return opened;
}

async function cli(app: INestApplicationContext, ...args: string[]) {
  const io = bufferIO();
  const runtime: CliRuntime = { io, openSession: async () => ({ app, close: async () => undefined }) };
  const code = await runCli(['node', 'tthc-ledger', ...args], runtime, '0.0.0-test');
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

async function wholeLog(store: EventStore): Promise<RecordedEvent[]> {
  return store.readAll({ after: 0, limit: 1_000_000 });
}

let source: Database;
let file: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tthc-export-'));
  file = join(dir, 'log.ndjson');
  source = await database();
  await seedNational(source.store, { procedures: 3, years: 1, seed: 7 });
  // Gaps in the positions, as rolled-back appends leave them.
  await source.pool.query(`SELECT nextval('event_store.global_position_seq') FROM generate_series(1, 5)`);
  const context = { actor: 'cán-bộ@sotp.binhduong.gov.vn', correlationId: 'export-test', causationId: randomUUID() };
  for (const [i, code] of ['1.001612', '1.001613'].entries()) {
    await handleProcedureCommand(
      source.store,
      { type: 'RegisterProcedure', data: { authorityCode: '74', procedureCode: code, name: 'Đăng ký thành lập hộ kinh doanh 🇻🇳', onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01', decisionRef: `QĐ ${i}/QĐ-UBND` } },
      context,
    );
  }
  await source.pool.query(`SELECT nextval('event_store.global_position_seq')`);
  await handleProcedureCommand(
    source.store,
    { type: 'ReclassifyProcedure', data: { authorityCode: '74', procedureCode: '1.001612', onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-08-20', decisionRef: 'QĐ 1900/QĐ-UBND' } },
    context,
  );
  // A metadata member beyond the usual three, and a record time of the past.
  await source.store.appendToStream('procedure-74:1.001613', [
    {
      id: randomUUID(),
      type: 'ProcedureWithdrawn',
      schemaVersion: 1,
      data: { authorityCode: '74', procedureCode: '1.001613', effectiveFrom: '2023-09-10', decisionRef: 'QĐ 2100/QĐ-UBND' },
      metadata: { actor: 'migration', correlationId: 'legacy', causationId: null, recordedAt: '2023-09-10T01:02:03.456Z', channel: 'legacy-import' } as never,
    },
  ]);
}, 60_000);

afterAll(async () => {
  await Promise.all(
    databases.map(async (d) => {
      await d.app.close();
      await d.db.drop();
    }),
  );
  await rm(dir, { recursive: true, force: true });
}, 30_000);

describe('export then import', () => {
  it('reproduces the log in a fresh database exactly: ids, order, streams, revisions, metadata, positions with their gaps, hashes', async () => {
    const exported = await cli(source.app, 'export', '--file', file);
    expect(exported).toMatchObject({ code: EXIT.OK });
    const before = await wholeLog(source.store);
    const last = before[before.length - 1].globalPosition;
    expect(last).toBeGreaterThan(before.length); // there are gaps
    expect(exported.stdout).toContain(`exported ${before.length} events (positions 1 to ${last}) to ${file}`);
    expect(exported.stdout).toMatch(/log digest at position \d+: [0-9a-f]{64}\n/);
    expect(exported.stdout).toContain(`matches the store's digest checkpoint at position ${last}`);
    expect(exported.stderr).toMatch(/^export \[/);
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    expect(lines).toHaveLength(before.length);
    expect(JSON.parse(lines[lines.length - 1])).toMatchObject({ type: 'ProcedureWithdrawn', metadata: { channel: 'legacy-import' }, hash: before[before.length - 1].hash });

    const target = await database({ schemaOnly: true });
    const imported = await cli(target.app, 'import', '--file', file);
    expect(imported).toMatchObject({ code: EXIT.OK, stdout: expect.stringContaining(`imported ${before.length} events in ${new Set(before.map((e) => e.streamId)).size} streams`) });
    expect(imported.stdout).toContain(`positions kept (last ${last})`);

    const after = await wholeLog(target.store);
    expect(after).toEqual(before);
    expect(after.every((e) => /^[0-9a-f]{64}$/.test(e.hash!))).toBe(true);

    const [sourceReport, targetReport] = await Promise.all(
      [source, target].map(async (d) => JSON.parse((await cli(d.app, 'verify', '--json')).stdout)),
    );
    expect(targetReport).toMatchObject({ ok: true, eventsChecked: before.length, streamsChecked: new Set(before.map((e) => e.streamId)).size });
    expect(targetReport.logDigest.digest).toBe(sourceReport.logDigest.digest);
    expect(imported.stdout).toContain(`log digest: ${sourceReport.logDigest.digest}`);

    const verified = await cli(target.app, 'verify');
    expect(verified.code).toBe(EXIT.OK);
    expect(verified.stdout).toContain('hash chains: ok\nlog digest: ok\n');

    // Once is enough: the store is no longer empty.
    const again = await cli(target.app, 'import', '--file', file);
    expect(again).toMatchObject({ code: EXIT.FAILED, stderr: `error: the event store is not empty (head position ${last}): import only into an empty store (prepare a new database with \`tthc-ledger migrate --schema-only\`)\n` });
    expect(await wholeLog(target.store)).toHaveLength(before.length);
  }, 60_000);

  it('refuses an edited file with exit code 4, and one that is not a log with exit code 1, writing nothing', async () => {
    const lines = (await readFile(file, 'utf8')).trimEnd().split('\n');
    const edited = [...lines];
    const entry = JSON.parse(edited[40]);
    entry.data = { ...entry.data, onlineMode: 'FULL_PROCESS' };
    edited[40] = JSON.stringify(entry);
    await writeFile(join(dir, 'edited.ndjson'), `${edited.join('\n')}\n`);
    await writeFile(join(dir, 'partial.ndjson'), `${lines.slice(10).join('\n')}\n`);

    const target = await database({ schemaOnly: true });
    const tampered = await cli(target.app, 'import', '--file', join(dir, 'edited.ndjson'));
    expect(tampered.code).toBe(EXIT.TAMPERED);
    expect(tampered.stderr).toMatch(/line 41: the hash of .* does not match its content or its predecessor: the file was edited; nothing was imported/);
    const partial = await cli(target.app, 'import', '--file', join(dir, 'partial.ndjson'));
    expect(partial.code).toBe(EXIT.FAILED);
    expect(partial.stderr).toMatch(/line \d+: .* starts at revision \d+, not 0: the file does not hold the whole log/);
    const missing = await cli(target.app, 'import', '--file', join(dir, 'nope.ndjson'));
    expect(missing).toMatchObject({ code: EXIT.FAILED, stderr: expect.stringMatching(/^error: cannot read .*nope.ndjson: ENOENT/) });
    expect(await target.store.headPosition()).toBe(0);
  }, 60_000);

  it('exports only the events after --after, and refuses a malformed one', async () => {
    const all = await wholeLog(source.store);
    const partial = join(dir, 'after.ndjson');
    const run = await cli(source.app, 'export', '--file', partial, '--after', String(all[all.length - 4].globalPosition));
    expect(run.code).toBe(EXIT.OK);
    expect((await readFile(partial, 'utf8')).trimEnd().split('\n').map((l) => JSON.parse(l).id)).toEqual(all.slice(-3).map((e) => e.id));
    expect(run.stdout).not.toContain('digest');
    expect((await cli(source.app, 'export', '--file', partial, '--after', '-3')).code).toBe(EXIT.USAGE);
  });
});

describe('verify', () => {
  it('reports rows edited and deleted with SQL, with exit code 4; export then refuses to vouch for the log', async () => {
    const tampered = await database({ schemaOnly: true });
    await cli(tampered.app, 'import', '--file', file);
    const [edited] = (
      await tampered.pool.query(`SELECT global_position, stream_id, stream_revision FROM event_store.events WHERE stream_revision = 1 ORDER BY global_position LIMIT 1`)
    ).rows;
    await tampered.pool.query(`UPDATE event_store.events SET data = jsonb_set(data, '{decisionRef}', '"QĐ giả"') WHERE global_position = $1`, [edited.global_position]);
    const last = (await tampered.pool.query(`SELECT max(global_position) AS p FROM event_store.events`)).rows[0].p;
    await tampered.pool.query(`DELETE FROM event_store.events WHERE global_position = $1`, [last]);

    const run = await cli(tampered.app, 'verify');
    expect(run.code).toBe(EXIT.TAMPERED);
    expect(run.stderr).toContain('error: the event log has been tampered with');
    expect(run.stdout).toContain('hash chains: 1 problem(s)');
    expect(run.stdout).toMatch(new RegExp(`${edited.stream_id.replace(/[.]/g, '\\.')}\\s+1\\s+${edited.global_position}\\s+hash-mismatch`));
    expect(run.stdout).toContain('log digest: 1 problem(s)');
    expect(run.stdout).toMatch(/1 event\(s\) recorded between positions \d+ and \d+ are gone/);

    const exported = await cli(tampered.app, 'export', '--file', join(dir, 'tampered.ndjson'));
    expect(exported.code).toBe(EXIT.TAMPERED);
    expect(exported.stderr).toContain("does not match the store's digest checkpoint");
  }, 60_000);
});
