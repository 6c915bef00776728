import { isCalendarDate, type CalendarDate } from '../shared/calendar-date.js';
import { InvalidCommand, type FieldError } from '../shared/errors.js';
import type { ProcedureEvent } from './procedure.events.js';
import { evolve, initialState, type ProcedureState, type RegisteredProcedure } from './procedure.state.js';

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
}

/**
 * Time travel on one stream: the procedure's state in force on `at` as recorded by `knownAt`, from its
 * events alone. An event counts only if it was recorded at or before `knownAt` (its metadata's
 * `recordedAt`) and takes effect on or before `at`; the rest of the stream is ignored. The events are
 * folded with the decider's own `evolve`, in revision order.
 *
 * @example
 *   const { inForce, state } = stateAt(events, { at: '2023-09-01', knownAt: '2023-08-01T00:00:00Z' });
 */
export function stateAt(events: readonly RecordedProcedureEvent[], view: HistoricalView): ProcedureStateAt {
  validateHistoricalView(view);
  const known = view.knownAt === undefined ? undefined : Date.parse(view.knownAt);
  let state: ProcedureState = initialState();
  let last: RecordedProcedureEvent | undefined;
  let considered = 0;
  for (const event of [...events].sort((a, b) => a.revision - b.revision)) {
    if (known !== undefined && Date.parse(event.metadata.recordedAt) > known) continue;
    if (event.data.effectiveFrom > view.at) continue;
    state = evolve(state, event);
    last = event;
    considered++;
  }
  return {
    inForce: state.status === 'offered',
    state: state.status === 'unregistered' ? null : state,
    revision: last?.revision ?? null,
    globalPosition: last?.globalPosition ?? null,
    eventsConsidered: considered,
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
