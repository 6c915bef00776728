import { shippedAuthorities } from '@tthc/application';
import {
  createReadModelDataSource,
  GetAuthoritySummaryHandler,
  GetMovementHandler,
  GetNationalSummaryHandler,
  ListProceduresHandler,
  GetAuthoritySummaryQuery,
  GetMovementQuery,
  GetNationalSummaryQuery,
  ListProceduresQuery,
  migrateReadModels,
  ProjectionRunner,
  ReadModelReader,
} from '@tthc/read-models';
import type { BenchContext } from './context.js';
import { nationalLog } from './national-log.js';
import { percentiles } from './stats.js';

const START = Date.UTC(2023, 0, 1);
const DAYS = 900;

/** 4. queries: latency of the dashboard queries over random dates, on the national data set. */
export async function queriesBench(ctx: BenchContext) {
  const { url, store, pool } = await nationalLog(ctx, { events: ctx.args.events ?? 1_000_000 });
  const dataSource = createReadModelDataSource(url);
  await dataSource.initialize();
  await migrateReadModels(dataSource);
  const runner = new ProjectionRunner(dataSource, store, { batchSize: 5000 });
  const head = await store.headPosition();
  if ((await runner.checkpoint()) < head) {
    ctx.log(`projecting the log first (checkpoint ${await runner.checkpoint()}, head ${head})…`);
    await runner.catchUp();
  }
  const reader = new ReadModelReader(dataSource);
  const codes = shippedAuthorities().provinces2023.map((a) => a.code);
  const randomDate = () => new Date(START + Math.floor(Math.random() * DAYS) * 86_400_000).toISOString().slice(0, 10);
  const code = () => codes[Math.floor(Math.random() * codes.length)];
  const iterations = ctx.args.iterations ?? 2000;

  const cases: Record<string, () => Promise<unknown>> = {
    summaryAtDate: () => new GetAuthoritySummaryHandler(reader).execute(new GetAuthoritySummaryQuery(code(), randomDate())),
    summaryAtDateKnownAt: () =>
      new GetAuthoritySummaryHandler(reader).execute(new GetAuthoritySummaryQuery(code(), randomDate(), new Date().toISOString())),
    nationalTable: () => new GetNationalSummaryHandler(reader).execute(new GetNationalSummaryQuery(randomDate())),
    // Issue 12: the same table in each set of boundaries (63 rows of 2023, 34 of 2025), whatever the date.
    nationalTable2023: () => new GetNationalSummaryHandler(reader).execute(new GetNationalSummaryQuery(randomDate(), undefined, undefined, '2023')),
    nationalTable2025: () => new GetNationalSummaryHandler(reader).execute(new GetNationalSummaryQuery(randomDate(), undefined, undefined, '2025')),
    movement: () => {
      const [a, b] = [randomDate(), randomDate()].sort();
      return new GetMovementHandler(reader).execute(new GetMovementQuery(code(), a, b));
    },
    procedureList: () =>
      new ListProceduresHandler(reader).execute(new ListProceduresQuery(code(), { at: randomDate(), page: 1 + Math.floor(Math.random() * 10), pageSize: 50 })),
  };
  const results: Record<string, ReturnType<typeof percentiles>> = {};
  for (const [name, run] of Object.entries(cases)) {
    for (let i = 0; i < 50; i++) await run(); // warm-up: plans cached, pages in memory
    const samples: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = performance.now();
      await run();
      samples.push(performance.now() - t);
    }
    results[name] = percentiles(samples);
    ctx.log(`${name.padEnd(22)} p50 ${results[name].p50} ms  p95 ${results[name].p95} ms  p99 ${results[name].p99} ms  (n=${iterations})`);
  }
  await dataSource.destroy();
  await pool.end();
  return { events: head, iterations, latencyMs: results };
}
