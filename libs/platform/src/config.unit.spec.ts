import { readConfig } from './config.js';

const SECRET = 'x'.repeat(32);

describe('readConfig: authentication, CORS, limits', () => {
  it('has safe defaults: no auth configured (the api then refuses to start with DATABASE_URL), no CORS origin', () => {
    const config = readConfig({});
    expect(config.auth).toEqual({
      jwtSecret: undefined,
      jwksUrl: undefined,
      issuer: undefined,
      audience: undefined,
      rolesClaim: 'roles',
      authoritiesClaim: 'authorities',
      queryScope: 'open',
      disabled: false,
    });
    expect(config.corsOrigins).toEqual([]);
    expect(config.commandRateLimit).toEqual({ limit: 100, windowSeconds: 10 });
    expect(config.projectorBehind).toEqual({ events: 1_000, seconds: 30 });
  });

  it('reads every AUTH_* variable', () => {
    const config = readConfig({
      AUTH_JWT_SECRET: SECRET,
      AUTH_JWKS_URL: 'https://id.example.vn/realms/tthc/protocol/openid-connect/certs',
      AUTH_JWT_ISSUER: 'https://id.example.vn/realms/tthc',
      AUTH_JWT_AUDIENCE: 'tthc-ledger',
      AUTH_ROLES_CLAIM: 'realm_access.roles',
      AUTH_AUTHORITIES_CLAIM: 'tthc.authorities',
      AUTH_QUERY_SCOPE: 'restricted',
    });
    expect(config.auth).toMatchObject({
      jwtSecret: SECRET,
      rolesClaim: 'realm_access.roles',
      authoritiesClaim: 'tthc.authorities',
      queryScope: 'restricted',
      issuer: 'https://id.example.vn/realms/tthc',
      audience: 'tthc-ledger',
    });
  });

  it.each([
    [{ AUTH_JWT_SECRET: 'x'.repeat(31) }, /AUTH_JWT_SECRET must be at least 32 bytes/],
    [{ AUTH_JWKS_URL: 'http://id.example.vn/jwks' }, /must be an https:\/\/ URL/],
    [{ AUTH_JWKS_URL: 'not a url' }, /must be a URL/],
    [{ AUTH_ROLES_CLAIM: 'roles; drop' }, /AUTH_ROLES_CLAIM/],
    [{ AUTH_ROLES_CLAIM: 'sub' }, /registered claim/],
    [{ AUTH_AUTHORITIES_CLAIM: 'authorities[0]' }, /AUTH_AUTHORITIES_CLAIM must be a claim name/],
    [{ AUTH_AUTHORITIES_CLAIM: 'iss' }, /AUTH_AUTHORITIES_CLAIM cannot be a registered claim/],
    [{ AUTH_AUTHORITIES_CLAIM: 'roles' }, /must be distinct claims/],
    [{ AUTH_ROLES_CLAIM: 'tthc', AUTH_AUTHORITIES_CLAIM: 'tthc.authorities' }, /neither inside the other/],
    [{ AUTH_QUERY_SCOPE: 'closed' }, /AUTH_QUERY_SCOPE must be open or restricted/],
    [{ AUTH_DISABLED: 'yes' }, /AUTH_DISABLED must be true or false/],
    [{ AUTH_DISABLED: 'true', AUTH_JWT_SECRET: SECRET }, /contradicts/],
    [{ CORS_ORIGINS: 'https://a.example.vn/path' }, /CORS_ORIGINS must list origins/],
    [{ CORS_ORIGINS: 'a.example.vn' }, /CORS_ORIGINS/],
    [{ RATE_LIMIT_WINDOW_SECONDS: '0' }, /positive integer/],
    [{ RATE_LIMIT_COMMANDS: '-1' }, /non-negative integer/],
  ])('refuses %j', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  it('accepts http:// JWKS on the loopback only, AUTH_DISABLED=true alone, CORS origins and `*`', () => {
    expect(readConfig({ AUTH_JWKS_URL: 'http://127.0.0.1:8080/jwks' }).auth.jwksUrl).toBe('http://127.0.0.1:8080/jwks');
    expect(readConfig({ AUTH_DISABLED: 'true' }).auth.disabled).toBe(true);
    expect(readConfig({ CORS_ORIGINS: ' https://a.example.vn , http://localhost:5173,*' }).corsOrigins).toEqual([
      'https://a.example.vn',
      'http://localhost:5173',
      '*',
    ]);
  });
});

describe('readConfig: bounds on database calls and HTTP connections', () => {
  it('bounds every wait by default', () => {
    const config = readConfig({});
    expect(config.databaseBounds).toEqual({ statementTimeoutMs: 15_000, idleInTransactionTimeoutMs: 30_000, queryTimeoutMs: 20_000, connectTimeoutMs: 5_000, keepAliveInitialDelayMs: 10_000 });
    expect(config.httpTimeouts).toEqual({ headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 });
  });

  it('keeps the client-side bound 5 s past the server-side one unless it is set', () => {
    expect(readConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '2000' }).databaseBounds).toMatchObject({ statementTimeoutMs: 2_000, queryTimeoutMs: 7_000 });
    expect(readConfig({ DATABASE_STATEMENT_TIMEOUT_MS: '2000', DATABASE_QUERY_TIMEOUT_MS: '2500' }).databaseBounds.queryTimeoutMs).toBe(2_500);
  });

  it.each([
    [{ DATABASE_STATEMENT_TIMEOUT_MS: '-1' }, /DATABASE_STATEMENT_TIMEOUT_MS/],
    [{ DATABASE_QUERY_TIMEOUT_MS: '1e3' }, /DATABASE_QUERY_TIMEOUT_MS/],
    [{ DATABASE_CONNECT_TIMEOUT_MS: '0' }, /DATABASE_CONNECT_TIMEOUT_MS must be a positive integer/],
    [{ HTTP_HEADERS_TIMEOUT_MS: '40000' }, /HTTP_HEADERS_TIMEOUT_MS \(40000\) must not exceed HTTP_REQUEST_TIMEOUT_MS/],
  ])('refuses %j', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });
});
