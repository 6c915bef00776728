import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import pg from 'pg';
import { clusterDirectory } from './embedded/cluster-location.js';
import { EmbeddedPostgresError } from './embedded/embedded-postgres.error.js';
import { preparePostgresRuntime } from './embedded/postgres-runtime.js';
import { PostgresSupervisor, type SupervisorLog } from './embedded/postgres-supervisor.js';
import { readPostmasterPid, runningPostmaster } from './embedded/postmaster.js';

export { EmbeddedPostgresError } from './embedded/embedded-postgres.error.js';
export { removeAbandonedServers } from './embedded/abandoned-servers.js';
export type { SupervisorLog } from './embedded/postgres-supervisor.js';
export { startStreamingReplica, type StreamingReplica, type StreamingReplicaOptions } from './embedded/streaming-replica.js';

export interface DatabaseServer {
  /** Connection string of the application database. */
  url: string;
  embedded: boolean;
  /** The embedded server's supervisor, when this process runs it (not when it joined another's). */
  supervisor?: PostgresSupervisor;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  /** DATA_DIR: the cluster is `dataDir/postgres` (see clusterDirectory), its log `dataDir/postgres.log`. */
  dataDir: string;
  port: number;
  /** Keep the cluster when stopped (false: removed, for throw-away test servers). */
  persistent: boolean;
  database?: string;
  /** Start the server again, with back-off, whenever it dies (the api, the projector). */
  restart?: boolean;
  /** max_connections (default 200). */
  maxConnections?: number;
  /** A folder laid out as the binaries package's `native/` (default: the installed package's). */
  nativeDir?: string;
  /** Where the start-up, a takeover, a death and a restart are reported. */
  log?: SupervisorLog;
  /**
   * Use the server already running on `dataDir` (found by its postmaster.pid) instead of starting a
   * second one; `stop()` then leaves it running. For short-lived tools (the cli) next to a running api.
   */
  reuseRunning?: boolean;
}

/** The superuser of every embedded cluster. */
export const EMBEDDED_USER = 'postgres';
// Only reachable on 127.0.0.1 (listen_addresses); the password guards against other local users.
export const EMBEDDED_PASSWORD = 'tthc-ledger-embedded';

/** Uses `DATABASE_URL` when given, otherwise the embedded PostgreSQL of `options.dataDir` (startEmbeddedPostgres). */
export async function provideDatabase(databaseUrl: string | undefined, options: EmbeddedOptions): Promise<DatabaseServer> {
  if (databaseUrl) return { url: databaseUrl, embedded: false, stop: async () => undefined };
  return startEmbeddedPostgres(options);
}

/**
 * A real PostgreSQL from the `@embedded-postgres/<os>-<arch>` binaries, run and supervised by this
 * process (libs/platform/src/embedded: who runs it and from where, where its cluster lives, the
 * supervisor). The one way the api, the projector, the cli, the benchmarks and the tests start it.
 * Throws EmbeddedPostgresError, one sentence saying what to do, when it cannot.
 */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<DatabaseServer> {
  const log = options.log ?? (() => undefined);
  const database = options.database ?? 'tthc_ledger';
  const urlOn = (port: number, name: string) => `postgres://${EMBEDDED_USER}:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${name}`;
  const runtime = await preparePostgresRuntime({ nativeDir: options.nativeDir, log: (message) => log('info', message) });
  const { clusterDir, moved } = await clusterDirectory(options.dataDir, runtime);
  if (moved) {
    log('warn', `the user postgres cannot enter ${options.dataDir}: its cluster is kept in ${clusterDir} (linked from ${options.dataDir}/postgres; README "Operations")`);
  }

  if (options.reuseRunning) {
    const running = await runningPostmaster(clusterDir);
    if (running && (await becomesReady(clusterDir, running.pid))) {
      await ensureDatabaseExists(urlOn(running.port, 'postgres'), database);
      log('info', `using the embedded PostgreSQL already running on 127.0.0.1:${running.port}, data in ${clusterDir}`);
      return { url: urlOn(running.port, database), embedded: true, stop: async () => undefined };
    }
  }

  const supervisor = new PostgresSupervisor({
    runtime,
    clusterDir,
    dataDir: options.dataDir,
    port: options.port,
    user: EMBEDDED_USER,
    password: EMBEDDED_PASSWORD,
    maxConnections: options.maxConnections ?? 200,
    restart: options.restart ?? false,
    removeOnStop: !options.persistent,
    log,
  });
  await supervisor.start();
  try {
    await ensureDatabaseExists(urlOn(options.port, 'postgres'), database);
  } catch (error) {
    await supervisor.stop();
    throw new EmbeddedPostgresError(`The embedded PostgreSQL started but refused our connection (${(error as Error).message}): see ${supervisor.logFile}, or set DATABASE_URL.`, [], { cause: error });
  }
  log('info', `embedded PostgreSQL listening on 127.0.0.1:${options.port}, data in ${clusterDir}, its log in ${supervisor.logFile}`);
  const stop = async () => {
    await supervisor.stop();
    // A throw-away cluster kept away from its DATA_DIR: its folder there goes too.
    if (moved && !options.persistent) await rm(dirname(clusterDir), { recursive: true, force: true });
  };
  return { url: urlOn(options.port, database), embedded: true, supervisor, stop };
}

/** A server found running that is still starting up: waits (up to a minute) until it says `ready`. */
async function becomesReady(clusterDir: string, pid: number): Promise<boolean> {
  for (let waited = 0; waited < 60_000; waited += 100) {
    const recorded = await readPostmasterPid(clusterDir);
    if (recorded?.pid !== pid) return false;
    if (recorded.status === 'ready') return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return false;
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
