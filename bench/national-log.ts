import pg from 'pg';
import { authoritiesAreSetUp, seedNational, setupShippedAuthorities, storeSetup } from '@tthc/application';
import { migrateEventStore, PostgresEventStore } from '@tthc/event-store';
import type { BenchContext } from './context.js';
import { perSecond } from './stats.js';

/**
 * The benchmark log: the deterministic national synthetic data set (63 provinces, procedure events
 * only, so that the projection has real work), about `events` events over ~100,000 streams of ~10
 * events, written by 16 concurrent appenders. Written once and reused (`--fresh` rewrites it).
 */
export async function nationalLog(ctx: BenchContext, options: { events: number }) {
  const streams = Math.max(63, Math.round(options.events / 10));
  const procedures = Math.max(1, Math.round(streams / 63));
  // ~1 registration + 4 transitions a year: ~10 events per stream over 2.25 years.
  const years = 2.25;
  const name = `tthc_bench_log_${procedures}`;
  const url = await ctx.database(name, { fresh: ctx.args.fresh });
  const pool = new pg.Pool({ connectionString: url, max: 24 });
  // pool.end() resolves before its idle sockets close: the embedded server's shutdown at the end of a
  // benchmark (57P01) may still reach one, and a pool without a listener would crash the process then.
  pool.on('error', () => undefined);
  await migrateEventStore(pool);
  const store = new PostgresEventStore(pool);
  let written: { events: number; millis: number; eventsPerSecond: number } | null = null;
  const head = await store.headPosition();
  // The units (and the 2025 merger) first, as a first migrate does: the queries name units through them.
  if (!(await authoritiesAreSetUp(store))) await setupShippedAuthorities(storeSetup(store), 'all', 'bench');
  if (head === 0) {
    ctx.log(`writing the benchmark log: 63 × ${procedures} procedures, ${years} years of decisions, 16 appenders…`);
    const started = Date.now();
    let lastReport = 0;
    const result = await seedNational(store, {
      procedures,
      years,
      concurrency: 16,
      onProgress: (done, total) => {
        if (Date.now() - lastReport > 5000) {
          lastReport = Date.now();
          ctx.log(`  ${done}/${total} streams`);
        }
      },
    });
    const millis = Date.now() - started;
    written = { events: result.events, millis, eventsPerSecond: perSecond(result.events, millis) };
    ctx.log(`  ${result.events} events in ${millis} ms (${written.eventsPerSecond} events/s, 16 appenders, one append per stream)`);
  } else {
    ctx.log(`reusing the benchmark log in database ${name}: ${head} events (--fresh rewrites it)`);
  }
  return { url, pool, store, procedures, streams: procedures * 63, written };
}
