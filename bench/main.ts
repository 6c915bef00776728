import 'reflect-metadata';
import { appendBench } from './append.bench.js';
import { decisionBench } from './decision.bench.js';
import { httpBench } from './http.bench.js';
import { openBenchContext, parseArgs, type BenchContext } from './context.js';
import { queriesBench } from './queries.bench.js';
import { readAllBench } from './read-all.bench.js';
import { replicaBench } from './replica.bench.js';
import { rebuildBench } from './rebuild.bench.js';

const BENCHMARKS: Record<string, { describe: string; run: (ctx: BenchContext) => Promise<unknown> }> = {
  append: { describe: 'appends: 1 and 100 events per append at concurrency 1 and 16, a hot stream, raw INSERT', run: appendBench },
  'read-all': { describe: 'the whole global log read in order (--events, default 1,000,000)', run: readAllBench },
  rebuild: { describe: 'projection rebuild from the benchmark log: events/s and peak RSS', run: rebuildBench },
  http: { describe: 'commands/s and query requests/s over HTTP with latency percentiles (--connections, --duration)', run: httpBench },
  decision: { describe: 'a 2,000-item decision over HTTP (--events items, --iterations runs): to committed, and to visible in the summary', run: decisionBench },
  replica: { describe: 'a primary and a streaming replica of their own: append rate without and with the replica, its lag, a query load on it or on the primary, promotion', run: replicaBench },
  queries: { describe: 'p50/p95/p99/max of the dashboard queries over random dates (--iterations); under --writers N single-event appenders (--rate events/s) and a live projector', run: queriesBench },
};

async function main(): Promise<number> {
  const { name, args } = parseArgs(process.argv.slice(2));
  const bench = name ? BENCHMARKS[name] : undefined;
  if (!bench) {
    process.stderr.write(
      `usage: npm run bench -- <name> [--events N] [--concurrency C] [--iterations N] [--duration S] [--writer bulk|live] [--writers N] [--rate R] [--fresh] [--pin] [--json]

` +
        Object.entries(BENCHMARKS).map(([n, b]) => `  ${n.padEnd(10)} ${b.describe}`).join('\n') + '\n',
    );
    return 2;
  }
  const ctx = await openBenchContext(args);
  try {
    ctx.log(`benchmark ${name}, ${new Date().toISOString()}`);
    const results = await bench.run(ctx);
    if (args.json) process.stdout.write(`${JSON.stringify({ benchmark: name, at: new Date().toISOString(), machine: ctx.machine, results })}\n`);
    return 0;
  } finally {
    await ctx.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
