import { Module, type DynamicModule } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL } from '@tthc/platform';
import { PostgresEventStore } from './adapters/postgres/postgres-event-store.js';
import { EVENT_STORE } from './event-store.tokens.js';

export type EventStoreKind = 'postgres';

/**
 * Binds EVENT_STORE to the adapter chosen by configuration (EVENT_STORE=postgres, the default).
 * Global, so that the handlers of ApplicationModule and ReadModelsModule find the one store.
 */
@Module({})
export class EventStoreModule {
  static forRoot(options: { kind?: EventStoreKind } = {}): DynamicModule {
    const kind = options.kind ?? 'postgres';
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [PG_POOL],
          useFactory: (pool: pg.Pool) => {
            if (kind !== 'postgres') throw new Error(`Unknown EVENT_STORE '${kind}'`);
            return new PostgresEventStore(pool);
          },
        },
      ],
      exports: [EVENT_STORE],
    };
  }
}
