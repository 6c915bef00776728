import { Module, type DynamicModule } from '@nestjs/common';
import { AuditController } from './audit.controller.js';
import { EventLogController } from './event-log.controller.js';

/**
 * The audit endpoints over the whole log (API.md "Audit"): `GET /api/events` and
 * `POST /api/audit/verifications`. EVENT_STORE and EventLogVerifier come from the global
 * EventStoreModule; READ_MODEL_VERIFIER from the app's ReadModelsModule, passed in (the same
 * instance the app imports, so that there is one DataSource).
 */
@Module({})
export class AuditModule {
  static forRoot(readModels: DynamicModule): DynamicModule {
    return { module: AuditModule, imports: [readModels], controllers: [EventLogController, AuditController] };
  }
}
