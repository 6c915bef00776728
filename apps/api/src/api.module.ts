import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_PIPE } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { ApplicationModule } from '@tthc/application';
import { EVENT_STORE, EventStoreModule } from '@tthc/event-store';
import { DatabaseModule, type DatabaseBounds, type EventStoreConfig, type ProjectorBehindConfig } from '@tthc/platform';
import { ReadModelsModule } from '@tthc/read-models';
import { AuthGuard } from './auth/auth.guard.js';
import type { AuthOptions } from './auth/auth.options.js';
import { AUTH_OPTIONS, TOKEN_VERIFIER } from './auth/auth.tokens.js';
import { AuthorityScopePolicy } from './auth/authority-scope.policy.js';
import { LINEAGE_SOURCE, eventSourcedLineage } from './auth/lineage-source.js';
import { TokenVerifier } from './auth/token-verifier.js';
import { AuditModule } from './audit/audit.module.js';
import { ReorganisationsController } from './authorities/reorganisations.controller.js';
import { NationalFactsController } from './national-facts/national-facts.controller.js';
import { AuthoritiesController } from './authorities/authorities.controller.js';
import { DecisionsController } from './decisions/decisions.controller.js';
import { DEFAULT_PROJECTOR_BEHIND, HealthController, PROJECTOR_BEHIND } from './health/health.controller.js';
import { MetricsController } from './health/metrics.controller.js';
import { OperationsProbes } from './health/probes.js';
import { ApiMetrics } from './metrics/api-metrics.js';
import { CommandRateLimitGuard, CommandRateLimiter, RATE_LIMIT_OPTIONS, type RateLimitOptions } from './http/command-rate-limit.js';
import { JsonBodyGuard } from './http/json-body.js';
import { StrictValidationPipe } from './http/strict-validation.pipe.js';
import { IdempotencyInterceptor } from './idempotency/idempotency.interceptor.js';
import { ProcessLease } from './idempotency/process-lease.js';
import { DEFAULT_IDEMPOTENCY_OPTIONS, IDEMPOTENCY_OPTIONS, IdempotencyStore, type IdempotencyOptions } from './idempotency/idempotency.store.js';
import { CommandRefusals } from './logging/command-refusals.js';
import { ProblemDetailsFilter } from './problem-details.filter.js';
import { ProcedureEventsController } from './procedures/procedure-events.controller.js';
import { ProcedureStateController } from './procedures/procedure-state.controller.js';
import { ProceduresController } from './procedures/procedures.controller.js';

export interface ApiModuleOptions {
  databaseUrl: string;
  idempotency?: Partial<IdempotencyOptions>;
  /** Run the projector in this process (default true; PROJECTOR=off when apps/projector runs it). */
  runProjector?: boolean;
  auth: AuthOptions;
  /** Commands per client and window (default 100 per 10 s; limit 0 turns it off). */
  rateLimit?: Partial<RateLimitOptions>;
  /** When /health calls the projector behind (default 1000 events, or 30 s). */
  projectorBehind?: Partial<ProjectorBehindConfig>;
  /** EVENT_STORE: PostgreSQL (default) or KurrentDB. */
  eventStore?: EventStoreConfig;
  /** How long each database call may take (default DEFAULT_DATABASE_BOUNDS). */
  databaseBounds?: DatabaseBounds;
  /** DATABASE_READ_URL: queries on a streaming replica; DATABASE_READ_FALLBACK while it is unreachable. */
  databaseReadUrl?: string;
  databaseReadFallback?: 'primary' | 'refuse';
}

export const CONTROLLERS = [
  ProceduresController,
  ProcedureEventsController,
  ProcedureStateController,
  AuthoritiesController,
  DecisionsController,
  ReorganisationsController,
  NationalFactsController,
  HealthController,
  MetricsController,
];

export const DEFAULT_RATE_LIMIT: RateLimitOptions = { limit: 100, windowSeconds: 10 };

/** Global guard, pipe and filter, registered once, here in the app root (STYLE.md §5). */
const GLOBAL_ENHANCERS = [
  { provide: APP_GUARD, useClass: AuthGuard },
  { provide: APP_GUARD, useClass: JsonBodyGuard },
  {
    provide: APP_PIPE,
    useClass: StrictValidationPipe,
  },
  { provide: APP_FILTER, useClass: ProblemDetailsFilter },
];

@Module({})
export class ApiModule {
  static forRoot(options: ApiModuleOptions): DynamicModule {
    // One instance, imported here and by AuditModule (whose verification reads the read models too).
    const readModels = ReadModelsModule.forRoot({
      databaseUrl: options.databaseUrl,
      runProjector: options.runProjector ?? true,
      readUrl: options.databaseReadUrl,
      readFallback: options.databaseReadFallback,
    });
    // This app's metrics (/metrics); the event store reports its appends' latency to them.
    const metrics = new ApiMetrics();
    return {
      module: ApiModule,
      imports: [
        CqrsModule.forRoot(),
        // /health's checks; failures are in the answer and the request log, not logged again.
        TerminusModule.forRoot({ logger: false }),
        DatabaseModule.forRoot({ url: options.databaseUrl, bounds: options.databaseBounds }),
        EventStoreModule.forRoot(options.eventStore, { onAppend: metrics.observeAppend }),
        ApplicationModule,
        readModels,
        AuditModule.forRoot(readModels),
      ],
      controllers: CONTROLLERS,
      providers: [
        ...GLOBAL_ENHANCERS,
        { provide: ApiMetrics, useValue: metrics },
        OperationsProbes,
        { provide: IDEMPOTENCY_OPTIONS, useValue: { ...DEFAULT_IDEMPOTENCY_OPTIONS, ...options.idempotency } },
        ProcessLease,
        IdempotencyStore,
        IdempotencyInterceptor,
        { provide: AUTH_OPTIONS, useValue: options.auth },
        {
          provide: TOKEN_VERIFIER,
          useFactory: () => (options.auth.disabled ? null : new TokenVerifier(options.auth)),
        },
        { provide: LINEAGE_SOURCE, inject: [EVENT_STORE], useFactory: eventSourcedLineage },
        AuthorityScopePolicy,
        CommandRefusals,
        { provide: RATE_LIMIT_OPTIONS, useValue: { ...DEFAULT_RATE_LIMIT, ...options.rateLimit } },
        CommandRateLimiter,
        CommandRateLimitGuard,
        { provide: PROJECTOR_BEHIND, useValue: { ...DEFAULT_PROJECTOR_BEHIND, ...options.projectorBehind } },
      ],
    };
  }
}
