import { randomUUID } from 'node:crypto';
import { v5 as uuidV5 } from 'uuid';
import {
  AuthorityDissolved,
  PROCEDURE_EVENT_SCHEMA_VERSION,
  UnknownAuthority,
  authority,
  authorityStreamId,
  procedure,
  procedureStreamId,
  validateCommand,
  type AuthorityEvent,
  type AuthorityState,
  type ProcedureCommand,
  type ProcedureEvent,
} from '@tthc/domain';
import { WrongExpectedVersion, type EventStore, type NewEvent, type RecordedEvent } from '@tthc/event-store';
import type { CommandContext, CommandResult } from './command-context.js';
import { ConcurrencyConflict } from './errors.js';

/** Without If-Match a lost race is retried on fresh state, so no update is lost and none is blind. */
const MAX_ATTEMPTS = 5;

/** The name space of event ids derived from an idempotency key (RFC 9562 §5.5, a random UUID chosen once). */
const EVENT_ID_NAMESPACE = '5b0b7b8e-3c3f-4f0e-9a51-7f2d0c6e4a11';

/** Results that answer a command carried out before (its events found in the stream), not appended now. */
const recovered = new WeakSet<CommandResult>();

/** True when `result` was rebuilt from the events of an earlier attempt with the same idempotency key. */
export function isRecoveredResult(result: unknown): boolean {
  return typeof result === 'object' && result !== null && recovered.has(result as CommandResult);
}

/** A unit's state, folded from its stream (a few events). */
export async function loadAuthority(store: EventStore, authorityCode: string): Promise<AuthorityState> {
  return foldAuthority(await store.readStream(authorityStreamId(authorityCode)));
}

function foldAuthority(events: readonly RecordedEvent[]): AuthorityState {
  return events.reduce((s, e) => authority.evolve(s, e as unknown as AuthorityEvent), authority.initialState());
}

/**
 * The authority's stream must say it exists (UnknownAuthority, 404) and, for a change effective on
 * `effectiveFrom`, that it had not ceased to exist by then (AuthorityDissolved, 409 naming the
 * successor, whose decisions govern the territory from that day).
 */
export async function requireAuthorityInForce(store: EventStore, authorityCode: string, effectiveFrom?: string): Promise<AuthorityState> {
  return authorityInForce(await loadAuthority(store, authorityCode), authorityCode, effectiveFrom);
}

/** requireAuthorityInForce's rule on a unit already folded. */
function authorityInForce(unit: AuthorityState, authorityCode: string, effectiveFrom?: string): AuthorityState {
  if (unit.status === 'unestablished') throw new UnknownAuthority(authorityCode);
  if (unit.status === 'dissolved' && effectiveFrom !== undefined && effectiveFrom >= unit.dissolvedOn!) {
    throw new AuthorityDissolved(authorityCode, unit.successorCode!, unit.dissolvedOn!);
  }
  return unit;
}

/** A new event with the command's provenance and a random id (authority events: no idempotency key reaches them). */
export function newEvent(event: { type: string; data: unknown }, context: CommandContext, schemaVersion: number): NewEvent {
  return {
    id: randomUUID(),
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata: { actor: context.actor, correlationId: context.correlationId, causationId: context.causationId ?? null },
  };
}

/**
 * The procedure's authority must be established, and a command taking effect on or after its
 * dissolution is refused naming the successor. Then: loads the procedure's stream, folds it, decides, and appends with the revision it read, so that a
 * concurrent writer makes this append fail instead of interleaving. With `context.idempotencyKey`,
 * a stream that already holds this command's events (their ids derive from the key) answers with
 * them, before If-Match or the rules are looked at: the command was carried out, and this is its reply.
 */
export async function handleProcedureCommand(
  store: EventStore,
  command: ProcedureCommand,
  context: CommandContext,
): Promise<CommandResult> {
  validateCommand(command); // malformed input never costs a read
  const { authorityCode } = command.data;
  // A correction dated anew is held to the dates of a decision; one that keeps the date (or a
  // rescission) is about history the unit made while it existed, and is allowed after its dissolution.
  const effectiveFrom = 'effectiveFrom' in command.data ? command.data.effectiveFrom : undefined;
  const streamId = procedureStreamId(command.data.authorityCode, command.data.procedureCode);
  // The unit's stream and the procedure's in one statement where the store can (issue 16: a round
  // trip less per command), one after the other where it cannot.
  const unitStream = authorityStreamId(authorityCode);
  const both = store.readStreams ? await store.readStreams([unitStream, streamId]) : undefined;
  const unitEvents = both ? (both.get(unitStream) ?? []) : await store.readStream(unitStream);
  // The discontinuation itself is dated on the dissolution: the only command allowed then.
  authorityInForce(foldAuthority(unitEvents), authorityCode, command.type === 'DiscontinueProcedure' ? undefined : effectiveFrom);
  const decide = (history: readonly RecordedEvent[]) =>
    procedure.decide(command, history.reduce((s, e) => procedure.evolve(s, e as unknown as ProcedureEvent), procedure.initialState()));
  return handleStreamCommand(store, streamId, context, PROCEDURE_EVENT_SCHEMA_VERSION, decide, both && (both.get(streamId) ?? []));
}

/**
 * One command on one stream, over HTTP's conventions: reads the stream (or takes `firstRead`, the
 * stream as the caller read it just before, for the first attempt); with `context.idempotencyKey`,
 * answers with the events an earlier attempt appended (their ids derive from the key); checks
 * If-Match (`context.expectedRevision`, else ConcurrencyConflict, 412); `decide` folds the history and
 * decides (throwing refuses: nothing is appended); appends with the revision it read, so a concurrent
 * writer makes the append fail instead of interleaving. Without If-Match a lost race is retried on
 * fresh state.
 */
export async function handleStreamCommand(
  store: EventStore,
  streamId: string,
  context: CommandContext,
  schemaVersion: number,
  decide: (history: readonly RecordedEvent[]) => readonly { type: string; data: unknown }[],
  firstRead?: readonly RecordedEvent[],
): Promise<CommandResult> {
  for (let attempt = 1; ; attempt++) {
    // The stream as the caller just read it, for the first attempt; a retry reads it again.
    const history = attempt === 1 && firstRead !== undefined ? firstRead : await store.readStream(streamId);
    const earlier = context.idempotencyKey === undefined ? [] : eventsOf(history, context.idempotencyKey);
    if (earlier.length > 0) {
      const result: CommandResult = { streamId, revision: earlier[earlier.length - 1].revision, events: earlier.map(({ type, globalPosition }) => ({ type, globalPosition })) };
      recovered.add(result);
      return result;
    }
    const current = history.length === 0 ? null : history[history.length - 1].revision;
    if (context.expectedRevision !== undefined && context.expectedRevision !== current) {
      throw new ConcurrencyConflict(streamId, context.expectedRevision, current);
    }
    const decided = decide(history);
    if (decided.length === 0) return { streamId, revision: current ?? -1, events: [] };
    try {
      const result = await store.appendToStream(streamId, decided.map((e, index) => toNewEvent(e, context, index, schemaVersion)), {
        expectedRevision: current ?? 'no_stream',
      });
      return {
        streamId,
        revision: result.nextExpectedRevision,
        events: result.events.map(({ type, globalPosition }) => ({ type, globalPosition })),
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      if (context.expectedRevision !== undefined) {
        throw new ConcurrencyConflict(streamId, context.expectedRevision, error.actual === 'no_stream' ? null : error.actual);
      }
      if (attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/** The id of a command's `index`-th event: derived from the idempotency key when there is one, random otherwise. */
function eventId(context: CommandContext, index: number): string {
  return context.idempotencyKey === undefined ? randomUUID() : derivedEventId(context.idempotencyKey, index);
}

/** UUID v5 of the key and the index: the same in every attempt of one request. */
function derivedEventId(idempotencyKey: string, index: number): string {
  return uuidV5(`${idempotencyKey}\n${index}`, EVENT_ID_NAMESPACE);
}

/** The events an earlier attempt with this key appended: ids of index 0, 1, … in a row. */
function eventsOf(history: readonly RecordedEvent[], idempotencyKey: string): RecordedEvent[] {
  const byId = new Map(history.map((e) => [e.id, e]));
  const found: RecordedEvent[] = [];
  for (;;) {
    const event = byId.get(derivedEventId(idempotencyKey, found.length));
    if (event === undefined) return found;
    found.push(event);
  }
}

function toNewEvent(event: { type: string; data: unknown }, context: CommandContext, index: number, schemaVersion: number): NewEvent {
  return {
    id: eventId(context, index),
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata: { actor: context.actor, correlationId: context.correlationId, causationId: context.causationId ?? null },
  };
}
