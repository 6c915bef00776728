import { createHash, randomUUID } from 'node:crypto';
import {
  DECISION_EVENT_SCHEMA_VERSION,
  DecisionNumberTaken,
  DecisionRefused,
  PROCEDURE_EVENT_SCHEMA_VERSION,
  canonicalDecision,
  decideDecision,
  decisionIssued,
  decisionStreamId,
  procedure,
  procedureStreamId,
  validateDecision,
  type DecisionIssued,
  type DecisionOutcome,
  type IssueDecision,
  type ProcedureEvent,
  type ProcedureState,
} from '@tthc/domain';
import { WrongExpectedVersion, canonicalJson, type EventStore, type NewEvent, type RecordedEvent, type StreamAppend } from '@tthc/event-store';
import type { CommandContext } from '../command-context.js';
import { decisionRecord, readDecision, type DecisionRecord } from './decision-record.js';
import { requireAuthorityInForce } from '../handle-command.js';

/** A lost race on one of the decision's procedures is retried on fresh state this many times in all. */
const MAX_ATTEMPTS = 3;
/** Procedure streams read at once while loading a decision's procedures, one read each (stores without readStreams). */
const READ_CONCURRENCY = 16;
/** Procedure streams read by one query while loading a decision's procedures (stores with readStreams). */
const READ_BATCH = 1_000;

export interface LoadOptions {
  /** Called as the items' procedures are read (done, total): the bulk of a large decision's time. */
  onProgress?: (done: number, total: number) => void;
}

/** The decision as recorded; `created` false when it was a repeat of one already issued. */
export interface IssuedDecision {
  record: DecisionRecord;
  created: boolean;
}

/** A preview (dryRun): what every item would do, and the effect; nothing appended. */
export interface DecisionPreview {
  authorityCode: string;
  number: string;
  effectiveFrom: string;
  outcome: DecisionOutcome;
  /** Global position of the latest event read: the preview reflects the log up to it. */
  position: number;
}

/** sha256 (hex) of the canonical decision: equal for the same decision however it was sent (JSON or CSV). */
export function decisionDigest(command: IssueDecision): string {
  return createHash('sha256').update(canonicalJson(canonicalDecision(command).data)).digest('hex');
}

/**
 * Issues a decision: every item decided against its procedure's current state, then the decision
 * record and every item's events appended atomically (EventStore.appendToStreams), each procedure
 * stream at the revision it was read at. Each procedure event's causation is the DecisionIssued
 * event, its correlation the request's. The same number with the same content answers the first
 * record and appends nothing.
 *
 * @throws InvalidCommand, UnknownAuthority (bad input); AuthorityDissolved (effective on or after the
 *   authority's dissolution: 409 naming the successor); DecisionRefused (some item refused: nothing
 *   appended); DecisionNumberTaken (the number was issued with other content); WrongExpectedVersion
 *   after MAX_ATTEMPTS lost races; MultiStreamAppendUnsupported (KurrentDB before 25.1).
 */
export async function issueDecision(
  store: EventStore,
  command: IssueDecision,
  context: CommandContext,
  options: LoadOptions = {},
): Promise<IssuedDecision> {
  validateDecision(command);
  await requireAuthorityInForce(store, command.data.authorityCode, command.data.effectiveFrom);
  const { authorityCode, number } = command.data;
  const digest = decisionDigest(command);
  for (let attempt = 1; ; attempt++) {
    const existing = await readDecision(store, authorityCode, number);
    if (existing) return { record: sameOrTaken(existing, digest), created: false };
    const { states, revisions } = await loadProcedures(store, command, options);
    const outcome = decideDecision(command, (code) => states.get(code) ?? procedure.initialState());
    if (outcome.refusals.length > 0) throw new DecisionRefused(outcome.refusals);

    const record = decisionIssued(command, outcome, digest);
    const decisionEvent = newEvent(record, DECISION_EVENT_SCHEMA_VERSION, { ...context, causationId: context.causationId ?? null });
    const appends: StreamAppend[] = [
      { streamId: decisionStreamId(authorityCode, number), events: [decisionEvent], expectedRevision: 'no_stream' },
      ...outcome.outcomes.map((o) => ({
        streamId: procedureStreamId(authorityCode, o.procedureCode),
        events: o.events.map((e) => newEvent(e, PROCEDURE_EVENT_SCHEMA_VERSION, { ...context, causationId: decisionEvent.id })),
        expectedRevision: revisions.get(o.procedureCode) ?? ('no_stream' as const),
      })),
    ];
    try {
      const results = await store.appendToStreams(appends);
      const [decision, ...items] = results;
      return { record: await decisionRecord(store, record.data, decision, items), created: true };
    } catch (error) {
      if (!(error instanceof WrongExpectedVersion)) throw error;
      if (error.streamId === appends[0].streamId) {
        const winner = await readDecision(store, authorityCode, number);
        if (winner) return { record: sameOrTaken(winner, digest), created: false };
      }
      if (attempt >= MAX_ATTEMPTS) throw error;
    }
  }
}

/**
 * Judges a decision without appending: every item's outcome (refused ones included) and the effect
 * on the authority's counts on the effective date.
 */
export async function previewDecision(store: EventStore, command: IssueDecision, options: LoadOptions = {}): Promise<DecisionPreview> {
  validateDecision(command);
  await requireAuthorityInForce(store, command.data.authorityCode, command.data.effectiveFrom);
  const { states, position } = await loadProcedures(store, command, options);
  const outcome = decideDecision(command, (code) => states.get(code) ?? procedure.initialState());
  return { authorityCode: command.data.authorityCode, number: command.data.number, effectiveFrom: command.data.effectiveFrom, outcome, position };
}

function sameOrTaken(existing: DecisionRecord, digest: string): DecisionRecord {
  if (existing.annexDigest !== digest) throw new DecisionNumberTaken(existing.authorityCode, existing.number);
  return existing;
}

/**
 * Every item's procedure: its current state and revision (none for a procedure never registered).
 * With a store that reads many streams at once (PostgreSQL), READ_BATCH streams per query; otherwise
 * one `readStream` each, READ_CONCURRENCY at a time.
 */
async function loadProcedures(store: EventStore, command: IssueDecision, options: LoadOptions) {
  const states = new Map<string, ProcedureState>();
  const revisions = new Map<string, number>();
  let position = 0;
  const take = (code: string, history: readonly RecordedEvent[]) => {
    if (history.length === 0) return;
    const last = history[history.length - 1];
    revisions.set(code, last.revision);
    position = Math.max(position, last.globalPosition);
    states.set(code, history.reduce((s, e) => procedure.evolve(s, e as unknown as ProcedureEvent), procedure.initialState()));
  };
  const codes = command.data.items.map((i) => i.procedureCode);
  const streamOf = (code: string) => procedureStreamId(command.data.authorityCode, code);
  const step = store.readStreams ? READ_BATCH : READ_CONCURRENCY;
  for (let start = 0; start < codes.length; start += step) {
    const chunk = codes.slice(start, start + step);
    if (store.readStreams) {
      const streams = await store.readStreams(chunk.map(streamOf));
      for (const code of chunk) take(code, streams.get(streamOf(code)) ?? []);
    } else {
      await Promise.all(chunk.map(async (code) => take(code, await store.readStream(streamOf(code)))));
    }
    options.onProgress?.(Math.min(start + step, codes.length), codes.length);
  }
  return { states, revisions, position };
}

function newEvent(event: ProcedureEvent | DecisionIssued, schemaVersion: number, context: CommandContext & { causationId: string | null }): NewEvent {
  return {
    id: randomUUID(),
    type: event.type,
    schemaVersion,
    data: event.data,
    metadata: { actor: context.actor, correlationId: context.correlationId, causationId: context.causationId },
  };
}
