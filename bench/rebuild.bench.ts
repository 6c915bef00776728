import { createReadModelDataSource, migrateReadModels, rebuildReadModels } from '@tthc/read-models';
import type { BenchContext } from './context.js';
import { nationalLog } from './national-log.js';
import { perSecond, withPeakRss } from './stats.js';

/** 3. rebuild: the projection rebuilt from the benchmark log into fresh read models. */
export async function rebuildBench(ctx: BenchContext) {
  const { url, store, pool } = await nationalLog(ctx, { events: ctx.args.events ?? 1_000_000 });
  const dataSource = createReadModelDataSource(url);
  await dataSource.initialize();
  await migrateReadModels(dataSource);
  const { result, peakRssMiB } = await withPeakRss(() =>
    rebuildReadModels(dataSource, store, {
      batchSize: 5000,
      log: ctx.log,
      onProgress: (position, head) => {
        if (position % 100_000 < 5000) ctx.log(`  ${position}/${head}`);
      },
    }),
  );
  ctx.log(`rebuilt from ${result.events} events in ${result.millis} ms = ${perSecond(result.events, result.millis)} events/s, peak RSS ${peakRssMiB} MiB`);
  await dataSource.destroy();
  await pool.end();
  return { events: result.events, millis: result.millis, eventsPerSecond: perSecond(result.events, result.millis), peakRssMiB };
}
