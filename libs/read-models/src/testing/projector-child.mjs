// A projector in a process of its own, for crash tests that kill it for real (SIGKILL).
// Runs the COMPILED build (build it first: `npx swc libs -d dist --quiet`).
//
//   node libs/read-models/src/testing/projector-child.mjs <databaseUrl> <batchSize> <delayMs> [hangAtBatch]
//
// Catches up to the head of the log and exits 0. With hangAtBatch = n, it stops for good inside the
// n-th batch's transaction, rows written and not committed, to be killed there. On stdout:
//   in-tx <last position of the batch>   rows written, transaction still open (then waits delayMs)
//   hanging <last position of the batch> the n-th batch: waits inside its transaction until killed
//   committed <position>                 the batch and its checkpoint are committed
//   done <checkpoint>                    caught up
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

const dist = new URL('../../../../dist/libs/', import.meta.url);
await import(new URL('platform/src/index.js', dist)); // DATE columns as 'YYYY-MM-DD' strings
const { PostgresEventStore } = await import(new URL('event-store/src/index.js', dist));
const { ProjectionRunner, createReadModelDataSource } = await import(new URL('read-models/src/index.js', dist));

const [url, batchSize = '50', delayMs = '0', hangAtBatch = '0'] = process.argv.slice(2);
if (!url) {
  console.error('usage: projector-child.mjs <databaseUrl> <batchSize> <delayMs> [hangAtBatch]');
  process.exit(2);
}
const say = (line) => process.stdout.write(`${line}\n`); // a pipe: written synchronously on Linux

let batches = 0;
const pool = new pg.Pool({ connectionString: url, max: 4 });
const dataSource = createReadModelDataSource(url, { poolSize: 4 });
await dataSource.initialize();
const runner = new ProjectionRunner(dataSource, new PostgresEventStore(pool), {
  batchSize: Number(batchSize),
  beforeCommit: async (events) => {
    say(`in-tx ${events[events.length - 1].globalPosition}`);
    if (++batches === Number(hangAtBatch)) {
      say(`hanging ${events[events.length - 1].globalPosition}`);
      await new Promise(() => setInterval(() => undefined, 1_000)); // until SIGKILL
    }
    if (Number(delayMs) > 0) await sleep(Number(delayMs));
  },
});
await runner.catchUp((position) => say(`committed ${position}`));
say(`done ${await runner.checkpoint()}`);
await dataSource.destroy();
await pool.end();
