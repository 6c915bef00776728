import { Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import type pg from 'pg';
import { PG_POOL, type EventStoreConfig } from '@tthc/platform';
import { openKurrentDbEventStore } from './adapters/kurrentdb/open-kurrentdb-event-store.js';
import { PostgresEventLog } from './adapters/postgres/postgres-event-log.js';
import { PostgresEventStore } from './adapters/postgres/postgres-event-store.js';
import type { EventStore } from './event-store.port.js';
import { EVENT_STORE } from './event-store.tokens.js';
import { timedAppends, type AppendObserver } from './timed-appends.js';
import { storeEventLogSource } from './tamper-evidence/event-log-source.js';
import { EventLogVerifier } from './tamper-evidence/event-log-verifier.js';

export type EventStoreKind = EventStoreConfig['kind'];

/**
 * Binds EVENT_STORE to the adapter chosen by configuration (`readConfig().eventStore`: EVENT_STORE=
 * postgres, the default, or kurrentdb with KURRENTDB_CONNECTION_STRING). Global, so that the handlers
 * of ApplicationModule and ReadModelsModule find the one store. PG_POOL is needed either way: the read
 * models, their checkpoints and the idempotency keys stay in PostgreSQL.
 *
 * @example
 *   imports: [DatabaseModule.forRoot({ url }), EventStoreModule.forRoot(readConfig().eventStore)]
 */
@Module({})
export class EventStoreModule implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  /** `onAppend`, when given, is told the duration and outcome of every append (`timedAppends`). */
  static forRoot(config: EventStoreConfig = { kind: 'postgres' }, options: { onAppend?: AppendObserver } = {}): DynamicModule {
    return {
      module: EventStoreModule,
      global: true,
      providers: [
        {
          provide: EVENT_STORE,
          inject: [PG_POOL],
          useFactory: async (pool: pg.Pool): Promise<EventStore> => {
            const store = await openStore(config, pool);
            return options.onAppend ? timedAppends(store, options.onAppend) : store;
          },
        },
        {
          // Tamper evidence: PostgreSQL's own reader, with its log digest checkpoints; the port otherwise.
          provide: EventLogVerifier,
          inject: [EVENT_STORE, PG_POOL],
          useFactory: (store: EventStore, pool: pg.Pool) =>
            new EventLogVerifier(store instanceof PostgresEventStore ? new PostgresEventLog(pool) : storeEventLogSource(store)),
        },
      ],
      exports: [EVENT_STORE, EventLogVerifier],
    };
  }

  /** Disposes of the KurrentDB client; the PostgreSQL store's pool belongs to DatabaseModule. */
  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

function openStore(config: EventStoreConfig, pool: pg.Pool): EventStore | Promise<EventStore> {
  switch (config.kind) {
    case 'postgres':
      return new PostgresEventStore(pool);
    case 'kurrentdb':
      return openKurrentDbEventStore(config.connectionString);
    default: {
      const _exhaustive: never = config;
      throw new Error(`Unknown EVENT_STORE '${(_exhaustive as { kind: string }).kind}'`);
    }
  }
}
