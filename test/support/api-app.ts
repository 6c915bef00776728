import type { NestExpressApplication } from '@nestjs/platform-express';
import pg from 'pg';
import request from 'supertest';
import { mintToken, ROLES, type Role } from '@tthc/platform';
import { createApp, type CreateAppOptions } from '../../apps/api/src/create-app.js';
import { OpenApiContract } from './openapi-contract.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

/** The HS256 secret the harness's api verifies with (at least 32 bytes, as AUTH_JWT_SECRET must be). */
export const TEST_JWT_SECRET = 'tthc-ledger-e2e-test-secret-0123456789abcdef';
/** The subject of the token `http()` sends by default: the actor of the events the tests append. */
export const TEST_SUBJECT = 'test-administrator';

/** A supertest agent: `get`, `post`, … each return a request to the app's server. */
export type HttpAgent = ReturnType<typeof request>;

export interface StartApiOptions extends Partial<CreateAppOptions> {
  /** The role of the token `http()` sends (default administrator, as TEST_SUBJECT); null sends none. */
  defaultRole?: Role | null;
}

export interface ApiHarness {
  app: NestExpressApplication;
  db: TestDatabase;
  /** The OpenAPI document the app serves at /docs-json, as a checker of responses. */
  contract: OpenApiContract;
  /**
   * A supertest agent on the app's server (no port is opened); each request carries a bearer token of
   * the default role (administrator, subject TEST_SUBJECT) unless the test sets its own Authorization.
   */
  http(): HttpAgent;
  /** The same, with a token of `role` (subject `test-<role>`). */
  as(role: Role): HttpAgent;
  /** The same, with the given Authorization: Bearer token. */
  withToken(token: string): HttpAgent;
  /** The same, without any Authorization header. */
  anonymous(): HttpAgent;
  /** A token signed with TEST_JWT_SECRET (national scope unless `authorities` says otherwise). */
  token(roles: Role | readonly Role[], options?: TestTokenOptions): Promise<string>;
  /** How many events the whole log holds: "nothing was appended" checks compare it. */
  eventCount(): Promise<number>;
  /** Rows of a SQL query on the test database. */
  sql<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  close(): Promise<void>;
}

/**
 * Each request method of a supertest agent, with a first assertion added: the response is one the
 * served OpenAPI document describes (status, media type, body schema). A response it does not
 * describe fails the request, and so the test, whatever the test itself expects of it.
 */
export function describedBy(agent: HttpAgent, contract: OpenApiContract): HttpAgent {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(agent as unknown as Record<string, unknown>)) {
    wrapped[name] =
      typeof method === 'function'
        ? (url: string) =>
            (method as (url: string) => request.Test)(url).expect((res: request.Response) => {
              const problems = contract.check(name === 'del' ? 'delete' : name, url, res);
              if (problems.length > 0) throw new Error(`The response is not the one the OpenAPI document describes:\n- ${problems.join('\n- ')}`);
            })
        : method;
  }
  return wrapped as unknown as HttpAgent;
}

/** Each request method of a supertest agent, with `Authorization: Bearer <token>` set first. */
export function authorised(agent: HttpAgent, token: string): HttpAgent {
  const wrapped: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(agent as unknown as Record<string, unknown>)) {
    wrapped[name] =
      typeof method === 'function' ? (url: string) => (method as (url: string) => request.Test)(url).set('Authorization', `Bearer ${token}`) : method;
  }
  return wrapped as unknown as HttpAgent;
}

export interface TestTokenOptions {
  sub?: string;
  expiresIn?: string;
  /** The authority scope claim (default `['*']`, national); null leaves the claim out. */
  authorities?: readonly string[] | null;
}

export function testToken(roles: Role | readonly Role[], options: TestTokenOptions = {}): Promise<string> {
  const list = typeof roles === 'string' ? [roles] : [...roles];
  return mintToken({
    secret: TEST_JWT_SECRET,
    subject: options.sub ?? `test-${list.join('-')}`,
    roles: list,
    expiresIn: options.expiresIn ?? '1h',
    authorities: options.authorities === null ? undefined : (options.authorities ?? ['*']),
  });
}

/**
 * A fresh database (or `databaseUrl`'s) and the api on it, as `npm start` configures it, but silent,
 * verifying tokens with TEST_JWT_SECRET and with the command rate limit out of the way (tests that
 * need it pass `rateLimit`).
 */
export async function startApi(options: StartApiOptions = {}): Promise<ApiHarness> {
  const { defaultRole = 'administrator', ...appOptions } = options;
  const db: TestDatabase = appOptions.databaseUrl ? { url: appOptions.databaseUrl, drop: async () => undefined } : await createTestDatabase();
  const app = await createApp({
    databaseUrl: db.url,
    logLevel: 'silent',
    auth: { secret: TEST_JWT_SECRET },
    // The dashboard's build is served only where a test asks for it (test/dashboard builds it while others run).
    dashboardDir: null,
    ...appOptions,
    rateLimit: { limit: 1_000_000, ...appOptions.rateLimit },
  });
  await app.init();
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  pool.on('error', () => undefined); // an idle client whose database was dropped by a test
  const server = app.getHttpServer();
  const tokens = Object.fromEntries(
    await Promise.all(ROLES.map(async (role) => [role, await testToken(role, { sub: role === 'administrator' ? TEST_SUBJECT : `test-${role}` })])),
  ) as Record<Role, string>;
  const contract = OpenApiContract.from((await request(server).get('/docs-json').expect(200)).body);
  const agent = () => describedBy(request(server), contract);
  return {
    app,
    db,
    contract,
    http: () => (defaultRole === null ? agent() : authorised(agent(), tokens[defaultRole])),
    as: (role) => authorised(agent(), tokens[role]),
    withToken: (token) => authorised(agent(), token),
    anonymous: agent,
    token: testToken,
    async eventCount() {
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM event_store.events');
      return Number(rows[0].n);
    },
    async sql(text, params) {
      return (await pool.query(text, params)).rows;
    },
    async close() {
      await pool.end();
      await app.close();
      await db.drop();
    },
  };
}

export const PROBLEM_JSON = /^application\/problem\+json/;

export const BINH_DUONG = '74';
export const PROCEDURE = '1.001612';

export const registration = (overrides: Record<string, unknown> = {}) => ({
  procedureCode: PROCEDURE,
  name: 'Đăng ký thành lập hộ kinh doanh',
  onlineMode: 'PARTIAL',
  effectiveFrom: '2023-06-01',
  decisionRef: 'QĐ 1234/QĐ-UBND',
  ...overrides,
});

export const decision = (overrides: Record<string, unknown> = {}) => ({
  effectiveFrom: '2023-07-01',
  decisionRef: 'QĐ 2345/QĐ-UBND',
  ...overrides,
});

let sequence = 100_000;
/** A procedure code no other test of the file uses, so that tests do not share streams. */
export function freshProcedureCode(): string {
  sequence += 1;
  return `1.${String(sequence).padStart(6, '0')}`;
}

/** Registers a procedure (`registration()`, under a fresh code unless `overrides` gives one), expecting 201; returns its code. */
export async function registerProcedure(api: ApiHarness, overrides: Record<string, unknown> = {}): Promise<string> {
  const body = registration({ procedureCode: freshProcedureCode(), ...overrides });
  await api.http().post(proceduresPath()).send(body).expect(201);
  return body.procedureCode as string;
}

export function proceduresPath(authorityCode = BINH_DUONG): string {
  return `/api/authorities/${authorityCode}/procedures`;
}

export function procedurePath(procedureCode: string, authorityCode = BINH_DUONG): string {
  return `${proceduresPath(authorityCode)}/${procedureCode}`;
}
