import { execSync, spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import request from 'supertest';
import { TEST_JWT_SECRET, TEST_SUBJECT, freshProcedureCode, proceduresPath, registration, startApi, testToken, type ApiHarness } from '../support/api-app.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-postgres.js';
import { hostAndPort, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// The api is SIGKILLed (a real process, the compiled build) after a command's events committed and
// before its Idempotency-Key recorded the reply. The key's lasting record is the events themselves
// (their ids derive from the key), so the retry gets the original reply: never a second append, nor
// ALREADY_REGISTERED. While that process lives, its reservation is its own (409 in-flight); once it
// is dead, its lease (ProcessLease, a session advisory lock) is gone and the retry runs at once,
// long before the reservation's age (abandonedAfterSeconds) would have allowed it.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ABANDONED_AFTER_SECONDS = 600;

describe('an api killed between the append and the idempotency record', () => {
  // A server of its own: this file holds sessions and transactions open on purpose, and on a shared
  // server that would hold back the read horizon (pg_snapshot_xmin) of every other test file.
  let db: OwnPostgres;
  let proxy: TcpProxy;
  let child: ChildProcess | undefined;
  let api: ApiHarness | undefined;
  let direct: pg.Pool;

  beforeAll(async () => {
    execSync('npx swc apps libs -d dist --quiet', { cwd: ROOT, stdio: 'pipe', timeout: 60_000 });
    db = await startOwnPostgres();
    proxy = await startTcpProxy(hostAndPort(db.url));
    direct = new pg.Pool({ connectionString: db.url, max: 2 });
    // pool.end() resolves before its idle sockets close: the server's shutdown in afterAll may reach
    // one first (57P01), which with no listener would be an uncaught error.
    direct.on('error', () => undefined);
  }, 90_000);

  afterAll(async () => {
    child?.kill('SIGKILL');
    await api?.close().catch(() => undefined);
    await direct?.end();
    await proxy?.close();
    await db?.destroy();
  }, 30_000);

  it('answers the retry with the original reply as soon as the process holding the reservation is dead', async () => {
    const port = await freePort();
    child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: proxy.url(db.url), PORT: String(port), AUTH_JWT_SECRET: TEST_JWT_SECRET, PROJECTOR: 'off', SEED: 'off', LOG_LEVEL: 'silent' },
      stdio: 'ignore',
    });
    const base = `http://127.0.0.1:${port}`;
    for (let ready = false; !ready; await sleep(200)) {
      ready = await request(base).get('/health').then((r) => r.status === 200, () => false);
    }

    // The api that takes over, on the same database, ready before the crash.
    api = await startApi({ databaseUrl: db.url, idempotency: { abandonedAfterSeconds: ABANDONED_AFTER_SECONDS, waitMs: 200 } });
    const token = await testToken('administrator', { sub: TEST_SUBJECT });
    const procedureCode = freshProcedureCode();
    const send = (agent: ReturnType<typeof request>) =>
      agent.post(proceduresPath()).set('Authorization', `Bearer ${token}`).set('Idempotency-Key', 'crash-1').send(registration({ procedureCode }));

    // The reply's record is written after the append: the process is held there, alive.
    const eventsBefore = await api.eventCount(); // the provincial-level units set up at start
    const held = proxy.onQuery('UPDATE api.idempotency_keys', 'hold');
    const first = send(request(base)).then(
      (r) => r.status,
      () => 'no answer',
    );
    await held;
    const { rows } = await direct.query<{ event_id: string; global_position: string }>(
      `SELECT event_id, global_position FROM event_store.events WHERE stream_id = $1`,
      [`procedure-74:${procedureCode}`],
    );
    expect(rows).toHaveLength(1); // the command was carried out

    // The process that reserved the key lives: retry later.
    const early = await send(request(api.app.getHttpServer()));
    expect(early.status).toBe(409);
    expect(early.body.type).toBe('https://tthc-ledger.dev/problems/idempotency-key-in-flight');

    // It dies before answering: its sessions end, and with them its lease.
    child!.kill('SIGKILL');
    expect(await first).toBe('no answer');
    const killedAt = Date.now();
    let retry = early;
    // The server notices the closed sockets within moments; the reservation's age would take 10 minutes.
    while (retry.status === 409 && Date.now() - killedAt < 20_000) {
      await sleep(200);
      retry = await send(request(api.app.getHttpServer()));
    }
    expect(retry.status).toBe(201);
    expect(retry.headers.etag).toBe('"0"');
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.body).toEqual({
      streamId: `procedure-74:${procedureCode}`,
      revision: 0,
      events: [{ type: 'ProcedureRegistered', globalPosition: Number(rows[0].global_position) }],
    });
    // Its reply is now recorded: the next repeat is a plain replay.
    const again = await send(request(api.app.getHttpServer())).expect(201);
    expect(again.body).toEqual(retry.body);
    expect(await api.eventCount()).toBe(eventsBefore + 1);
  }, 60_000);
});

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
