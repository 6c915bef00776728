import pg from 'pg';
import { PROBLEM_JSON, freshProcedureCode, proceduresPath, registration, startApi, type ApiHarness } from '../support/api-app.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';
import { hostAndPort, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// The api reaches PostgreSQL through a TCP proxy that can go silent (sockets open, no bytes), cut a
// connection before a query reaches the server, or after the server ran it and before the answer
// arrives. Every database call is bounded (here 1 s on the server, 3 s on the client), so nothing
// hangs; an answer lost after a commit is found out, so no reply lies; /health says what requests see.

const BOUNDS = { statementTimeoutMs: 1_000, queryTimeoutMs: 3_000, connectTimeoutMs: 1_000, idleInTransactionTimeoutMs: 2_000 };
const UNAVAILABLE = 'https://tthc-ledger.dev/problems/store-unavailable';
const OUTCOME_UNKNOWN = 'https://tthc-ledger.dev/problems/commit-outcome-unknown';

describe('connections to the database that go silent, drop or reset', () => {
  // A server of its own: this file holds sessions and transactions open on purpose, and on a shared
  // server that would hold back the read horizon (pg_snapshot_xmin) of every other test file.
  let db: OwnPostgres;
  let proxy: TcpProxy;
  let api: ApiHarness;
  let direct: pg.Pool;

  beforeAll(async () => {
    db = await startOwnPostgres();
    proxy = await startTcpProxy(hostAndPort(db.url));
    api = await startApi({
      databaseUrl: proxy.url(db.url),
      databaseBounds: BOUNDS,
      // A reservation left by a request that failed half-way may be taken over after 1 s.
      idempotency: { abandonedAfterSeconds: 1, waitMs: 500 },
    });
    direct = new pg.Pool({ connectionString: db.url, max: 2 });
    // pool.end() resolves before its idle sockets close: the server's shutdown in afterAll may reach
    // one first (57P01), which with no listener would be an uncaught error.
    direct.on('error', () => undefined);
  }, 60_000);

  afterEach(() => proxy.resume());

  afterAll(async () => {
    proxy?.resume();
    await api?.close().catch(() => undefined);
    await direct?.end();
    await proxy?.close();
    await db?.destroy();
  }, 30_000);

  /** The log's events of one correlation id, read past the proxy. */
  async function eventsOf(correlationId: string): Promise<{ type: string; globalPosition: number }[]> {
    const { rows } = await direct.query<{ type: string; position: string }>(
      `SELECT event_type AS type, global_position AS position FROM event_store.events WHERE metadata->>'correlationId' = $1 ORDER BY global_position`,
      [correlationId],
    );
    return rows.map((r) => ({ type: r.type, globalPosition: Number(r.position) }));
  }

  function register(correlationId: string, procedureCode = freshProcedureCode(), key?: string) {
    const req = api.http().post(proceduresPath()).set('X-Correlation-Id', correlationId).timeout(15_000);
    if (key !== undefined) req.set('Idempotency-Key', key);
    return req.send(registration({ procedureCode }));
  }

  it('answers a command whose append went silent after the server ran it, within the bound, with the events it committed; /health meanwhile says the requests hang', async () => {
    const silenced = proxy.onQuery('append_events', 'silence');
    const started = Date.now();
    const reply = register('silent-after-commit').then((r) => r); // sent now, awaited below
    await silenced;
    // The append's connection is silent; a new one gets through, so the probe alone would say "up".
    await new Promise((resolve) => setTimeout(resolve, BOUNDS.statementTimeoutMs + 300));
    const health = await api.anonymous().get('/health').timeout(5_000);
    expect(health.status).toBe(503);
    expect(health.body.error.database).toMatchObject({ status: 'down', probe: 'ok', requests: { reachable: false } });
    expect(health.body.error.database.requests.inFlight).toBeGreaterThanOrEqual(1);
    expect(health.body.error.database.requests.oldestInFlightMs).toBeGreaterThan(BOUNDS.statementTimeoutMs);

    const res = await reply;
    const elapsed = Date.now() - started;
    expect(res.status).toBe(201);
    expect(elapsed).toBeLessThan(BOUNDS.queryTimeoutMs + 3_000);
    expect(res.body.events).toEqual(await eventsOf('silent-after-commit'));
    expect(res.body.events).toHaveLength(1);

    // The stuck connection was replaced: commands go through at once, and /health is up again.
    await register('after-silence').expect(201);
    const healthy = await api.anonymous().get('/health').expect(200);
    expect(healthy.body.details.database).toMatchObject({ status: 'up', requests: { reachable: true, failuresLastMinute: 1 } });
  }, 30_000);

  it('answers every command and /health within their bounds while the network is silent, and serves again at once when it speaks', async () => {
    await register('before-pause').expect(201);
    proxy.pause();
    const started = Date.now();
    const replies = await Promise.all(Array.from({ length: 6 }, (_, i) => register(`paused-${i}`)));
    const health = await api.anonymous().get('/health').timeout(10_000);
    const elapsed = Date.now() - started;

    for (const res of replies) {
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.headers['retry-after']).toBe('5');
      expect([UNAVAILABLE, OUTCOME_UNKNOWN]).toContain(res.body.type);
    }
    // Each command waits at most one client-side bound per call, and the outcome check's connect.
    expect(elapsed).toBeLessThan(2 * BOUNDS.queryTimeoutMs + 2 * BOUNDS.connectTimeoutMs + 2_500);
    expect(health.status).toBe(503);
    expect(health.body.error.database).toMatchObject({ status: 'down', probe: 'failed' });

    proxy.resume();
    const resumed = Date.now();
    await register('after-pause').expect(201);
    expect(Date.now() - resumed).toBeLessThan(2_000);
    // No 503 lied: the commands told store-unavailable appended nothing.
    for (const [i, res] of replies.entries()) {
      if (res.body.type === UNAVAILABLE) expect(await eventsOf(`paused-${i}`)).toEqual([]);
    }
  }, 60_000);

  it('answers a command whose connection was reset after the server committed with its events, not with a 503', async () => {
    const reset = proxy.onQuery('append_events', 'reset');
    const res = await register('reset-after-commit');
    await reset;
    expect(res.status).toBe(201);
    expect(res.body.events).toEqual(await eventsOf('reset-after-commit'));
    expect(res.body.events).toHaveLength(1);
  }, 20_000);

  it('answers store-unavailable, truthfully, when the connection was reset before the append reached the server', async () => {
    const dropped = proxy.onQuery('append_events', 'drop');
    const res = await register('reset-before-commit');
    await dropped;
    expect(res.status).toBe(503);
    expect(res.body.type).toBe(UNAVAILABLE);
    expect(await eventsOf('reset-before-commit')).toEqual([]);
  }, 20_000);

  it('says the outcome is unknown when the answer was lost and the database cannot be asked; a retry with the same Idempotency-Key gets the original reply', async () => {
    const procedureCode = freshProcedureCode();
    // The commit's answer is lost, and then the whole network goes silent.
    void proxy.onQuery('append_events', 'reset').then(() => proxy.pause());
    const res = await register('lost-and-unreachable', procedureCode, 'key-lost-1');
    expect(res.status).toBe(503);
    expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(res.body).toMatchObject({ type: OUTCOME_UNKNOWN, status: 503 });
    expect(res.body.detail).toMatch(/Idempotency-Key/);

    proxy.resume();
    const committed = await eventsOf('lost-and-unreachable');
    expect(committed).toHaveLength(1); // it had committed: the answer was only lost
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // the reservation's owner failed: it is abandoned after 1 s

    const retry = await register('lost-and-unreachable-retry', procedureCode, 'key-lost-1');
    expect(retry.status).toBe(201);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers.etag).toBe('"0"');
    expect(retry.body).toEqual({ streamId: `procedure-74:${procedureCode}`, revision: 0, events: committed });
    expect(await eventsOf('lost-and-unreachable-retry')).toEqual([]); // nothing appended twice
  }, 30_000);
});
