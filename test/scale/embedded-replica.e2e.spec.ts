import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { EMBEDDED_PASSWORD, EMBEDDED_USER } from '@tthc/platform';
import { freePort } from '../support/free-port.js';
import { isAlive } from '../support/process-alive.js';

// `npm start` with EMBEDDED_REPLICA=1: the compiled api in a process of its own starts the embedded
// PostgreSQL and a streaming replica of it from the same binaries, sends the queries to the replica,
// and stops both on Ctrl-C (SIGINT).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('npm start with EMBEDDED_REPLICA=1', () => {
  let dataDir: string;
  let child: ChildProcess | undefined;
  const lines: string[] = [];
  const pids: number[] = [];

  const postmasterPid = async (cluster: string) => Number((await readFile(join(cluster, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const alive = isAlive;
  const waitFor = async (pattern: RegExp, timeoutMs = 90_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const seen = lines.find((line) => pattern.test(line));
      if (seen) return seen;
      if (Date.now() > deadline || child?.exitCode !== null) throw new Error(`no line matching ${pattern}; the api said:\n${lines.slice(-15).join('\n')}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    execSync('npx swc apps libs -d dist --quiet --ignore "apps/dashboard/**"', { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
    dataDir = await mkdtemp(join(process.env.TEST_DATA_DIR ?? tmpdir(), 'tthc-ledger-embedded-replica-'));
    await chmod(dataDir, 0o755);
  }, 90_000);

  afterAll(async () => {
    if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && pids.some(alive); i++) await sleep(100);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('starts a streaming replica beside the embedded primary, sends queries to it, and stops both on Ctrl-C', async () => {
    const [port, pgPort, replicaPort] = [await freePort(), await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: String(port),
      EMBEDDED_POSTGRES_PORT: String(pgPort),
      EMBEDDED_REPLICA: '1',
      EMBEDDED_REPLICA_PORT: String(replicaPort),
      SEED: 'off',
      LOG_LEVEL: 'info',
      AUTH_DISABLED: 'true',
    };
    delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the api
    delete env.DATABASE_URL; // the test server's: the api must run its own
    delete env.DATABASE_READ_URL;
    child = spawn(process.execPath, ['dist/apps/api/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: child.stdout! }).on('line', (line) => lines.push(line));
    createInterface({ input: child.stderr! }).on('line', (line) => lines.push(line));
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;

    expect(await waitFor(/read replica: a streaming replica of the embedded PostgreSQL/)).toContain(`127.0.0.1:${replicaPort}`);
    await waitFor(/api listening on/);
    await waitFor(/set up the provincial-level units/); // the first start's own commands, which the projector then reads
    pids.push(await postmasterPid(join(dataDir, 'postgres')), await postmasterPid(join(dataDir, 'replica', 'postgres')));

    const base = `http://127.0.0.1:${port}`;
    const health = await (await fetch(`${base}/health`)).json();
    expect(health.details.readReplica).toMatchObject({ status: 'up', reachable: true, promoted: false, queriesGoTo: 'replica' });
    const created = await fetch(`${base}/api/authorities/74/procedures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ procedureCode: '9.100001', name: 'Thủ tục thử', onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01', decisionRef: 'QĐ 1/QĐ-UBND' }),
    });
    expect(created.status).toBe(201);
    const position = Math.max(...((await created.json()).events as { globalPosition: number }[]).map((e) => e.globalPosition));
    // Read-your-writes through the replica: the query waits on the checkpoint as the replica sees it.
    // (503 projection-behind while the projector still reads the first start's events on a loaded machine: asked again.)
    let summary = await fetch(`${base}/api/authorities/74/summary?afterPosition=${position}`);
    for (let i = 0; i < 10 && summary.status === 503; i++) {
      expect((await summary.json()).type).toBe('https://tthc-ledger.dev/problems/projection-behind');
      summary = await fetch(`${base}/api/authorities/74/summary?afterPosition=${position}`);
    }
    expect(summary.status).toBe(200);
    expect((await summary.json()).position).toBeGreaterThanOrEqual(position);

    const replica = new pg.Client({ connectionString: `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${replicaPort}/tthc_ledger` });
    await replica.connect();
    try {
      expect((await replica.query('SELECT pg_is_in_recovery() AS r')).rows[0].r).toBe(true);
      expect(Number((await replica.query('SELECT count(*) AS n FROM event_store.events WHERE global_position = $1', [position])).rows[0].n)).toBe(1);
    } finally {
      await replica.end();
    }

    child.kill('SIGINT');
    const [code] = await exited;
    expect(code).toBe(0);
    await waitFor(/stopped/).catch(() => undefined);
    expect(lines.some((line) => /"msg":"stopped"/.test(line))).toBe(true);
    for (let i = 0; i < 50 && pids.some(alive); i++) await sleep(100);
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);
});
