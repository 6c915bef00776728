import { Module } from '@nestjs/common';
import { AUTHORITY_COMMAND_HANDLERS } from './authorities/authority.handlers.js';
import { DECISION_HANDLERS } from './decisions/decision.handlers.js';
import { PROCEDURE_COMMAND_HANDLERS } from './procedures/procedure.handlers.js';
import { PROCEDURE_QUERY_HANDLERS } from './procedures/procedure.queries.js';

/**
 * The command and query handlers that the api and the cli share. Needs EVENT_STORE from
 * EventStoreModule and CqrsModule.forRoot() in the app root.
 */
@Module({
  providers: [...AUTHORITY_COMMAND_HANDLERS, ...PROCEDURE_COMMAND_HANDLERS, ...PROCEDURE_QUERY_HANDLERS, ...DECISION_HANDLERS],
})
export class ApplicationModule {}
