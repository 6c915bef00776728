import { Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';
import { boundedPoolOptions, DatabaseMonitor, DEFAULT_DATABASE_BOUNDS, type DatabaseBounds } from './database-bounds.js';
import { databaseHosts, WriterDiscovery } from './writer-discovery.js';

export const PG_POOL = Symbol('PG_POOL');
/** The process's DatabaseMonitor: what its database calls saw lately (/health, metrics). */
export const DATABASE_MONITOR = Symbol('DATABASE_MONITOR');
/** pg options that bound and monitor a connection, for the process's other pools (TypeORM's `extra`). */
export const DATABASE_POOL_OPTIONS = Symbol('DATABASE_POOL_OPTIONS');
/** The DatabaseBounds of the process, for pools of other servers (a read replica) with a monitor of their own. */
export const DATABASE_BOUNDS = Symbol('DATABASE_BOUNDS');
/**
 * The process's WriterDiscovery when DATABASE_URL names several hosts (or target_session_attrs=read-write),
 * else null: connections of its own (the projector's leader lock) use writerClientClass with it.
 */
export const WRITER_DISCOVERY = Symbol('WRITER_DISCOVERY');

/**
 * The one `pg` pool of a process (event store, idempotency keys, projector checkpoints share it), its
 * calls bounded by `bounds` (default DEFAULT_DATABASE_BOUNDS) and counted by DATABASE_MONITOR.
 * `url` may name several hosts, libpq-style (`postgres://u:p@a:5432,b:5432/db?target_session_attrs=read-write`):
 * connections then go to the one WRITER_DISCOVERY finds writable, and follow a promotion.
 * Registered once, in the app root, as a global module.
 */
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  static forRoot(options: { url: string; max?: number; bounds?: DatabaseBounds }): DynamicModule {
    const bounds = options.bounds ?? DEFAULT_DATABASE_BOUNDS;
    const hosts = databaseHosts(options.url);
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        { provide: DATABASE_BOUNDS, useValue: bounds },
        {
          provide: WRITER_DISCOVERY,
          useFactory: () => {
            if (!hosts.findWriter) return null;
            const logger = new Logger('Database');
            return new WriterDiscovery(hosts.urls, { timeoutMs: bounds.connectTimeoutMs || undefined, log: (message) => logger.log(message) });
          },
        },
        {
          provide: DATABASE_MONITOR,
          // An unanswered call is stuck once the server's own statement bound would have answered it.
          useFactory: () => new DatabaseMonitor({ stalledAfterMs: bounds.statementTimeoutMs || bounds.queryTimeoutMs || undefined }),
        },
        {
          provide: DATABASE_POOL_OPTIONS,
          inject: [DATABASE_MONITOR, WRITER_DISCOVERY],
          useFactory: (monitor: DatabaseMonitor, writers: WriterDiscovery | null): pg.PoolConfig => boundedPoolOptions(bounds, monitor, writers ?? undefined),
        },
        {
          provide: PG_POOL,
          inject: [DATABASE_POOL_OPTIONS],
          useFactory: (poolOptions: pg.PoolConfig) => {
            const pool = new pg.Pool({ ...poolOptions, connectionString: hosts.urls[0], max: options.max ?? 20 });
            // An idle client losing its server (a restart) must not crash the process; the pool replaces it.
            // A checked-out one has a listener of its own (BoundedClient): its calls fail by themselves,
            // and the pool drops the client, no longer queryable, when it is released.
            pool.on('error', () => undefined);
            return pool;
          },
        },
      ],
      exports: [PG_POOL, DATABASE_MONITOR, DATABASE_POOL_OPTIONS, DATABASE_BOUNDS, WRITER_DISCOVERY],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
