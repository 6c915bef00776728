import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres, type DatabaseServer, type SupervisorLog } from '@tthc/platform';
import { freePort } from './free-port.js';

/**
 * A PostgreSQL server of the test's own, which it may stop, start again or kill (the shared test
 * server cannot be): started by startEmbeddedPostgres, as `npm start` starts its own, persistent so
 * that a restart keeps the data.
 */
export interface OwnPostgres {
  /** Connection string of its `tthc_faults` database. */
  url: string;
  port: number;
  /** DATA_DIR: the cluster (`postgres/`) and the server's log (`postgres.log`). */
  dataDir: string;
  server: DatabaseServer;
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops it (if running) and removes its files. */
  destroy(): Promise<void>;
}

export interface OwnPostgresOptions {
  /** DATA_DIR (default: a fresh folder in the temporary folder); removed by destroy(). */
  dataDir?: string;
  /** Start it again, with back-off, when it dies (as the api does). */
  restart?: boolean;
  log?: SupervisorLog;
}

export async function startOwnPostgres(options: OwnPostgresOptions = {}): Promise<OwnPostgres> {
  const { dataDir = await mkdtemp(join(process.env.TEST_DATA_DIR ?? tmpdir(), 'tthc-ledger-faults-')), ...rest } = options;
  await mkdir(dataDir, { recursive: true });
  await chmod(dataDir, 0o755); // see global-setup.ts
  const port = await freePort();
  const server = await startEmbeddedPostgres({ dataDir, port, persistent: true, database: 'tthc_faults', maxConnections: 100, ...rest });
  let running = true;
  return {
    url: server.url,
    port,
    dataDir,
    server,
    async stop() {
      await server.stop();
      running = false;
    },
    async start() {
      await server.supervisor!.start();
      running = true;
    },
    async destroy() {
      if (running) await server.stop().catch(() => undefined);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
