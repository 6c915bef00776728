import { CommandBus } from '@nestjs/cqrs';
import { seedBinhDuong, toBusCommand } from '@tthc/application';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { provideDatabase, readConfig } from '@tthc/platform';
import { createApp } from './create-app.js';
import { createRootLogger } from './logging/logger.js';

/** Serves the HTTP API; without DATABASE_URL it starts (and stops) an embedded PostgreSQL under DATA_DIR. */
async function main(): Promise<void> {
  const config = readConfig();
  const logger = createRootLogger(config.logLevel);
  const log = (message: string) => logger.info(message);

  const database = await provideDatabase(config.databaseUrl, {
    dataDir: config.dataDir,
    port: config.embeddedPostgresPort,
    persistent: true,
    log,
  });
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    app = await createApp({ databaseUrl: database.url, logLevel: config.logLevel });
    await app.listen(config.port);
  } catch (error) {
    logger.fatal({ err: error }, 'could not start the api');
    await app?.close().catch(() => undefined);
    await database.stop().catch(() => undefined);
    process.exit(1);
  }
  logger.info({ url: `http://localhost:${config.port}` }, `api listening on http://localhost:${config.port} (docs at /docs)`);

  // A first `npm start` serves the demo data: the synthetic Bình Dương scenario, through the commands.
  if (database.embedded && config.seedWhenEmpty && (await app!.get<EventStore>(EVENT_STORE).headPosition()) === 0) {
    const bus = app!.get(CommandBus);
    logger.info('empty database: loading the synthetic Bình Dương (74) scenario (SEED=off to skip)');
    const started = Date.now();
    const result = await seedBinhDuong((command, context) => bus.execute(toBusCommand(command, context)), {
      onProgress: (done, total) => {
        if (done % 500 === 0 || done === total) logger.info(`seed: ${done}/${total} commands`);
      },
    });
    logger.info(`seed: ${result.commands} commands in ${Date.now() - started} ms, last position ${result.lastPosition}`);
  }

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    try {
      // The app first (stop taking requests, end the pool), then the database it was using.
      await app?.close();
      await database.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'shutdown failed');
      process.exit(1);
    }
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

await main();
