import { PROCEDURE, procedurePath, registerProcedure, startApi, type ApiHarness } from '../support/api-app.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { hostAndPort, startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

// Issue 11, item 4 (metrics): /metrics with prom-client, as an operator's Prometheus expects it.

/** The value of the sample `name{labels}` in a Prometheus text exposition; undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([key, value]) => found[key] === value)) return Number(match[3]);
  }
  return undefined;
}

/** The label values that `label` takes across the samples of `name`. */
function labelValues(text: string, name: string, label: string): string[] {
  const values = [...text.matchAll(new RegExp(`^${name}\\{[^}]*\\b${label}="([^"]*)"`, 'gm'))].map((m) => m[1]);
  return [...new Set(values)];
}

const TTHC_SERIES = [
  'tthc_projector_position',
  'tthc_event_store_head_position',
  'tthc_projector_lag_events',
  'tthc_projector_running',
  'tthc_projector_events_projected_total',
];
const FROM_DATABASE = ['tthc_projector_position', 'tthc_event_store_head_position', 'tthc_projector_lag_events', 'tthc_projector_delay_seconds'];

describe('GET /metrics', () => {
  let api: ApiHarness;
  let text: string;

  beforeAll(async () => {
    api = await startApi();
    const code = await registerProcedure(api);
    await api.http().get('/api/authorities/74/summary?at=2023-06-01').expect(200);
    await api.http().get('/api/authorities/01/summary').expect(200);
    await api.http().get(`${procedurePath(code)}`).expect(200);
    await api.http().get('/api/nothing-here').expect(404);
    await api.http().delete(procedurePath(PROCEDURE)).expect(405);
    const res = await api.anonymous().get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    text = res.text;
  }, 30_000);

  afterAll(async () => {
    await api?.close();
  });

  it("has prom-client's default process metrics: CPU, start time, memory, heap, event-loop lag", () => {
    for (const name of [
      'process_cpu_user_seconds_total',
      'process_cpu_system_seconds_total',
      'process_start_time_seconds',
      'process_resident_memory_bytes',
      'nodejs_heap_size_used_bytes',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect([name, sample(text, name)]).toEqual([name, expect.any(Number)]);
    }
    expect(sample(text, 'process_start_time_seconds')).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('keeps the tthc_* series by their names, and adds the projector delay and database-up', () => {
    for (const name of [...TTHC_SERIES, 'tthc_projector_delay_seconds', 'tthc_database_up']) {
      expect([name, sample(text, name)]).toEqual([name, expect.any(Number)]);
    }
    expect(sample(text, 'tthc_database_up')).toBe(1);
    // The visible head can lag the append on a busy shared server (readers wait for older transactions).
    expect(sample(text, 'tthc_event_store_head_position')).toBeGreaterThanOrEqual(sample(text, 'tthc_projector_position')!);
    expect(text).toMatch(/^# TYPE tthc_projector_events_projected_total counter$/m);
  });

  it('times HTTP requests by route pattern and status, never by raw URL', () => {
    const summaryRoute = '/api/authorities/:authorityCode/summary';
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: summaryRoute, status_code: '200' })).toBe(2);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'POST', route: '/api/authorities/:authorityCode/procedures', status_code: '201' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'GET', route: 'unmatched', status_code: '404' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { method: 'DELETE', route: 'unmatched', status_code: '405' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket', { route: summaryRoute, status_code: '200', le: '+Inf' })).toBe(2);
    const routes = labelValues(text, 'http_request_duration_seconds_count', 'route');
    expect(routes.filter((route) => /\/(74|01|1\.\d{6})\b/.test(route))).toEqual([]);
  });

  it('times event-store appends by outcome', async () => {
    const before = sample(text, 'tthc_event_store_append_duration_seconds_count', { outcome: 'ok' }) ?? 0;
    expect(before).toBeGreaterThanOrEqual(1);
    await registerProcedure(api);
    const after = (await api.anonymous().get('/metrics').expect(200)).text;
    expect(sample(after, 'tthc_event_store_append_duration_seconds_count', { outcome: 'ok' })).toBe(before + 1);
    expect(sample(after, 'tthc_event_store_append_duration_seconds_sum', { outcome: 'ok' })).toBeGreaterThan(0);
  });

  it('names each metric family once, the database-read ones included', () => {
    const families = [...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]);
    expect(families.length).toBeGreaterThan(20);
    expect(new Set(families).size).toBe(families.length);
    expect(FROM_DATABASE.every((name) => families.includes(name))).toBe(true);
  });
});

describe('GET /metrics while the database is unreachable', () => {
  let db: TestDatabase;
  let proxy: TcpProxy;
  let api: ApiHarness;

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await startTcpProxy(hostAndPort(db.url));
    api = await startApi({
      databaseUrl: proxy.url(db.url),
      databaseBounds: { statementTimeoutMs: 1_000, queryTimeoutMs: 2_000, connectTimeoutMs: 1_000, idleInTransactionTimeoutMs: 2_000 },
    });
    await registerProcedure(api);
  }, 60_000);

  afterAll(async () => {
    proxy?.resume();
    await api?.close().catch(() => undefined);
    await proxy?.close();
    await db?.drop();
  }, 30_000);

  it('answers 200 with tthc_database_up 0 and leaves out what it could not read, instead of stale values', async () => {
    const before = (await api.anonymous().get('/metrics').expect(200)).text;
    expect(sample(before, 'tthc_database_up')).toBe(1);
    const head = sample(before, 'tthc_event_store_head_position');
    expect(head).toEqual(expect.any(Number));

    proxy.pause();
    try {
      const started = Date.now();
      const down = await api.anonymous().get('/metrics').timeout(10_000);
      expect(Date.now() - started).toBeLessThan(8_000);
      expect(down.status).toBe(200);
      expect(sample(down.text, 'tthc_database_up')).toBe(0);
      for (const name of FROM_DATABASE) expect([name, sample(down.text, name)]).toEqual([name, undefined]);
      // What does not come from the database is still there, fresh.
      expect(sample(down.text, 'process_start_time_seconds')).toEqual(expect.any(Number));
      expect(sample(down.text, 'tthc_projector_running')).toBe(1);
      expect(sample(down.text, 'http_request_duration_seconds_count', { method: 'GET', route: '/metrics', status_code: '200' })).toBeGreaterThanOrEqual(1);
    } finally {
      proxy.resume();
    }

    let again = '';
    for (let attempt = 0; attempt < 10 && sample(again, 'tthc_database_up') !== 1; attempt++) {
      again = (await api.anonymous().get('/metrics').expect(200)).text;
    }
    expect(sample(again, 'tthc_database_up')).toBe(1);
    expect(sample(again, 'tthc_event_store_head_position')).toBeGreaterThanOrEqual(head!);
  }, 60_000);
});
