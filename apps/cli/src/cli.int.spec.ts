import type { INestApplicationContext } from '@nestjs/common';
import { handleProcedureCommand, type CommandContext } from '@tthc/application';
import { EVENT_STORE, EVENT_STORE_SCHEMA_VERSION, type EventStore, type RecordedEvent } from '@tthc/event-store';
import { PG_POOL } from '@tthc/platform';
import type pg from 'pg';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { runCli } from './cli.js';
import { printProcedureEvents } from './commands/events.command.js';
import { migrate } from './commands/migrate.command.js';
import { EXIT } from './exit-codes.js';
import { BufferWriter, bufferIO } from './io.js';
import { createCliContext, openSession, type CliRuntime } from './session.js';

const STREAM = 'procedure-74:1.001612';
const key = { authorityCode: '74', procedureCode: '1.001612' };
const ALL_VERSIONS = Array.from({ length: EVENT_STORE_SCHEMA_VERSION }, (_, i) => i + 1);
const UP_TO_DATE = `schema up to date (event store at version ${EVENT_STORE_SCHEMA_VERSION})`;
const UNITS_SET_UP = expect.stringMatching(/^set up the provincial-level units from data\/ \(63 units of 2023, the 2025 reorganisation\): \d+ events$/);
const context: CommandContext = { actor: 'cli-test', correlationId: 'c0ffee00-0000-4000-8000-000000000001' };

/** Runs the program on the shared context, with its output captured. */
async function cli(app: INestApplicationContext, ...args: string[]) {
  const io = bufferIO();
  const runtime: CliRuntime = { io, openSession: async () => ({ app, close: async () => undefined }) };
  const code = await runCli(['node', 'tthc-ledger', ...args], runtime, '0.0.0-test');
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

describe('tthc-ledger cli', () => {
  let db: TestDatabase;
  let app: INestApplicationContext;

  beforeAll(async () => {
    db = await createTestDatabase();
    app = await createCliContext(db.url);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await db?.drop();
  });

  describe('migrate', () => {
    it('creates the schema once, then reports it up to date', async () => {
      const first = new BufferWriter();
      await expect(migrate(app, first)).resolves.toEqual(ALL_VERSIONS);
      // The first migrate also sets up the provincial-level units (issue 12) through the command bus.
      expect(first.lines).toEqual([...ALL_VERSIONS.map((v) => expect.stringMatching(new RegExp(`^event store schema: applied ${v} \\(`))), UNITS_SET_UP]);

      const second = new BufferWriter();
      await expect(migrate(app, second)).resolves.toEqual([]);
      expect(second.lines).toEqual([UP_TO_DATE]);

      const run = await cli(app, 'migrate');
      expect(run).toEqual({ code: EXIT.OK, stdout: `${UP_TO_DATE}\n`, stderr: '' });

      const { rows } = await app
        .get<pg.Pool>(PG_POOL)
        .query(`SELECT version FROM public.schema_migrations WHERE component = 'event-store' ORDER BY version`);
      expect(rows).toEqual(ALL_VERSIONS.map((version) => ({ version })));
    });
  });

  describe('events', () => {
    beforeAll(async () => {
      await migrate(app, new BufferWriter());
      const store = app.get<EventStore>(EVENT_STORE);
      await handleProcedureCommand(
        store,
        {
          type: 'RegisterProcedure',
          data: { ...key, name: 'Đăng ký thành lập hộ kinh doanh', onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01', decisionRef: 'QĐ 1234/QĐ-UBND' },
        },
        context,
      );
      await handleProcedureCommand(
        store,
        { type: 'ReclassifyProcedure', data: { ...key, onlineMode: 'FULL_PROCESS', effectiveFrom: '2024-01-15', decisionRef: 'QĐ 99/QĐ-UBND' } },
        context,
      );
      await handleProcedureCommand(
        store,
        { type: 'DisablePaperIntake', data: { ...key, effectiveFrom: '2024-07-01', decisionRef: 'QĐ 150/QĐ-UBND' } },
        context,
      );
    }, 30_000);

    it('prints the stream as a table', async () => {
      const { code, stdout, stderr } = await cli(app, 'events', '--authority', '74', '--procedure', '1.001612');
      expect({ code, stderr }).toEqual({ code: EXIT.OK, stderr: '' });
      const lines = stdout.trimEnd().split('\n');
      expect(lines[0]).toBe(`${STREAM} (Bình Dương): 3 events`);
      expect(lines[2].split(/\s{2,}/)).toEqual([
        'revision', 'globalPosition', 'recordedAt', 'type', 'actor', 'effectiveFrom', 'from→to', 'decisionRef',
      ]);
      expect(lines[3]).toMatch(/^─+(\s+─+){7}$/);
      const rows = lines.slice(4).map((line) => line.trim().split(/\s{2,}/));
      expect(rows).toEqual([
        ['0', expect.stringMatching(/^\d+$/), expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/), 'ProcedureRegistered', 'cli-test', '2023-06-01', '→ PARTIAL, paper ACCEPTED', 'QĐ 1234/QĐ-UBND'],
        ['1', expect.stringMatching(/^\d+$/), expect.any(String), 'ProcedureUpgradedToFullProcess', 'cli-test', '2024-01-15', 'PARTIAL → FULL_PROCESS', 'QĐ 99/QĐ-UBND'],
        ['2', expect.stringMatching(/^\d+$/), expect.any(String), 'PaperIntakeDisabled', 'cli-test', '2024-07-01', 'ACCEPTED → DISABLED', 'QĐ 150/QĐ-UBND'],
      ]);
      // Columns line up: every row is as wide as the header up to the last column.
      const lastColumn = lines[2].indexOf('decisionRef');
      for (const line of lines.slice(4)) expect(line.indexOf('QĐ')).toBe(lastColumn);
    });

    it('prints the stream as NDJSON with --json', async () => {
      const { code, stdout, stderr } = await cli(app, 'events', '-a', '74', '-p', '1.001612', '--json');
      expect({ code, stderr }).toEqual({ code: EXIT.OK, stderr: '' });
      expect(stdout.endsWith('\n')).toBe(true);
      const events = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as RecordedEvent);
      expect(events.map((e) => [e.streamId, e.revision, e.type])).toEqual([
        [STREAM, 0, 'ProcedureRegistered'],
        [STREAM, 1, 'ProcedureUpgradedToFullProcess'],
        [STREAM, 2, 'PaperIntakeDisabled'],
      ]);
      expect(events[1]).toMatchObject({
        schemaVersion: 1,
        data: { ...key, from: 'PARTIAL', to: 'FULL_PROCESS', effectiveFrom: '2024-01-15', decisionRef: 'QĐ 99/QĐ-UBND' },
        metadata: { actor: 'cli-test', correlationId: context.correlationId, causationId: null, recordedAt: expect.any(String) },
      });
      expect(events[0].globalPosition).toBeLessThan(events[1].globalPosition);
    });

    it('writes to the writer it is given', async () => {
      const out = new BufferWriter();
      const events = await printProcedureEvents(app, { authority: '74', procedure: '1.001612', json: true }, out);
      expect(events).toHaveLength(3);
      expect(out.lines).toHaveLength(3);
    });

    it.each([
      [['--authority', '7', '--procedure', '1.001612'], /^error: --authority must be a 2-digit provincial code such as 74\n$/],
      [['--authority', '74', '--procedure', '1001612'], /^error: --procedure must be a national procedure code such as 1\.001612\n$/],
      [['--authority', '99', '--procedure', '1.001612'], /^error: No provincial-level unit has the code '99'\n$/],
      [['--authority', '74', '--procedure', '1.999999'], /^error: Procedure 1\.999999 is not registered for authority 74\n$/],
      [['--authority', '01', '--procedure', '1.001612'], /^error: Procedure 1\.001612 is not registered for authority 01\n$/],
    ])('refuses %j with exit code 1 and one line on stderr', async (args, message) => {
      const { code, stdout, stderr } = await cli(app, 'events', ...args);
      expect(code).toBe(EXIT.FAILED);
      expect(stdout).toBe('');
      expect(stderr).toMatch(message);
    });

    it.each([
      [['events', '--authority', '74']],
      [['events', '--authority', '74', '--procedure', '1.001612', '--colour']],
      [['events', '--authority', '74', '--procedure', '1.001612', 'extra']],
      [['evnets']],
      [[]],
    ])('answers the usage error %j with exit code 2', async (args) => {
      const { code, stdout, stderr } = await cli(app, ...args);
      expect(code).toBe(EXIT.USAGE);
      expect(stdout).toBe('');
      expect(stderr).not.toBe('');
      expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    });
  });

  describe('help', () => {
    it('documents the commands and the exit codes', async () => {
      const { code, stdout } = await cli(app, '--help');
      expect(code).toBe(EXIT.OK);
      expect(stdout).toMatch(/^Usage: tthc-ledger /);
      expect(stdout).toContain('migrate');
      expect(stdout).toContain('events');
      expect(stdout).toMatch(/Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*usage/);
      expect((await cli(app, '--version')).stdout).toBe('0.0.0-test\n');
    });
  });
});

describe('tthc-ledger cli sessions', () => {
  it('on a database without the schema, tells to run migrate (exit 1)', async () => {
    const db = await createTestDatabase();
    const app = await createCliContext(db.url);
    try {
      const { code, stderr } = await cli(app, 'events', '--authority', '74', '--procedure', '1.001612');
      expect(code).toBe(EXIT.FAILED);
      expect(stderr).toMatch(/^error: the database has no event store schema yet: run `tthc-ledger migrate` first/);
    } finally {
      await app.close();
      await db.drop();
    }
  }, 30_000);

  it('opens DATABASE_URL, runs the command and closes everything', async () => {
    const db = await createTestDatabase();
    try {
      const io = bufferIO();
      const runtime: CliRuntime = { io, openSession: (options) => openSession({ DATABASE_URL: db.url }, io, options) };
      expect(await runCli(['node', 'tthc-ledger', 'migrate'], runtime)).toBe(EXIT.OK);
      expect(await runCli(['node', 'tthc-ledger', 'migrate'], runtime)).toBe(EXIT.OK);
      expect(io.stdout.lines).toEqual([...ALL_VERSIONS.map(() => expect.stringMatching(/^event store schema: applied \d+ /)), UNITS_SET_UP, UP_TO_DATE]);
      expect(io.stderr.text).toBe('');
    } finally {
      // Fails (the database is in use) if a session left a connection open; WITH (FORCE) is only a backstop.
      await db.drop();
    }
  }, 30_000);

  it('reports an unreachable database with exit code 3', async () => {
    const io = bufferIO();
    const env = { DATABASE_URL: 'postgres://nobody:secret@127.0.0.1:1/nothing' };
    const runtime: CliRuntime = { io, openSession: (options) => openSession(env, io, options) };
    const code = await runCli(['node', 'tthc-ledger', 'events', '-a', '74', '-p', '1.001612'], runtime);
    expect(code).toBe(EXIT.UNAVAILABLE);
    expect(io.stderr.text).toMatch(/^error: the database is unreachable \(.*ECONNREFUSED.*\)\n$/);
  }, 30_000);

  it('reports an invalid environment variable as a usage error', async () => {
    const io = bufferIO();
    const runtime: CliRuntime = { io, openSession: (options) => openSession({ EMBEDDED_POSTGRES_PORT: 'many' }, io, options) };
    expect(await runCli(['node', 'tthc-ledger', 'migrate'], runtime)).toBe(EXIT.USAGE);
    expect(io.stderr.text).toBe("error: EMBEDDED_POSTGRES_PORT must be a non-negative integer, got 'many'\n");
  });
});
