import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@nestjs/common';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import { EVENT_STORE, type EventStore } from '@tthc/event-store';
import { boundedPoolOptions, DATABASE_BOUNDS, DATABASE_POOL_OPTIONS, databaseHosts, DatabaseMonitor, DEFAULT_DATABASE_BOUNDS, WRITER_DISCOVERY, writerClientClass, type DatabaseBounds, type WriterDiscovery } from '@tthc/platform';
import { pooledReads, QueryRouter, type ReplicaFallback } from './queries/query-routing.js';
import { createQueryPool, DEFAULT_QUERY_BOUNDS, type QueryBounds } from './queries/query-pool.js';
import { ProjectionRunner } from './projection/projection-runner.js';
import { dropAbandonedRebuildSchemas } from './projection/rebuild-leftovers.js';
import { ProjectorService } from './projector.service.js';
import { ProjectorElection } from './projection/projector-election.js';
import { NATIONAL_FACTS_QUERY_HANDLERS } from './national-facts/national-facts.queries.js';
import { READ_MODEL_QUERY_HANDLERS } from './queries/read-model.queries.js';
import { DECISION_QUERY_HANDLERS } from './decisions/decisions.queries.js';
import { ReadModelReader } from './queries/read-model.reader.js';
import { createReadModelDataSource, migrateReadModels } from './read-model.data-source.js';
import {
  PROJECTION_RUNNER,
  PROJECTOR_ELECTION,
  QUERY_ROUTER,
  READ_MODEL_DATA_SOURCE,
  READ_MODEL_QUERY_POOL,
  READ_MODEL_READER,
  READ_MODEL_REPLICA_POOL,
  READ_MODEL_VERIFIER,
} from './read-models.tokens.js';
import { ReadModelVerifier } from './verification/read-model-verifier.js';

export interface ReadModelsOptions {
  databaseUrl: string;
  /** Run the projector inside this process (default true: the single-process `npm start`). */
  runProjector?: boolean;
  batchSize?: number;
  /**
   * With runProjector: campaign for the leader lock first (ProjectorElection; default true), so that
   * of several projectors on one database one projects and the others wait reading nothing.
   * `pollMs`: how often a standby asks (default 500).
   */
  election?: boolean | { pollMs?: number };
  /**
   * DATABASE_READ_URL: a streaming replica of `databaseUrl` for the query handlers (QueryRouter);
   * commands, idempotency keys, checkpoints and the projector stay on the primary. Its calls are
   * bounded as the primary's, and counted by a DatabaseMonitor of their own (not the primary's).
   */
  readUrl?: string;
  /** DATABASE_READ_FALLBACK: while the replica cannot be reached, queries go to the primary (default) or answer 503. */
  readFallback?: ReplicaFallback;
  /**
   * Statement and lock timeouts of the query handlers' sessions (default DEFAULT_QUERY_BOUNDS: 1 s,
   * 100 ms), on the primary's query pool and on the replica's; past them a query fails with
   * QueryTimedOut (503). The projector, the verifier and the cli keep DatabaseBounds.
   */
  queryBounds?: QueryBounds;
}

/**
 * The read models: TypeORM DataSource (migrated at start, a dead rebuild's side schemas dropped), the
 * projection runner, and the query handlers. Needs EVENT_STORE from EventStoreModule, DatabaseModule
 * and CqrsModule.forRoot() in the app root.
 */
@Module({})
export class ReadModelsModule implements OnApplicationShutdown {
  constructor(
    @Inject(READ_MODEL_DATA_SOURCE) private readonly dataSource: DataSource,
    @Inject(READ_MODEL_REPLICA_POOL) private readonly replicaPool: pg.Pool | null,
    @Inject(READ_MODEL_QUERY_POOL) private readonly queryPool: pg.Pool,
  ) {}

  static forRoot(options: ReadModelsOptions): DynamicModule {
    const logger = new Logger('ReadModels');
    // The first host of a DATABASE_URL of several: its connections go to the writer (DATABASE_POOL_OPTIONS' Client).
    const databaseUrl = databaseHosts(options.databaseUrl).urls[0];
    const queryBounds = options.queryBounds ?? DEFAULT_QUERY_BOUNDS;
    return {
      module: ReadModelsModule,
      providers: [
        {
          provide: READ_MODEL_DATA_SOURCE,
          inject: [DATABASE_POOL_OPTIONS],
          useFactory: async (poolOptions: pg.PoolConfig) => {
            const dataSource = createReadModelDataSource(databaseUrl, { poolOptions });
            await dataSource.initialize();
            const applied = await migrateReadModels(dataSource);
            if (applied.length > 0) logger.log(`read-model migrations applied: ${applied.join(', ')}`);
            await dropAbandonedRebuildSchemas(dataSource, (message) => logger.warn(message));
            return dataSource;
          },
        },
        {
          provide: READ_MODEL_REPLICA_POOL,
          inject: [{ token: DATABASE_BOUNDS, optional: true }],
          useFactory: (bounds: DatabaseBounds | undefined) => {
            if (!options.readUrl) return null;
            const b = bounds ?? DEFAULT_DATABASE_BOUNDS;
            const monitor = new DatabaseMonitor({ stalledAfterMs: b.statementTimeoutMs || b.queryTimeoutMs || undefined });
            // Connections are opened on demand: a replica down at start does not stop the api.
            return createQueryPool(options.readUrl, boundedPoolOptions(b, monitor), queryBounds);
          },
        },
        {
          // The query handlers' connections to the primary: apart from the projector's (the DataSource),
          // so that neither queues behind the other, and bounded by queryBounds.
          provide: READ_MODEL_QUERY_POOL,
          inject: [DATABASE_POOL_OPTIONS],
          useFactory: (poolOptions: pg.PoolConfig) => createQueryPool(databaseUrl, poolOptions, queryBounds),
        },
        {
          provide: QUERY_ROUTER,
          inject: [READ_MODEL_QUERY_POOL, READ_MODEL_REPLICA_POOL],
          useFactory: (primary: pg.Pool, replica: pg.Pool | null) =>
            new QueryRouter(pooledReads(primary), replica ?? undefined, { fallback: options.readFallback ?? 'primary' }),
        },
        {
          provide: READ_MODEL_READER,
          inject: [QUERY_ROUTER],
          useFactory: (router: QueryRouter) => new ReadModelReader(router),
        },
        {
          provide: PROJECTION_RUNNER,
          inject: [READ_MODEL_DATA_SOURCE, EVENT_STORE],
          useFactory: (dataSource: DataSource, store: EventStore) =>
            new ProjectionRunner(dataSource, store, {
              batchSize: options.batchSize,
              log: (message, fields) => logger.warn({ msg: message, ...fields }),
            }),
        },
        {
          provide: READ_MODEL_VERIFIER,
          inject: [READ_MODEL_DATA_SOURCE, EVENT_STORE],
          useFactory: (dataSource: DataSource, store: EventStore) => new ReadModelVerifier(dataSource, store),
        },
        ...(options.runProjector === false ? [] : [ProjectorService]),
        ...(options.runProjector === false || options.election === false
          ? []
          : [
              {
                provide: PROJECTOR_ELECTION,
                inject: [DATABASE_POOL_OPTIONS, { token: WRITER_DISCOVERY, optional: true }],
                useFactory: (poolOptions: pg.PoolConfig, writers: WriterDiscovery | null | undefined) =>
                  new ProjectorElection({
                    url: databaseUrl,
                    Client: writerClientClass(writers),
                    pollMs: typeof options.election === 'object' ? options.election.pollMs : undefined,
                    connectTimeoutMs: poolOptions.connectionTimeoutMillis,
                    keepAliveInitialDelayMs: poolOptions.keepAliveInitialDelayMillis,
                    log: (message) => logger.log(message),
                  }),
              },
            ]),
        ...READ_MODEL_QUERY_HANDLERS,
        ...DECISION_QUERY_HANDLERS,
        ...NATIONAL_FACTS_QUERY_HANDLERS,
      ],
      exports: [READ_MODEL_DATA_SOURCE, READ_MODEL_READER, QUERY_ROUTER, READ_MODEL_QUERY_POOL, READ_MODEL_REPLICA_POOL, PROJECTION_RUNNER, READ_MODEL_VERIFIER, ...(options.runProjector === false ? [] : [ProjectorService])],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
    await this.replicaPool?.end().catch(() => undefined);
    await this.queryPool.end().catch(() => undefined);
  }
}
