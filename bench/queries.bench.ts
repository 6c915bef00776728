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
  pooledReads,
  ProjectionRunner,
  rebuildReadModels,
  createQueryPool,
  QueryRouter,
  ReadModelReader,
} from '@tthc/read-models';
import { Worker } from 'node:worker_threads';
import pg from 'pg';
import type { BenchContext } from './context.js';
import { nationalLog } from './national-log.js';
import { startSampler, type WriteLoadReport } from './query-load.js';
import { percentiles } from './stats.js';

const START = Date.UTC(2023, 0, 1);
const DAYS = 900;
/** An answer slower than this is reported with what coincided with it (server waits, pool queue, GC). */
const SLOW_MS = 50;

/**
 * 4. queries: latency of the dashboard queries over random dates, on the national data set.
 *
 * Without `--writers` each kind runs alone, one query at a time. With `--writers N` (issue 16) the
 * queries run while N appenders write single events through the real EventStore (as fast as they go,
 * or `--rate` events/s over all of them) and a live projector (ProjectionRunner.run) projects them,
 * both on a worker thread (bench/query-writers.worker.ts); the queries use the api's wiring (a pool
 * of their own with the query bounds, QueryRouter, ReadModelReader): the kinds are interleaved, `--concurrency`
 * query loops at once (default 1), and every answer over 50 ms is printed with what the server's
 * sessions waited on, the Node pool's queue and GC at the time.
 */
export async function queriesBench(ctx: BenchContext) {
  const { url, store, pool } = await nationalLog(ctx, { events: ctx.args.events ?? 1_000_000 });
  const writers = ctx.args.writers ?? 0;
  const dataSource = createReadModelDataSource(url);
  await dataSource.initialize();
  await migrateReadModels(dataSource);
  const runner = new ProjectionRunner(dataSource, store, { batchSize: 5000 });
  const head = await store.headPosition();
  const checkpoint = await runner.checkpoint();
  if (checkpoint === 0 && head > 0) {
    // Nothing projected yet (a log just written): the bulk rebuild, about 2.5× the live projector's rate.
    ctx.log(`projecting the log first, by a rebuild (bulk writer, ${head} events)…`);
    const rebuilt = await rebuildReadModels(dataSource, store, {
      log: ctx.log,
      onProgress: (position, end) => position % 500_000 < 5000 && ctx.log(`  ${position}/${end}`),
    });
    ctx.log(`  rebuilt in ${rebuilt.millis} ms`);
  } else if (checkpoint < head) {
    ctx.log(`projecting the log first (checkpoint ${checkpoint}, head ${head})…`);
    await runner.catchUp();
  }
  // The queries as the api wires them (ReadModelsModule): a pool of their own, with the query bounds.
  const queryPool = createQueryPool(url);
  const reader = new ReadModelReader(new QueryRouter(pooledReads(queryPool), undefined, { fallback: 'primary' }));
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
  const print = (name: string, n: number) =>
    ctx.log(`${name.padEnd(22)} p50 ${results[name].p50} ms  p95 ${results[name].p95} ms  p99 ${results[name].p99} ms  max ${results[name].max} ms  (n=${n})`);
  let underWrites: Awaited<ReturnType<typeof measureUnderWrites>> | undefined;
  if (writers === 0) {
    for (const [name, run] of Object.entries(cases)) {
      for (let i = 0; i < 50; i++) await run(); // warm-up: plans cached, pages in memory
      const samples: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const t = performance.now();
        await run();
        samples.push(performance.now() - t);
      }
      results[name] = percentiles(samples);
      print(name, iterations);
    }
  } else {
    underWrites = await measureUnderWrites(ctx, { url, queryPool, cases, iterations, writers });
    Object.assign(results, underWrites.latencyMs);
    for (const name of Object.keys(cases)) print(name, results[name].n);
  }
  await queryPool.end();
  await dataSource.destroy();
  await pool.end();
  return { events: head, iterations, latencyMs: results, ...(underWrites && { underWrites: { ...underWrites, latencyMs: undefined } }) };
}

async function measureUnderWrites(
  ctx: BenchContext,
  o: {
    url: string;
    queryPool: pg.Pool;
    cases: Record<string, () => Promise<unknown>>;
    iterations: number;
    writers: number;
  },
) {
  const readers = ctx.args.concurrency ?? 1;
  const names = Object.keys(o.cases);
  for (const name of names) for (let i = 0; i < 20; i++) await o.cases[name](); // warm-up
  const admin = new pg.Pool({ connectionString: o.url, max: 1 });
  const runTag = Math.floor(Math.random() * 36 ** 3).toString(36).toUpperCase().padStart(3, '0');
  // Writers and projector on a thread of their own: their event loop and GC are not the queries'.
  const writeSide = new Worker(new URL('./query-writers.worker.js', import.meta.url), {
    workerData: { url: o.url, writers: o.writers, rate: ctx.args.rate, runTag },
  });
  const inbox: unknown[] = [];
  const waiting: ((message: unknown) => void)[] = [];
  writeSide.on('message', (m) => (waiting.length > 0 ? waiting.shift()!(m) : inbox.push(m)));
  const next = () => (inbox.length > 0 ? Promise.resolve(inbox.shift()) : new Promise((resolve) => waiting.push(resolve)));
  const failed = new Promise((_, reject) => writeSide.once('error', reject));
  await Promise.race([next(), failed]); // 'started'
  const sampler = startSampler(admin);
  // The writers first reach their pace, and the projector its steady state.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  ctx.log(`under writes: ${o.writers} writers (${ctx.args.rate ? `${ctx.args.rate} events/s` : 'unpaced, case a'}) and a live projector on a worker thread, ${readers} query loop(s), kinds interleaved`);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  const slow: { kind: string; ms: number; poolWaiting: number; context: ReturnType<typeof sampler.around> }[] = [];
  const started = performance.now();
  let issued = 0;
  await Promise.all(
    Array.from({ length: readers }, async () => {
      while (issued < o.iterations * names.length) {
        const name = names[issued++ % names.length];
        const poolWaiting = o.queryPool.waitingCount;
        const t = performance.now();
        await o.cases[name]();
        const ms = performance.now() - t;
        samples[name].push(ms);
        if (ms > SLOW_MS) slow.push({ kind: name, ms: Math.round(ms * 10) / 10, poolWaiting, context: sampler.around(t, t + ms) });
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  writeSide.postMessage('stop');
  const writes = (await Promise.race([next(), failed])) as WriteLoadReport & { projectorMaxLag: number; caughtUp: boolean };
  await writeSide.terminate();
  const server = await sampler.stop();
  await admin.end();
  const latencyMs = Object.fromEntries(names.map((n) => [n, percentiles(samples[n])]));
  ctx.log(
    `writes: ${writes.appended} events in ${writes.seconds.toFixed(1)} s = ${writes.eventsPerSecond} events/s ` +
      `(${writes.newStreams} new streams, ${writes.existingStreams} existing, ${writes.refused} refused); projector max lag ${writes.projectorMaxLag} events${writes.caughtUp ? '' : ' (not caught up 60 s after)'}`,
  );
  ctx.log(`queries: ${names.length * o.iterations} in ${seconds.toFixed(1)} s; server sessions by wait (average active): ${JSON.stringify(server.activeByWait)}`);
  ctx.log(`lock waits seen in ${server.lockWaitSamples}/${server.samples} samples (${server.nonAppendLockWaits} of sessions not appending); query thread GC: ${server.gcPauses} pauses, max ${server.gcMaxMs} ms, ${server.gcOver10ms} over 10 ms; event-loop delay p99 ${server.eventLoopDelayP99Ms} ms, max ${server.eventLoopDelayMaxMs} ms`);
  for (const l of server.lockWaitExamples) ctx.log(`  lock wait: ${l.query.replace(/\s+/g, ' ')}  ← blocked by ${l.blockedBy.map((b) => b.replace(/\s+/g, ' ')).join(' | ')}`);
  for (const s of slow.sort((a, b) => b.ms - a.ms).slice(0, 10)) {
    ctx.log(`  slow ${s.kind} ${s.ms} ms: pool queue ${s.poolWaiting} at start, GC ${s.context.gcMs} ms, server ${JSON.stringify(s.context.waits.at(-1) ?? {})}${s.context.lockWaits.length ? `, lock waits ${s.context.lockWaits.length}` : ''}`);
  }
  return { readers, writes, queriesPerSecond: Math.round((names.length * o.iterations) / seconds), slowAnswers: slow.length, server: { ...server }, latencyMs };
}
