import { join } from 'node:path';
import { provideDatabase, startStreamingReplica, type AppConfig, type StreamingReplica, type SupervisorLog } from '@tthc/platform';

/** The servers `npm start` uses: the primary, and where the queries go. */
export interface Databases {
  /** DATABASE_URL, or the embedded PostgreSQL's. */
  url: string;
  /** The queries' replica: the embedded one (EMBEDDED_REPLICA=1), else DATABASE_READ_URL, else none. */
  readUrl: string | undefined;
  embedded: boolean;
  /** The embedded streaming replica, when EMBEDDED_REPLICA=1 started one. */
  replica?: StreamingReplica;
  /** Stops what was started here: the replica first, then the primary. */
  stop(): Promise<void>;
}

/**
 * DATABASE_URL, or the embedded PostgreSQL under DATA_DIR (provideDatabase); with EMBEDDED_REPLICA=1
 * and the embedded default, also a hot-standby streaming replica of it from the same binaries
 * (startStreamingReplica: on the first start a base backup into DATA_DIR/replica, later starts just
 * start it), supervised and restarted like the primary, on EMBEDDED_REPLICA_PORT; the queries go to
 * it. Throws EmbeddedPostgresError when a server cannot be started (the primary is stopped again).
 */
export async function startDatabases(config: AppConfig, log: SupervisorLog): Promise<Databases> {
  const database = await provideDatabase(config.databaseUrl, {
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    persistent: true,
    restart: true,
    log,
  });
  if (!config.embeddedReplica) return { url: database.url, readUrl: config.databaseReadUrl, embedded: database.embedded, stop: () => database.stop() };
  if (!database.embedded || !database.supervisor) {
    log('warn', 'EMBEDDED_REPLICA=1 applies to the embedded PostgreSQL only (no DATABASE_URL): no replica started; DATABASE_READ_URL names one');
    return { url: database.url, readUrl: config.databaseReadUrl, embedded: database.embedded, stop: () => database.stop() };
  }
  if (config.databaseReadUrl) log('warn', 'EMBEDDED_REPLICA=1: the queries go to the embedded replica, not to DATABASE_READ_URL');
  let replica: StreamingReplica;
  try {
    replica = await startStreamingReplica({
      primaryUrl: database.url,
      primaryClusterDir: database.supervisor.clusterDir,
      dataDir: join(config.dataDir, 'replica'),
      port: config.embeddedReplicaPort,
      persistent: true,
      restart: true,
      log,
    });
  } catch (error) {
    await database.stop().catch(() => undefined);
    throw error;
  }
  log(
    'info',
    `read replica: a streaming replica of the embedded PostgreSQL on 127.0.0.1:${replica.port}, data in ${join(config.dataDir, 'replica')}, ` +
      `its log in ${replica.supervisor.logFile}; queries go to it, commands to the primary (EMBEDDED_REPLICA=1)`,
  );
  return {
    url: database.url,
    readUrl: replica.url,
    embedded: true,
    replica,
    async stop() {
      await replica.stop().catch(() => undefined);
      await database.stop();
    },
  };
}
