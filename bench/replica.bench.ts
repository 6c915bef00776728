import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startEmbeddedPostgres, startStreamingReplica, withTimeout, type StreamingReplica } from '@tthc/platform';
import { migrateEventStore, PostgresEventStore } from '@tthc/event-store';
import { ProjectorElection, type ProjectorRole } from '@tthc/read-models';
import { event } from './append.bench.js';
import type { BenchContext } from './context.js';
import { allowedCpus, pinProcessTree, processTreeCpuSeconds } from './cpu-pinning.js';
import { perSecond, runConcurrently } from './stats.js';

/** A query of the kind dashboards send, on the log itself (no read models here): an aggregate over recent rows. */
const QUERY = `SELECT event_type, count(*) FROM (SELECT event_type FROM event_store.events ORDER BY global_position DESC LIMIT 5000) recent GROUP BY 1`;
const QUERY_CLIENTS = 4;
const SLOT = 'tthc_replica';

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
const median = (values: number[]) => percentile(values, 50);
const round1 = (x: number) => Math.round(x * 10) / 10;

type Phase = 'appendsAlone' | 'appendsWithReplication' | 'queriesOnReplica' | 'queriesOnPrimary';
const PHASES: Phase[] = ['appendsAlone', 'appendsWithReplication', 'queriesOnReplica', 'queriesOnPrimary'];

/** The query load: a process of its own (bench/replica-query-load.ts), pinned to `cpu` when given. */
function startQueryLoad(url: string, cpu: number | undefined): { stop(): Promise<{ queries: number; millis: number; cpuSeconds: number }> } {
  const script = fileURLToPath(new URL('./replica-query-load.js', import.meta.url));
  const args = [script, url, String(QUERY_CLIENTS), QUERY];
  const child = cpu === undefined ? spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'inherit'] }) : spawn('taskset', ['-c', String(cpu), process.execPath, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<void>((resolve, reject) => child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`query load exited with ${code}`)))));
  return {
    async stop() {
      child.stdin!.end();
      await exited;
      return JSON.parse(out);
    },
  };
}

/**
 * replica: two embedded servers of their own (a primary and a streaming replica made from it), and
 * the append load of `append` (1-event appends, concurrency 16, --events appends per phase, default
 * 5,000), in `--iterations` rounds (default 1) of four phases each, interleaved so that the machine's
 * drift falls on all four alike:
 *   appendsAlone            the replica stopped (its slot kept: it catches up before the next phase);
 *   appendsWithReplication  the replica streaming (its lag sampled every 100 ms from pg_stat_replication);
 *   queriesOnReplica        and 4 query clients in a loop on the replica;
 *   queriesOnPrimary        the same query clients on the primary instead.
 * Each phase also states the CPU time per append of each side (the primary's server tree and this
 * process; the replica's server tree and the query load's process), which other work on a shared
 * machine does not inflate the way it does rates (a pinned side still shares its CPU with whatever
 * else the machine runs there).
 * Then the projector failover time (two ProjectorElections, the leader stopped at a random moment, 10 times)
 * and the time a promotion takes.
 *
 * `--pin` models two machines on a multi-core one: the primary's postmaster (so every backend, the
 * WAL sender included) and this process (the append client, the lag sampler) on the first allowed
 * CPU; the replica's postmaster (startup/replay, WAL receiver, its backends) and the query load's
 * process on the second. The query load sent to the primary stays on the second CPU, as a client on
 * the replica's machine would; its backends run on the primary's CPU.
 */
export async function replicaBench(ctx: BenchContext) {
  const appends = ctx.args.events ?? 5_000;
  const rounds = ctx.args.iterations ?? 1;
  let cpus: { primary: number; replica: number } | undefined;
  if (ctx.args.pin) {
    const allowed = await allowedCpus();
    if (allowed.length < 2) throw new Error(`--pin needs two CPUs; this process may use ${allowed.join(',')}`);
    cpus = { primary: allowed[0], replica: allowed[1] };
    await pinProcessTree(process.pid, cpus.primary);
    ctx.log(`pinned: primary server + append client on CPU ${cpus.primary}; replica server + query load on CPU ${cpus.replica}`);
  }
  const pinServer = async (pid: number | undefined, cpu: number | undefined) => {
    if (pid !== undefined && cpu !== undefined) await pinProcessTree(pid, cpu);
  };
  const root = await mkdtemp(join(tmpdir(), 'tthc-ledger-bench-replica-'));
  const primary = await startEmbeddedPostgres({ dataDir: join(root, 'primary'), port: await freePort(), persistent: false, database: 'bench', maxConnections: 100 });
  await pinServer(primary.supervisor?.pid, cpus?.primary);
  let replica: StreamingReplica | undefined;
  const pool = new pg.Pool({ connectionString: primary.url, max: 20 });
  type Samples = { eventsPerSecond: number[]; queriesPerSecond: number[]; lagBytes: number[]; lagMs: number[]; primaryCpuMsPerAppend: number[]; replicaCpuMsPerAppend: number[] };
  const samples: Record<Phase, Samples> = Object.fromEntries(
    PHASES.map((p) => [p, { eventsPerSecond: [], queriesPerSecond: [], lagBytes: [], lagMs: [], primaryCpuMsPerAppend: [], replicaCpuMsPerAppend: [] }]),
  ) as never;
  const results: Record<string, unknown> = { pinned: cpus ?? false, appendsPerPhase: appends, rounds };
  try {
    await migrateEventStore(pool);
    const store = new PostgresEventStore(pool);
    const appendLoad = async (count: number) => {
      const run = randomUUID().slice(0, 8);
      const started = Date.now();
      await runConcurrently(count, 16, async (i) => {
        await store.appendToStream(`bench-${run}-${i}`, [event(i)], { expectedRevision: 'no_stream' });
      });
      return Date.now() - started;
    };
    const caughtUp = async () => {
      const [{ lsn }] = (await pool.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows;
      for (let waited = 0; waited < 120_000; waited += 50) {
        const { rows } = await pool.query(
          `SELECT 1 FROM pg_stat_replication WHERE application_name = $1 AND state = 'streaming' AND replay_lsn >= $2::pg_lsn`,
          [SLOT, lsn],
        );
        if (rows.length > 0) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error('the replica did not catch up within 2 minutes');
    };
    const phase = async (name: Phase, round: number) => {
      const queryLoad = name === 'queriesOnReplica' ? startQueryLoad(replica!.url, cpus?.replica) : name === 'queriesOnPrimary' ? startQueryLoad(primary.url, cpus?.replica) : undefined;
      if (queryLoad) await new Promise((resolve) => setTimeout(resolve, 300)); // its connections open
      let done = false;
      const lagBytes: number[] = [];
      const lagMs: number[] = [];
      const sampler =
        name === 'appendsAlone'
          ? Promise.resolve()
          : (async () => {
              while (!done) {
                const { rows } = await pool.query<{ bytes: string | null; ms: number | null }>(
                  `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn)::text AS bytes, extract(epoch FROM replay_lag)::float8 * 1000 AS ms
                   FROM pg_stat_replication WHERE application_name = $1`,
                  [SLOT],
                );
                if (rows[0]?.bytes != null) lagBytes.push(Number(rows[0].bytes));
                if (rows[0]?.ms != null) lagMs.push(rows[0].ms);
                await new Promise((resolve) => setTimeout(resolve, 100));
              }
            })();
      // CPU seconds of each side: the primary's server and this process (append client, sampler); the
      // replica's server and the query load's process.
      const cpuNow = async () => ({
        primary: (await processTreeCpuSeconds(primary.supervisor!.pid!)) + (process.cpuUsage().user + process.cpuUsage().system) / 1e6,
        replica: replica?.supervisor.pid === undefined ? 0 : await processTreeCpuSeconds(replica.supervisor.pid),
      });
      const before = await cpuNow();
      const millis = await appendLoad(appends);
      const after = await cpuNow();
      done = true;
      await sampler;
      const queries = await queryLoad?.stop();
      const s = samples[name];
      const primaryCpu = after.primary - before.primary;
      // The query load's own process runs on the replica's side; sent to the primary, its backends count on the primary's.
      const replicaCpu = after.replica - before.replica + (queries?.cpuSeconds ?? 0);
      s.eventsPerSecond.push(perSecond(appends, millis));
      s.primaryCpuMsPerAppend.push(Math.round((primaryCpu * 1e6) / appends) / 1e3);
      s.replicaCpuMsPerAppend.push(Math.round((replicaCpu * 1e6) / appends) / 1e3);

      if (queries) s.queriesPerSecond.push(perSecond(queries.queries, queries.millis));
      s.lagBytes.push(...lagBytes);
      s.lagMs.push(...lagMs);
      ctx.log(
        `round ${round} ${name}: ${perSecond(appends, millis)} events/s` +
          (queries ? `, ${perSecond(queries.queries, queries.millis)} queries/s` : '') +
          `, primary side ${s.primaryCpuMsPerAppend.at(-1)} CPU ms/append, replica side ${s.replicaCpuMsPerAppend.at(-1)}` +
          (lagBytes.length ? `, lag p50 ${percentile(lagBytes, 50)} B / ${round1(percentile(lagMs, 50))} ms, max ${Math.max(...lagBytes)} B / ${round1(Math.max(0, ...lagMs))} ms` : ''),
      );
    };

    const replicaStarted = Date.now();
    replica = await startStreamingReplica({ primaryUrl: primary.url, primaryClusterDir: primary.supervisor!.clusterDir, dataDir: join(root, 'replica'), port: await freePort(), slot: SLOT, persistent: true, maxConnections: 100 });
    results.replicaMadeInMs = Date.now() - replicaStarted;
    ctx.log(`replica made (base backup, start, consistent) in ${results.replicaMadeInMs} ms`);
    await pinServer(replica.supervisor.pid, cpus?.replica);
    await appendLoad(Math.min(appends, 1_000)); // warm-up: caches, connections, the replica's first replay
    await caughtUp();

    for (let round = 1; round <= rounds; round++) {
      await replica.stop(); // the slot keeps the WAL written meanwhile
      await phase('appendsAlone', round);
      await replica.supervisor.start();
      await pinServer(replica.supervisor.pid, cpus?.replica);
      await caughtUp();
      await phase('appendsWithReplication', round);
      await caughtUp();
      await phase('queriesOnReplica', round);
      await caughtUp();
      await phase('queriesOnPrimary', round);
      await caughtUp();
    }
    const alone = median(samples.appendsAlone.eventsPerSecond);
    for (const name of PHASES) {
      const s = samples[name];
      const eventsPerSecond = median(s.eventsPerSecond);
      results[name] = {
        eventsPerSecond,
        perRound: s.eventsPerSecond,
        versusAlone: Math.round((eventsPerSecond / alone) * 1000) / 1000,
        primaryCpuMsPerAppend: median(s.primaryCpuMsPerAppend),
        replicaCpuMsPerAppend: median(s.replicaCpuMsPerAppend),
        ...(s.queriesPerSecond.length > 0 && { queriesPerSecond: median(s.queriesPerSecond) }),
        ...(s.lagBytes.length > 0 && {
          replicaLagBytes: { p50: percentile(s.lagBytes, 50), p99: percentile(s.lagBytes, 99), max: Math.max(...s.lagBytes) },
          replicaLagMs: { p50: round1(percentile(s.lagMs, 50)), p99: round1(percentile(s.lagMs, 99)), max: round1(Math.max(0, ...s.lagMs)) },
        }),
      };
      ctx.log(`${name}: ${JSON.stringify(results[name])}`);
    }

    results.projectorFailoverMs = await projectorFailover(primary.url, 10);
    ctx.log(`projector failover (leader stopped → standby elected, poll 500 ms): ${JSON.stringify(results.projectorFailoverMs)}`);

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
    // The replica's cluster, kept away from `root` when the user postgres cannot enter it, goes too.
    const clusterDir = replica?.supervisor.clusterDir;
    if (clusterDir && !clusterDir.startsWith(root)) await rm(dirname(clusterDir), { recursive: true, force: true });
  }
}

/**
 * Two ProjectorElections (default 500 ms poll) on `url`; `times` times the leader dies (its election
 * is stopped, at a random moment, which closes its lock session as a killed process's kernel does)
 * and the time until the standby is elected is taken; a fresh election then joins as the next standby. Returns p50, max.
 */
async function projectorFailover(url: string, times: number): Promise<{ p50: number; max: number; samples: number[] }> {
  const changed: Array<() => void> = [];
  const members: Array<{ role: ProjectorRole; stop: AbortController; running: Promise<void> }> = [];
  const join = () => {
    const member = { role: 'stopped' as ProjectorRole, stop: new AbortController(), running: Promise.resolve() };
    const election = new ProjectorElection({
      url,
      onRole: (role) => {
        member.role = role;
        changed.splice(0).forEach((wake) => wake());
      },
    });
    const lead = (leading: AbortSignal) => new Promise<void>((resolve) => (leading.aborted ? resolve() : leading.addEventListener('abort', () => resolve(), { once: true })));
    member.running = election.run(member.stop.signal, lead);
    members.push(member);
    return member;
  };
  const until = (condition: () => boolean) =>
    withTimeout(
      (async () => {
        while (!condition()) await new Promise<void>((wake) => changed.push(wake));
      })(),
      30_000,
      `projector failover: no election within 30 s (roles ${members.map((m) => m.role).join(', ')})`,
    );
  const samples: number[] = [];
  try {
    const first = join();
    await until(() => first.role === 'leader');
    let standby = join();
    await until(() => standby.role === 'standby');
    for (let i = 0; i < times; i++) {
      // The leader dies at a random moment of the standby's poll cycle (past its first ask).
      await new Promise((resolve) => setTimeout(resolve, 600 + Math.random() * 1_000));
      const leader = members.find((m) => m.role === 'leader')!;
      const started = Date.now();
      leader.stop.abort();
      await until(() => standby.role === 'leader');
      samples.push(Date.now() - started);
      await leader.running;
      standby = join();
      await until(() => standby.role === 'standby');
    }
  } finally {
    members.forEach((m) => m.stop.abort());
    await Promise.all(members.map((m) => m.running));
  }
  return { p50: median(samples), max: Math.max(...samples), samples };
}
