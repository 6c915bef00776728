import 'reflect-metadata';
import { parentPort, workerData } from 'node:worker_threads';
import pg from 'pg';
import { PostgresEventStore } from '@tthc/event-store';
import { createReadModelDataSource, ProjectionRunner } from '@tthc/read-models';
import { startWriteLoad } from './query-load.js';

/**
 * The write side of `bench -- queries --writers N`, on a thread of its own (its own event loop and
 * heap, as a separate api or projector process would have): the appenders and a live projector
 * (ProjectionRunner.run, as ProjectorService runs it). Stops on a 'stop' message, waits until the
 * projector has caught up with every event written, and posts the write report.
 */
const { url, writers, rate, runTag } = workerData as { url: string; writers: number; rate?: number; runTag: string };
const pool = new pg.Pool({ connectionString: url, max: 24 });
const store = new PostgresEventStore(pool);
const dataSource = createReadModelDataSource(url);
await dataSource.initialize();
const runner = new ProjectionRunner(dataSource, store);
const projector = new AbortController();
const projecting = runner.run(projector.signal);
const load = startWriteLoad(store, { writers, rate, runTag });
let maxLag = 0;
const lagTimer = setInterval(() => {
  void Promise.all([store.headPosition(), runner.checkpoint()]).then(([h, c]) => (maxLag = Math.max(maxLag, h - c)), () => undefined);
}, 500);
parentPort!.once('message', async () => {
  clearInterval(lagTimer);
  const report = await load.stop();
  const caughtUp = await runner.waitForPosition(await store.headPosition(), 60_000);
  projector.abort();
  await projecting;
  await dataSource.destroy();
  await store.close().catch(() => undefined);
  await pool.end().catch(() => undefined);
  parentPort!.postMessage({ ...report, projectorMaxLag: maxLag, caughtUp });
});
parentPort!.postMessage('started');
