import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { startStreamingReplica, type StreamingReplica } from '@tthc/platform';
import { freePort } from './free-port.js';
import { startOwnPostgres, type OwnPostgres } from './own-postgres.js';

/** Two real servers of the test's own: a primary (startOwnPostgres) and a hot-standby streaming replica made from it. */
export interface PrimaryAndReplica {
  primary: OwnPostgres;
  replica: StreamingReplica;
  /** Rows of a statement run on the replica, on a connection of its own. */
  onReplica<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** Stops both (if running) and removes their files. */
  destroy(): Promise<void>;
}

export async function startPrimaryAndReplica(): Promise<PrimaryAndReplica> {
  const primary = await startOwnPostgres();
  const replicaDir = await mkdtemp(join(process.env.TEST_DATA_DIR ?? tmpdir(), 'tthc-ledger-replica-'));
  const replica = await startStreamingReplica({
    primaryUrl: primary.url,
    primaryClusterDir: primary.server.supervisor!.clusterDir,
    dataDir: replicaDir,
    port: await freePort(),
    maxConnections: 100,
  });
  return {
    primary,
    replica,
    async onReplica<R extends pg.QueryResultRow>(text: string, params: unknown[] = []) {
      const client = new pg.Client({ connectionString: replica.url });
      client.on('error', () => undefined);
      await client.connect();
      try {
        return (await client.query<R>(text, params)).rows;
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    async destroy() {
      await replica.stop().catch(() => undefined);
      await primary.destroy();
      await rm(replicaDir, { recursive: true, force: true });
      // A cluster kept away from its DATA_DIR (the user postgres cannot enter the temporary folder) goes too.
      const clusterDir = replica.supervisor.clusterDir;
      if (clusterDir !== join(replicaDir, 'postgres')) await rm(dirname(clusterDir), { recursive: true, force: true });
    },
  };
}
