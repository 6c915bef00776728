import { execSync, spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { EventStore } from '@tthc/event-store';
import { PROJECTOR_LEADER_LOCK, ProjectionRunner, ProjectorElection, type ProjectorRole } from '@tthc/read-models';
import { createReadModelHarness, type ReadModelHarness } from '../../../libs/read-models/src/testing/read-model-harness.js';
import { cmd, readModelInvariantViolations, replaySnapshot, sleep, snapshotReadModels } from '../../../libs/read-models/src/testing/read-model-test-kit.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The store, counting every call a projector makes on it: a standby must make none. */
function countingStore(store: EventStore): { store: EventStore; calls: () => number } {
  let calls = 0;
  const counted = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls++;
        return value.apply(target, args);
      };
    },
  });
  return { store: counted, calls: () => calls };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/*
 * One elected projector (ProjectorElection): a session-level advisory lock held on a dedicated
 * connection for the leader's lifetime; standbys hold that connection only and read nothing.
 */
describe('projector leader election', () => {
  let h: ReadModelHarness;
  let registered = 0;
  /** The position of the last event appended here. */
  let appended = 0;
  const register = async () => {
    const { events } = await h.execute(cmd.register('24', `1.8${String(++registered).padStart(5, '0')}`, 'PARTIAL', '2024-03-01'));
    appended = Math.max(appended, events.at(-1)!.globalPosition);
  };
  const checkpoint = () => h.runner().checkpoint();
  /**
   * Every event appended so far is projected, and visible in the log's head (which waits for older
   * transactions anywhere on the shared server, so it may lag an append for a moment).
   */
  const caughtUp = async () => (await checkpoint()) >= appended && (await h.store.headPosition()) >= appended;

  beforeAll(async () => {
    h = await createReadModelHarness();
  }, 60_000);
  afterAll(() => h?.close());

  /** An elected projector in this process. */
  const inProcess = () => {
    const counted = countingStore(h.store);
    const runner = new ProjectionRunner(h.dataSource, counted.store, { batchSize: 20 });
    const roles: ProjectorRole[] = [];
    const election = new ProjectorElection({ url: h.db.url, pollMs: 100, checkMs: 200, onRole: (role) => roles.push(role) });
    const abort = new AbortController();
    const running = election.run(abort.signal, (leading) => runner.run(leading));
    return { election, runner, roles, calls: counted.calls, running, stop: async () => (abort.abort(), await running) };
  };

  it('elects one; the standby reads nothing until the leader stops, then takes over from its checkpoint', async () => {
    const a = inProcess();
    await until(() => a.election.role() === 'leader', 5_000, 'a leader');
    const b = inProcess();
    try {
      await until(() => b.election.role() === 'standby', 5_000, 'a standby');
      for (let i = 0; i < 10; i++) await register();
      await until(caughtUp, 10_000, 'the leader to catch up');
      await sleep(300); // a few of the standby's polls
      expect(b.election.role()).toBe('standby');
      expect(b.calls()).toBe(0);
      expect(a.calls()).toBeGreaterThan(0);

      await a.stop();
      expect(a.roles.at(-1)).toBe('stopped');
      await until(() => b.election.role() === 'leader', 5_000, 'the standby to win');
      for (let i = 0; i < 10; i++) await register();
      await until(caughtUp, 10_000, 'the new leader to catch up');
      expect(b.calls()).toBeGreaterThan(0);
    } finally {
      await a.stop();
      await b.stop();
    }
    expect(await snapshotReadModels(h.dataSource, 'read_model', { compact: true })).toEqual(await replaySnapshot(h.dataSource, h.store, { compact: true }));
  }, 30_000);

  it('a leader whose lock connection is ended steps down, and leadership passes on', async () => {
    const a = inProcess();
    await until(() => a.election.role() === 'leader', 5_000, 'a leader');
    const b = inProcess();
    try {
      await until(() => b.election.role() === 'standby', 5_000, 'a standby');
      const admin = new pg.Client({ connectionString: h.db.url });
      await admin.connect();
      try {
        // The leader's lock session, ended by the server (as a restart or an administrator would).
        const { rowCount } = await admin.query(
          `SELECT pg_terminate_backend(l.pid) FROM pg_locks l
           WHERE l.locktype = 'advisory' AND l.classid = $1 AND l.objid = $2 AND l.granted AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
          [PROJECTOR_LEADER_LOCK.classId, PROJECTOR_LEADER_LOCK.objectId],
        );
        expect(rowCount).toBe(1);
      } finally {
        await admin.end();
      }
      await until(() => a.roles.includes('standby') && a.roles.lastIndexOf('standby') > a.roles.indexOf('leader'), 5_000, 'the leader to step down');
      await until(() => [a, b].filter((p) => p.election.role() === 'leader').length === 1, 5_000, 'one leader again');
      expect(a.runner.status().running && b.runner.status().running).toBe(false);
      await register();
      await until(caughtUp, 10_000, 'catching up');
    } finally {
      await a.stop();
      await b.stop();
    }
  }, 30_000);

  describe('apps/projector processes, the leader killed with SIGKILL while two standbys wait', () => {
    const children: ChildProcess[] = [];

    beforeAll(() => {
      // The children run the compiled build (dist/), as a deployed projector does.
      execSync('npx swc apps libs -d dist --quiet', { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
    }, 60_000);
    afterAll(() => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });

    const start = (name: string) => {
      const env: NodeJS.ProcessEnv = { ...process.env, DATABASE_URL: h.db.url, PROJECTOR_ELECTION_POLL_MS: '100', NO_COLOR: '1', NODE_ENV: 'production' };
      delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the child
      const child = spawn(process.execPath, ['dist/apps/projector/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      const state = { name, child, elected: 0, lines: [] as string[] };
      const read = (line: string) => {
        state.lines.push(line);
        if (line.includes('elected leader')) state.elected = Date.now();
      };
      createInterface({ input: child.stdout! }).on('line', read);
      createInterface({ input: child.stderr! }).on('line', read);
      return state;
    };

    it('a standby takes over within seconds; every event is applied once', async () => {
      const first = start('first');
      await until(() => first.elected > 0, 20_000, `the first projector to lead: ${first.lines.slice(-5).join(' | ')}`);
      const standbys = [start('second'), start('third')];
      await until(() => standbys.every((s) => s.lines.some((l) => l.includes('campaigning'))), 20_000, 'two standbys');

      // Commands keep coming while the leader dies.
      let writing = true;
      const writer = (async () => {
        while (writing) {
          await register();
          await sleep(5);
        }
      })();
      await until(async () => (await checkpoint()) > 0 && registered > 20, 10_000, 'projection under load');
      const killedAt = Date.now();
      first.child.kill('SIGKILL');
      await until(() => standbys.some((s) => s.elected > 0), 10_000, 'a standby to take over');
      const failoverMs = Math.max(...standbys.map((s) => s.elected)) - killedAt;
      await sleep(300);
      writing = false;
      await writer;
      expect(standbys.filter((s) => s.elected > 0)).toHaveLength(1);
      await until(caughtUp, 15_000, 'the new leader to catch up');
      console.log(`projector failover: ${failoverMs} ms from SIGKILL of the leader to a standby's election (poll 100 ms), ${registered} commands so far`);

      expect(await readModelInvariantViolations(h.dataSource)).toEqual([]);
      expect(await snapshotReadModels(h.dataSource, 'read_model', { compact: true })).toEqual(await replaySnapshot(h.dataSource, h.store, { compact: true }));
      for (const s of standbys) s.child.kill('SIGTERM');
      await Promise.all(standbys.map((s) => new Promise((resolve) => (s.child.exitCode !== null ? resolve(null) : s.child.once('exit', resolve)))));
    }, 60_000);
  });
});
