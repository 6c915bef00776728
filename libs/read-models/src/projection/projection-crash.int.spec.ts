import { execSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConcurrencyConflict, seedNational } from '@tthc/application';
import { DomainError, type ProcedureCommand } from '@tthc/domain';
import { WrongExpectedVersion } from '@tthc/event-store';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import {
  addDays,
  cmd,
  readModelInvariantViolations,
  replaySnapshot,
  snapshotReadModels,
  sleep,
  waitUntilCaughtUp,
  type ReadModelSnapshot,
} from '../testing/read-model-test-kit.js';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const CHILD = fileURLToPath(new URL('../testing/projector-child.mjs', import.meta.url));

describe('projection crash safety', () => {
  let h: ReadModelHarness;
  const checkpoint = () => h.runner().checkpoint();
  const positionOfEvent = async (n: number) => (await h.store.readAll({ after: 0, limit: n })).at(-1)!.globalPosition;
  /** Forget every projected row: the next projector starts from the beginning of the log. */
  const resetReadModels = () =>
    h.dataSource.query(
      `TRUNCATE read_model.procedures, read_model.procedure_status_intervals, read_model.procedure_transitions,
                read_model.authority_daily_summaries, read_model.authority_daily_transitions, read_model.projection_checkpoints`,
    );
  const burnPositions = (n: number) => h.pool.query(`SELECT nextval('event_store.global_position_seq') FROM generate_series(1, $1)`, [n]);
  /** Commands a writer may issue; the domain or a lost race may refuse them. */
  const tolerate = async (command: ProcedureCommand) => {
    try {
      return await h.execute(command);
    } catch (error) {
      if (error instanceof DomainError || error instanceof WrongExpectedVersion || error instanceof ConcurrencyConflict) return undefined;
      throw error;
    }
  };

  beforeAll(async () => {
    h = await createReadModelHarness();
    await seedNational(h.store, { procedures: 5, years: 2, concurrency: 16 });
    // Gaps in the positions (an append that failed after taking one leaves one), and decisions of two events.
    await burnPositions(7);
    for (let i = 1; i <= 30; i++) {
      const code = `1.6${String(i).padStart(5, '0')}`;
      await h.execute(cmd.register('24', code, 'FULL_PROCESS', '2024-01-01', 'DISABLED'));
      if (i % 3 === 0) await burnPositions(2);
      await h.execute(cmd.reclassify('24', code, 'INFORMATION_ONLY', `2024-02-${String((i % 28) + 1).padStart(2, '0')}`));
    }
  }, 60_000);
  afterAll(() => h?.close());

  it('rolls back the batch that fails before commit and keeps the checkpoint; a fresh runner then completes it', async () => {
    const batchSize = 200;
    let seen = 0;
    let committedView: ReadModelSnapshot | undefined;
    const crashing = h.runner({
      batchSize,
      beforeCommit: async () => {
        if (++seen < 4) return;
        // Inside the 4th batch's transaction, its rows written: another connection still sees batch 3.
        committedView = await snapshotReadModels(h.dataSource);
        throw new Error('simulated crash before commit');
      },
    });
    await expect(crashing.catchUp()).rejects.toThrow('simulated crash before commit');
    const afterThree = await positionOfEvent(3 * batchSize);
    expect(await checkpoint()).toBe(afterThree);
    expect(await snapshotReadModels(h.dataSource)).toEqual(committedView);
    const [{ transitions, procedures }] = await h.dataSource.query(
      `SELECT (SELECT max(position) FROM read_model.procedure_transitions) AS transitions,
              (SELECT max(position) FROM read_model.procedures) AS procedures`,
    );
    expect(Number(transitions)).toBe(afterThree);
    expect(Number(procedures)).toBeLessThanOrEqual(afterThree);

    // A second crash, at its runner's 2nd batch (the 5th overall).
    let calls = 0;
    const again = h.runner({ batchSize, beforeCommit: () => { if (++calls === 2) throw new Error('crash again'); } });
    await expect(again.catchUp()).rejects.toThrow('crash again');
    expect(await checkpoint()).toBe(await positionOfEvent(4 * batchSize));

    expect(await h.runner({ batchSize }).catchUp()).toBeGreaterThan(1000);
    expect(await checkpoint()).toBe(await h.store.headPosition());
    const live = await snapshotReadModels(h.dataSource);
    expect(await replaySnapshot(h.dataSource, h.store, { batchSize })).toEqual(live); // same batch boundaries: identical
    expect(await replaySnapshot(h.dataSource, h.store, { batchSize: 10_000, compact: true })).toEqual(
      await snapshotReadModels(h.dataSource, 'read_model', { compact: true }),
    );
    expect(await readModelInvariantViolations(h.dataSource)).toEqual([]);
  }, 30_000);

  it('keeps running after a failed batch: run() retries and catches up', async () => {
    await resetReadModels();
    const logged: string[] = [];
    let calls = 0;
    const runner = h.runner({
      batchSize: 300,
      log: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`),
      beforeCommit: () => {
        if (++calls === 2 || calls === 5) throw new Error('transient failure');
      },
    });
    const abort = new AbortController();
    const running = runner.run(abort.signal);
    try {
      await waitUntilCaughtUp(runner, h.store);
      expect(runner.status()).toMatchObject({ running: true, lastError: null });
    } finally {
      abort.abort();
      await running;
    }
    expect(logged).toHaveLength(2);
    expect(logged[0]).toContain('transient failure');
    expect(await replaySnapshot(h.dataSource, h.store, { compact: true })).toEqual(await snapshotReadModels(h.dataSource, 'read_model', { compact: true }));
  }, 30_000);

  describe('a projector process killed with SIGKILL', () => {
    beforeAll(() => {
      // The child runs the compiled build (dist/), as a deployed projector does.
      execSync('npx swc libs -d dist --quiet', { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
    }, 60_000);

    /** Runs the projector process; `killWhen` sees each stdout line and may ask for SIGKILL. */
    const runChild = (batchSize: number, delayMs: number, killWhen: (line: string, lines: string[]) => boolean = () => false, hangAtBatch = 0) =>
      new Promise<{ lines: string[]; code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve, reject) => {
        const env = { ...process.env };
        delete env.NODE_OPTIONS; // jest's --experimental-vm-modules is not for the child
        const child = spawn(process.execPath, [CHILD, h.db.url, String(batchSize), String(delayMs), String(hangAtBatch)], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
        const lines: string[] = [];
        let stderr = '';
        child.stderr.on('data', (chunk) => (stderr += chunk));
        createInterface({ input: child.stdout }).on('line', (line) => {
          lines.push(line);
          if (child.exitCode === null && child.signalCode === null && killWhen(line, lines)) child.kill('SIGKILL');
        });
        const timer = setTimeout(() => {
          child.kill('SIGKILL');
          reject(new Error(`projector child timed out; stdout so far: ${lines.slice(-5).join(' | ')}; stderr: ${stderr}`));
        }, 30_000);
        child.on('error', reject);
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          resolve({ lines, code, signal, stderr });
        });
      });
    const last = (lines: string[], kind: string) => {
      const hit = lines.filter((l) => l.startsWith(`${kind} `)).at(-1);
      return hit === undefined ? 0 : Number(hit.split(' ')[1]);
    };

    it('loses and doubles nothing: killed mid-batch and between batches, restarted, it equals a full replay', async () => {
      await resetReadModels();
      const batchSize = 50;

      // 1. Killed while a batch's transaction is open: rows written, not committed (the child stops
      //    inside its 5th batch's transaction until killed).
      const first = await runChild(batchSize, 0, (line) => line.startsWith('hanging '), 5);
      expect(first.signal).toBe('SIGKILL');
      expect(first.lines.some((l) => l.startsWith('done'))).toBe(false);
      const committed = last(first.lines, 'committed');
      expect(committed).toBe(await positionOfEvent(4 * batchSize));
      expect(last(first.lines, 'hanging')).toBe(await positionOfEvent(5 * batchSize));
      // The open batch dies with the connection: the checkpoint and the rows stop at batch 4.
      expect(await checkpoint()).toBe(committed);
      const [{ max }] = await h.dataSource.query(`SELECT max(position) AS max FROM read_model.procedure_transitions`);
      expect(Number(max)).toBe(committed);

      // 2. Killed just after a commit, racing the next batch.
      const second = await runChild(batchSize, 0, (line, lines) => line.startsWith('committed ') && lines.filter((l) => l.startsWith('committed ')).length === 12);
      expect(second.signal).toBe('SIGKILL');
      expect(await checkpoint()).toBeGreaterThanOrEqual(last(second.lines, 'committed'));
      expect(await checkpoint()).toBeLessThan(await h.store.headPosition());

      // 3. Restarted, it runs to the end.
      const third = await runChild(batchSize, 0);
      expect({ code: third.code, stderr: third.stderr }).toEqual({ code: 0, stderr: '' });
      const head = await h.store.headPosition();
      expect(third.lines.at(-1)).toBe(`done ${head}`);
      expect(await checkpoint()).toBe(head);
      // Restarts begin at a committed checkpoint, so the batches are those of one uninterrupted run.
      expect(await snapshotReadModels(h.dataSource)).toEqual(await replaySnapshot(h.dataSource, h.store, { batchSize }));
      expect(await readModelInvariantViolations(h.dataSource)).toEqual([]);
    }, 60_000);
  });

  it('projects everything while 8 writers append concurrently, and then equals a full replay', async () => {
    const logged: string[] = [];
    const runner = h.runner({ batchSize: 25, log: (message, fields) => logged.push(`${message} ${JSON.stringify(fields)}`) });
    const abort = new AbortController();
    const running = runner.run(abort.signal);
    const A = '02';
    const codes = Array.from({ length: 30 }, (_, i) => `1.7${String(i + 1).padStart(5, '0')}`);
    let day = 0;
    const nextDate = () => addDays('2025-01-01', Math.floor(day++ / 5));
    const modes = ['FULL_PROCESS', 'PARTIAL', 'INFORMATION_ONLY'] as const;
    let appended = 0;
    const writer = async (w: number) => {
      for (let n = 0; n < 40; n++) {
        const code = codes[(w * 7 + n * 13) % codes.length];
        const roll = (w * 31 + n * 17) % 10;
        const date = nextDate();
        const command =
          roll < 3
            ? cmd.register(A, code, modes[(w + n) % 3], '2024-12-01')
            : roll < 7
              ? cmd.reclassify(A, code, modes[(w + 2 * n) % 3], date)
              : roll < 8
                ? cmd.disablePaper(A, code, date)
                : roll < 9
                  ? cmd.reenablePaper(A, code, date)
                  : n % 4 === 0
                    ? cmd.withdraw(A, code, date)
                    : cmd.register(A, `1.8${String(w * 100 + n).padStart(5, '0')}`, 'PARTIAL', date, 'DISABLED');
        if (await tolerate(command)) appended++;
      }
    };
    try {
      const start = runner.status().eventsProjected;
      await Promise.all(Array.from({ length: 8 }, (_, w) => writer(w)));
      expect(appended).toBeGreaterThan(100);
      expect(runner.status().eventsProjected).toBeGreaterThan(start); // projecting while the writers wrote
      await waitUntilCaughtUp(runner, h.store);
      expect(runner.status().lastError).toBeNull();
    } finally {
      abort.abort();
      await running;
    }
    expect(logged).toEqual([]);
    expect(await checkpoint()).toBe(await h.store.headPosition());
    expect(await snapshotReadModels(h.dataSource, 'read_model', { compact: true })).toEqual(
      await replaySnapshot(h.dataSource, h.store, { compact: true }),
    );
    expect(await readModelInvariantViolations(h.dataSource)).toEqual([]);
  }, 60_000);

  it('catches up to the head it found on entry, and returns, although commands keep arriving', async () => {
    // Regression: catchUp used to loop until a read came back empty, which never happens while commands
    // arrive faster than one per batch; rebuildReadModels, which catches up twice, then never swapped.
    let writing = true;
    const writer = (async () => {
      for (let n = 0; writing && n < 5_000; n++) await h.execute(cmd.register('04', `1.95${String(n).padStart(4, '0')}`, 'PARTIAL', '2024-01-01'));
    })();
    try {
      await sleep(100);
      const head = await h.store.headPosition();
      let timer: NodeJS.Timeout | undefined;
      const applied = await Promise.race([
        h.runner({ batchSize: 5 }).catchUp(),
        new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error('catchUp did not return')), 15_000))),
      ]).finally(() => clearTimeout(timer));
      expect(applied).toBeGreaterThan(0);
      expect(await checkpoint()).toBeGreaterThanOrEqual(head);
    } finally {
      writing = false;
      await writer;
    }
  }, 30_000);

  it('lets two projectors race on one schema without doubling anything', async () => {
    await resetReadModels();
    const batchSize = 100;
    const [a, b] = await Promise.all([h.runner({ batchSize }).catchUp(), h.runner({ batchSize }).catchUp()]);
    expect(a + b).toBeGreaterThan(0);
    expect(await checkpoint()).toBe(await h.store.headPosition());
    expect(await snapshotReadModels(h.dataSource)).toEqual(await replaySnapshot(h.dataSource, h.store, { batchSize }));
    await sleep(0);
  }, 30_000);
});
