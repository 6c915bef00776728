import { Controller, Get, Param, Query } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetProcedureStateQuery } from '@tthc/application';
import { AUDIT_ROLES, Roles } from '../auth/roles.decorator.js';
import { ApiAuthDocs, ApiQueryDocs } from './procedure.api-docs.js';
import { ProcedureParams } from './procedure-params.request.js';
import { describeProcedureState } from './procedure.responses.js';
import { ProcedureStateAtResponse, ProcedureStateQuery } from './procedure-state.request.js';

/**
 * Audit, time travel: a procedure's state in force on a date as recorded at an instant, rebuilt from
 * its events alone (the domain's `stateAt`); the read models play no part.
 */
@ApiTags('audit')
@ApiAuthDocs()
@Roles(...AUDIT_ROLES)
@Controller('authorities/:authorityCode/procedures/:procedureCode/state')
export class ProcedureStateController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: "The procedure's state on `at` as recorded at `knownAt`, rebuilt from its events alone",
    description:
      'Time travel for auditors: only events recorded by `knownAt` and effective by `at` count; the read models play no part. ' +
      '`transitions` lists them, each with the decision it came from.',
  })
  @ApiOkResponse({ type: ProcedureStateAtResponse })
  @ApiQueryDocs({ notFound: 'Unknown authority, or no such procedure registered there' })
  async state(@Param() { authorityCode, procedureCode }: ProcedureParams, @Query() query: ProcedureStateQuery): Promise<ProcedureStateAtResponse> {
    const view = await this.queryBus.execute(new GetProcedureStateQuery(authorityCode, procedureCode, query.at, query.knownAt));
    const { state } = view;
    return {
      authorityCode: view.authorityCode,
      procedureCode: view.procedureCode,
      at: view.at,
      knownAt: view.knownAt,
      inForce: view.inForce,
      state: state === null ? null : describeProcedureState(state),
      revision: view.revision,
      eventsConsidered: view.eventsConsidered,
      position: view.position,
      transitions: view.transitions,
    };
  }
}
