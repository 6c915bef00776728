import type { BenchContext } from './context.js';
import { nationalLog } from './national-log.js';
import { perSecond } from './stats.js';

/** 2. read-all: the whole global log, in order, and a check that every event came back once. */
export async function readAllBench(ctx: BenchContext) {
  const { store, pool, written } = await nationalLog(ctx, { events: ctx.args.events ?? 1_000_000 });
  const batch = 10_000;
  const head = await store.headPosition();
  const started = Date.now();
  let after = 0;
  let count = 0;
  let outOfOrder = 0;
  const ids = new Set<string>();
  for (;;) {
    const events = await store.readAll({ after, limit: batch });
    if (events.length === 0) break;
    for (const e of events) {
      if (e.globalPosition <= after) outOfOrder++;
      after = e.globalPosition;
      ids.add(e.id);
    }
    count += events.length;
  }
  const millis = Date.now() - started;
  const [{ n }] = (await pool.query<{ n: string }>('SELECT count(*) AS n FROM event_store.events')).rows;
  const exactlyOnce = ids.size === count && count === Number(n) && outOfOrder === 0;
  ctx.log(`read ${count} events (head ${head}) in ${millis} ms = ${perSecond(count, millis)} events/s, batches of ${batch}`);
  ctx.log(`every event exactly once, in order: ${exactlyOnce ? 'yes' : `NO (distinct ${ids.size}, rows ${n}, out of order ${outOfOrder})`}`);
  await pool.end();
  return { events: count, millis, eventsPerSecond: perSecond(count, millis), batchSize: batch, exactlyOnce, written };
}
