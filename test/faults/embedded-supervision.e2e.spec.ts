import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { freePort } from '../support/free-port.js';
import { isAlive } from '../support/process-alive.js';

// The api as `npm start` runs it (the compiled build, a process of its own, the embedded PostgreSQL
// under DATA_DIR), killed for real: SIGKILL of the api leaves its PostgreSQL running (nothing can stop
// it then); SIGKILL of PostgreSQL is the server dying under the api.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface ApiProcess {
  child: ChildProcess;
  lines: string[];
  /** Resolves with the first line (past or future) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

describe('the embedded PostgreSQL supervised by the api', () => {
  let dataDir: string;
  let port: number;
  let pgPort: number;
  const started: ApiProcess[] = [];

  function startApi(): ApiProcess {
    const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: String(port), EMBEDDED_POSTGRES_PORT: String(pgPort), SEED: 'off', LOG_LEVEL: 'info', AUTH_DISABLED: 'true' };
    delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the api
    delete env.DATABASE_URL; // the test server's: the api must run its own
    const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const lines: string[] = [];
    const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
    const onLine = (line: string) => {
      lines.push(line);
      for (const w of waiters.filter((w) => w.pattern.test(line))) w.resolve(line);
    };
    createInterface({ input: child.stdout! }).on('line', onLine);
    createInterface({ input: child.stderr! }).on('line', onLine);
    const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    const api: ApiProcess = {
      child,
      lines,
      exited,
      waitFor: (pattern, timeoutMs = 60_000) => {
        const seen = lines.find((line) => pattern.test(line));
        if (seen) return Promise.resolve(seen);
        return new Promise((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} in ${timeoutMs} ms; the api said:\n${lines.slice(-15).join('\n')}`)), timeoutMs);
          waiters.push({ pattern, resolve: (line) => (clearTimeout(timer), resolve(line)) });
          void exited.then(() => setTimeout(() => reject(new Error(`the api exited before ${pattern}:\n${lines.slice(-15).join('\n')}`)), 200));
        });
      },
    };
    started.push(api);
    return api;
  }

  const postmasterPid = async () => Number((await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  const alive = isAlive;
  const register = (code: string) =>
    fetch(`http://127.0.0.1:${port}/api/authorities/74/procedures`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ procedureCode: code, name: 'Thủ tục thử', onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01', decisionRef: 'QĐ 1/QĐ-UBND' }),
    });

  beforeAll(async () => {
    execSync('npx swc apps libs -d dist --quiet', { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
    dataDir = await mkdtemp(join(process.env.TEST_DATA_DIR ?? tmpdir(), 'tthc-ledger-supervision-'));
    await chmod(dataDir, 0o755);
    [port, pgPort] = [await freePort(), await freePort()];
  }, 90_000);

  afterAll(async () => {
    for (const api of started) if (api.child.exitCode === null && api.child.signalCode === null) api.child.kill('SIGKILL');
    const pid = await postmasterPid().catch(() => 0);
    if (pid && alive(pid)) process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && pid && alive(pid); i++) await sleep(100);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('takes over the server a SIGKILLed api left running, refuses a second api while one runs, restarts a server that died (503 meanwhile, never 500) and stops it on SIGTERM', async () => {
    // 1. An api, killed with SIGKILL: its PostgreSQL stays, orphaned.
    const first = startApi();
    await first.waitFor(/api listening on/);
    const orphan = await postmasterPid();

    // 2. A second api on the same DATA_DIR while the first runs: refused, in one sentence.
    const second = startApi();
    const [code] = await second.exited;
    expect(code).toBe(1);
    expect(second.lines.join('\n')).toContain(
      `The embedded PostgreSQL of ${dataDir} is run by process ${first.child.pid} (another api, projector or cli): stop that process, give this one another DATA_DIR, or set DATABASE_URL.`,
    );
    expect(second.lines.join('\n')).not.toMatch(/\n\s+at /); // no stack

    first.child.kill('SIGKILL');
    await first.exited;
    expect(alive(orphan)).toBe(true);

    // 3. The next start takes the orphan over (found by its data folder) and serves.
    const third = startApi();
    await third.waitFor(new RegExp(`took over the embedded PostgreSQL \\(pid ${orphan}, port ${pgPort}\\)`));
    await third.waitFor(/api listening on/);
    expect((await register('1.000001')).status).toBe(201);

    // 4. The server dies: requests get 503 (never 500) until the api has started it again, by itself.
    process.kill(orphan, 'SIGKILL');
    const statuses: number[] = [];
    const deadline = Date.now() + 60_000;
    for (let n = 2; Date.now() < deadline; n++) {
      const res = await register(`1.${String(n).padStart(6, '0')}`);
      statuses.push(res.status);
      if (res.status === 503) expect(((await res.json()) as { type: string }).type).toMatch(/^https:\/\/tthc-ledger\.dev\/problems\/(store-unavailable|database-resources)$/);
      if (res.status === 201 && statuses.includes(503)) break;
      await sleep(50);
    }
    expect(statuses).toContain(503);
    expect(statuses.at(-1)).toBe(201);
    expect(statuses.filter((s) => s !== 503 && s !== 201)).toEqual([]);
    // Taken over, the server is not the api's child: its death is seen in its data folder (no exit status).
    await third.waitFor(/the embedded PostgreSQL exited; database calls answer 503 until it is back; starting it again in 1 s/);
    await third.waitFor(/the embedded PostgreSQL is back on 127\.0\.0\.1/);
    const restarted = await postmasterPid();
    expect(restarted).not.toBe(orphan);

    // 5. SIGTERM: the api stops, and its server with it. The server's own log was kept throughout.
    third.child.kill('SIGTERM');
    expect((await third.exited)[0]).toBe(0);
    expect(alive(restarted)).toBe(false);
    const log = await readFile(join(dataDir, 'postgres.log'), 'utf8');
    expect(log.match(/database system is ready to accept connections/g)!.length).toBeGreaterThanOrEqual(2);
    expect(log).toContain('database system is shut down');
  }, 180_000);
});
