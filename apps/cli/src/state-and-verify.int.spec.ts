import type { INestApplicationContext } from '@nestjs/common';
import { handleProcedureCommand, issueDecision, seedBinhDuong, type CommandContext } from '@tthc/application';
import type { ProcedureCommand } from '@tthc/domain';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { PROJECTION_RUNNER, READ_MODEL_DATA_SOURCE, type ProjectionRunner } from '@tthc/read-models';
import type { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { runCli } from './cli.js';
import { migrate } from './commands/migrate.command.js';
import { EXIT } from './exit-codes.js';
import { BufferWriter, bufferIO } from './io.js';
import { createCliContext, type CliRuntime } from './session.js';

/*
 * `state` (time travel from a procedure's events alone) and the read-model half of `verify`, through
 * the program, on the Bình Dương scenario.
 */

let db: TestDatabase;
let app: INestApplicationContext;
const context: CommandContext = { actor: 'cli-test', correlationId: 'c0ffee00-0000-4000-8000-000000000002' };

async function cli(...args: string[]) {
  const io = bufferIO();
  const runtime: CliRuntime = { io, openSession: async () => ({ app, close: async () => undefined }) };
  const code = await runCli(['node', 'tthc-ledger', ...args], runtime, '0.0.0-test');
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

beforeAll(async () => {
  db = await createTestDatabase();
  app = await createCliContext(db.url);
  await migrate(app, new BufferWriter());
  const store = app.get<EventStore>(EVENT_STORE);
  await seedBinhDuong((decision, ctx) => issueDecision(store, decision, ctx));
  const command = (c: ProcedureCommand) => handleProcedureCommand(store, c, context);
  await command({
    type: 'RegisterProcedure',
    data: { authorityCode: '74', procedureCode: '1.001612', name: 'Đăng ký thành lập hộ kinh doanh', onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01', decisionRef: 'QĐ 1234/QĐ-UBND' },
  });
  await command({ type: 'ReclassifyProcedure', data: { authorityCode: '74', procedureCode: '1.001612', onlineMode: 'FULL_PROCESS', effectiveFrom: '2024-01-15', decisionRef: 'QĐ 99/QĐ-UBND' } });
  // The cli never projects; here the test does, as the api or apps/projector would.
  await app.get<ProjectionRunner>(PROJECTION_RUNNER).catchUp();
}, 180_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
});

describe('state', () => {
  it('prints the state in force on a date', async () => {
    const before = await cli('state', '--authority', '74', '--procedure', '1.001612', '--at', '2024-01-14');
    expect({ code: before.code, stderr: before.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
    expect(before.stdout).toMatch(/^procedure-74:1\.001612 \(Bình Dương\)\nin force on 2024-01-14, as recorded at .*Z: yes\n/);
    expect(before.stdout).toContain('online mode:       PARTIAL\n');
    expect(before.stdout).toContain('events considered: 1 (up to revision 0)\n');
    const after = await cli('state', '-a', '74', '-p', '1.001612', '--at', '2024-01-15');
    expect(after.stdout).toContain('online mode:       FULL_PROCESS\n');
  });

  it('prints one JSON object with --json, as known at --known-at', async () => {
    const run = await cli('state', '-a', '74', '-p', '1.001612', '--at', '2030-01-01', '--known-at', '2000-01-01T00:00:00Z', '--json');
    expect(run.code).toBe(EXIT.OK);
    expect(JSON.parse(run.stdout)).toMatchObject({
      authorityCode: '74',
      procedureCode: '1.001612',
      at: '2030-01-01',
      knownAt: '2000-01-01T00:00:00Z',
      inForce: false,
      state: null,
      revision: null,
      eventsConsidered: 0,
    });
  });

  it.each([
    [['--at', '2023-02-30'], /^error: --at must be a real calendar date YYYY-MM-DD\n$/],
    [['--known-at', 'yesterday'], /^error: --known-at must be an ISO-8601 instant/],
  ])('refuses %j with exit code 1', async (args, message) => {
    const run = await cli('state', '-a', '74', '-p', '1.001612', ...args);
    expect(run.code).toBe(EXIT.FAILED);
    expect(run.stderr).toMatch(message);
  });

  it('answers an unknown procedure with exit code 1', async () => {
    expect((await cli('state', '-a', '74', '-p', '1.999999')).code).toBe(EXIT.FAILED);
  });
});

describe('verify (the read models)', () => {
  it('finds the read models in agreement with the log', async () => {
    const run = await cli('verify');
    expect({ code: run.code, stderr: run.stderr.replace(/^verify: .*\n/gm, '') }).toEqual({ code: EXIT.OK, stderr: '' });
    // Every event of the log: the provincial-level units set up by migrate, the Bình Dương decisions, the commands above.
    const head = await app.get<EventStore>(EVENT_STORE).headPosition();
    expect(run.stdout).toMatch(new RegExp(`read models: ${head} events replayed up to position ${head}; 63 authorities on \\d+ dates`));
    expect(run.stdout).toContain('read models: ok\n');
  });

  it('prints each mismatch and exits with 1', async () => {
    const dataSource = app.get<DataSource>(READ_MODEL_DATA_SOURCE);
    await dataSource.query(`UPDATE read_model.authority_daily_summaries SET paper_intake_disabled = 0 WHERE authority_code = '74' AND date = '2023-09-10'`);
    try {
      const run = await cli('verify');
      expect(run.code).toBe(EXIT.FAILED);
      expect(run.stderr).toContain('error: the read models disagree with the log: 1 mismatch(es)');
      expect(run.stdout).toContain('read models: 1 mismatch(es)\n');
      expect(run.stdout).toMatch(/\n74\s+2023-09-10\s+authority_daily_summaries\s+paperIntakeDisabled\s+731\s+0\n/);
      const json = await cli('verify', '--json');
      expect(JSON.parse(json.stdout).readModels).toMatchObject({
        mismatchCount: 1,
        mismatches: [{ authorityCode: '74', date: '2023-09-10', field: 'paperIntakeDisabled', expected: 731, found: 0 }],
      });
      expect((await cli('verify', '--no-read-models')).code).toBe(EXIT.OK);
    } finally {
      await dataSource.query(`UPDATE read_model.authority_daily_summaries SET paper_intake_disabled = 731 WHERE authority_code = '74' AND date = '2023-09-10'`);
    }
  });
});
