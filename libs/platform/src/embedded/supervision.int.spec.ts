import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../../../test/support/free-port.js';
import { removeAbandonedServers, startEmbeddedPostgres, type DatabaseServer } from '../embedded-database.js';
import { isAlive, readPostmasterPid } from './postmaster.js';

// What the supervisor does with servers that outlive, or lose, what they stood on: a throw-away test
// server whose run was killed, and a cluster removed under a running server.

describe('embedded servers left behind or left without their cluster', () => {
  let parent: string;
  const servers: DatabaseServer[] = [];
  const start = async (dataDir: string, options: { restart?: boolean; log?: (level: string, m: string) => void } = {}) => {
    await rm(dataDir, { recursive: true, force: true });
    const { mkdir } = await import('node:fs/promises');
    await mkdir(dataDir, { recursive: true });
    await chmod(dataDir, 0o755); // as global-setup.ts: the server's user keeps the cluster in it
    const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false, database: 'postgres', ...options });
    servers.push(server);
    return server;
  };
  const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid!; // ended by the time it returns

  beforeAll(async () => {
    parent = await mkdtemp(join(tmpdir(), 'tthc-abandoned-'));
    await chmod(parent, 0o755);
  });

  afterAll(async () => {
    for (const server of servers) await server.stop().catch(() => undefined);
    await rm(parent, { recursive: true, force: true });
  }, 60_000);

  it('stops and removes a test server whose run ended, and leaves a live run and a fresh start alone', async () => {
    const abandoned = await start(join(parent, 'tthc-ledger-test-abandoned'));
    const live = await start(join(parent, 'tthc-ledger-test-live'));
    const starting = join(parent, 'tthc-ledger-test-starting'); // no record yet: a start in progress
    const { mkdir } = await import('node:fs/promises');
    await mkdir(starting);
    const abandonedCluster = await realpath(join(parent, 'tthc-ledger-test-abandoned', 'postgres'));
    const postmaster = (await readPostmasterPid(abandonedCluster))!.pid;
    // The run that started it was killed: its record names a process that has ended.
    await writeFile(join(parent, 'tthc-ledger-test-abandoned', 'postgres.supervisor'), JSON.stringify({ pid: deadPid(), startTime: '1', server: postmaster }));

    const removed = await removeAbandonedServers(parent, 'tthc-ledger-test-');

    expect(removed).toEqual([join(parent, 'tthc-ledger-test-abandoned')]);
    expect(isAlive(postmaster)).toBe(false);
    expect(existsSync(join(parent, 'tthc-ledger-test-abandoned'))).toBe(false);
    expect(existsSync(abandonedCluster)).toBe(false);
    expect(existsSync(starting)).toBe(true);
    const livePostmaster = (await readPostmasterPid(await realpath(join(parent, 'tthc-ledger-test-live', 'postgres'))))!.pid;
    expect(isAlive(livePostmaster)).toBe(true);
    servers.splice(servers.indexOf(abandoned), 1);
    await live.stop();
  }, 90_000);

  it('never initialises an empty cluster when restarting a server whose cluster was removed', async () => {
    const logged: string[] = [];
    const dataDir = join(parent, 'vanishing');
    const server = await start(dataDir, { restart: true, log: (level, m) => logged.push(`${level} ${m}`) });
    const started = logged.length; // what the first start logged (its own initdb among it)
    const clusterDir = await realpath(join(dataDir, 'postgres'));
    const postmaster = (await readPostmasterPid(clusterDir))!.pid;

    await rm(clusterDir, { recursive: true, force: true });
    process.kill(postmaster, 'SIGKILL');
    // The supervisor tries again after 1 s: wait for its report.
    for (let waited = 0; waited < 15_000 && !logged.some((l) => l.includes('is gone')); waited += 100) await sleep(100);

    expect(logged.filter((l) => l.startsWith('error')).join('\n')).toMatch(/its cluster .* is gone: restore it from a backup or export/);
    expect(existsSync(join(clusterDir, 'PG_VERSION'))).toBe(false);
    expect(logged.slice(0, started).some((l) => l.includes('initialising a PostgreSQL cluster'))).toBe(true);
    expect(logged.slice(started).some((l) => l.includes('initialising a PostgreSQL cluster'))).toBe(false);
    await server.stop();
  }, 90_000);
});
