import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import type { StreamingReplica } from '@tthc/platform';
import { PROBLEM_JSON, freshProcedureCode, proceduresPath, registration, startApi, type ApiHarness } from '../support/api-app.js';
import type { OwnPostgres } from '../support/own-postgres.js';
import { startPrimaryAndReplica, type PrimaryAndReplica } from '../support/primary-and-replica.js';

/*
 * Two real PostgreSQL servers from the same embedded binaries: a primary, and a hot-standby streaming
 * replica made from it (base backup with pg_backup_start/stop and a file copy, a replication slot).
 * The api sends commands, idempotency keys and checkpoints to the primary, queries to the replica.
 */
describe('queries on a streaming replica', () => {
  let servers: PrimaryAndReplica;
  let primary: OwnPostgres;
  let replica: StreamingReplica;
  let api: ApiHarness;
  /** A second api on the same servers, answering 503 while the replica is away (DATABASE_READ_FALLBACK=refuse). */
  let strict: ApiHarness;

  const onReplica = <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) => servers.onReplica<R>(text, params);
  const register = async (target = api) => {
    const res = await target.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() }));
    expect(res.status).toBe(201);
    return Math.max(...(res.body.events as { globalPosition: number }[]).map((e) => e.globalPosition));
  };
  const summary = (target: ApiHarness, afterPosition?: number) =>
    target.http().get(`/api/authorities/74/summary${afterPosition === undefined ? '' : `?afterPosition=${afterPosition}`}`);
  const health = async (target = api) => (await target.anonymous().get('/health')).body;
  const until = async (condition: () => Promise<boolean>, timeoutMs: number, what: string) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(50);
    }
  };

  beforeAll(async () => {
    servers = await startPrimaryAndReplica();
    ({ primary, replica } = servers);
    api = await startApi({ databaseUrl: primary.url, databaseReadUrl: replica.url, databaseReadFallback: 'primary' });
    strict = await startApi({ databaseUrl: primary.url, databaseReadUrl: replica.url, databaseReadFallback: 'refuse', runProjector: false });
  }, 60_000);

  afterAll(async () => {
    await strict?.close().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await servers?.destroy();
  });

  it('runs commands on the primary and queries on the replica; afterPosition waits on the replica, and 503 past the bound', async () => {
    expect((await onReplica<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r).toBe(true);
    const position = await register();
    const fresh = await summary(api, position).expect(200);
    expect(fresh.body.position).toBeGreaterThanOrEqual(position);
    // The replica holds the write: streamed, not written there.
    const [{ n }] = await onReplica<{ n: string }>('SELECT count(*) AS n FROM event_store.events WHERE global_position = $1', [position]);
    expect(Number(n)).toBe(1);

    const h = await health();
    expect(h.details.readReplica).toMatchObject({ status: 'up', reachable: true, queriesGoTo: 'replica' });
    expect(typeof h.details.readReplica.lagBytes).toBe('number');
    const metrics = (await api.anonymous().get('/metrics').expect(200)).text;
    expect(metrics).toMatch(/^tthc_read_replica_up 1$/m);
    expect(metrics).toMatch(/^tthc_read_replica_lag_bytes \d+$/m);
    expect(metrics).toMatch(/^tthc_read_replica_lag_seconds [\d.]+$/m);

    // Replay paused on the replica: the primary's projector moves on, the replica's checkpoint does not.
    await onReplica('SELECT pg_wal_replay_pause()');
    try {
      const later = await register();
      const primaryCheckpoint = async () => Number((await api.sql<{ p: string }>("SELECT position AS p FROM read_model.projection_checkpoints WHERE name = 'procedures'"))[0]?.p ?? 0);
      await until(async () => (await primaryCheckpoint()) >= later, 10_000, 'the primary to project');
      const behind = await summary(api, later);
      expect(behind.status).toBe(503);
      expect(behind.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(behind.headers['retry-after']).toBeDefined();
      expect(behind.body.type).toBe('https://tthc-ledger.dev/problems/projection-behind');
      const lagging = await health();
      expect(lagging.details.readReplica.lagBytes).toBeGreaterThan(0);
      expect(lagging.details.readReplica.lagSeconds).toBeGreaterThanOrEqual(0);
      await onReplica('SELECT pg_wal_replay_resume()');
      expect((await summary(api, later).expect(200)).body.position).toBeGreaterThanOrEqual(later);
    } finally {
      await onReplica('SELECT pg_wal_replay_resume()').catch(() => undefined);
    }
  }, 30_000);

  it('stopped and restarted under load: queries fall back to the primary (or 503 with refuse), never a 500 or a hang', async () => {
    const statuses = new Map<number, number>();
    let slowest = 0;
    let running = true;
    const load = (async () => {
      while (running) {
        const started = Date.now();
        const [command, query, refused] = await Promise.all([
          api.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })),
          summary(api),
          summary(strict),
        ]);
        slowest = Math.max(slowest, Date.now() - started);
        for (const res of [command, query]) statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        // The strict api: the replica's answer, or 503 read-replica-unavailable while it is away.
        expect([200, 503]).toContain(refused.status);
        if (refused.status === 503) {
          expect(refused.body.type).toBe('https://tthc-ledger.dev/problems/read-replica-unavailable');
          expect(refused.headers['retry-after']).toBeDefined();
          statuses.set(-503, (statuses.get(-503) ?? 0) + 1);
        }
      }
    })();
    try {
      await sleep(500);
      await replica.stop();
      await sleep(1_500);
      const down = await health();
      expect(down.status).not.toBe('error'); // commands go on: the replica does not fail the check
      expect(down.details.readReplica).toMatchObject({ status: 'degraded', reachable: false, lagBytes: null, lagSeconds: null });
      expect((await health(strict)).details.readReplica.queriesGoTo).toBe('none');
      expect(await api.anonymous().get('/metrics').then((r) => r.text)).toMatch(/^tthc_read_replica_up 0$/m);

      await replica.supervisor.start();
      await until(async () => (await health()).details.readReplica.queriesGoTo === 'replica' && (await summary(strict)).status === 200, 15_000, 'queries back on the replica');
      await sleep(500);
    } finally {
      running = false;
      await load;
      if (replica.supervisor.pid === undefined) await replica.supervisor.start(); // the next test needs it
    }
    // Every command and every query of the fallback api answered 200/201; the strict one refused some.
    expect([...statuses.keys()].filter((s) => s > 0).sort()).toEqual([200, 201]);
    expect(statuses.get(-503) ?? 0).toBeGreaterThan(0);
    expect(slowest).toBeLessThan(15_000); // a bound far above normal: no request hung
  }, 45_000);

  it('promotes the replica: it holds every event the primary acknowledged, and takes writes', async () => {
    const last = await register();
    await until(async () => Number((await onReplica<{ n: string }>('SELECT coalesce(max(global_position), 0) AS n FROM event_store.events'))[0].n) >= last, 10_000, 'the replica to have the last event');
    const [{ n: onPrimary }] = await api.sql<{ n: string }>('SELECT count(*) AS n FROM event_store.events');
    await replica.promote();
    expect((await onReplica<{ r: boolean }>('SELECT pg_is_in_recovery() AS r'))[0].r).toBe(false);
    const [{ n: onPromoted }] = await onReplica<{ n: string }>('SELECT count(*) AS n FROM event_store.events');
    expect(Number(onPromoted)).toBe(Number(onPrimary));
    await onReplica('CREATE TABLE promoted_writes (n int)');
    const h = await health();
    expect(h.details.readReplica).toMatchObject({ reachable: true, lagBytes: 0, lagSeconds: 0 });
  }, 30_000);
});
