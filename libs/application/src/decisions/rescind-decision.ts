import { randomUUID } from 'node:crypto';
import {
  DecisionRefused,
  DomainError,
  IllegalProcedureTransition,
  InvalidCommand,
  LIMITS,
  PROCEDURE_EVENT_SCHEMA_VERSION,
  factsOf,
  logOf,
  procedure,
  type ItemRefusal,
  type ProcedureEvent,
} from '@tthc/domain';
import { WrongExpectedVersion, type EventStore, type StreamAppend } from '@tthc/event-store';
import type { CommandContext } from '../command-context.js';
import { getDecision } from './decision-record.js';

/** A lost race on one of the decision's procedures is retried on fresh state this many times in all. */
const MAX_ATTEMPTS = 3;

export interface RescindDecision {
  authorityCode: string;
  /** The decision rescinded, as printed. */
  number: string;
  /** The later decision that rescinds it. */
  decisionRef: string;
  reason?: string;
}

/** What a decision's rescission appended: one TransitionRescinded per event of the decision still standing. */
export interface DecisionRescission {
  authorityCode: string;
  number: string;
  decisionRef: string;
  streams: { streamId: string; revision: number; events: { type: string; globalPosition: number }[] }[];
  eventCount: number;
}

/**
 * Rescinds a decision by a later one (issue 15): every event it caused that still stands is rescinded
 * (TransitionRescinded, one per event), in every procedure stream at once (EventStore.appendToStreams),
 * so every change it made is undone from its effective date, as known from this moment. Refused as a
 * whole (409 decision-refused, every refused item listed) when rescinding would leave a later
 * transition of some procedure illegal; nothing is appended then.
 *
 * @throws InvalidCommand, DecisionNotFound, DecisionRefused, IllegalProcedureTransition (NOT_CORRECTABLE:
 *   nothing of it stands any more), WrongExpectedVersion after MAX_ATTEMPTS lost races.
 */
export async function rescindDecision(store: EventStore, command: RescindDecision, context: CommandContext): Promise<DecisionRescission> {
  const ref = command.decisionRef;
  if (typeof ref !== 'string' || ref.trim().length === 0 || ref.length > LIMITS.decisionRef) {
    throw new InvalidCommand([{ field: 'decisionRef', message: `must be a non-empty string of at most ${LIMITS.decisionRef} characters` }]);
  }
  for (let attempt = 1; ; attempt++) {
    const record = await getDecision(store, command.authorityCode, command.number);
    const appends: StreamAppend[] = [];
    const refusals: ItemRefusal[] = [];
    for (const item of record.items) {
      if (item.events.length === 0) continue;
      const history = await store.readStream(item.streamId);
      const state = history.reduce((s, e) => procedure.evolve(s, e as unknown as ProcedureEvent), procedure.initialState());
      const standing = new Set(factsOf(logOf(state)).filter((f) => f.rescindedBy === null).map((f) => f.revision));
      const revisions = item.events.map((e) => e.revision).filter((r) => standing.has(r));
      if (revisions.length === 0) continue;
      try {
        const events = procedure.decide(
          {
            type: 'RescindTransitions',
            data: {
              authorityCode: record.authorityCode,
              procedureCode: item.procedureCode,
              revisions,
              decisionRef: ref,
              ...(command.reason !== undefined && { reason: command.reason }),
            },
          },
          state,
        );
        appends.push({
          streamId: item.streamId,
          expectedRevision: history[history.length - 1].revision,
          events: events.map((e) => ({
            id: randomUUID(),
            type: e.type,
            schemaVersion: PROCEDURE_EVENT_SCHEMA_VERSION,
            data: e.data,
            metadata: { actor: context.actor, correlationId: context.correlationId, causationId: context.causationId ?? null },
          })),
        });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        const reason = error instanceof IllegalProcedureTransition ? error.reason : error.code;
        refusals.push({ index: item.index, procedureCode: item.procedureCode, reason, message: error.message });
      }
    }
    if (refusals.length > 0) throw new DecisionRefused(refusals);
    if (appends.length === 0) {
      throw new IllegalProcedureTransition('NOT_CORRECTABLE', `Nothing of decision ${command.number} stands any more: its events were all rescinded`);
    }
    try {
      const results = await store.appendToStreams(appends);
      return {
        authorityCode: record.authorityCode,
        number: record.number,
        decisionRef: ref.trim(),
        streams: results.map((r) => ({ streamId: r.streamId, revision: r.nextExpectedRevision, events: r.events.map(({ type, globalPosition }) => ({ type, globalPosition })) })),
        eventCount: results.reduce((n, r) => n + r.events.length, 0),
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion) || attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}
