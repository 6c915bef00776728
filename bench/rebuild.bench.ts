import { loadavg } from 'node:os';
import { createReadModelDataSource, migrateReadModels, rebuildReadModels } from '@tthc/read-models';
import type { BenchContext } from './context.js';
import { nationalLog } from './national-log.js';
import { perSecond, postgresCpuSeconds, postmasterPid, withPeakRss } from './stats.js';

/**
 * 3. rebuild: the projection rebuilt from the benchmark log into fresh read models, with the bulk
 * writer (default) or the live projector's batches (`--writer live`), and the load average around it.
 */
export async function rebuildBench(ctx: BenchContext) {
  const { url, store, pool } = await nationalLog(ctx, { events: ctx.args.events ?? 1_000_000 });
  const dataSource = createReadModelDataSource(url);
  await dataSource.initialize();
  await migrateReadModels(dataSource);
  const loadBefore = loadavg()[0];
  // CPU seconds of this process and of the PostgreSQL server during the rebuild: on a shared machine
  // the wall time says little alone; these say which side the work is on.
  const [{ pid }] = (await pool.query('SELECT pg_backend_pid() AS pid')).rows;
  const postmaster = await postmasterPid(pid);
  const serverCpuBefore = await postgresCpuSeconds(postmaster);
  const cpuBefore = process.cpuUsage();
  const { result, peakRssMiB } = await withPeakRss(() =>
    rebuildReadModels(dataSource, store, {
      batchSize: 5000,
      writer: ctx.args.writer ?? 'bulk',
      log: ctx.log,
      onProgress: (position, head) => {
        if (position % 100_000 < 5000) ctx.log(`  ${position}/${head}`);
      },
    }),
  );
  const cpu = process.cpuUsage(cpuBefore);
  const nodeCpuSeconds = Math.round((cpu.user + cpu.system) / 1e4) / 100;
  const serverCpuAfter = await postgresCpuSeconds(postmaster);
  const serverCpuSeconds = serverCpuBefore === undefined || serverCpuAfter === undefined ? undefined : Math.round((serverCpuAfter - serverCpuBefore) * 100) / 100;
  const load = `${loadBefore.toFixed(1)} before, ${loadavg()[0].toFixed(1)} after`;
  const writer = ctx.args.writer ?? 'bulk';
  ctx.log(
    `rebuilt (${writer} writer) from ${result.events} events in ${result.millis} ms = ${perSecond(result.events, result.millis)} events/s, ` +
      `peak RSS ${peakRssMiB} MiB, CPU s: node ${nodeCpuSeconds}, PostgreSQL ${serverCpuSeconds ?? '?'}, load average ${load}${result.phases ? `; ms per phase ${JSON.stringify(result.phases)}` : ''}`,
  );
  await dataSource.destroy();
  await pool.end();
  return { writer, events: result.events, millis: result.millis, eventsPerSecond: perSecond(result.events, result.millis), peakRssMiB, nodeCpuSeconds, serverCpuSeconds, loadAverage: load, phases: result.phases };
}
