import { ConcurrencyConflict, seedNational, shippedAuthorities } from '@tthc/application';
import { DomainError, type ProcedureCommand } from '@tthc/domain';
import { WrongExpectedVersion, type EventStore, type ReadAllOptions } from '@tthc/event-store';
import type { SummaryCounts } from '../queries/summary.js';
import { createReadModelHarness, type ReadModelHarness } from '../testing/read-model-harness.js';
import {
  cmd,
  readModelInvariantViolations,
  replaySnapshot,
  sleep,
  snapshotReadModels,
  waitUntilCaughtUp,
} from '../testing/read-model-test-kit.js';
import type { ProjectionRunner } from './projection-runner.js';
import { rebuildReadModels, type RebuildResult } from './rebuild.js';

describe('rebuilding the read models beside the live ones', () => {
  let h: ReadModelHarness;
  let live: ProjectionRunner;
  let liveRun: Promise<void>;
  const liveAbort = new AbortController();
  const liveLog: string[] = [];
  const codes = shippedAuthorities().provinces2023.map((a) => a.code);
  const AT = '2099-12-31';
  let baseline: Map<string, SummaryCounts>;

  beforeAll(async () => {
    h = await createReadModelHarness();
    await seedNational(h.store, { procedures: 10, years: 2, concurrency: 16 });
    await h.runner({ batchSize: 2000 }).catchUp();
    live = h.runner({ batchSize: 100, log: (message, fields) => liveLog.push(`${message} ${JSON.stringify(fields)}`) });
    liveRun = live.run(liveAbort.signal);
    await waitUntilCaughtUp(live, h.store);
    baseline = (await h.reader.counts(codes, { at: AT })).counts;
  }, 60_000);
  afterAll(async () => {
    liveAbort.abort();
    await liveRun;
    await h?.close();
  });

  it('swaps in a full replay while the projector runs, queries are answered and commands appended', async () => {
    let stop = false;
    const deadline = Date.now() + 40_000; // a hung rebuild must not leave the loops spinning in this process
    setTimeout(() => (stop = true), 40_000).unref();

    // (c) Commands keep coming: registrations and reclassifications, never a withdrawal, so that no
    // authority's total in force on AT can ever go down.
    let appended = 0;
    const writer = async (w: number) => {
      const modes = ['FULL_PROCESS', 'PARTIAL', 'INFORMATION_ONLY'] as const;
      for (let n = 0; !stop; n++) {
        const authority = codes[(w * 17 + n) % codes.length];
        const command: ProcedureCommand =
          n % 2 === 0
            ? cmd.register(authority, `1.9${String(w * 10_000 + n).padStart(5, '0')}`, modes[n % 3], '2024-06-01')
            : cmd.reclassify(authority, `9.${String((n % 10) + 1).padStart(6, '0')}`, modes[(w + n) % 3], '2099-01-01');
        try {
          await h.execute(command);
          appended++;
        } catch (error) {
          if (!(error instanceof DomainError || error instanceof WrongExpectedVersion || error instanceof ConcurrencyConflict)) throw error;
        }
        await sleep(2);
      }
    };

    // (b) Queries in a loop: they must never fail, never count fewer than the known totals, and never go back.
    const failures: string[] = [];
    const answered: { position: number; at: number }[] = [];
    const reader = async (r: number) => {
      const previous = new Map<string, number>();
      let lastPosition = 0;
      for (let i = 0; !stop; i++) {
        try {
          const interval = (i + r) % 3 === 0;
          const { counts, position } = await h.reader.counts(codes, interval ? { at: AT, knownAt: new Date().toISOString() } : { at: AT });
          if (position < lastPosition) failures.push(`reader ${r}: position went back from ${lastPosition} to ${position}`);
          lastPosition = position;
          for (const code of codes) {
            const total = counts.get(code)?.total ?? -1;
            if (total < baseline.get(code)!.total) failures.push(`reader ${r}: ${code} total ${total} < known ${baseline.get(code)!.total}`);
            const kind = `${interval}:${code}`;
            if (total < (previous.get(kind) ?? 0)) failures.push(`reader ${r}: ${code} total went back from ${previous.get(kind)} to ${total}`);
            previous.set(kind, total);
          }
          if (i % 5 === 0) {
            const page = await h.reader.procedures(['74'], { at: AT }, { page: 1, pageSize: 10 });
            if (page.total < baseline.get('74')!.total) failures.push(`reader ${r}: procedure list total ${page.total}`);
          }
          answered.push({ position, at: Date.now() });
          await sleep(3);
        } catch (error) {
          failures.push(`reader ${r}: ${(error as Error).message}`);
        }
      }
    };

    const activity = [...Array.from({ length: 4 }, (_, w) => writer(w)), ...Array.from({ length: 4 }, (_, r) => reader(r))];
    let results: RebuildResult[] = [];
    let swappedAt = 0;
    try {
      await sleep(100);
      const headBefore = await h.store.headPosition();
      // (a) Two rebuilds in a row, with the live projector running throughout.
      const within = async <T,>(promise: Promise<T>): Promise<T> => {
        let timer: NodeJS.Timeout | undefined;
        const late = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('the rebuild did not finish in time')), Math.max(0, deadline - Date.now()));
        });
        try {
          return await Promise.race([promise, late]);
        } finally {
          clearTimeout(timer);
        }
      };
      results = [await within(rebuildReadModels(h.dataSource, h.store, { batchSize: 250 }))];
      swappedAt = Date.now();
      results.push(await within(rebuildReadModels(h.dataSource, h.store, { batchSize: 1000 })));
      expect(results[0].position).toBeGreaterThanOrEqual(headBefore);
      expect(results[0].events).toBeGreaterThanOrEqual(headBefore - 10);
      expect(results[1].position).toBeGreaterThanOrEqual(results[0].position);
      await sleep(300); // the writers keep writing after the swap
    } finally {
      stop = true;
      await Promise.all(activity);
    }

    expect(failures).toEqual([]);
    expect(appended).toBeGreaterThan(20);
    expect(answered.filter((a) => a.at < swappedAt).length).toBeGreaterThan(10);
    expect(answered.filter((a) => a.at > swappedAt).length).toBeGreaterThan(10);

    // Afterwards: the live projector caught up, and the live schema equals a full replay.
    await waitUntilCaughtUp(live, h.store);
    expect(await live.checkpoint()).toBeGreaterThan(results[1].position);
    expect(await snapshotReadModels(h.dataSource, 'read_model', { compact: true })).toEqual(
      await replaySnapshot(h.dataSource, h.store, { compact: true }),
    );
    expect(await readModelInvariantViolations(h.dataSource)).toEqual([]);
    const leftovers = await h.dataSource.query(
      `SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read\\_model\\_rebuild\\_%' OR nspname LIKE 'read\\_model\\_retired\\_%'`,
    );
    expect(leftovers).toEqual([]);
    expect(live.status()).toMatchObject({ running: true, lastError: null });
  }, 60_000);

  it('swaps in tables the planner has statistics for (analysed before the swap)', async () => {
    const analysed: { relname: string; rows: number }[] = await h.dataSource.query(
      `SELECT c.relname, c.reltuples::int AS rows FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'read_model' AND c.relkind = 'r' AND c.relname IN ('procedure_status_intervals', 'procedure_transitions', 'procedures')`,
    );
    expect(analysed).toHaveLength(3);
    // reltuples is -1 for a table never analysed (or vacuumed); the sampled count otherwise.
    for (const table of analysed) expect(table).toEqual({ relname: table.relname, rows: expect.any(Number) });
    expect(Math.min(...analysed.map((t) => t.rows))).toBeGreaterThan(0);
    const [{ columns }] = await h.dataSource.query(
      `SELECT count(*)::int AS columns FROM pg_stats WHERE schemaname = 'read_model' AND tablename = 'procedure_status_intervals'`,
    );
    expect(columns).toBeGreaterThanOrEqual(10);
  });

  it('keeps projecting new events into the swapped-in schema', async () => {
    const before = (await h.reader.counts(['74'], { at: AT })).counts.get('74')!;
    const result = await h.execute(cmd.register('74', '1.999999', 'FULL_PROCESS', '2025-01-01', 'DISABLED'));
    const position = result.events[0].globalPosition;
    expect(await live.waitForPosition(position, 5_000)).toBe(true);
    const after = await h.reader.counts(['74'], { at: AT });
    expect(after.position).toBeGreaterThanOrEqual(position);
    expect(after.counts.get('74')).toEqual({
      ...before,
      total: before.total + 1,
      fullProcess: before.fullProcess + 1,
      paperIntakeDisabled: before.paperIntakeDisabled + 1,
    });
    const [row] = await h.dataSource.query(`SELECT position FROM read_model.procedure_transitions WHERE position = $1`, [position]);
    expect(Number(row.position)).toBe(position);
  });

  it('leaves the live read models alone, and no schema behind, when a rebuild fails', async () => {
    const before = await snapshotReadModels(h.dataSource);
    let reads = 0;
    const failing: EventStore = new Proxy(h.store, {
      get(target, property, receiver) {
        if (property === 'readAll') {
          return (options?: ReadAllOptions) => (++reads === 3 ? Promise.reject(new Error('store went away')) : target.readAll(options));
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    await expect(rebuildReadModels(h.dataSource, failing, { batchSize: 500 })).rejects.toThrow('store went away');
    expect(await snapshotReadModels(h.dataSource)).toEqual(before);
    const schemas = await h.dataSource.query(`SELECT nspname FROM pg_namespace WHERE nspname LIKE 'read\\_model%' ORDER BY 1`);
    expect(schemas).toEqual([{ nspname: 'read_model' }]);
  });

  it('reports what the live projector logged', () => {
    // A batch that collided with a swap is retried, not lost; it should not even have to fail.
    expect(liveLog).toEqual([]);
  });
});
