import pg from 'pg';

/**
 * The query load of `bench -- replica`, in a process of its own so that it can be pinned to the
 * replica's CPU: `node replica-query-load.js <url> <clients> <sql>`. Runs `clients` loops of `sql`
 * until its stdin closes (or says anything), then writes `{"queries":n,"millis":ms,"cpuSeconds":s}` to stdout (s: this process's CPU time).
 */
const [url, clients, sql] = process.argv.slice(2);
const pool = new pg.Pool({ connectionString: url, max: Number(clients) });
let stopped = false;
let queries = 0;
process.stdin.on('data', () => (stopped = true));
process.stdin.on('end', () => (stopped = true));
const started = Date.now();
await Promise.all(
  Array.from({ length: Number(clients) }, async () => {
    while (!stopped) {
      await pool.query(sql);
      queries++;
    }
  }),
);
const { user, system } = process.cpuUsage();
process.stdout.write(`${JSON.stringify({ queries, millis: Date.now() - started, cpuSeconds: (user + system) / 1e6 })}\n`);
await pool.end();
