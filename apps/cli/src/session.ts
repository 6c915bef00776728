import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EmbeddedPostgresError, provideDatabase, readConfig, type AppConfig, type DatabaseServer, type EventStoreConfig, type SupervisorLog } from '@tthc/platform';
import { CliModule } from './cli.module.js';
import { CliError } from './errors.js';
import { EXIT } from './exit-codes.js';
import type { CliIO } from './io.js';

/** What a command that needs the database runs in; `close` releases the context and the database. */
export interface CliSession {
  app: INestApplicationContext;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Report the database's start-up on stderr. */
  verbose: boolean;
}

/** How the program reaches the outside world; tests substitute buffers and a test database. */
export interface CliRuntime {
  io: CliIO;
  openSession(options: SessionOptions): Promise<CliSession>;
  /** The environment commands read beyond the session (`token`: AUTH_*, DATA_DIR); process.env when absent. */
  env?: NodeJS.ProcessEnv;
}

/** The Nest application context of the cli, on the database at `databaseUrl` (and EVENT_STORE's store). */
export function createCliContext(databaseUrl: string, eventStore?: EventStoreConfig): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(CliModule.forRoot({ databaseUrl, eventStore }), {
    logger: ['error', 'warn'],
    // Nest's default is process.abort() on a bootstrap error, which would leave an embedded server behind.
    abortOnError: false,
  });
}

/**
 * The database as the api gets it (DATABASE_URL, or the embedded PostgreSQL under DATA_DIR), except
 * that an embedded server already running there (the api's) is used rather than started twice.
 */
export async function openSession(env: NodeJS.ProcessEnv, io: CliIO, options: SessionOptions): Promise<CliSession> {
  let config: AppConfig;
  try {
    config = readConfig(env);
  } catch (error) {
    throw new CliError((error as Error).message, EXIT.USAGE);
  }
  // Warnings (a moved cluster, a taken-over server) always; the rest with --verbose.
  const log: SupervisorLog = (level, message) => {
    if (options.verbose || level !== 'info') io.stderr.write(`${message}\n`);
  };
  let server: DatabaseServer;
  try {
    server = await provideDatabase(config.databaseUrl, {
      dataDir: config.dataDir,
      port: config.embeddedPostgresPort,
      persistent: true,
      reuseRunning: true,
      log,
    });
  } catch (error) {
    if (error instanceof EmbeddedPostgresError) {
      const tail = error.logTail.length > 0 ? `\n${error.logTail.join('\n')}` : '';
      throw new CliError(`${error.message}${tail}`, EXIT.UNAVAILABLE, { cause: error });
    }
    const cause = (error as { cause?: Error }).cause;
    const detail = cause?.message ? ` (${cause.message})` : '';
    throw new CliError(`${(error as Error).message}${detail}`, EXIT.UNAVAILABLE, { cause: error });
  }
  let app: INestApplicationContext;
  try {
    app = await createCliContext(server.url, config.eventStore);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    app,
    async close() {
      try {
        await app.close();
      } finally {
        await server.stop();
      }
    },
  };
}

export function processRuntime(env: NodeJS.ProcessEnv, io: CliIO): CliRuntime {
  return { io, env, openSession: (options) => openSession(env, io, options) };
}
