import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import { TokenVerifier } from '../../../api/src/auth/token-verifier.js';
import { runCli } from '../cli.js';
import { EXIT } from '../exit-codes.js';
import { bufferIO } from '../io.js';
import type { CliRuntime } from '../session.js';

const SECRET = 'a-shared-secret-of-at-least-32-bytes-0123';

/** Runs `tthc-ledger …args` in process with `env` as its whole environment; `token` needs no database. */
async function cli(env: NodeJS.ProcessEnv, ...args: string[]) {
  const io = bufferIO();
  const runtime: CliRuntime = {
    io,
    env,
    openSession: async () => {
      throw new Error('token must not open a database session');
    },
  };
  const code = await runCli(['node', 'tthc-ledger', ...args], runtime, '0.0.0-test');
  return { code, stdout: io.stdout.text, stderr: io.stderr.text };
}

const verify = (token: string, secret: string) => jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ['HS256'] });

describe('tthc-ledger token', () => {
  let dataDir: string;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'tthc-ledger-token-'));
  });

  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  describe('for the embedded default (no DATABASE_URL)', () => {
    it('creates DATA_DIR/jwt-secret (mode 0600) and prints one HS256 token signed with it', async () => {
      const run = await cli({ DATA_DIR: dataDir }, 'token', '--role', 'administrator', '--authority', '74', '--sub', 'someone');
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: EXIT.OK, stderr: '' });
      expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);

      const file = join(dataDir, 'jwt-secret');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const secret = (await readFile(file, 'utf8')).trim();
      expect(Buffer.byteLength(secret)).toBeGreaterThanOrEqual(32);

      const token = run.stdout.trim();
      expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const { payload } = await verify(token, secret);
      expect(payload).toMatchObject({ sub: 'someone', roles: ['administrator'], authorities: ['74'] });
      expect(payload.exp! - payload.iat!).toBe(12 * 3_600);
      expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('keeps the secret it made: a second token verifies with the same one, and so does the api', async () => {
      const first = (await cli({ DATA_DIR: dataDir }, 'token', '-r', 'viewer', '-s', 'a')).stdout.trim();
      const second = (await cli({ DATA_DIR: dataDir }, 'token', '-r', 'viewer', '-s', 'b')).stdout.trim();
      const secret = (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim();
      await verify(first, secret);
      await verify(second, secret);
      const principal = await new TokenVerifier({ secret }).authenticate(`Bearer ${second}`);
      expect(principal).toEqual({ subject: 'b', roles: ['viewer'], authorities: { national: false, units: [] }, issuedAt: expect.any(Date) });
    });

    it('takes roles repeated and comma-separated, and --expires-in', async () => {
      const run = await cli({ DATA_DIR: dataDir }, 'token', '--role', 'viewer', '--role', 'auditor,viewer', '--sub', 'Nguyễn Văn A', '--expires-in', '90m');
      expect(run.code).toBe(EXIT.OK);
      const payload = decodeJwt(run.stdout.trim());
      expect(payload).toMatchObject({ sub: 'Nguyễn Văn A', roles: ['viewer', 'auditor'] });
      expect(payload.exp! - payload.iat!).toBe(90 * 60);
    });
  });

  describe('with AUTH_JWT_SECRET', () => {
    it('signs with it and writes no file', async () => {
      const run = await cli({ DATA_DIR: dataDir, AUTH_JWT_SECRET: SECRET, DATABASE_URL: 'postgres://x@127.0.0.1:1/x' }, 'token', '-r', 'auditor', '-s', 'ops');
      expect(run.code).toBe(EXIT.OK);
      const { payload } = await verify(run.stdout.trim(), SECRET);
      expect(payload).toMatchObject({ sub: 'ops', roles: ['auditor'] });
      await expect(stat(join(dataDir, 'jwt-secret'))).rejects.toThrow(/ENOENT/);
    });

    it('honours AUTH_JWT_ISSUER, AUTH_JWT_AUDIENCE, AUTH_ROLES_CLAIM and AUTH_AUTHORITIES_CLAIM as the api reads them', async () => {
      const env = {
        AUTH_JWT_SECRET: SECRET,
        AUTH_JWT_ISSUER: 'https://id.example.vn',
        AUTH_JWT_AUDIENCE: 'tthc-ledger',
        AUTH_ROLES_CLAIM: 'realm_access.roles',
        AUTH_AUTHORITIES_CLAIM: 'realm_access.authorities',
      };
      const run = await cli(env, 'token', '-r', 'administrator', '-a', '79', '-s', 'ops');
      const token = run.stdout.trim();
      expect(decodeJwt(token)).toMatchObject({
        iss: 'https://id.example.vn',
        aud: 'tthc-ledger',
        realm_access: { roles: ['administrator'], authorities: ['79'] },
      });
      const verifier = new TokenVerifier({
        secret: SECRET,
        issuer: 'https://id.example.vn',
        audience: 'tthc-ledger',
        rolesClaim: 'realm_access.roles',
        authoritiesClaim: 'realm_access.authorities',
      });
      expect(await verifier.authenticate(`Bearer ${token}`)).toEqual({
        subject: 'ops',
        roles: ['administrator'],
        authorities: { national: false, units: ['79'] },
        issuedAt: expect.any(Date),
      });
    });

    it('refuses a secret shorter than 32 bytes as a usage error', async () => {
      const run = await cli({ AUTH_JWT_SECRET: 'short' }, 'token', '-r', 'viewer', '-s', 'x');
      expect(run).toEqual({ code: EXIT.USAGE, stdout: '', stderr: expect.stringMatching(/^error: AUTH_JWT_SECRET must be at least 32 bytes/) });
    });
  });

  describe('--authority', () => {
    it('is repeatable and comma separated: the scope claim lists each code once', async () => {
      const run = await cli({ DATA_DIR: dataDir }, 'token', '-r', 'administrator', '--authority', '74', '--authority', '77,79,74', '-s', 'x');
      expect(run.code).toBe(EXIT.OK);
      expect(decodeJwt(run.stdout.trim()).authorities).toEqual(['74', '77', '79']);
    });

    it("takes '*' for national staff, which the api reads as national scope", async () => {
      const run = await cli({ DATA_DIR: dataDir }, 'token', '-r', 'administrator', '--authority', '*', '-s', 'national.office');
      const secret = (await readFile(join(dataDir, 'jwt-secret'), 'utf8')).trim();
      const principal = await new TokenVerifier({ secret }).authenticate(`Bearer ${run.stdout.trim()}`);
      expect(principal.authorities).toEqual({ national: true });
    });

    it('is required for an administrator, whose token would otherwise act for nobody', async () => {
      const run = await cli({ DATA_DIR: dataDir }, 'token', '-r', 'viewer,administrator', '-s', 'x');
      expect(run).toEqual({ code: EXIT.USAGE, stdout: '', stderr: expect.stringMatching(/an administrator's token needs --authority/) });
    });

    it('is optional for viewers and auditors', async () => {
      const run = await cli({ DATA_DIR: dataDir }, 'token', '-r', 'viewer', '-s', 'x');
      expect(run.code).toBe(EXIT.OK);
      expect(decodeJwt(run.stdout.trim())).not.toHaveProperty('authorities');
    });
  });

  describe('without a secret to sign with', () => {
    it('says so with DATABASE_URL and no AUTH_JWT_SECRET', async () => {
      const run = await cli({ DATA_DIR: dataDir, DATABASE_URL: 'postgres://x@127.0.0.1:1/x' }, 'token', '-r', 'viewer', '-s', 'x');
      expect(run).toEqual({ code: EXIT.FAILED, stdout: '', stderr: expect.stringMatching(/^error: no signing secret: set AUTH_JWT_SECRET/) });
    });

    it('points to the identity provider when only AUTH_JWKS_URL is set', async () => {
      const run = await cli({ DATABASE_URL: 'postgres://x@127.0.0.1:1/x', AUTH_JWKS_URL: 'https://id.example.vn/jwks' }, 'token', '-r', 'viewer', '-s', 'x');
      expect(run.code).toBe(EXIT.FAILED);
      expect(run.stderr).toMatch(/identity provider/);
    });

    it('has nothing to mint with AUTH_DISABLED=true', async () => {
      const run = await cli({ DATA_DIR: dataDir, AUTH_DISABLED: 'true' }, 'token', '-r', 'viewer', '-s', 'x');
      expect(run.code).toBe(EXIT.FAILED);
      expect(run.stderr).toMatch(/AUTH_DISABLED=true/);
    });
  });

  describe('usage errors (exit code 2, nothing printed on stdout)', () => {
    it.each([
      ['an unknown role', ['-r', 'root', '-s', 'x'], /roles are administrator, auditor, viewer \(not root\)/],
      ['a role among known ones', ['-r', 'viewer,superuser', '-s', 'x'], /not superuser/],
      ['no role', ['-s', 'x'], /required option '-r, --role <roles>'/],
      ['no subject', ['-r', 'viewer'], /required option '-s, --sub <subject>'/],
      ['a subject with a newline', ['-r', 'viewer', '-s', 'a\nb'], /the subject must not contain control/],
      ['a subject of 201 characters', ['-r', 'viewer', '-s', 'x'.repeat(201)], /the subject must be at most 200 characters/],
      ['a lifetime without a unit', ['-r', 'viewer', '-s', 'x', '--expires-in', '12'], /a number and a unit/],
      ['a negative lifetime', ['-r', 'viewer', '-s', 'x', '--expires-in', '-1h'], /a number and a unit/],
      ['an authority of 3 digits', ['-r', 'administrator', '-s', 'x', '--authority', '079'], /a 2-digit code such as 74, or '\*' for every authority \(not 079\)/],
      ['a wildcard inside a code', ['-r', 'administrator', '-s', 'x', '--authority', '7*'], /not 7\*/],
      ['an empty authority', ['-r', 'administrator', '-s', 'x', '--authority', ','], /a 2-digit code/],
    ])('refuses %s', async (_, args, message) => {
      const run = await cli({ DATA_DIR: dataDir }, 'token', ...args);
      expect(run.code).toBe(EXIT.USAGE);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(message);
    });
  });

  it('is listed in --help', async () => {
    const run = await cli({}, '--help');
    expect(run.stdout).toMatch(/^\s+token \[options\]\s+print a signed bearer token/m);
  });
});
