import { setTimeout as sleep } from 'node:timers/promises';
import {
  PROBLEM_JSON,
  decision,
  freshProcedureCode,
  procedurePath,
  proceduresPath,
  registration,
  startApi,
  type ApiHarness,
} from '../support/api-app.js';

// Headers (helmet), CORS, the body size limit and the rate limit of commands.

describe('security headers', () => {
  let api: ApiHarness;

  beforeAll(async () => {
    api = await startApi();
  });
  afterAll(() => api?.close());

  const expectHardened = (headers: Record<string, string>) => {
    expect(headers['x-content-type-options']).toBe('nosniff');
    expect(headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(headers['strict-transport-security']).toMatch(/^max-age=\d+/);
    expect(headers['referrer-policy']).toBe('no-referrer');
    expect(headers['cross-origin-opener-policy']).toBe('same-origin');
    expect(headers['content-security-policy']).toContain("default-src 'self'");
    expect(headers['content-security-policy']).toContain("frame-ancestors 'self'");
    expect(headers['content-security-policy']).toContain("object-src 'none'");
    expect(headers['content-security-policy']).not.toContain('upgrade-insecure-requests');
    expect(headers['x-powered-by']).toBeUndefined();
  };

  it.each([
    ['a query', () => api.http().get('/api/summary'), 200],
    ['a command', () => api.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })), 201],
    ['a 401', () => api.anonymous().get('/api/summary'), 401],
    ['a 400', () => api.http().get('/api/summary?at=2023-02-30'), 400],
    ['a 404 outside the prefix', () => api.http().get('/nope'), 404],
    ['a 413', () => api.http().post(proceduresPath()).send({ name: 'x'.repeat(70_000) }), 413],
    ['/health', () => api.anonymous().get('/health'), 200],
    ['/docs', () => api.anonymous().get('/docs/'), 200],
  ])('are on %s', async (_, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expectHardened(res.headers);
  });

  it('let Swagger UI work: its page loads scripts from self only, and no inline script', async () => {
    const page = await api.anonymous().get('/docs/').expect(200);
    const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, inline] of scripts) {
      expect(inline.trim()).toBe('');
      const src = /src=["']([^"']+)["']/.exec(attributes)?.[1];
      expect(src).toBeDefined();
      expect(src).not.toMatch(/^(https?:)?\/\//);
      await api.anonymous().get(new URL(src!, 'http://x/docs/').pathname).expect(200);
    }
  });
});

describe('CORS', () => {
  it('answers no origin by default: no Access-Control-Allow-Origin, whoever asks', async () => {
    const api = await startApi();
    try {
      const preflight = await api
        .anonymous()
        .options('/api/summary')
        .set('Origin', 'https://evil.example')
        .set('Access-Control-Request-Method', 'GET')
        .set('Access-Control-Request-Headers', 'authorization');
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const get = await api.http().get('/api/summary').set('Origin', 'https://evil.example').expect(200);
      expect(get.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await api.close();
    }
  });

  describe('with CORS_ORIGINS', () => {
    let api: ApiHarness;
    const DASHBOARD = 'https://dashboard.example.vn';

    beforeAll(async () => {
      api = await startApi({ corsOrigins: [DASHBOARD, 'http://localhost:5173'] });
    });
    afterAll(() => api?.close());

    it('answers the preflight of a listed origin, without a token, allowing the headers commands need', async () => {
      const res = await api
        .anonymous()
        .options(`${procedurePath('1.001612')}/reclassify`)
        .set('Origin', DASHBOARD)
        .set('Access-Control-Request-Method', 'POST')
        .set('Access-Control-Request-Headers', 'authorization, content-type, if-match, idempotency-key')
        .expect(204);
      expect(res.headers['access-control-allow-origin']).toBe(DASHBOARD);
      expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,POST');
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
      expect(res.headers['access-control-allow-headers']?.toLowerCase()).toContain('idempotency-key');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('lets a listed origin read the answer and its ETag', async () => {
      const code = freshProcedureCode();
      await api.http().post(proceduresPath()).send(registration({ procedureCode: code })).expect(201);
      const res = await api.http().get(procedurePath(code)).set('Origin', DASHBOARD).expect(200);
      expect(res.headers['access-control-allow-origin']).toBe(DASHBOARD);
      expect(res.headers['access-control-expose-headers']).toContain('ETag');
      expect(res.headers['vary']).toMatch(/Origin/);
    });

    it('gives another origin nothing, and still needs a token from a listed one', async () => {
      const other = await api.http().get('/api/summary').set('Origin', 'https://dashboard.example.vn.evil.example').expect(200);
      expect(other.headers['access-control-allow-origin']).toBeUndefined();
      const anonymous = await api.anonymous().get('/api/summary').set('Origin', DASHBOARD).expect(401);
      expect(anonymous.headers['access-control-allow-origin']).toBe(DASHBOARD);
    });
  });
});

describe('the body size limit', () => {
  it('answers a body over the configured limit with 413, appending nothing', async () => {
    const api = await startApi({ bodyLimitBytes: 1_024 });
    try {
      const before = await api.eventCount(); // the provincial-level units set up at start
      const res = await api.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode(), name: 'ă'.repeat(600) }));
      expect(res.status).toBe(413);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body.type).toBe('https://tthc-ledger.dev/problems/payload-too-large');
      expect(await api.eventCount()).toBe(before);
    } finally {
      await api.close();
    }
  });
});

describe('the rate limit of commands', () => {
  let api: ApiHarness;
  let procedureCode: string;

  beforeAll(async () => {
    api = await startApi({ rateLimit: { limit: 3, windowSeconds: 60 } });
    procedureCode = freshProcedureCode();
  });
  afterAll(() => api?.close());

  it('counts each command of a caller, and answers the one past the limit with 429 and Retry-After, appending nothing', async () => {
    const alice = await api.token('administrator', { sub: 'alice' });
    const replies = [];
    replies.push(await api.withToken(alice).post(proceduresPath()).send(registration({ procedureCode })));
    replies.push(await api.withToken(alice).post(`${procedurePath(procedureCode)}/reclassify`).send(decision({ onlineMode: 'PARTIAL' }))); // 409: counts too
    replies.push(await api.withToken(alice).post(`${procedurePath(procedureCode)}/disable-paper-intake`).send(decision()));
    expect(replies.map((r) => r.status)).toEqual([201, 409, 200]);
    expect(replies.map((r) => r.headers['x-ratelimit-remaining'])).toEqual(['2', '1', '0']);
    expect(replies.every((r) => r.headers['x-ratelimit-limit'] === '3')).toBe(true);

    const before = await api.eventCount();
    const refused = await api.withToken(alice).post(`${procedurePath(procedureCode)}/withdraw`).set('Idempotency-Key', 'limited-1').send(decision());
    expect(refused.status).toBe(429);
    expect(refused.headers['content-type']).toMatch(PROBLEM_JSON);
    expect(refused.body).toMatchObject({ type: 'https://tthc-ledger.dev/problems/too-many-requests', status: 429, title: 'Too many requests' });
    expect(Number(refused.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(Number(refused.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(await api.eventCount()).toBe(before);
    expect(await api.sql(`SELECT key FROM api.idempotency_keys WHERE key = 'limited-1'`)).toEqual([]);
  });

  it('does not limit queries', async () => {
    const alice = await api.token('administrator', { sub: 'alice' });
    for (let i = 0; i < 20; i++) await api.withToken(alice).get(procedurePath(procedureCode)).expect(200);
  });

  it('gives each caller a budget of its own', async () => {
    const bob = await api.token('administrator', { sub: 'bob' });
    await api.withToken(bob).post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })).expect(201);
  });

  it('does not count requests the guard refused before knowing the caller', async () => {
    for (let i = 0; i < 5; i++) await api.anonymous().post(proceduresPath()).send({}).expect(401);
    const carol = await api.token('administrator', { sub: 'carol' });
    await api.withToken(carol).post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })).expect(201);
  });

  it('opens again when the window ends', async () => {
    const short = await startApi({ rateLimit: { limit: 1, windowSeconds: 1 } });
    try {
      await short.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })).expect(201);
      const refused = await short.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })).expect(429);
      expect(refused.headers['retry-after']).toBe('1');
      await sleep(1_100);
      await short.http().post(proceduresPath()).send(registration({ procedureCode: freshProcedureCode() })).expect(201);
    } finally {
      await short.close();
    }
  });
});
