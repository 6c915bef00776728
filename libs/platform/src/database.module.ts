import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import pg from 'pg';

export const PG_POOL = Symbol('PG_POOL');

/**
 * The one `pg` pool of a process (event store, idempotency keys, projector checkpoints share it).
 * Registered once, in the app root, as a global module.
 */
@Module({})
export class DatabaseModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: pg.Pool) {}

  static forRoot(options: { url: string; max?: number }): DynamicModule {
    return {
      module: DatabaseModule,
      global: true,
      providers: [
        {
          provide: PG_POOL,
          useFactory: () => {
            const pool = new pg.Pool({ connectionString: options.url, max: options.max ?? 20, connectionTimeoutMillis: 5_000 });
            // An idle client losing its server (a restart) must not crash the process; the pool replaces it.
            pool.on('error', () => undefined);
            // Nor one that is checked out (by the event store's append, a migration, a transaction)
            // when the server goes, between two of its queries: pg emits that as an 'error' event on
            // the client, fatal without a listener. A query in flight fails by itself, and the pool
            // drops the client, no longer queryable, when it is released.
            pool.on('connect', (client) => client.on('error', () => undefined));
            return pool;
          },
        },
      ],
      exports: [PG_POOL],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
