import { Controller, Get, Param } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { GetProcedureEventsQuery } from '@tthc/application';
import { factsOf, procedureStreamId, type ProcedureEvent } from '@tthc/domain';
import { AUDIT_ROLES, Roles } from '../auth/roles.decorator.js';
import { ApiAuthDocs, ApiQueryDocs } from './procedure.api-docs.js';
import { ProcedureParams } from './procedure-params.request.js';
import { ProcedureEventsResponse } from './procedure.responses.js';

/** Audit: a procedure's stream as recorded, with who, when and in which correlation. */
@ApiTags('audit')
@ApiAuthDocs()
@Roles(...AUDIT_ROLES)
@Controller('authorities/:authorityCode/procedures/:procedureCode/events')
export class ProcedureEventsController {
  constructor(private readonly queryBus: QueryBus) {}

  @Get()
  @ApiOperation({
    summary: "The procedure's whole stream, with each event's metadata",
    description:
      'Every event in revision order, with who issued it (actor), when it was recorded, its correlation and causation, and the recorded ' +
      'decision it came from (`decision`); an event later corrected names the corrections (`correctedBy`), one rescinded the rescission ' +
      '(`rescindedBy`), by revision.',
  })
  @ApiOkResponse({ type: ProcedureEventsResponse })
  @ApiQueryDocs({ notFound: 'Unknown authority, or no such procedure registered there' })
  async events(@Param() { authorityCode, procedureCode }: ProcedureParams): Promise<ProcedureEventsResponse> {
    const events = await this.queryBus.execute(new GetProcedureEventsQuery(authorityCode, procedureCode));
    // Which events were later corrected or rescinded, and by which (the domain's reading of the stream).
    const facts = new Map(factsOf(events.map((e) => ({ revision: e.revision, event: { type: e.type, data: e.data } as ProcedureEvent }))).map((f) => [f.revision, f]));
    return {
      streamId: procedureStreamId(authorityCode, procedureCode),
      events: events.map((e) => ({
        id: e.id,
        type: e.type,
        data: e.data,
        revision: e.revision,
        globalPosition: e.globalPosition,
        recordedAt: e.metadata.recordedAt,
        actor: e.metadata.actor,
        correlationId: e.metadata.correlationId,
        causationId: e.metadata.causationId ?? null,
        schemaVersion: e.schemaVersion,
        correctedBy: facts.get(e.revision)?.correctedBy ?? [],
        rescindedBy: facts.get(e.revision)?.rescindedBy ?? null,
        decision: e.decision,
      })),
    };
  }
}
