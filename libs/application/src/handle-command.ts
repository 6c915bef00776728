import { randomUUID } from 'node:crypto';
import {
  PROCEDURE_EVENT_SCHEMA_VERSION,
  procedure,
  procedureStreamId,
  validateCommand,
  type ProcedureCommand,
  type ProcedureEvent,
} from '@tthc/domain';
import { WrongExpectedVersion, type EventStore, type NewEvent } from '@tthc/event-store';
import type { CommandContext, CommandResult } from './command-context.js';
import { ConcurrencyConflict } from './errors.js';

/** Without If-Match a lost race is retried on fresh state, so no update is lost and none is blind. */
const MAX_ATTEMPTS = 5;

/**
 * Loads the procedure's stream, folds it, decides, and appends with the revision it read, so that a
 * concurrent writer makes this append fail instead of interleaving.
 */
export async function handleProcedureCommand(
  store: EventStore,
  command: ProcedureCommand,
  context: CommandContext,
): Promise<CommandResult> {
  validateCommand(command); // malformed input never costs a read
  const streamId = procedureStreamId(command.data.authorityCode, command.data.procedureCode);
  for (let attempt = 1; ; attempt++) {
    const history = await store.readStream(streamId);
    const current = history.length === 0 ? null : history[history.length - 1].revision;
    if (context.expectedRevision !== undefined && context.expectedRevision !== current) {
      throw new ConcurrencyConflict(streamId, context.expectedRevision, current);
    }
    const state = history.reduce((s, e) => procedure.evolve(s, e as unknown as ProcedureEvent), procedure.initialState());
    const decided = procedure.decide(command, state);
    try {
      const result = await store.appendToStream(streamId, decided.map((e) => toNewEvent(e, context)), {
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

function toNewEvent(event: ProcedureEvent, context: CommandContext): NewEvent {
  return {
    id: randomUUID(),
    type: event.type,
    schemaVersion: PROCEDURE_EVENT_SCHEMA_VERSION,
    data: event.data,
    metadata: { actor: context.actor, correlationId: context.correlationId, causationId: context.causationId ?? null },
  };
}
