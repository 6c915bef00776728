import { isCalendarDate, type CalendarDate } from '../shared/calendar-date.js';
import { InvalidCommand, type FieldError } from '../shared/errors.js';
import { isAmendment, type ProcedureEvent } from './procedure.events.js';
import { foldFacts, standing } from './procedure.standing.js';
import type { RegisteredProcedure } from './procedure.state.js';

/** A procedure event as the log holds it: its place in the stream and the log, and when it was recorded. */
export type RecordedProcedureEvent = ProcedureEvent & {
  revision: number;
  globalPosition: number;
  metadata: { recordedAt: string };
};

/** The two axes of a historical question: in force on `at`, as recorded by `knownAt`. */
export interface HistoricalView {
  /** Calendar date: every transition with `effectiveFrom <= at` is in force. */
  at: CalendarDate;
  /** ISO-8601 instant: events recorded after it are ignored. Absent: everything recorded so far. */
  knownAt?: string;
}

export interface ProcedureStateAt {
  /** Offered on `at`: registered on or before it and not withdrawn on or before it. */
  inForce: boolean;
  /** The state on `at`; a withdrawn procedure keeps its last state. Null if not registered by then. */
  state: RegisteredProcedure | null;
  /** Revision of the last event considered (null when none was). */
  revision: number | null;
  /** Global position of the last event considered (null when none was). */
  globalPosition: number | null;
  /** How many of the stream's events were both recorded by `knownAt` and effective by `at`. */
  eventsConsidered: number;
  /** The revisions of the standing facts folded, in valid-time order: the transitions the state on `at` results from. */
  consideredRevisions: number[];
}

/**
 * Time travel on one stream: the procedure's state in force on `at` as recorded by `knownAt`, from its
 * events alone. Only events recorded at or before `knownAt` (their metadata's `recordedAt`) are known;
 * of those, corrections and rescissions apply to the facts they name, and the standing facts that take
 * effect on or before `at` are folded in valid-time order (by effective date, then revision): a late
 * decision counts from its date, but only as known from its recording.
 *
 * `revision`/`globalPosition`: the last known event that bears on the answer (a fact considered, or a
 * correction or rescission effective by `at`); `eventsConsidered`: the standing facts folded.
 *
 * @example
 *   const { inForce, state } = stateAt(events, { at: '2023-09-01', knownAt: '2023-08-01T00:00:00Z' });
 */
export function stateAt(events: readonly RecordedProcedureEvent[], view: HistoricalView): ProcedureStateAt {
  validateHistoricalView(view);
  const known = view.knownAt === undefined ? undefined : Date.parse(view.knownAt);
  const knownEvents = [...events]
    .sort((a, b) => a.revision - b.revision)
    .filter((e) => known === undefined || Date.parse(e.metadata.recordedAt) <= known);
  const facts = standing(knownEvents.map((event) => ({ revision: event.revision, event }))).filter((f) => f.fact.data.effectiveFrom <= view.at);
  const state = foldFacts(facts);
  const bearing = new Set(facts.map((f) => f.revision));
  let last: RecordedProcedureEvent | undefined;
  for (const event of knownEvents) {
    if (bearing.has(event.revision) || (isAmendment(event) && event.data.effectiveFrom <= view.at)) last = event;
  }
  return {
    inForce: state.status === 'offered',
    state: state.status === 'unregistered' ? null : state,
    revision: last?.revision ?? null,
    globalPosition: last?.globalPosition ?? null,
    eventsConsidered: facts.length,
    consideredRevisions: facts.map((f) => f.revision),
  };
}

// An instant needs its zone: "2023-07-01T00:00" alone would be read in the server's time zone.
const INSTANT = /^(\d{4}-\d{2}-\d{2})T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,9})?)?(Z|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/**
 * An ISO-8601 instant with a time zone (2023-07-01T00:00:00Z, 2023-07-01T07:00+07:00), on a real
 * calendar date (Date.parse reads 2023-02-30 as 2 March), within years 1900–9999.
 */
export function isInstant(value: unknown): value is string {
  const match = typeof value === 'string' ? INSTANT.exec(value) : null;
  if (!match || !isCalendarDate(match[1])) return false;
  const year = new Date(Date.parse(value as string)).getUTCFullYear();
  return year >= 1900 && year <= 9999;
}

/** Throws InvalidCommand naming `at` and/or `knownAt` when malformed. */
export function validateHistoricalView({ at, knownAt }: HistoricalView): void {
  const errors: FieldError[] = [];
  if (!isCalendarDate(at)) errors.push({ field: 'at', message: 'must be a real calendar date YYYY-MM-DD' });
  if (knownAt !== undefined && !isInstant(knownAt)) {
    errors.push({ field: 'knownAt', message: 'must be an ISO-8601 instant with a time zone, such as 2023-07-01T00:00:00Z' });
  }
  if (errors.length > 0) throw new InvalidCommand(errors);
}
