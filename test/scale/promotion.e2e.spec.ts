import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { ADVISORY_LOCKS, type StreamingReplica } from '@tthc/platform';
import { PROBLEM_JSON, freshProcedureCode, proceduresPath, registration, startApi, type ApiHarness } from '../support/api-app.js';
import type { OwnPostgres } from '../support/own-postgres.js';
import { startPrimaryAndReplica, type PrimaryAndReplica } from '../support/primary-and-replica.js';

/*
 * A replica promoted after its primary is gone. The api is given both hosts, libpq-style
 * (`postgres://…@primary,replica/db?target_session_attrs=read-write`): its writer discovery sends
 * commands, idempotency keys, checkpoints and the projector's leader lock to whichever host is not in
 * recovery, and queries go to DATABASE_READ_URL (the replica, read-write once promoted).
 */
describe('promotion of the read replica', () => {
  let servers: PrimaryAndReplica;
  let primary: OwnPostgres;
  let replica: StreamingReplica;
  let api: ApiHarness;

  const onReplica = <R extends pg.QueryResultRow>(text: string, params: unknown[] = []) => servers.onReplica<R>(text, params);
  const command = () => api.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() }));
  const register = async () => {
    const res = await command();
    expect(res.status).toBe(201);
    return Math.max(...(res.body.events as { globalPosition: number }[]).map((e) => e.globalPosition));
  };
  const summary = (afterPosition?: number) => api.http().get(`/api/authorities/74/summary${afterPosition === undefined ? '' : `?afterPosition=${afterPosition}`}`);
  const health = async () => (await api.anonymous().get('/health')).body;
  const until = async <T>(attempt: () => Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const result = await attempt();
      if (result !== undefined) return result;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(100);
    }
  };

  beforeAll(async () => {
    servers = await startPrimaryAndReplica();
    ({ primary, replica } = servers);
    const both = `${primary.url.replace(`127.0.0.1:${primary.port}`, `127.0.0.1:${primary.port},127.0.0.1:${replica.port}`)}?target_session_attrs=read-write`;
    api = await startApi({
      databaseUrl: both,
      databaseReadUrl: replica.url,
      databaseReadFallback: 'primary',
      // A standby waiting on a writer that is gone asks again after its back-off; keep the failover short.
      databaseBounds: { connectTimeoutMs: 2_000 },
    });
  }, 60_000);

  afterAll(async () => {
    await api?.close().catch(() => undefined);
    await servers?.destroy();
  });

  it('the old primary gone: commands answer 503 until the replica is promoted, then go to it; queries go on; nothing acknowledged is lost', async () => {
    const acknowledged: number[] = [];
    for (let i = 0; i < 5; i++) acknowledged.push(await register());
    expect((await summary(acknowledged.at(-1)).expect(200)).body.position).toBeGreaterThanOrEqual(acknowledged.at(-1)!);
    // A planned switchover: the replica has replayed every acknowledged event before the primary goes.
    await until(async () => (Number((await onReplica<{ n: string }>('SELECT coalesce(max(global_position), 0) AS n FROM event_store.events'))[0].n) >= acknowledged.at(-1)! ? true : undefined), 10_000, 'the replica to replay the last event');

    await primary.stop();
    // No host takes writes: a command is refused with 503 (nothing recorded), never a 500 or a hang.
    const refused = await command();
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(refused.body.type).toBe('https://tthc-ledger.dev/problems/store-unavailable');
    // Queries go on from the replica.
    expect((await summary().expect(200)).body.position).toBeGreaterThanOrEqual(acknowledged.at(-1)!);
    expect((await health()).details.readReplica).toMatchObject({ reachable: true, promoted: false });

    await replica.promote();
    expect((await health()).details.readReplica).toMatchObject({ reachable: true, promoted: true, lagBytes: 0, lagSeconds: 0, queriesGoTo: 'replica' });

    // Commands go to the promoted server (a request on a connection the old primary's death broke may still answer 503).
    const statuses = new Set<number>();
    const first = await until(async () => {
      const res = await command();
      statuses.add(res.status);
      return res.status === 201 ? Math.max(...(res.body.events as { globalPosition: number }[]).map((e) => e.globalPosition)) : undefined;
    }, 20_000, 'a command to succeed on the promoted server');
    expect([...statuses].filter((s) => s !== 201 && s !== 503)).toEqual([]);
    expect(first).toBeGreaterThan(acknowledged.at(-1)!);
    const later = await register();
    const [{ n }] = await onReplica<{ n: string }>('SELECT count(*) AS n FROM event_store.events WHERE global_position = ANY ($1::bigint[])', [[...acknowledged, first, later]]);
    expect(Number(n)).toBe(acknowledged.length + 2);

    // Read-your-writes: the projector, elected again on the promoted server, reaches the new events.
    const fresh = await until(async () => {
      const res = await summary(later);
      expect([200, 503]).toContain(res.status);
      return res.status === 200 ? res.body : undefined;
    }, 20_000, 'the projector on the promoted server to reach the last command');
    expect(fresh.position).toBeGreaterThanOrEqual(later);
    // The api's process lease (idempotency reservations' liveness) is taken again on the promoted server too.
    await until(async () => {
      const [{ n: leases }] = await onReplica<{ n: string }>(`SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND granted`, [ADVISORY_LOCKS.processLeaseClass]);
      return Number(leases) > 0 ? true : undefined;
    }, 20_000, "the process lease on the promoted server");
    const h = await health();
    expect(h.status).not.toBe('error');
    expect(h.details.database.status).toBe('up');
  }, 60_000);
});
