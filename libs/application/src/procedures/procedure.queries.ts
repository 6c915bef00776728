import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  AUTHORITY_CODE_PATTERN,
  InvalidCommand,
  PROCEDURE_CODE_PATTERN,
  ProcedureNotFound,
  UnknownAuthority,
  isKnownAuthorityCode,
  procedure,
  procedureStreamId,
  type ProcedureEvent,
  type RegisteredProcedure,
} from '@tthc/domain';
import { EVENT_STORE, type EventStore, type RecordedEvent } from '@tthc/event-store';

export interface ProcedureView {
  state: RegisteredProcedure;
  revision: number;
  /** Global position of the stream's last event. */
  position: number;
}

/** A procedure's current state, rebuilt by replaying its stream. */
export class GetProcedureQuery extends Query<ProcedureView> {
  constructor(
    readonly authorityCode: string,
    readonly procedureCode: string,
  ) {
    super();
  }
}

/** A procedure's whole stream, with each event's metadata. */
export class GetProcedureEventsQuery extends Query<RecordedEvent[]> {
  constructor(
    readonly authorityCode: string,
    readonly procedureCode: string,
  ) {
    super();
  }
}

/** Reads a procedure's stream, refusing malformed codes and unknown procedures. */
export async function readProcedureStream(store: EventStore, authorityCode: string, procedureCode: string) {
  const errors = [];
  if (!AUTHORITY_CODE_PATTERN.test(authorityCode)) {
    errors.push({ field: 'authorityCode', message: 'must be a 2-digit provincial code such as 74' });
  }
  if (!PROCEDURE_CODE_PATTERN.test(procedureCode)) {
    errors.push({ field: 'procedureCode', message: 'must be a national procedure code such as 1.001612' });
  }
  if (errors.length > 0) throw new InvalidCommand(errors);
  if (!isKnownAuthorityCode(authorityCode)) throw new UnknownAuthority(authorityCode);
  const events = await store.readStream(procedureStreamId(authorityCode, procedureCode));
  if (events.length === 0) throw new ProcedureNotFound(authorityCode, procedureCode);
  return events;
}

@QueryHandler(GetProcedureQuery)
export class GetProcedureHandler implements IQueryHandler<GetProcedureQuery, ProcedureView> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async execute({ authorityCode, procedureCode }: GetProcedureQuery): Promise<ProcedureView> {
    const events = await readProcedureStream(this.store, authorityCode, procedureCode);
    const state = events.reduce((s, e) => procedure.evolve(s, e as unknown as ProcedureEvent), procedure.initialState());
    if (state.status === 'unregistered') throw new ProcedureNotFound(authorityCode, procedureCode);
    const last = events[events.length - 1];
    return { state, revision: last.revision, position: last.globalPosition };
  }
}

@QueryHandler(GetProcedureEventsQuery)
export class GetProcedureEventsHandler implements IQueryHandler<GetProcedureEventsQuery, RecordedEvent[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ authorityCode, procedureCode }: GetProcedureEventsQuery): Promise<RecordedEvent[]> {
    return readProcedureStream(this.store, authorityCode, procedureCode);
  }
}

export const PROCEDURE_QUERY_HANDLERS = [GetProcedureHandler, GetProcedureEventsHandler];
