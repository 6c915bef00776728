import { resolve } from 'node:path';
import { parseDecimalInteger } from './decimal-integer.js';
import { DEFAULT_DATABASE_BOUNDS, type DatabaseBounds } from './database-bounds.js';

/**
 * Which event store the apps use (EVENT_STORE): PostgreSQL, the default, in the same database as the
 * read models; or KurrentDB at KURRENTDB_CONNECTION_STRING, with PostgreSQL kept for the read models,
 * their checkpoints and the idempotency keys.
 */
export type EventStoreConfig = { kind: 'postgres' } | { kind: 'kurrentdb'; connectionString: string };

/** Everything the apps read from the environment, read in one place. */
export interface AppConfig {
  /** `postgres://…`; absent means "start an embedded PostgreSQL under dataDir". */
  databaseUrl: string | undefined;
  /** DATABASE_READ_URL: a streaming replica for the queries (docs/running-at-scale.md); absent: queries on DATABASE_URL. */
  databaseReadUrl: string | undefined;
  /** DATABASE_READ_FALLBACK: `primary` (default), queries go to the primary while the replica is unreachable; `refuse`: they answer 503. */
  databaseReadFallback: 'primary' | 'refuse';
  dataDir: string;
  embeddedPostgresPort: number;
  /**
   * EMBEDDED_REPLICA=1 (or true, on): without DATABASE_URL, `npm start` also starts a streaming replica
   * of the embedded PostgreSQL (its cluster in DATA_DIR/replica, port EMBEDDED_REPLICA_PORT, default
   * EMBEDDED_POSTGRES_PORT + 1) and sends the queries to it, as DATABASE_READ_URL would.
   */
  embeddedReplica: boolean;
  embeddedReplicaPort: number;
  port: number;
  logLevel: string;
  /** Upper bound of a JSON request body, in bytes. */
  bodyLimitBytes: number;
  /** Whether the api runs the projector in its own process (PROJECTOR=off to leave it to apps/projector). */
  runProjector: boolean;
  /** Load the synthetic Bình Dương scenario when the embedded database is empty (SEED=off to skip). */
  seedWhenEmpty: boolean;
  auth: AuthConfig;
  /** Origins allowed to call the api from a browser (CORS_ORIGINS, comma separated; `*` any); none by default. */
  corsOrigins: string[];
  /** Commands each client (token subject) may send per window; `limit` 0 turns the limit off. */
  commandRateLimit: RateLimitConfig;
  /** When /health calls the projector `behind` (see SECURITY.md, "Faults"). */
  projectorBehind: ProjectorBehindConfig;
  eventStore: EventStoreConfig;
  /** `kurrentdb://…` (KURRENTDB_CONNECTION_STRING), read even when EVENT_STORE=postgres: `migrate-events` needs it. */
  kurrentdbConnectionString: string | undefined;
  /** apps/projector touches this file while it projects (PROJECTOR_HEARTBEAT_FILE), for container health checks. */
  projectorHeartbeatFile: string | undefined;
  /** How often a standby projector asks for the leader lock, in ms (PROJECTOR_ELECTION_POLL_MS, default 500). */
  projectorElectionPollMs: number;
  /** How long each database call of the api and the projector may take (DATABASE_*_TIMEOUT_MS). */
  databaseBounds: DatabaseBounds;
  /** Bounds of the api's HTTP connections (HTTP_*_TIMEOUT_MS). */
  httpTimeouts: HttpTimeouts;
}

/**
 * node's http server bounds, in milliseconds (0 turns one off). A client that trickles its request
 * (slow loris) is cut off by the first two; an idle keep-alive connection by the third.
 */
export interface HttpTimeouts {
  /** The whole header block must arrive within this (HTTP_HEADERS_TIMEOUT_MS, default 10,000). */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (HTTP_REQUEST_TIMEOUT_MS, default 30,000). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this (HTTP_KEEP_ALIVE_TIMEOUT_MS, default 5,000). */
  keepAliveTimeoutMs: number;
}

export const DEFAULT_HTTP_TIMEOUTS: HttpTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000, keepAliveTimeoutMs: 5_000 };

/** Bearer JWT verification (SECURITY.md, "Authentication"). */
export interface AuthConfig {
  /** AUTH_JWT_SECRET: HS256 shared secret, at least 32 bytes. */
  jwtSecret: string | undefined;
  /** AUTH_JWKS_URL: the identity provider's JSON Web Key Set, for RS256/ES256 tokens. */
  jwksUrl: string | undefined;
  /** AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE: checked when set (`iss`, `aud`). */
  issuer: string | undefined;
  audience: string | undefined;
  /** AUTH_ROLES_CLAIM: the claim holding the roles (default `roles`; a dotted path such as `realm_access.roles`). */
  rolesClaim: string;
  /**
   * AUTH_AUTHORITIES_CLAIM: the claim holding the authority scope — the 2-digit codes of the units the
   * caller acts for, or `*` (default `authorities`; a dotted path, an array or names separated by spaces or commas).
   */
  authoritiesClaim: string;
  /** AUTH_QUERY_SCOPE=restricted: queries too are limited to the caller's scope (default `open`). */
  queryScope: 'open' | 'restricted';
  /** AUTH_DISABLED=true: no token needed, every caller is an `anonymous` administrator. Local development only. */
  disabled: boolean;
}

export interface RateLimitConfig {
  limit: number;
  windowSeconds: number;
}

export interface ProjectorBehindConfig {
  /** More events than this not yet projected (PROJECTOR_BEHIND_AFTER_EVENTS, default 1000). */
  events: number;
  /** The oldest event not yet projected is older than this (PROJECTOR_BEHIND_AFTER_SECONDS, default 30). */
  seconds: number;
}

/** HS256 wants a key at least as long as its hash (RFC 7518 §3.2). */
export const MIN_JWT_SECRET_BYTES = 32;

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const embeddedPostgresPort = integer(env, 'EMBEDDED_POSTGRES_PORT', 54329);
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    databaseReadUrl: env.DATABASE_READ_URL || undefined,
    databaseReadFallback: readFallback(env.DATABASE_READ_FALLBACK),
    dataDir: resolve(env.DATA_DIR ?? './.data'),
    embeddedPostgresPort,
    embeddedReplica: flag(env, 'EMBEDDED_REPLICA'),
    embeddedReplicaPort: integer(env, 'EMBEDDED_REPLICA_PORT', embeddedPostgresPort + 1),
    port: integer(env, 'PORT', 3000),
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 64 * 1024),
    runProjector: env.PROJECTOR !== 'off',
    seedWhenEmpty: env.SEED !== 'off',
    auth: readAuthConfig(env),
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    commandRateLimit: {
      limit: integer(env, 'RATE_LIMIT_COMMANDS', 100),
      windowSeconds: positiveInteger(env, 'RATE_LIMIT_WINDOW_SECONDS', 10),
    },
    projectorBehind: {
      events: integer(env, 'PROJECTOR_BEHIND_AFTER_EVENTS', 1_000),
      seconds: integer(env, 'PROJECTOR_BEHIND_AFTER_SECONDS', 30),
    },
    eventStore: readEventStoreConfig(env),
    kurrentdbConnectionString: env.KURRENTDB_CONNECTION_STRING || undefined,
    projectorHeartbeatFile: env.PROJECTOR_HEARTBEAT_FILE || undefined,
    projectorElectionPollMs: positiveInteger(env, 'PROJECTOR_ELECTION_POLL_MS', 500),
    databaseBounds: readDatabaseBounds(env),
    httpTimeouts: readHttpTimeouts(env),
  };
}

/** A switch: 1, true, on, yes turn it on; 0, false, off, no or unset leave it off; anything else is refused. */
function flag(env: NodeJS.ProcessEnv, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (!raw || ['0', 'false', 'off', 'no'].includes(raw)) return false;
  if (['1', 'true', 'on', 'yes'].includes(raw)) return true;
  throw new Error(`${name} must be 1/true/on or 0/false/off, got '${env[name]}'`);
}

function readFallback(raw: string | undefined): 'primary' | 'refuse' {
  const value = raw?.trim() || 'primary';
  if (value !== 'primary' && value !== 'refuse') throw new Error(`DATABASE_READ_FALLBACK must be primary or refuse, got '${raw}'`);
  return value;
}

function readDatabaseBounds(env: NodeJS.ProcessEnv): DatabaseBounds {
  const d = DEFAULT_DATABASE_BOUNDS;
  const statementTimeoutMs = integer(env, 'DATABASE_STATEMENT_TIMEOUT_MS', d.statementTimeoutMs);
  // Unless set, the client-side bound follows the server's, 5 s later: the server's answer comes first.
  const queryFallback = statementTimeoutMs === 0 ? d.queryTimeoutMs : statementTimeoutMs + 5_000;
  return {
    statementTimeoutMs,
    idleInTransactionTimeoutMs: integer(env, 'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS', d.idleInTransactionTimeoutMs),
    queryTimeoutMs: integer(env, 'DATABASE_QUERY_TIMEOUT_MS', queryFallback),
    connectTimeoutMs: positiveInteger(env, 'DATABASE_CONNECT_TIMEOUT_MS', d.connectTimeoutMs),
    keepAliveInitialDelayMs: d.keepAliveInitialDelayMs,
  };
}

function readHttpTimeouts(env: NodeJS.ProcessEnv): HttpTimeouts {
  const d = DEFAULT_HTTP_TIMEOUTS;
  const timeouts = {
    headersTimeoutMs: integer(env, 'HTTP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs),
    requestTimeoutMs: integer(env, 'HTTP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs),
    keepAliveTimeoutMs: integer(env, 'HTTP_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs),
  };
  // node refuses a headers timeout longer than the request timeout.
  if (timeouts.requestTimeoutMs > 0 && timeouts.headersTimeoutMs > timeouts.requestTimeoutMs) {
    throw new Error(`HTTP_HEADERS_TIMEOUT_MS (${timeouts.headersTimeoutMs}) must not exceed HTTP_REQUEST_TIMEOUT_MS (${timeouts.requestTimeoutMs})`);
  }
  return timeouts;
}

function readEventStoreConfig(env: NodeJS.ProcessEnv): EventStoreConfig {
  const kind = env.EVENT_STORE || 'postgres';
  if (kind === 'postgres') return { kind };
  if (kind !== 'kurrentdb') throw new Error(`EVENT_STORE must be postgres or kurrentdb, got '${kind}'`);
  const connectionString = env.KURRENTDB_CONNECTION_STRING;
  if (!connectionString) {
    throw new Error('EVENT_STORE=kurrentdb needs KURRENTDB_CONNECTION_STRING, e.g. kurrentdb://localhost:2113?tls=false');
  }
  return { kind, connectionString };
}

function readAuthConfig(env: NodeJS.ProcessEnv): AuthConfig {
  const jwtSecret = env.AUTH_JWT_SECRET || undefined;
  if (jwtSecret !== undefined && Buffer.byteLength(jwtSecret, 'utf8') < MIN_JWT_SECRET_BYTES) {
    throw new Error(`AUTH_JWT_SECRET must be at least ${MIN_JWT_SECRET_BYTES} bytes long (try: openssl rand -base64 48)`);
  }
  const jwksUrl = env.AUTH_JWKS_URL || undefined;
  if (jwksUrl !== undefined) checkJwksUrl(jwksUrl);
  const rolesClaim = claimPath(env, 'AUTH_ROLES_CLAIM', 'roles', 'realm_access.roles');
  const authoritiesClaim = claimPath(env, 'AUTH_AUTHORITIES_CLAIM', 'authorities', 'tthc.authorities');
  if (rolesClaim === authoritiesClaim || rolesClaim.startsWith(`${authoritiesClaim}.`) || authoritiesClaim.startsWith(`${rolesClaim}.`)) {
    throw new Error(`AUTH_ROLES_CLAIM (${rolesClaim}) and AUTH_AUTHORITIES_CLAIM (${authoritiesClaim}) must be distinct claims, neither inside the other`);
  }
  const queryScope = env.AUTH_QUERY_SCOPE || 'open';
  if (queryScope !== 'open' && queryScope !== 'restricted') {
    throw new Error(`AUTH_QUERY_SCOPE must be open or restricted, got '${queryScope}'`);
  }
  const disabled = boolean(env, 'AUTH_DISABLED', false);
  if (disabled && (jwtSecret !== undefined || jwksUrl !== undefined)) {
    throw new Error('AUTH_DISABLED=true contradicts AUTH_JWT_SECRET / AUTH_JWKS_URL: set one or the other');
  }
  return {
    jwtSecret,
    jwksUrl,
    issuer: env.AUTH_JWT_ISSUER || undefined,
    audience: env.AUTH_JWT_AUDIENCE || undefined,
    rolesClaim,
    authoritiesClaim,
    queryScope,
    disabled,
  };
}

/** A claim name or dotted path from `variable`, never a registered claim (RFC 7519 §4.1). */
function claimPath(env: NodeJS.ProcessEnv, variable: string, fallback: string, example: string): string {
  const path = env[variable] || fallback;
  if (!/^[A-Za-z0-9_:\/-]+(\.[A-Za-z0-9_:\/-]+)*$/.test(path)) {
    throw new Error(`${variable} must be a claim name or a dotted path such as ${example}, got '${path}'`);
  }
  if (['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti'].includes(path.split('.')[0])) {
    throw new Error(`${variable} cannot be a registered claim (RFC 7519 §4.1), got '${path}'`);
  }
  return path;
}

/** Keys fetched over plain http could be swapped on the way: https, except on the loopback. */
function checkJwksUrl(raw: string): void {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`AUTH_JWKS_URL must be a URL, got '${raw}'`);
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new Error(`AUTH_JWKS_URL must be an https:// URL (http:// only on localhost), got '${raw}'`);
  }
}

/** A non-negative integer (positive with `min` 1), read as every integer parameter is: `parseDecimalInteger`. */
function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = parseDecimalInteger(raw.trim(), { min, max: Number.MAX_SAFE_INTEGER });
  if (value === undefined) throw new Error(`${name} must be a ${min === 0 ? 'non-negative' : 'positive'} integer, got '${raw}'`);
  return value;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  return integer(env, name, fallback, 1);
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new Error(`${name} must be true or false, got '${env[name]}'`);
}

/** `*`, or origins as browsers send them: scheme, host and port, no path (https://dashboard.example.vn). */
function corsOrigins(raw: string | undefined): string[] {
  const origins = (raw ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const origin of origins) {
    if (origin === '*') continue;
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    if (parsed?.origin !== origin) throw new Error(`CORS_ORIGINS must list origins such as https://dashboard.example.vn, got '${origin}'`);
  }
  return origins;
}
