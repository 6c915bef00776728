import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { createApp } from '../../apps/api/src/create-app.js';
import { PROBLEM_JSON, TEST_JWT_SECRET, decision, freshProcedureCode, procedurePath, proceduresPath, registration, startApi, type ApiHarness } from '../support/api-app.js';

describe('operations', () => {
  let api: ApiHarness;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    api = await startApi({ logLevel: 'info', logDestination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('GET /health answers ok with the database up, outside the /api prefix, without a token', async () => {
    // The first start set up the shipped units: once they are projected the projector has no lag.
    const head = await api.eventCount();
    expect(await api.app.get<ProjectionRunner>(PROJECTION_RUNNER).waitForPosition(head, 20_000)).toBe(true);
    const { body, headers } = await api.anonymous().get('/health').expect(200);
    // @nestjs/terminus's shape: every check under `details`, and under `info` (up, degraded) or `error` (down).
    const projector = { status: 'up', state: 'up', position: head, head, lag: 0, delaySeconds: expect.any(Number), inProcess: true, lastError: null, lastErrorAt: null };
    const database = {
      status: 'up',
      probe: 'ok',
      requests: { reachable: true, inFlight: expect.any(Number), oldestInFlightMs: expect.any(Number), failuresLastMinute: 0, lastFailure: null, lastSuccessAt: expect.any(String) },
    };
    const details = { database, eventStore: { status: 'up', head }, projector };
    expect(body).toEqual({ status: 'ok', info: details, error: {}, details });
    expect(headers['content-type']).toMatch(/^application\/json/);
    await api.http().get('/api/health').expect(404);
  });

  it('GET /metrics answers Prometheus text without a token', async () => {
    const { text, headers } = await api.anonymous().get('/metrics').expect(200);
    expect(headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(text).toMatch(/^tthc_projector_lag_events \d+$/m);
  });

  it('serves the OpenAPI document at /docs-json with every endpoint, schema and tag', async () => {
    const { body } = await api.http().get('/docs-json').expect(200);
    expect(body.openapi).toMatch(/^3\./);
    const operations = Object.entries(body.paths as Record<string, Record<string, { tags: string[] }>>).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => `${method.toUpperCase()} ${path} ${operation.tags.join(',')}`),
    );
    expect(operations.sort()).toEqual(
      [
        'GET /api/authorities queries',
        'GET /api/authorities/{authorityCode}/decisions decisions',
        'GET /api/authorities/{authorityCode}/decisions/{number} decisions',
        'POST /api/authorities/{authorityCode}/decisions/{number}/rescission decisions',
        'GET /api/national-facts national-facts',
        'GET /api/national-facts/{authorityCode} national-facts',
        'POST /api/authorities/{authorityCode}/population-database/connect national-facts',
        'POST /api/authorities/{authorityCode}/population-database/disconnect national-facts',
        'POST /api/authorities/{authorityCode}/procedure-system/assessments national-facts',
        'POST /api/authorities/{authorityCode}/procedures/{procedureCode}/corrections procedures',
        'POST /api/authorities/{authorityCode}/procedures/{procedureCode}/rescissions procedures',
        'GET /api/authorities/{authorityCode}/summary queries',
        'GET /api/authorities/{authorityCode}/movement queries',
        'GET /api/summary queries',
        'GET /api/authorities/{authorityCode}/procedures queries',
        'GET /metrics operations',
        'POST /api/authorities/{authorityCode}/procedures procedures',
        'POST /api/authorities/{authorityCode}/procedures/{procedureCode}/reclassify procedures',
        'POST /api/authorities/{authorityCode}/procedures/{procedureCode}/disable-paper-intake procedures',
        'POST /api/authorities/{authorityCode}/procedures/{procedureCode}/reenable-paper-intake procedures',
        'POST /api/authorities/{authorityCode}/procedures/{procedureCode}/withdraw procedures',
        'GET /api/authorities/{authorityCode}/procedures/{procedureCode} procedures',
        'GET /api/authorities/{authorityCode}/procedures/{procedureCode}/events audit',
        'GET /api/events audit',
        'GET /api/authorities/{authorityCode}/procedures/{procedureCode}/state audit',
        'POST /api/audit/verifications audit',
        'POST /api/authorities/reorganisations authorities',
        'POST /api/authorities/{authorityCode}/decisions decisions',
        'GET /health operations',
      ].sort(),
    );
    expect(Object.keys(body.components.schemas)).toEqual(
      expect.arrayContaining([
        'RegisterProcedureRequest',
        'ReclassifyProcedureRequest',
        'DatedDecisionRequest',
        'CommandReply',
        'ProcedureStateResponse',
        'ProcedureEventsResponse',
        'ProblemResponse',
      ]),
    );
    expect(body.components.schemas.RegisterProcedureRequest.required).toEqual(
      expect.arrayContaining(['procedureCode', 'name', 'onlineMode', 'effectiveFrom']),
    );
    expect(body.components.schemas.ReclassifyProcedureRequest.properties.onlineMode.enum).toEqual(['FULL_PROCESS', 'PARTIAL', 'INFORMATION_ONLY']);
    const reclassify = body.paths['/api/authorities/{authorityCode}/procedures/{procedureCode}/reclassify'].post;
    expect(reclassify.parameters.map((p: { name: string }) => p.name)).toEqual(
      expect.arrayContaining(['authorityCode', 'procedureCode', 'If-Match', 'Idempotency-Key', 'X-Correlation-Id']),
    );
    expect(Object.keys(reclassify.responses)).toEqual(expect.arrayContaining(['200', '400', '404', '409', '412', '413', '422', '503']));
    // Authentication: a bearer scheme, required by every endpoint under /api and by none of the operations'.
    expect(Object.keys(reclassify.responses)).toEqual(expect.arrayContaining(['401', '403', '429']));
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
    for (const [path, methods] of Object.entries(body.paths as Record<string, Record<string, { security?: unknown[] }>>)) {
      for (const operation of Object.values(methods)) {
        if (path.startsWith('/api/')) expect(operation.security).toEqual([{ bearer: [] }]);
        else expect(operation.security).toBeUndefined();
      }
    }
  });

  it('serves Swagger UI at /docs, without a token', async () => {
    const { text } = await api.anonymous().get('/docs').redirects(1).expect(200);
    expect(text).toContain('swagger');
    await api.anonymous().get('/docs-json').expect(200);
  });

  it.each(['/nope', '/api/nope', '/api/authorities/74'])('answers the unknown path %s with a 404 problem', async (path) => {
    const { body, headers } = await api.http().get(path).expect(404);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body).toMatchObject({ status: 404, title: 'Not Found', type: 'https://tthc-ledger.dev/problems/not-found' });
  });

  it('answers a wrong method on a known path with a 405 problem and Allow', async () => {
    const { headers } = await api.http().delete(procedurePath('1.001612')).expect(405);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(headers.allow).toBe('GET, HEAD');
  });

  it('logs each request as one JSON line: method, url, status, duration, correlationId', async () => {
    const procedureCode = freshProcedureCode();
    await api.http().post(proceduresPath()).set('X-Correlation-Id', 'log-check').send(registration({ procedureCode })).expect(201);
    await api.http().post(`${procedurePath(procedureCode)}/reclassify`).set('X-Correlation-Id', 'log-check-2').send(decision()).expect(400);
    const ours = lines.filter((l) => l.correlationId === 'log-check' || l.correlationId === 'log-check-2');
    // Beside the request line, a refused command has its audit line (SECURITY.md, "Unrecorded refusals").
    const logged = ours.filter((l) => l.event === undefined);
    expect(ours.filter((l) => l.event === 'command.refused')).toEqual([
      expect.objectContaining({ level: 'warn', status: 400, reason: 'invalid-request', correlationId: 'log-check-2' }),
    ]);
    expect(logged).toEqual([
      expect.objectContaining({ level: 'info', method: 'POST', url: proceduresPath(), status: 201, duration: expect.any(Number), correlationId: 'log-check' }),
      expect.objectContaining({ level: 'warn', method: 'POST', status: 400, correlationId: 'log-check-2' }),
    ]);
    expect(JSON.stringify(logged)).not.toMatch(/headers/);
  });
});

describe('when the database is gone', () => {
  let api: ApiHarness;
  const lines: Record<string, unknown>[] = [];

  beforeAll(async () => {
    api = await startApi({ logLevel: 'error', logDestination: { write: (line: string) => void lines.push(JSON.parse(line)) } });
  });

  afterAll(async () => {
    await api?.close();
  });

  it('answers an unexpected error with a bare 500, and logs its stack', async () => {
    // A missing table makes the idempotency store fail with an SQL error, which must not leak.
    await api.sql('DROP TABLE api.idempotency_keys');
    const { body, headers, text } = await api
      .http()
      .post(proceduresPath())
      .set('Idempotency-Key', 'k-500')
      .send(registration({ procedureCode: freshProcedureCode() }))
      .expect(500);
    expect(headers['content-type']).toMatch(PROBLEM_JSON);
    expect(body).toEqual({
      type: 'https://tthc-ledger.dev/problems/internal-error',
      title: 'Internal server error',
      status: 500,
      detail: 'An unexpected error occurred',
    });
    expect(text).not.toMatch(/idempotency_keys|relation|at /);
    expect(lines).toContainEqual(expect.objectContaining({ level: 'error', err: expect.objectContaining({ stack: expect.stringContaining('idempotency_keys') }) }));
  });

  it('answers 503 with Retry-After on commands and queries, and /health says so', async () => {
    await api.db.drop(); // terminates every connection and removes the database
    const command = await api.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })).expect(503);
    expect(command.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(command.headers['retry-after']).toBe('5');
    expect(command.body).toMatchObject({ status: 503, type: 'https://tthc-ledger.dev/problems/store-unavailable' });

    const query = await api.http().get(procedurePath('1.001612')).expect(503);
    expect(query.headers['retry-after']).toBe('5');

    const health = await api.http().get('/health').expect(503);
    expect(health.body).toMatchObject({
      status: 'error',
      error: { database: { status: 'down', probe: 'failed' }, eventStore: { status: 'down', head: null } },
      info: { projector: { status: 'degraded', state: 'unknown' } },
    });
  });
});

describe('when PostgreSQL is unreachable at start', () => {
  // The read models' DataSource connects (and migrates) while the app is built, so an api whose
  // database cannot be reached refuses to start, and its supervisor restarts it; once started, an
  // outage is answered with 503s (above, and test/faults/database-restart.e2e.spec.ts).
  it('refuses to start, naming the connection error', async () => {
    // Port 1 on the loopback refuses connections: the pool's connect fails with ECONNREFUSED.
    await expect(
      createApp({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', logLevel: 'silent', migrate: false, auth: { secret: TEST_JWT_SECRET } }),
    ).rejects.toThrow(/ECONNREFUSED/);
  });
});
