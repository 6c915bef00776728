import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  AUTHORITY_CODE_PATTERN,
  InvalidCommand,
  PROCEDURE_CODE_PATTERN,
  ProcedureNotFound,
  UnknownAuthority,
  procedure,
  procedureStreamId,
  stateAt,
  validateHistoricalView,
  vietnamDate,
  type ProcedureEvent,
  type ProcedureStateAt,
  type RecordedProcedureEvent,
  type RegisteredProcedure,
} from '@tthc/domain';
import { loadAuthority } from '../handle-command.js';
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

/** A procedure's state rebuilt from its events alone: in force on `at`, as recorded by `knownAt`. */
export interface ProcedureStateAtView extends Omit<ProcedureStateAt, 'globalPosition'> {
  authorityCode: string;
  procedureCode: string;
  at: string;
  /** The instant asked for, or the moment of the answer when none was. */
  knownAt: string;
  /**
   * Global position of the stream's last event, as for the current state: the answer reflects the
   * stream up to it (every event of it was read, and considered or ruled out by `at` and `knownAt`).
   */
  position: number;
}

/** Time travel: `at` defaults to today in Vietnam, `knownAt` to now (everything recorded). */
export class GetProcedureStateQuery extends Query<ProcedureStateAtView> {
  constructor(
    readonly authorityCode: string,
    readonly procedureCode: string,
    readonly at?: string,
    readonly knownAt?: string,
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
  if ((await loadAuthority(store, authorityCode)).status === 'unestablished') throw new UnknownAuthority(authorityCode);
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

@QueryHandler(GetProcedureStateQuery)
export class GetProcedureStateHandler implements IQueryHandler<GetProcedureStateQuery, ProcedureStateAtView> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async execute({ authorityCode, procedureCode, at, knownAt }: GetProcedureStateQuery): Promise<ProcedureStateAtView> {
    const now = new Date();
    const view = { at: at ?? vietnamDate(now), ...(knownAt !== undefined && { knownAt }) };
    validateHistoricalView(view); // before reading: a malformed question is a 400 even for an unknown procedure
    const events = await readProcedureStream(this.store, authorityCode, procedureCode);
    const { inForce, state, revision, eventsConsidered } = stateAt(events as unknown as RecordedProcedureEvent[], view);
    return {
      authorityCode,
      procedureCode,
      at: view.at,
      knownAt: knownAt ?? now.toISOString(),
      inForce,
      state,
      revision,
      eventsConsidered,
      position: events[events.length - 1].globalPosition,
    };
  }
}

@QueryHandler(GetProcedureEventsQuery)
export class GetProcedureEventsHandler implements IQueryHandler<GetProcedureEventsQuery, RecordedEvent[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  execute({ authorityCode, procedureCode }: GetProcedureEventsQuery): Promise<RecordedEvent[]> {
    return readProcedureStream(this.store, authorityCode, procedureCode);
  }
}

export const PROCEDURE_QUERY_HANDLERS = [GetProcedureHandler, GetProcedureStateHandler, GetProcedureEventsHandler];
