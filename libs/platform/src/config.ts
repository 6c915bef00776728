import { resolve } from 'node:path';

/** Everything the apps read from the environment, read in one place. */
export interface AppConfig {
  /** `postgres://…`; absent means "start an embedded PostgreSQL under dataDir". */
  databaseUrl: string | undefined;
  dataDir: string;
  embeddedPostgresPort: number;
  port: number;
  logLevel: string;
  /** Upper bound of a JSON request body, in bytes. */
  bodyLimitBytes: number;
  /** Whether the api runs the projector in its own process (PROJECTOR=off to leave it to apps/projector). */
  runProjector: boolean;
  /** Load the synthetic Bình Dương scenario when the embedded database is empty (SEED=off to skip). */
  seedWhenEmpty: boolean;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  return {
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: resolve(env.DATA_DIR ?? './.data'),
    embeddedPostgresPort: integer(env, 'EMBEDDED_POSTGRES_PORT', 54329),
    port: integer(env, 'PORT', 3000),
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    bodyLimitBytes: integer(env, 'BODY_LIMIT_BYTES', 64 * 1024),
    runProjector: env.PROJECTOR !== 'off',
    seedWhenEmpty: env.SEED !== 'off',
  };
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}
