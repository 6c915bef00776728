import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';
import { runCli } from './cli.js';
import { migrate } from './commands/migrate.command.js';
import { EXIT } from './exit-codes.js';
import { BufferWriter, bufferIO } from './io.js';
import { createCliContext, type CliRuntime } from './session.js';

// `decision import`: an annex file issued whole, previewed with --dry-run, refused with the lines
// named, repeated harmlessly; exit codes that say which.

let db: TestDatabase;
let app: INestApplicationContext;
let store: EventStore;
// The annex files, in a folder of the suite's own, removed after it.
let dir: string;

async function cli(...args: string[]) {
  const io = bufferIO();
  const runtime: CliRuntime = { io, openSession: async () => ({ app, close: async () => undefined }) };
  const code = await runCli(['node', 'tthc-ledger', ...args], runtime, '0.0.0-test');
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

async function annex(name: string, rows: string[]): Promise<string> {
  const file = join(dir, `${name}.csv`);
  await writeFile(file, `procedureCode,action,onlineMode,name\n${rows.join('\n')}\n`);
  return file;
}

const header = (number: string, date: string) => ['--authority', '74', '--number', number, '--issued-on', date, '--effective-from', date];

let units: number;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tthc-decision-'));
  db = await createTestDatabase();
  app = await createCliContext(db.url);
  await migrate(app, new BufferWriter());
  store = app.get<EventStore>(EVENT_STORE);
  units = await store.headPosition(); // the provincial-level units migrate sets up
}, 60_000);

afterAll(async () => {
  await app?.close();
  await db?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('decision import', () => {
  it('issues an annex whole, with a progress line, and says so when it is repeated', async () => {
    const file = await annex('register', Array.from({ length: 40 }, (_, i) => `9.${String(i).padStart(6, '0')},register,PARTIAL,Thủ tục ${i}`));
    const first = await cli('decision', 'import', ...header('1000/QĐ-UBND', '2023-06-01'), file);
    expect(first).toMatchObject({ code: EXIT.OK });
    expect(first.stdout).toBe(`issued 1000/QĐ-UBND: 40 items, 40 events, decision at position ${units + 1} (decision-74:1000/QĐ-UBND)\n`);
    expect(first.stderr).toMatch(/decision \[#+\] 100% 40\/40 procedures checked/);
    const again = await cli('decision', 'import', ...header('1000/QĐ-UBND', '2023-06-01'), file);
    expect(again.code).toBe(EXIT.OK);
    expect(again.stdout).toContain(`already issued with this content (position ${units + 1}): nothing appended`);
    expect(await store.headPosition()).toBe(units + 41);
  });

  it('previews with --dry-run, appending nothing', async () => {
    const file = await annex('upgrade', ['9.000001,reclassify,FULL_PROCESS,', '9.000002,withdraw,,']);
    const run = await cli('decision', 'import', ...header('1500/QĐ-UBND', '2023-07-15'), '--dry-run', file);
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout).toBe(
      'dry run of 1500/QĐ-UBND: 2 item(s) accepted, 0 refused; nothing appended\n' +
        'effect on 2023-07-15: total -1, full-process +1, partial -2, information-only 0, paperless 0\n',
    );
    expect(await store.headPosition()).toBe(units + 41);
  });

  it('exits 1 naming the lines of refused items and of malformed ones, appending nothing', async () => {
    const refused = await cli('decision', 'import', ...header('1500/QĐ-UBND', '2023-07-15'), await annex('refused', ['9.000001,reclassify,FULL_PROCESS,', '9.000002,reclassify,PARTIAL,']));
    expect(refused.code).toBe(EXIT.FAILED);
    expect(refused.stderr).toMatch(/error: 1 item\(s\) refused; nothing appended\nline 3: 9\.000002 ALREADY_IN_MODE: Procedure is already PARTIAL/);
    const malformed = await cli('decision', 'import', ...header('1500/QĐ-UBND', '2023-07-15'), await annex('malformed', ['9.000001,upgrade,,']));
    expect(malformed.code).toBe(EXIT.FAILED);
    expect(malformed.stderr).toMatch(/line 2: action must be one of register/);
    const badNumber = await cli('decision', 'import', ...header('QĐ 15', '2023-07-15'), await annex('ok', ['9.000001,withdraw,,']));
    expect(badNumber.stderr).toMatch(/--number must be a decision number as printed/);
    const tooLarge = await cli('decision', 'import', ...header('1501/QĐ-UBND', '2023-07-15'), await annex('too-large', Array(100_001).fill('9.000001,withdraw,,')));
    expect(tooLarge.code).toBe(EXIT.FAILED);
    expect(tooLarge.stderr).toMatch(/A decision lists at most 100,000 items; the annex has more \(line 100002 is row 100,001\)/);
    expect(await store.headPosition()).toBe(units + 41);
  });
});
