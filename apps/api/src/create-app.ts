import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type pg from 'pg';
import type { DestinationStream } from 'pino';
import { PG_POOL, readConfig } from '@tthc/platform';
import { ApiModule } from './api.module.js';
import { migrateDatabase } from './database/api-schema.js';
import { correlationIdMiddleware } from './http/correlation-id.js';
import { ProblemExpressAdapter } from './http/express-adapter.js';
import type { IdempotencyOptions } from './idempotency/idempotency.store.js';
import { createRootLogger, PinoLoggerService, requestLogger } from './logging/logger.js';
import { setUpOpenApi } from './openapi.js';

export interface CreateAppOptions {
  databaseUrl: string;
  /** pino level; defaults to LOG_LEVEL (`silent` under NODE_ENV=test). */
  logLevel?: string;
  /** Where the JSON log lines go; stdout by default. */
  logDestination?: DestinationStream;
  /** Largest JSON body accepted; defaults to BODY_LIMIT_BYTES (64 KiB). */
  bodyLimitBytes?: number;
  /** Apply the event store's and the api's migrations first (default true). */
  migrate?: boolean;
  idempotency?: Partial<IdempotencyOptions>;
  /** Run the projector in this process (default: unless PROJECTOR=off). */
  runProjector?: boolean;
}

/**
 * Builds the HTTP application, configured as it is served; `main.ts`, the e2e tests and other apps
 * share it. The caller calls `init()` or `listen()`, and `close()`.
 *
 * @example
 *   const app = await createApp({ databaseUrl, logLevel: 'silent' });
 *   await app.init();
 *   await request(app.getHttpServer()).get('/health').expect(200);
 */
export async function createApp(options: CreateAppOptions): Promise<NestExpressApplication> {
  const config = readConfig();
  const rootLogger = createRootLogger(options.logLevel ?? config.logLevel, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot({
      databaseUrl: options.databaseUrl,
      idempotency: options.idempotency,
      runProjector: options.runProjector ?? config.runProjector,
    }),
    new ProblemExpressAdapter(),
    { logger: new PinoLoggerService(rootLogger), bodyParser: false, abortOnError: false },
  );
  if (options.migrate ?? true) {
    try {
      await migrateDatabase(app.get<pg.Pool>(PG_POOL), (message) => rootLogger.info(message));
    } catch (error) {
      await app.close().catch(() => undefined); // ends the pool
      throw error;
    }
  }

  app.disable('x-powered-by');
  // An ETag here is always a stream revision, never a hash of the body that express would add.
  app.set('etag', false);
  // Before the body parser, so that a refused body (413, malformed JSON) is logged and correlated too.
  app.use(correlationIdMiddleware);
  app.use(requestLogger(rootLogger));
  app.useBodyParser('json', { limit: options.bodyLimitBytes ?? config.bodyLimitBytes });

  app.setGlobalPrefix('api', { exclude: ['health', 'metrics', 'docs'] });
  setUpOpenApi(app);
  return app;
}
