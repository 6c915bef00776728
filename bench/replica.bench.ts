import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, startStreamingReplica } from '@tthc/platform';
import { migrateEventStore, PostgresEventStore } from '@tthc/event-store';
import { event } from './append.bench.js';
import type { BenchContext } from './context.js';
import { perSecond, runConcurrently } from './stats.js';


/** A query of the kind dashboards send, on the log itself (no read models here): an aggregate over recent rows. */
const QUERY = `SELECT event_type, count(*) FROM (SELECT event_type FROM event_store.events ORDER BY global_position DESC LIMIT 5000) recent GROUP BY 1`;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

const percentile = (values: number[], p: number) => {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
};

/**
 * replica: two embedded servers of their own (a primary and a streaming replica made from it), and
 * the append load of `append` (1-event appends, concurrency 16, --events appends per phase, default
 * 5,000) in four phases: no replica; a replica streaming (its lag sampled every 100 ms from
 * pg_stat_replication); a replica serving a query load (4 clients in a loop); the same query load on
 * the primary instead. Then the time a promotion takes.
 */
export async function replicaBench(ctx: BenchContext) {
  const appends = ctx.args.events ?? 5_000;
  const queryClients = 4;
  const root = await mkdtemp(join(tmpdir(), 'tthc-ledger-bench-replica-'));
  const primary = await startEmbeddedPostgres({ dataDir: join(root, 'primary'), port: await freePort(), persistent: false, database: 'bench', maxConnections: 100 });
  let replica: Awaited<ReturnType<typeof startStreamingReplica>> | undefined;
  const pool = new pg.Pool({ connectionString: primary.url, max: 20 });
  const results: Record<string, unknown> = {};
  try {
    await migrateEventStore(pool);
    const store = new PostgresEventStore(pool);
    const appendPhase = async (name: string, during?: { queries?: pg.Pool; sampleLag: boolean }) => {
      const run = randomUUID().slice(0, 8);
      const lagBytes: number[] = [];
      const lagMs: number[] = [];
      let queries = 0;
      let done = false;
      const queryLoad = during?.queries
        ? Promise.all(Array.from({ length: queryClients }, async () => {
            while (!done) {
              await during.queries!.query(QUERY);
              queries++;
            }
          }))
        : Promise.resolve();
      const sampler = during?.sampleLag
        ? (async () => {
            while (!done) {
              const { rows } = await pool.query<{ bytes: string | null; ms: number | null }>(
                `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS bytes,
                        extract(epoch FROM replay_lag)::float8 * 1000 AS ms
                 FROM pg_stat_replication LIMIT 1`,
              );
              if (rows[0]?.bytes != null) lagBytes.push(Number(rows[0].bytes));
              if (rows[0]?.ms != null) lagMs.push(rows[0].ms);
              await new Promise((resolve) => setTimeout(resolve, 100));
            }
          })()
        : Promise.resolve();
      const started = Date.now();
      await runConcurrently(appends, 16, async (i) => {
        await store.appendToStream(`bench-${run}-${i}`, [event(i)], { expectedRevision: 'no_stream' });
      });
      const ms = Date.now() - started;
      done = true;
      await Promise.all([queryLoad, sampler]);
      const result = {
        appends,
        millis: ms,
        eventsPerSecond: perSecond(appends, ms),
        ...(during?.queries && { queriesPerSecond: perSecond(queries, ms) }),
        ...(lagBytes.length > 0 && {
          replicaLagBytes: { p50: percentile(lagBytes, 50), p99: percentile(lagBytes, 99), max: Math.max(...lagBytes) },
          replicaLagMs: { p50: Math.round(percentile(lagMs, 50) * 10) / 10, p99: Math.round(percentile(lagMs, 99) * 10) / 10, max: Math.round(Math.max(0, ...lagMs) * 10) / 10 },
        }),
      };
      results[name] = result;
      ctx.log(`${name}: ${JSON.stringify(result)}`);
    };

    await appendPhase('appendsNoReplica');
    const replicaStarted = Date.now();
    replica = await startStreamingReplica({ primaryUrl: primary.url, primaryClusterDir: primary.supervisor!.clusterDir, dataDir: join(root, 'replica'), port: await freePort(), persistent: false, maxConnections: 100 });
    results.replicaMadeInMs = Date.now() - replicaStarted;
    ctx.log(`replica made (base backup, start, consistent) in ${results.replicaMadeInMs} ms`);
    const onReplica = new pg.Pool({ connectionString: replica.url, max: queryClients });
    try {
      await appendPhase('appendsWithReplica', { sampleLag: true });
      await appendPhase('appendsWithReplicaQueriedOnReplica', { queries: onReplica, sampleLag: true });
      await appendPhase('appendsWithReplicaQueriedOnPrimary', { queries: pool, sampleLag: true });
    } finally {
      await onReplica.end();
    }
    const promoteStarted = Date.now();
    await replica.promote();
    results.promoteMs = Date.now() - promoteStarted;
    ctx.log(`pg_promote (wait for the end of recovery): ${results.promoteMs} ms`);
    return results;
  } finally {
    await pool.end();
    await replica?.stop().catch(() => undefined);
    await primary.stop();
    await rm(root, { recursive: true, force: true });
  }
}
