import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type DatabaseServer } from '@tthc/platform';
import pg from 'pg';
import { runCli } from './cli.js';
import { EXIT } from './exit-codes.js';
import { bufferIO } from './io.js';
import { openSession, type CliRuntime } from './session.js';

// The embedded database path of the cli (no DATABASE_URL): it starts and stops its own server, or
// uses the one the api already runs on the same DATA_DIR and leaves it running.
describe('tthc-ledger cli on the embedded PostgreSQL', () => {
  let root: string;
  let dataDir: string;

  beforeAll(async () => {
    root = await mkdtemp(join(process.env.TEST_DATA_DIR ?? tmpdir(), 'tthc-cli-embedded-'));
    await chmod(root, 0o755); // the server runs as the postgres user when we are root
    dataDir = join(root, 'data');
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  async function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
    const io = bufferIO();
    const runtime: CliRuntime = { io, openSession: (options) => openSession(env, io, options) };
    const code = await runCli(['node', 'tthc-ledger', ...args], runtime, '0.0.0-test');
    return { code, stdout: io.stdout.text, stderr: io.stderr.text };
  }

  it('starts a server under DATA_DIR for the command and stops it afterwards', async () => {
    const port = await freePort();
    const run = await cli({ DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(port) }, '--verbose', 'migrate');
    expect(run.code).toBe(EXIT.OK);
    expect(run.stdout).toMatch(/^event store schema: applied 1 /);
    expect(run.stderr).toContain(`embedded PostgreSQL listening on 127.0.0.1:${port}`);
    expect(await answers(port)).toBe(false);
    expect(existsSync(join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false);
  }, 60_000);

  describe('next to a running api', () => {
    let api: DatabaseServer;
    let port: number;

    beforeAll(async () => {
      port = await freePort();
      api = await startEmbeddedPostgres({ dataDir, port, persistent: true });
    }, 60_000);

    afterAll(async () => {
      await api?.stop();
    });

    it('uses the running server (found through postmaster.pid) and leaves it running', async () => {
      // Another configured port: only the pid file can lead to the server.
      const run = await cli({ DATA_DIR: dataDir, EMBEDDED_POSTGRES_PORT: String(await freePort()) }, '-v', 'migrate');
      expect(run).toEqual({
        code: EXIT.OK,
        stdout: expect.stringMatching(/^schema up to date/),
        // Ends with this line; before it, where the checkout is out of the postgres user's reach, the staging of the binaries.
        stderr: expect.stringMatching(new RegExp(`(^|\n)using the embedded PostgreSQL already running on 127\\.0\\.0\\.1:${port}, data in ${join(dataDir, 'postgres')}\n$`)),
      });
      const client = new pg.Client({ connectionString: api.url });
      await client.connect();
      await expect(client.query('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
      await client.end();
    }, 30_000);

    it('refuses a port taken by the server of another DATA_DIR (exit code 3)', async () => {
      const run = await cli({ DATA_DIR: join(root, 'other'), EMBEDDED_POSTGRES_PORT: String(port) }, 'migrate');
      expect(run.code).toBe(EXIT.UNAVAILABLE);
      expect(run.stderr).toMatch(new RegExp(`^error: Port ${port} on 127.0.0.1 is taken by a server that is not the embedded PostgreSQL of .*/other: set EMBEDDED_POSTGRES_PORT to a free port, or set DATABASE_URL.\n$`));
      expect(await answers(port)).toBe(true);
    }, 30_000);
  });
});

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
