import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { SCOPE_ENTRY } from '@tthc/domain';
import { MIN_JWT_SECRET_BYTES, type AppConfig } from './config.js';

/**
 * The roles of API.md: `administrator` issues commands and reads everything, `auditor` reads the
 * queries and the audit endpoints, `viewer` the queries.
 */
export const ROLES = ['administrator', 'auditor', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** The embedded default's signing secret, beside the embedded PostgreSQL under DATA_DIR. */
export const SIGNING_SECRET_FILE = 'jwt-secret';

export interface SigningSecret {
  secret: string;
  source: 'AUTH_JWT_SECRET' | 'file';
  /** The file it was read from (or written to). */
  path?: string;
  /** The file was created just now. */
  created?: boolean;
  /** The file can be read by users other than its owner. */
  readableByOthers?: boolean;
}

export function signingSecretPath(dataDir: string): string {
  return join(dataDir, SIGNING_SECRET_FILE);
}

/**
 * The HS256 secret tokens are signed and verified with: AUTH_JWT_SECRET, else — only for the embedded
 * default, without DATABASE_URL — the file `DATA_DIR/jwt-secret`, created (48 random bytes, mode 0600)
 * when `create` is set. Undefined when there is none: with DATABASE_URL, a secret must be configured.
 */
export async function loadSigningSecret(config: AppConfig, options: { create: boolean }): Promise<SigningSecret | undefined> {
  if (config.auth.jwtSecret !== undefined) return { secret: config.auth.jwtSecret, source: 'AUTH_JWT_SECRET' };
  if (config.databaseUrl !== undefined) return undefined;
  const path = signingSecretPath(config.dataDir);
  let created = false;
  let secret = await readSecretFile(path);
  if (secret === undefined) {
    if (!options.create) return undefined;
    await mkdir(config.dataDir, { recursive: true });
    try {
      // `wx`: two processes starting at once must not each write their own.
      await writeFile(path, `${randomBytes(48).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
      created = true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    secret = await readSecretFile(path);
    if (secret === undefined) throw new Error(`could not read the signing secret just written to ${path}`);
  }
  if (Buffer.byteLength(secret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    throw new Error(`the signing secret in ${path} is shorter than ${MIN_JWT_SECRET_BYTES} bytes: delete the file to have a new one made`);
  }
  const { mode } = await stat(path);
  return { secret, source: 'file', path, created, readableByOthers: (mode & 0o077) !== 0 };
}

async function readSecretFile(path: string): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/** Longest subject recorded as an event's actor. */
export const MAX_SUBJECT_LENGTH = 200;

// Controls, format characters (bidi controls, zero-width, tags), lone surrogates, private use, line
// and paragraph separators: a subject is recorded as who did what, and must read as it is.
const UNPRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}]/u;

/** Why `subject` cannot be an actor, or undefined when it can. */
export function subjectProblem(subject: unknown): string | undefined {
  if (typeof subject !== 'string' || subject.trim() === '') return 'must be a non-empty string';
  if (subject.length > MAX_SUBJECT_LENGTH) return `must be at most ${MAX_SUBJECT_LENGTH} characters`;
  if (subject !== subject.trim()) return 'must not start or end with white space';
  if (UNPRINTABLE.test(subject)) return 'must not contain control, format or invisible characters';
  return undefined;
}

/** The claim value at a dotted path (`realm_access.roles`), or undefined. */
export function claimAt(payload: Record<string, unknown>, path: string): unknown {
  let value: unknown = payload;
  for (const key of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, key)) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** `payload` with `value` set at the dotted `path` (objects on the way made or extended, never shared). */
export function claimsWith(path: string, value: unknown, payload: Record<string, unknown> = {}): Record<string, unknown> {
  const [key, ...rest] = path.split('.');
  if (rest.length === 0) return { ...payload, [key]: value };
  const inner = payload[key];
  const base = typeof inner === 'object' && inner !== null && !Array.isArray(inner) ? (inner as Record<string, unknown>) : {};
  return { ...payload, [key]: claimsWith(rest.join('.'), value, base) };
}

export interface MintOptions {
  secret: string;
  subject: string;
  roles: readonly Role[];
  /** The authority scope: 2-digit codes, or `*` for national staff; none when undefined. */
  authorities?: readonly string[];
  /** A zeit/ms-like span: `90s`, `30m`, `12h`, `7d`. */
  expiresIn: string;
  issuer?: string;
  audience?: string;
  rolesClaim?: string;
  authoritiesClaim?: string;
  now?: Date;
}

export const EXPIRES_IN_PATTERN = /^[1-9][0-9]{0,5}[smhd]$/;

/** An HS256 token the api accepts when it verifies with the same secret (`tthc-ledger token`). */
export async function mintToken(options: MintOptions): Promise<string> {
  const problem = subjectProblem(options.subject);
  if (problem) throw new Error(`the subject ${problem}`);
  if (!EXPIRES_IN_PATTERN.test(options.expiresIn)) throw new Error(`expiresIn must be a number and a unit (s, m, h, d), such as 12h`);
  const bad = options.authorities?.find((a) => !SCOPE_ENTRY.test(a));
  if (bad !== undefined) throw new Error(`an authority must be a 2-digit code or *, not '${bad}'`);
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  let claims = claimsWith(options.rolesClaim ?? 'roles', [...options.roles]);
  if (options.authorities !== undefined) claims = claimsWith(options.authoritiesClaim ?? 'authorities', [...options.authorities], claims);
  let jwt = new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.subject)
    .setIssuedAt(now)
    .setJti(randomUUID())
    .setExpirationTime(now + seconds(options.expiresIn));
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}

function seconds(span: string): number {
  const amount = Number(span.slice(0, -1));
  return amount * { s: 1, m: 60, h: 3_600, d: 86_400 }[span.slice(-1) as 's' | 'm' | 'h' | 'd'];
}
