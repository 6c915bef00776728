// A rebuild in a process of its own, for tests that kill it for real (SIGKILL).
// Runs the COMPILED build (build it first: `npx swc libs -d dist --quiet`).
//
//   node libs/read-models/src/testing/rebuild-child.mjs <databaseUrl> <batchSize> <hangAtRead>
//
// Rebuilds the read models; its hangAtRead-th read of the log never returns, so that it waits there,
// its side schema half built, until killed. On stdout:
//   log <message>        what the rebuild logged (`building read models in schema <name>` first)
//   hanging <n>          the n-th read of the log: waits until killed
//   done <position>      the rebuild finished (hangAtRead 0)
import pg from 'pg';

const dist = new URL('../../../../dist/libs/', import.meta.url);
await import(new URL('platform/src/index.js', dist)); // DATE columns as 'YYYY-MM-DD' strings
const { PostgresEventStore } = await import(new URL('event-store/src/index.js', dist));
const { rebuildReadModels, createReadModelDataSource } = await import(new URL('read-models/src/index.js', dist));

const [url, batchSize = '50', hangAtRead = '0'] = process.argv.slice(2);
if (!url) {
  console.error('usage: rebuild-child.mjs <databaseUrl> <batchSize> <hangAtRead>');
  process.exit(2);
}
const say = (line) => process.stdout.write(`${line}\n`);

const pool = new pg.Pool({ connectionString: url, max: 4 });
const store = new PostgresEventStore(pool);
let reads = 0;
const readAll = store.readAll.bind(store);
store.readAll = (options) => {
  if (++reads !== Number(hangAtRead)) return readAll(options);
  say(`hanging ${reads}`);
  return new Promise(() => setInterval(() => undefined, 1_000)); // until SIGKILL
};
const dataSource = createReadModelDataSource(url, { poolSize: 4 });
await dataSource.initialize();
const result = await rebuildReadModels(dataSource, store, { batchSize: Number(batchSize), log: (message) => say(`log ${message}`) });
say(`done ${result.position}`);
await dataSource.destroy();
await pool.end();
