import { Module, ValidationPipe, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { ApplicationModule } from '@tthc/application';
import { EventStoreModule } from '@tthc/event-store';
import { DatabaseModule } from '@tthc/platform';
import { ReadModelsModule } from '@tthc/read-models';
import { AuthoritiesController } from './authorities/authorities.controller.js';
import { HealthController } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { invalidRequestFromValidation } from './http/invalid-request.error.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { DEFAULT_IDEMPOTENCY_OPTIONS, IDEMPOTENCY_OPTIONS, IdempotencyStore, type IdempotencyOptions } from './idempotency/idempotency.store.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { ProcedureEventsController } from './procedures/procedure-events.controller.js';
import { ProceduresController } from './procedures/procedures.controller.js';

export interface ApiModuleOptions {
  databaseUrl: string;
  idempotency?: Partial<IdempotencyOptions>;
  /** Run the projector in this process (default true; PROJECTOR=off when apps/projector runs it). */
  runProjector?: boolean;
}

const CONTROLLERS = [ProceduresController, ProcedureEventsController, AuthoritiesController, HealthController, MetricsController];

/** Global pipe and filter, registered once, here in the app root (STYLE.md §5). */
const GLOBAL_ENHANCERS = [
  {
    provide: APP_PIPE,
    useFactory: () =>
      new ValidationPipe({
        whitelist: true,
        forbidNonWhitelisted: true,
        transform: true,
        exceptionFactory: invalidRequestFromValidation,
      }),
  },
  { provide: APP_FILTER, useClass: ProblemDetailsFilter },
];

@Module({})
export class ApiModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        CqrsModule.forRoot(),
        DatabaseModule.forRoot({ url: options.databaseUrl }),
        EventStoreModule.forRoot(),
        ApplicationModule,
        ReadModelsModule.forRoot({ databaseUrl: options.databaseUrl, runProjector: options.runProjector ?? true }),
      ],
      controllers: CONTROLLERS,
      providers: [
        ...GLOBAL_ENHANCERS,
        { provide: IDEMPOTENCY_OPTIONS, useValue: { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options.idempotency } },
        IdempotencyStore,
        IdempotencyInterceptor,
      ],
    };
  }
}
