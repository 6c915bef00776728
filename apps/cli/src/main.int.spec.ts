import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../../../test/support/test-database.js';

const run = promisify(execFile);
const ROOT = process.cwd(); // jest runs from the repository root (rootDir)
// Built into a folder of its own under the repository (so that node_modules resolves), from the
// cli and the libs only: other apps being edited cannot break this test, nor it their dist/.
const OUT = join(ROOT, '.tmp', `cli-spec-${randomBytes(4).toString('hex')}`);
const MAIN = join(OUT, 'apps/cli/src/main.js');

/** Runs the built cli as a real process; resolves with its exit code and output, even on failure. */
async function tthcLedger(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run(process.execPath, [MAIN, ...args], { cwd: ROOT, env: { ...process.env, ...env }, timeout: 20_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number | string; stdout: string; stderr: string; killed?: boolean };
    if (typeof e.code !== 'number') throw error; // killed by the timeout: the process did not end by itself
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('the built tthc-ledger cli', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    await run('npx', ['swc', 'apps/cli', 'libs', '-d', OUT, '--quiet'], { cwd: ROOT });
    db = await createTestDatabase();
  }, 60_000);

  afterAll(async () => {
    await db?.drop();
    await rm(OUT, { recursive: true, force: true });
  });

  it('prints its help and the exit codes', async () => {
    const { code, stdout, stderr } = await tthcLedger(['--help']);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(/^Usage: tthc-ledger /);
    expect(stdout).toMatch(/Exit codes:/);
  }, 30_000);

  it('migrates, then answers an unknown procedure with exit code 1, and exits by itself', async () => {
    const env = { DATABASE_URL: db.url };
    const migrated = await tthcLedger(['migrate'], env);
    expect(migrated).toEqual({ code: 0, stdout: expect.stringMatching(/^event store schema: applied 1 /), stderr: '' });

    const missing = await tthcLedger(['events', '--authority', '74', '--procedure', '1.001612'], env);
    expect(missing).toEqual({ code: 1, stdout: '', stderr: 'error: Procedure 1.001612 is not registered for authority 74\n' });
  }, 60_000);

  it('answers a usage error with exit code 2', async () => {
    const { code, stderr } = await tthcLedger(['events', '--authority', '74']);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^error: required option '-p, --procedure <code>' not specified/);
  }, 30_000);
});
