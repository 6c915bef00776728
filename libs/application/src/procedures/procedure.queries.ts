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
import { decisionsCausing, type DecisionLink } from '../decisions/decision-links.js';

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

/** A recorded event with the recorded decision it came from (null: a single command, or a seed's append). */
export type TracedEvent = RecordedEvent & { decision: DecisionLink | null };

/** One transition of a procedure: what changed, when it took effect and was recorded, and on whose decision. */
export interface ProcedureTransitionView {
  revision: number;
  type: string;
  effectiveFrom: string;
  recordedAt: string;
  /** The legal decision the command cited, as given (free text on a single command). */
  decisionRef: string | null;
  /** The recorded decision (POST …/decisions) that appended it; null otherwise. */
  decision: DecisionLink | null;
}

/** A procedure's whole stream, with each event's metadata and the decision it came from. */
export class GetProcedureEventsQuery extends Query<TracedEvent[]> {
  constructor(
    readonly authorityCode: string,
    readonly procedureCode: string,
  ) {
    super();
  }
}

/** A procedure's state rebuilt from its events alone: in force on `at`, as recorded by `knownAt`. */
export interface ProcedureStateAtView extends Omit<ProcedureStateAt, 'globalPosition' | 'consideredRevisions'> {
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
  /** The transitions considered, in order, each with the decision it came from. */
  transitions: ProcedureTransitionView[];
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
    const { inForce, state, revision, eventsConsidered, consideredRevisions } = stateAt(events as unknown as RecordedProcedureEvent[], view);
    const byRevision = new Map(events.map((e) => [e.revision, e]));
    const traced = await traceDecisions(this.store, authorityCode, consideredRevisions.map((r) => byRevision.get(r)!));
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
      transitions: traced.map((e) => {
        const data = e.data as { effectiveFrom: string; decisionRef?: string };
        return { revision: e.revision, type: e.type, effectiveFrom: data.effectiveFrom, recordedAt: e.metadata.recordedAt, decisionRef: data.decisionRef ?? null, decision: e.decision };
      }),
    };
  }
}

@QueryHandler(GetProcedureEventsQuery)
export class GetProcedureEventsHandler implements IQueryHandler<GetProcedureEventsQuery, TracedEvent[]> {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}
  async execute({ authorityCode, procedureCode }: GetProcedureEventsQuery): Promise<TracedEvent[]> {
    return traceDecisions(this.store, authorityCode, await readProcedureStream(this.store, authorityCode, procedureCode));
  }
}

/** Each event with the recorded decision it came from (decision-links.ts). */
async function traceDecisions(store: EventStore, authorityCode: string, events: readonly RecordedEvent[]): Promise<TracedEvent[]> {
  const links = await decisionsCausing(store, authorityCode, events);
  return events.map((e) => ({ ...e, decision: links.get(e.id) ?? null }));
}

export const PROCEDURE_QUERY_HANDLERS = [GetProcedureHandler, GetProcedureStateHandler, GetProcedureEventsHandler];
