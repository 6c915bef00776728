import { generateSecret } from 'jose';
import { PUBLIC_METADATA, ROLES_METADATA } from '../../apps/api/src/auth/roles.decorator.js';
import type { Role } from '@tthc/platform';
import {
  PROBLEM_JSON,
  TEST_JWT_SECRET,
  decision,
  freshProcedureCode,
  procedurePath,
  proceduresPath,
  registration,
  startApi,
  type ApiHarness,
  type HttpAgent,
} from '../support/api-app.js';
import { declaredRoutes } from '../support/routes.js';
import { claims, sign, startIdentityProvider, tampered, unsigned, type IdentityProvider } from '../support/tokens.js';

// Authentication and roles (API.md, SECURITY.md): a bearer JWT on every endpoint under /api, 401 with
// `WWW-Authenticate: Bearer` without a valid one, 403 without a role the endpoint admits; /health,
// /metrics and /docs open. Every refused request appends nothing.

type Group = 'command' | 'query' | 'audit';
interface Endpoint {
  group: Group;
  method: 'get' | 'post';
  path: () => string;
  body?: () => object;
}

/** A procedure registered before the tests, which the commands and queries below address. */
let procedureCode: string;

const ENDPOINTS: Endpoint[] = [
  { group: 'command', method: 'post', path: () => proceduresPath(), body: () => registration({ procedureCode: freshProcedureCode() }) },
  { group: 'command', method: 'post', path: () => `${procedurePath(procedureCode)}/reclassify`, body: () => decision({ onlineMode: 'FULL_PROCESS' }) },
  { group: 'command', method: 'post', path: () => `${procedurePath(procedureCode)}/disable-paper-intake`, body: () => decision() },
  { group: 'command', method: 'post', path: () => `${procedurePath(procedureCode)}/reenable-paper-intake`, body: () => decision() },
  { group: 'command', method: 'post', path: () => `${procedurePath(procedureCode)}/withdraw`, body: () => decision() },
  { group: 'command', method: 'post', path: () => `${procedurePath(procedureCode)}/corrections`, body: () => ({ revision: 0, effectiveFrom: '2023-05-01', reason: 'sai ngày' }) },
  { group: 'command', method: 'post', path: () => `${procedurePath(procedureCode)}/rescissions`, body: () => ({ revisions: [0], decisionRef: 'QĐ 99/QĐ-UBND' }) },
  { group: 'query', method: 'get', path: () => '/api/authorities' },
  { group: 'query', method: 'get', path: () => '/api/authorities/74/summary?at=2023-06-01' },
  { group: 'query', method: 'get', path: () => '/api/authorities/74/movement?from=2023-01-01&to=2023-12-31' },
  { group: 'query', method: 'get', path: () => '/api/summary' },
  { group: 'query', method: 'get', path: () => '/api/authorities/74/procedures' },
  { group: 'query', method: 'get', path: () => procedurePath(procedureCode) },
  { group: 'audit', method: 'get', path: () => `${procedurePath(procedureCode)}/events` },
  { group: 'audit', method: 'get', path: () => `${procedurePath(procedureCode)}/state?at=2023-06-01` },
  { group: 'audit', method: 'get', path: () => '/api/events?after=0&limit=10' },
  { group: 'audit', method: 'post', path: () => '/api/audit/verifications' },
];

const ADMITS: Record<Group, Role[]> = {
  command: ['administrator'],
  query: ['viewer', 'auditor', 'administrator'],
  audit: ['auditor', 'administrator'],
};

const label = (e: Endpoint) => `${e.method.toUpperCase()} ${e.path().replace(/1\.\d{6}/, '{p}')}`;
const AUDIT_EVENTS = 11; // ENDPOINTS[11]: the procedure's stream

function send(agent: HttpAgent, endpoint: Endpoint) {
  const req = agent[endpoint.method](endpoint.path());
  return endpoint.body ? req.send(endpoint.body()) : req;
}

let api: ApiHarness;

beforeAll(async () => {
  api = await startApi();
  procedureCode = freshProcedureCode();
  await api.http().post(proceduresPath()).send(registration({ procedureCode, onlineMode: 'PARTIAL' })).expect(201);
});

afterAll(async () => {
  await api?.close();
});

/** Sends with `authorization` (none when undefined); expects a 401 problem with a Bearer challenge, and no append. */
async function unauthorized(endpoint: Endpoint, authorization: string | undefined, error?: string) {
  const before = await api.eventCount();
  let req = send(api.anonymous(), endpoint);
  if (authorization !== undefined) req = req.set('Authorization', authorization);
  const res = await req;
  expect(res.status).toBe(401);
  expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
  expect(res.body).toMatchObject({ type: 'https://tthc-ledger.dev/problems/unauthorized', title: 'Unauthorized', status: 401 });
  expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="tthc-ledger"/);
  if (error) expect(res.headers['www-authenticate']).toContain(`error="${error}"`);
  else expect(res.headers['www-authenticate']).toBe('Bearer realm="tthc-ledger"');
  expect(await api.eventCount()).toBe(before);
  return res.body as { detail: string };
}

describe('without a token', () => {
  it.each(ENDPOINTS.map((e) => [label(e), e] as const))('%s answers 401 with a Bearer challenge and appends nothing', async (_, endpoint) => {
    const { detail } = await unauthorized(endpoint, undefined);
    expect(detail).toBe('This endpoint needs a bearer token (Authorization: Bearer <token>)');
  });

  it.each(['/health', '/metrics', '/docs-json'])('%s stays open', async (path) => {
    await api.anonymous().get(path).expect(200);
  });

  it('refuses before validating: a malformed body without a token gets 401, not 400, and reserves no idempotency key', async () => {
    const res = await api.anonymous().post(proceduresPath()).set('Idempotency-Key', 'no-token-1').send({ name: 42 });
    expect(res.status).toBe(401);
    expect(await api.sql(`SELECT key FROM api.idempotency_keys WHERE key = 'no-token-1'`)).toEqual([]);
  });
});

describe('with a token that does not verify', () => {
  const register = ENDPOINTS[0];
  const events = ENDPOINTS[AUDIT_EVENTS];

  it.each([
    ['another scheme', 'Basic YWRtaW46YWRtaW4=', 'invalid_request'],
    ['a bare token', 'eyJhbGciOiJIUzI1NiJ9.e30.x', 'invalid_request'],
    ['two tokens', 'Bearer a.b.c d.e.f', 'invalid_request'],
    ['no token after Bearer', 'Bearer ', 'invalid_request'],
    ['three dots of nothing', 'Bearer ...', 'invalid_token'],
    ['not a JWT', 'Bearer not-a-jwt', 'invalid_token'],
    ['base64 garbage', `Bearer ${Buffer.from('{"alg":"HS256"').toString('base64url')}.e30.c2ln`, 'invalid_token'],
    ['a token of 9,000 characters', `Bearer ${'a'.repeat(9_000)}`, 'invalid_token'],
    ['characters outside token68', 'Bearer abc.déf.ghi', 'invalid_token'],
  ])('refuses %s', async (_, authorization, error) => {
    await unauthorized(register, authorization, error);
  });

  it('refuses an unsecured token (alg none), whatever it claims', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      const { detail } = await unauthorized(register, `Bearer ${unsigned(claims(), alg)}`, 'invalid_token');
      expect(detail).toMatch(/algorithm .* is not accepted/);
    }
  });

  it.each([
    ['a CRLF', 'RS256\r\nX-Injected: 1'],
    ['non-ASCII', 'HS256Ω'],
    ['a number', 256],
    ['a long name', 'A'.repeat(500)],
  ])('refuses a header whose alg has %s, and never echoes it into a header', async (_, alg) => {
    const token = `${Buffer.from(JSON.stringify({ alg, typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(claims())).toString('base64url')}.c2ln`;
    const res = await api.anonymous().get('/api/summary').set('Authorization', `Bearer ${token}`);
    expect(res.status).toBe(401);
    expect(res.headers['x-injected']).toBeUndefined();
    expect(res.body.detail).toBe("The bearer token's algorithm (unnamed) is not accepted");
    expect(res.headers['www-authenticate']).toMatch(/^[\x20-\x7e]+$/);
  });

  it.each(['HS384', 'HS512'])('refuses %s, signed with the right secret: only HS256 is accepted', async (alg) => {
    await unauthorized(register, `Bearer ${await sign(claims(), { alg })}`, 'invalid_token');
  });

  it('refuses a token signed with another secret', async () => {
    const { detail } = await unauthorized(register, `Bearer ${await sign(claims(), { key: 'another-secret-of-at-least-32-bytes!!' })}`, 'invalid_token');
    expect(detail).toBe("The bearer token's signature does not verify");
  });

  it('refuses a viewer token whose payload was changed to administrator', async () => {
    const viewer = await sign(claims({ roles: ['viewer'] }));
    await unauthorized(register, `Bearer ${tampered(viewer, claims({ roles: ['administrator'] }))}`, 'invalid_token');
  });

  it('refuses an RS256 token when the api only has a shared secret', async () => {
    const idp = await startIdentityProvider();
    try {
      const { detail } = await unauthorized(register, `Bearer ${await idp.sign(claims())}`, 'invalid_token');
      expect(detail).toBe("The bearer token's algorithm (RS256) is not accepted");
    } finally {
      await idp.close();
    }
  });

  it('refuses an expired token, saying so', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { detail } = await unauthorized(events, `Bearer ${await sign(claims({ iat: now - 7_200, exp: now - 3_600 }))}`, 'invalid_token');
    expect(detail).toBe('The bearer token has expired');
  });

  it('tolerates 30 s of clock skew on exp', async () => {
    const now = Math.floor(Date.now() / 1000);
    await api.withToken(await sign(claims({ exp: now - 10 }))).get(events.path()).expect(200);
  });

  it('refuses a token not valid yet (nbf), saying so', async () => {
    const now = Math.floor(Date.now() / 1000);
    const { detail } = await unauthorized(events, `Bearer ${await sign(claims({ nbf: now + 600 }))}`, 'invalid_token');
    expect(detail).toBe('The bearer token is not valid yet');
  });

  it.each(['exp', 'sub'])('refuses a token without %s', async (claim) => {
    const payload = claims();
    delete payload[claim];
    const { detail } = await unauthorized(events, `Bearer ${await sign(payload)}`, 'invalid_token');
    expect(detail).toBe(`The bearer token has no "${claim}" claim`);
  });

  it.each([
    ['a blank subject', '  '],
    ['a subject of 201 characters', 's'.repeat(201)],
    ['a subject with a newline', 'admin\nforged log line'],
    ['a subject with a right-to-left override', 'admin\u202eevil'],
    ['a subject with a zero-width space', 'ad\u200bmin'],
    ['a subject with a NUL', 'admin\u0000'],
  ])('refuses %s: it would be recorded as the actor', async (_, sub) => {
    const { detail } = await unauthorized(register, `Bearer ${await sign(claims({ sub }))}`, 'invalid_token');
    expect(detail).toMatch(/^The bearer token's subject /);
  });

  it('refuses a subject that is not a string', async () => {
    await unauthorized(register, `Bearer ${await sign({ ...claims(), sub: 42 as unknown as string })}`, 'invalid_token');
  });

  it('never repeats the token or the secret in its answer', async () => {
    const token = await sign(claims(), { key: 'another-secret-of-at-least-32-bytes!!' });
    const res = await api.withToken(token).get(events.path()).expect(401);
    expect(res.text).not.toContain(token.split('.')[2]);
    expect(res.text + JSON.stringify(res.headers)).not.toContain(TEST_JWT_SECRET);
  });
});

describe('roles', () => {
  describe.each(['viewer', 'auditor', 'administrator'] as const)('%s', (role) => {
    it.each(ENDPOINTS.map((e) => [label(e), e] as const))(`%s`, async (_, endpoint) => {
      const before = await api.eventCount();
      const res = await send(api.as(role), endpoint);
      if (ADMITS[endpoint.group].includes(role)) {
        expect([401, 403]).not.toContain(res.status);
        return;
      }
      expect(res.status).toBe(403);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.body).toEqual({
        type: 'https://tthc-ledger.dev/problems/forbidden',
        title: 'Forbidden',
        status: 403,
        detail:
          endpoint.group === 'command'
            ? 'This endpoint needs the role administrator'
            : `This endpoint needs one of the roles ${ADMITS[endpoint.group].join(', ')}`,
      });
      expect(res.headers['www-authenticate']).toBe('Bearer realm="tthc-ledger", error="insufficient_scope"');
      expect(await api.eventCount()).toBe(before);
    });
  });

  it('answers 403 to a valid token without any role the api knows', async () => {
    const token = await sign(claims({ roles: ['superuser', 'root', 'Administrator'] }));
    for (const endpoint of [ENDPOINTS[0], ENDPOINTS[5], ENDPOINTS[AUDIT_EVENTS]]) expect((await send(api.withToken(token), endpoint)).status).toBe(403);
  });

  it.each([
    ['a space-separated string', 'viewer auditor'],
    ['a comma-separated string', 'viewer,auditor'],
    ['an array with unknown and non-string entries', ['x', 7, null, 'auditor']],
  ])('reads roles from %s', async (_, roles) => {
    const token = await sign(claims({ roles }));
    await api.withToken(token).get(`${procedurePath(procedureCode)}/events`).expect(200);
    await api.withToken(token).post(`${procedurePath(procedureCode)}/withdraw`).send(decision()).expect(403);
  });

  it('ignores a roles claim that is an object', async () => {
    await api.withToken(await sign(claims({ roles: { administrator: true } }))).get('/api/summary').expect(403);
  });
});

describe('the actor', () => {
  it("records the token's subject as every event's actor, and answers with the stream", async () => {
    const code = freshProcedureCode();
    const token = await sign(claims({ sub: 'Nguyễn Văn A <nva@binhduong.gov.vn>' }));
    await api.withToken(token).post(proceduresPath()).send(registration({ procedureCode: code })).expect(201);
    await api.withToken(await sign(claims({ sub: 'auditor-7', roles: ['administrator'] }))).post(`${procedurePath(code)}/withdraw`).send(decision()).expect(200);
    const { body } = await api.as('auditor').get(`${procedurePath(code)}/events`).expect(200);
    expect(body.events.map((e: { actor: string }) => e.actor)).toEqual(['Nguyễn Văn A <nva@binhduong.gov.vn>', 'auditor-7']);
  });

  it('will not replay one caller’s reply to another reusing its Idempotency-Key: 422, nothing appended', async () => {
    const code = freshProcedureCode();
    const body = registration({ procedureCode: code });
    await api.withToken(await sign(claims({ sub: 'alice' }))).post(proceduresPath()).set('Idempotency-Key', 'shared-key').send(body).expect(201);
    const before = await api.eventCount();
    const res = await api.withToken(await sign(claims({ sub: 'mallory' }))).post(proceduresPath()).set('Idempotency-Key', 'shared-key').send(body);
    expect(res.status).toBe(422);
    expect(res.headers['idempotent-replayed']).toBeUndefined();
    expect(await api.eventCount()).toBe(before);
  });
});

it('logs no token: request lines carry method, url, status and correlation id only', async () => {
  const lines: string[] = [];
  const logged = await startApi({ logLevel: 'info', logDestination: { write: (line: string) => void lines.push(line) } });
  try {
    const token = await logged.token('administrator');
    await logged.withToken(token).get('/api/summary').expect(200);
    await logged.withToken(`${token}x`).get('/api/summary').expect(401);
    expect(lines.join('')).not.toContain(token.split('.')[1]);
    expect(lines.join('')).not.toMatch(/authorization|bearer/i);
  } finally {
    await logged.close();
  }
});

describe('issuer and audience', () => {
  let strict: ApiHarness;

  beforeAll(async () => {
    strict = await startApi({ auth: { secret: TEST_JWT_SECRET, issuer: 'https://id.example.vn', audience: 'tthc-ledger' } });
  });
  afterAll(() => strict?.close());

  it('accepts the configured issuer and audience', async () => {
    await strict.withToken(await sign(claims({ iss: 'https://id.example.vn', aud: ['tthc-ledger', 'other'] }))).get('/api/summary').expect(200);
  });

  it.each([
    ['another issuer', { iss: 'https://evil.example', aud: 'tthc-ledger' }, "The bearer token's issuer is not accepted"],
    ['no issuer', { aud: 'tthc-ledger' }, 'The bearer token has no "iss" claim'],
    ['another audience', { iss: 'https://id.example.vn', aud: 'another-api' }, "The bearer token's audience is not accepted"],
    ['no audience', { iss: 'https://id.example.vn' }, 'The bearer token has no "aud" claim'],
  ])('refuses %s with 401', async (_, extra, detail) => {
    const res = await strict.withToken(await sign(claims(extra))).get('/api/summary').expect(401);
    expect(res.body.detail).toBe(detail);
    expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
  });
});

describe("an identity provider's keys (JWKS: RS256, ES256)", () => {
  let idp: IdentityProvider;
  let federated: ApiHarness;

  beforeAll(async () => {
    idp = await startIdentityProvider();
    federated = await startApi({ auth: { jwksUrl: idp.jwksUrl, rolesClaim: 'realm_access.roles' } });
  });
  afterAll(async () => {
    await federated?.close();
    await idp?.close();
  });

  const roles = (...r: string[]) => ({ realm_access: { roles: r } });

  it.each(['RS256', 'ES256'] as const)('accepts %s tokens signed by the provider, roles from realm_access.roles', async (alg) => {
    const token = await idp.sign(claims({ roles: undefined, ...roles('administrator'), sub: `idp-${alg}` }), alg);
    const code = freshProcedureCode();
    await federated.withToken(token).post(proceduresPath()).send(registration({ procedureCode: code })).expect(201);
    const events = await federated.withToken(token).get(`${procedurePath(code)}/events`).expect(200);
    expect(events.body.events[0].actor).toBe(`idp-${alg}`);
  });

  it('reads roles from the configured claim only', async () => {
    await federated.withToken(await idp.sign(claims({ roles: ['administrator'] }))).get('/api/summary').expect(403);
  });

  it('refuses a key the provider does not publish, and an unknown kid', async () => {
    const foreign = await sign(claims(roles('administrator')), { alg: 'RS256', key: idp.stranger.privateKey, kid: 'rsa-1' });
    expect((await federated.withToken(foreign).get('/api/summary')).status).toBe(401);
    const unknownKid = await sign(claims(roles('administrator')), { alg: 'RS256', key: idp.stranger.privateKey, kid: 'rsa-404' });
    const res = await federated.withToken(unknownKid).get('/api/summary');
    expect(res.status).toBe(401);
    expect(res.body.detail).toBe("No key of the identity provider matches the bearer token's key id");
  });

  it('refuses HS256 signed with the public key (algorithm confusion) and any HS256 without a configured secret', async () => {
    const confused = await sign(claims(roles('administrator')), { alg: 'HS256', key: new TextEncoder().encode(idp.rsaPublicPem) });
    expect((await federated.withToken(confused).get('/api/summary')).status).toBe(401);
    const secret = await generateSecret('HS256', { extractable: true });
    expect((await federated.withToken(await sign(claims(roles('administrator')), { key: secret })).get('/api/summary')).status).toBe(401);
  });

  it('answers 503 with Retry-After while the provider cannot be reached: the token may well be valid', async () => {
    // A fresh api has no key cached, so its first verification must fetch the JWKS.
    const cold = await startApi({ auth: { jwksUrl: idp.jwksUrl, rolesClaim: 'realm_access.roles' } });
    idp.fail();
    try {
      const res = await cold.withToken(await idp.sign(claims(roles('viewer')))).get('/api/summary');
      expect(res.status).toBe(503);
      expect(res.headers['content-type']).toMatch(PROBLEM_JSON);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.type).toBe('https://tthc-ledger.dev/problems/authentication-unavailable');
    } finally {
      await cold.close();
    }
  });
});

describe('AUTH_DISABLED=true (development only)', () => {
  it('lets every request through as an anonymous administrator', async () => {
    const open = await startApi({ auth: { disabled: true }, defaultRole: null });
    try {
      const code = freshProcedureCode();
      await open.anonymous().post(proceduresPath()).send(registration({ procedureCode: code })).expect(201);
      const { body } = await open.anonymous().get(`${procedurePath(code)}/events`).expect(200);
      expect(body.events[0].actor).toBe('anonymous');
    } finally {
      await open.close();
    }
  });
});

describe('every route', () => {
  it('declares who may call it (@Roles or @Public), so that none is open or admin-only by accident', () => {
    const routes = declaredRoutes(api.app);
    const undeclared = routes
      .filter(({ controller, handler }) =>
        [handler, controller].every((target) => Reflect.getMetadata(ROLES_METADATA, target) === undefined && Reflect.getMetadata(PUBLIC_METADATA, target) === undefined),
      )
      .map(({ controller, name }) => `${controller.name}.${name}`);
    expect(undeclared).toEqual([]);
    expect(routes.length).toBeGreaterThanOrEqual(ENDPOINTS.length + 2); // and /health, /metrics
  });
});
