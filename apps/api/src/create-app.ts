import type { Server } from 'node:http';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type pg from 'pg';
import { json, raw } from 'body-parser';
import helmet from 'helmet';
import type { DestinationStream } from 'pino';
import { PG_POOL, readConfig, type DatabaseBounds, type EventStoreConfig, type HttpTimeouts, type ProjectorBehindConfig } from '@tthc/platform';
import { CommandBus } from '@nestjs/cqrs';
import { authoritiesAreSetUp, commandBusSetup, setupShippedAuthorities } from '@tthc/application';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { PROJECTION_RUNNER, type ProjectionRunner } from '@tthc/read-models';
import { ApiModule } from './api.module.js';
import { CSV_METADATA_HEADERS } from './authorities/national-summary.csv.js';
import { authOptionsFromConfig, type AuthOptions } from './auth/auth.options.js';
import { migrateDatabase } from './database/api-schema.js';
import type { RateLimitOptions } from './http/command-rate-limit.js';
import { CORRELATION_ID_HEADER, correlationIdMiddleware } from './http/correlation-id.js';
import { dashboardDirectory, dashboardOidcFromEnv, serveDashboard, type DashboardOidc } from './http/dashboard.js';
import { ProblemExpressAdapter } from './http/express-adapter.js';
import { jsonBodyParserOptions } from './http/json-body.js';
import { jsonDepthLimit } from './http/json-depth.js';
import type { IdempotencyOptions } from './idempotency/idempotency.store.js';
import { createRootLogger, PinoLoggerService, requestLogger } from './logging/logger.js';
import { httpMetrics } from './metrics/http-metrics.js';
import { ApiMetrics } from './metrics/api-metrics.js';
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
  /**
   * After migrating, initialise the app and load the shipped province files through the command bus
   * when the log has no unit yet (default: as `migrate`). `npm start` passes false and does it itself,
   * after the demo data's first stage when it seeds.
   */
  setupAuthorities?: boolean;
  idempotency?: Partial<IdempotencyOptions>;
  /** Run the projector in this process (default: unless PROJECTOR=off). */
  runProjector?: boolean;
  /**
   * How tokens are verified; defaults to AUTH_* (AUTH_JWT_SECRET, AUTH_JWKS_URL, AUTH_DISABLED), and
   * fails when none is set: `main.ts` adds the embedded default's DATA_DIR/jwt-secret.
   */
  auth?: AuthOptions;
  /** Commands per client and window; defaults to RATE_LIMIT_COMMANDS per RATE_LIMIT_WINDOW_SECONDS. */
  rateLimit?: Partial<RateLimitOptions>;
  /** Browser origins allowed by CORS; defaults to CORS_ORIGINS (none). */
  corsOrigins?: string[];
  /** When /health calls the projector behind; defaults to PROJECTOR_BEHIND_AFTER_EVENTS / _SECONDS. */
  projectorBehind?: Partial<ProjectorBehindConfig>;
  /** The event store; defaults to EVENT_STORE (postgres) and KURRENTDB_CONNECTION_STRING. */
  eventStore?: EventStoreConfig;
  /** How long each database call may take; defaults to DATABASE_*_TIMEOUT_MS. */
  databaseBounds?: Partial<DatabaseBounds>;
  /** The HTTP server's header, request and keep-alive timeouts; default HTTP_*_TIMEOUT_MS. */
  httpTimeouts?: Partial<HttpTimeouts>;
  /**
   * The dashboard's build to serve at `/` (index.html and assets/); default: DASHBOARD_DIR, else
   * dist/dashboard when built (`npm run build`); null serves none.
   */
  dashboardDir?: string | null;
  /** A streaming replica for the queries; defaults to DATABASE_READ_URL (none: queries on databaseUrl). */
  databaseReadUrl?: string;
  /** While the replica is unreachable: `primary` or `refuse` (503); defaults to DATABASE_READ_FALLBACK (primary). */
  databaseReadFallback?: 'primary' | 'refuse';
  /** The dashboard's OpenID Connect sign-in; default AUTH_OIDC_ISSUER / AUTH_OIDC_CLIENT_ID (none when unset). */
  dashboardOidc?: DashboardOidc;
}

/** The body limit of POST /api/authorities/{a}/decisions (a 100,000-row annex fits). */
export const DECISION_BODY_LIMIT_BYTES = 32 * 1024 * 1024;
const DECISIONS_PATH = /^\/api\/authorities\/[^/]+\/decisions\/?$/;

/** Headers a browser may send and read across origins (when CORS_ORIGINS allows the origin). */
const CORS_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Accept', 'If-Match', 'If-None-Match', 'Idempotency-Key', CORRELATION_ID_HEADER];
const CORS_RESPONSE_HEADERS = [
  'ETag', 'Retry-After', 'WWW-Authenticate', CORRELATION_ID_HEADER, 'Idempotent-Replayed',
  'X-RateLimit-Limit', 'X-RateLimit-Remaining', 'X-RateLimit-Reset', 'Content-Disposition', ...CSV_METADATA_HEADERS, 'Allow',
];

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
  const auth = options.auth ?? authOptionsFromConfig(config.auth);
  const rootLogger = createRootLogger(options.logLevel ?? config.logLevel, options.logDestination);
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot({
      databaseUrl: options.databaseUrl,
      idempotency: options.idempotency,
      runProjector: options.runProjector ?? config.runProjector,
      auth,
      rateLimit: { ...config.commandRateLimit, ...options.rateLimit },
      projectorBehind: { ...config.projectorBehind, ...options.projectorBehind },
      eventStore: options.eventStore ?? config.eventStore,
      databaseBounds: { ...config.databaseBounds, ...options.databaseBounds },
      databaseReadUrl: options.databaseReadUrl ?? config.databaseReadUrl,
      databaseReadFallback: options.databaseReadFallback ?? config.databaseReadFallback,
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
  // First: every request is timed, refused ones included.
  app.use(httpMetrics(app.get(ApiMetrics)));
  // Before the body parser, so that a refused body (413, malformed JSON) is logged and correlated too.
  app.use(correlationIdMiddleware);
  // helmet's defaults (nosniff, frame-ancestors 'self', no referrer, HSTS, …); its CSP suits Swagger UI
  // (scripts from 'self', inline styles), except that it must not upgrade /docs' assets to https on http.
  // The dashboard's OpenID sign-in fetches the provider's metadata and token endpoint from the page.
  const oidc = options.dashboardOidc ?? dashboardOidcFromEnv();
  app.use(
    helmet({
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, ...(oidc && { connectSrc: ["'self'", new URL(oidc.issuer).origin] }) } },
    }),
  );
  const corsOrigins = options.corsOrigins ?? config.corsOrigins;
  if (corsOrigins.length > 0) {
    // Bearer tokens, not cookies: no credentials, so that `*` stays harmless.
    app.enableCors({
      origin: corsOrigins.includes('*') ? '*' : corsOrigins,
      methods: ['GET', 'HEAD', 'POST'],
      allowedHeaders: CORS_REQUEST_HEADERS,
      exposedHeaders: CORS_RESPONSE_HEADERS,
      credentials: false,
      maxAge: 600,
    });
  }
  app.use(requestLogger(rootLogger));
  const dashboard = options.dashboardDir === undefined ? dashboardDirectory() : options.dashboardDir;
  if (dashboard) serveDashboard(app, dashboard, oidc);
  // A decision's annex lists up to 100,000 items: its endpoint takes larger bodies, JSON or CSV (raw
  // bytes, decoded strictly as UTF-8 by the controller so that a wrong encoding is named, not garbled).
  app.use(DECISIONS_PATH, json(jsonBodyParserOptions(DECISION_BODY_LIMIT_BYTES)), raw({ type: 'text/csv', limit: DECISION_BODY_LIMIT_BYTES }));
  app.useBodyParser('json', jsonBodyParserOptions(options.bodyLimitBytes ?? config.bodyLimitBytes));
  app.use(jsonDepthLimit());

  app.setGlobalPrefix('api', { exclude: ['health', 'metrics', 'docs'] });
  setUpOpenApi(app);
  boundHttpServer(app.getHttpServer(), { ...config.httpTimeouts, ...options.httpTimeouts });
  if (options.setupAuthorities ?? options.migrate ?? true) {
    await app.init(); // the command bus has its handlers once the app is initialised
    const store = app.get<EventStore>(EVENT_STORE);
    if (!(await authoritiesAreSetUp(store))) {
      await setupShippedAuthorities(commandBusSetup(app.get(CommandBus)));
      // Queries name units through the lineage read model: an in-process projector gets there first.
      if (options.runProjector ?? config.runProjector) await app.get<ProjectionRunner>(PROJECTION_RUNNER).waitForPosition(await store.headPosition(), 15_000);
    }
  }
  return app;
}

/**
 * node's bounds on a client's connection (see HttpTimeouts). node checks the header and request
 * timeouts every `connectionsCheckingInterval` (30 s by default, read when the server starts
 * listening): checked at a quarter of the smallest, at most every second, so that they hold to within it.
 */
function boundHttpServer(server: Server, timeouts: HttpTimeouts): void {
  server.headersTimeout = timeouts.headersTimeoutMs;
  server.requestTimeout = timeouts.requestTimeoutMs;
  server.keepAliveTimeout = timeouts.keepAliveTimeoutMs;
  const bounds = [timeouts.headersTimeoutMs, timeouts.requestTimeoutMs].filter((ms) => ms > 0);
  if (bounds.length > 0) {
    (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(25, Math.min(1_000, Math.min(...bounds) / 4));
  }
}
