import { CommandBus } from '@nestjs/cqrs';
import { IssueDecisionCommand, authoritiesAreSetUp, commandBusSetup, seedDemo, setupShippedAuthorities } from '@tthc/application';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { EmbeddedPostgresError, loadSigningSecret, mintToken, readConfig, type AppConfig } from '@tthc/platform';
import type { Logger } from 'pino';
import { AuthNotConfigured, authOptionsFromConfig, type AuthOptions } from './auth/auth.options.js';
import { createApp } from './create-app.js';
import { startDatabases, type Databases } from './database/databases.js';
import { createRootLogger } from './logging/logger.js';

/**
 * How tokens are verified, decided before anything starts: AUTH_* when set; for the embedded default
 * (no DATABASE_URL), the secret in DATA_DIR/jwt-secret, made on first start; with DATABASE_URL and no
 * AUTH_*, nothing — the api refuses to start rather than serve an open API by accident.
 */
async function resolveAuth(config: AppConfig, logger: Logger): Promise<{ auth: AuthOptions; embeddedSecret?: string }> {
  if (config.auth.disabled) {
    logger.warn('AUTH_DISABLED=true: the api accepts every request without a token, as an administrator. Never do this outside local development.');
    return { auth: { disabled: true } };
  }
  const configured = config.auth.jwtSecret !== undefined || config.auth.jwksUrl !== undefined;
  const file = configured ? undefined : await loadSigningSecret(config, { create: true });
  if (file?.source === 'file') {
    logger.info(
      { path: file.path },
      `${file.created ? 'created the signing secret' : 'verifying tokens with the signing secret'} ${file.path}; mint a token with: npm run -s cli -- token --role administrator --authority 74 --sub <you> (README: demo tokens)`,
    );
    if (file.readableByOthers) logger.warn({ path: file.path }, `the signing secret ${file.path} can be read by other users: chmod 600 it`);
  }
  return { auth: authOptionsFromConfig(config.auth, file?.secret), embeddedSecret: file?.source === 'file' ? file.secret : undefined };
}

/** How long the dashboard link's token lasts (read-only roles: viewer and auditor). */
const DASHBOARD_LINK_EXPIRES_IN = '8h';

/**
 * The embedded default's dashboard link: the page with a short-lived read-only token (viewer,
 * auditor) in the URL fragment, which browsers never send to a server; the page takes it out of the
 * address bar and keeps it for the tab's session.
 */
async function logDashboardLink(logger: Logger, port: number, secret: string): Promise<void> {
  const token = await mintToken({ secret, subject: 'dashboard', roles: ['viewer', 'auditor'], authorities: ['*'], expiresIn: DASHBOARD_LINK_EXPIRES_IN });
  logger.info(
    { dashboard: `http://localhost:${port}/` },
    `dashboard: http://localhost:${port}/#token=${token} (read-only, valid ${DASHBOARD_LINK_EXPIRES_IN}; a new one: npm run -s cli -- token --role viewer,auditor --sub you, then open http://localhost:${port}/#token=<token>)`,
  );
}

/**
 * Serves the HTTP API; without DATABASE_URL it starts (and stops) an embedded PostgreSQL under DATA_DIR,
 * and with EMBEDDED_REPLICA=1 a streaming replica of it for the queries (startDatabases).
 */
async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = readConfig();
  } catch (error) {
    process.stderr.write(`invalid configuration: ${(error as Error).message}\n`);
    process.exit(1);
  }
  const logger = createRootLogger(config.logLevel);

  let auth: AuthOptions;
  let embeddedSecret: string | undefined;
  try {
    ({ auth, embeddedSecret } = await resolveAuth(config, logger));
  } catch (error) {
    if (error instanceof AuthNotConfigured) logger.fatal(error.message);
    else logger.fatal({ err: error }, 'could not set up authentication');
    process.exit(1);
  }

  let database: Databases;
  try {
    database = await startDatabases(config, (level, message) => logger[level](message));
  } catch (error) {
    if (!(error instanceof EmbeddedPostgresError)) throw error;
    // One sentence saying what to do, and the server's last words; no stack.
    logger.fatal(error.message);
    if (error.logTail.length > 0) process.stderr.write(`${error.logTail.join('\n')}\n`);
    process.exit(1);
  }
  let app: Awaited<ReturnType<typeof createApp>> | undefined;
  try {
    app = await createApp({ databaseUrl: database.url, databaseReadUrl: database.readUrl, logLevel: config.logLevel, auth, setupAuthorities: false });
    await app.listen(config.port);
  } catch (error) {
    logger.fatal({ err: error }, 'could not start the api');
    await app?.close().catch(() => undefined);
    await database.stop().catch(() => undefined);
    process.exit(1);
  }
  logger.info({ url: `http://localhost:${config.port}` }, `api listening on http://localhost:${config.port} (docs at /docs)`);

  // A first `npm start` serves the demo data: the synthetic 74/77/79 scenario to the present, through
  // the commands (the shipped units and the 2025 reorganisation included). Otherwise the first start
  // loads the shipped units alone, as the first `cli migrate` does.
  const store = app!.get<EventStore>(EVENT_STORE);
  const bus = app!.get(CommandBus);
  if (database.embedded && config.seedWhenEmpty && (await store.headPosition()) === 0) {
    logger.info('empty database: loading the synthetic demo (74, 77, 79 across the 2025 merger; SEED=off to skip)');
    const started = Date.now();
    const result = await seedDemo((decision, context) => bus.execute(new IssueDecisionCommand(decision, context)), commandBusSetup(bus), {
      onProgress: (done, total) => logger.info(`seed: ${done}/${total} items`),
    });
    logger.info(
      `seed: ${result.decisions} decisions (${result.items} items), ${result.proceduresDiscontinued} procedures discontinued by the merger, ` +
        `in ${Date.now() - started} ms, last position ${result.lastPosition}`,
    );
  } else if (!(await authoritiesAreSetUp(store))) {
    const { events } = await setupShippedAuthorities(commandBusSetup(bus));
    logger.info(`set up the provincial-level units from data/: ${events} events`);
  }
  if (embeddedSecret !== undefined) await logDashboardLink(logger, config.port, embeddedSecret);

  let stopping = false;
  const shutdown = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info(`${signal} received: shutting down`);
    try {
      // The app first (stop taking requests, end the pools), then the databases it was using (the replica first).
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
