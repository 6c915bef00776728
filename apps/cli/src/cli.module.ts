import { Module, type DynamicModule } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { ApplicationModule } from '@tthc/application';
import { EventStoreModule } from '@tthc/event-store';
import { DatabaseModule, UNBOUNDED_STATEMENTS, type EventStoreConfig } from '@tthc/platform';
import { ReadModelsModule } from '@tthc/read-models';

/** The cli's root module: the api's application layer over one small pool, without HTTP. */
@Module({})
export class CliModule {
  static forRoot(options: { databaseUrl: string; eventStore?: EventStoreConfig }): DynamicModule {
    return {
      module: CliModule,
      imports: [
        CqrsModule.forRoot(),
        // Batch commands (rebuild, import, verify) run statements as long as the data needs: only
        // connecting is bounded; an operator watches them.
        DatabaseModule.forRoot({ url: options.databaseUrl, max: 4, bounds: UNBOUNDED_STATEMENTS }),
        EventStoreModule.forRoot(options.eventStore), // global: ApplicationModule's handlers inject EVENT_STORE
        ApplicationModule,
        // Migrates the read models when it starts; the cli never projects (the api or apps/projector do).
        ReadModelsModule.forRoot({ databaseUrl: options.databaseUrl, runProjector: false }),
      ],
    };
  }
}
