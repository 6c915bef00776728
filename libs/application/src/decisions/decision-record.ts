import {
  DecisionNotFound,
  decisionStreamId,
  procedureStreamId,
  validateDecisionNumber,
  type DecisionIssued,
  type DecisionItem,
  type SummaryCounts,
} from '@tthc/domain';
import type { AppendResult, EventStore, RecordedEvent } from '@tthc/event-store';

/** One item of a recorded decision, with the events it appended to its procedure's stream. */
export type DecisionRecordItem = DecisionItem & {
  index: number;
  streamId: string;
  events: { type: string; revision: number; globalPosition: number }[];
};

/**
 * A decision as recorded: the DecisionIssued event and every event it caused (their causationId is
 * its id). The reply to issuing a decision, to repeating it, and to reading it back.
 */
export interface DecisionRecord {
  authorityCode: string;
  number: string;
  issuedOn: string;
  effectiveFrom: string;
  title?: string;
  streamId: string;
  /** Id and global position of the DecisionIssued event. */
  eventId: string;
  globalPosition: number;
  recordedAt: string;
  /** Who issued it (the token's subject). */
  actor: string;
  correlationId: string;
  annexDigest: string;
  itemCount: number;
  eventCount: number;
  /** The change in the authority's counts on the effective date. */
  effect: SummaryCounts;
  /** Always true: every event committed at once or none did (adapters that cannot refuse decisions). */
  atomic: true;
  items: DecisionRecordItem[];
}

/** Events read per page while collecting a decision's caused events. */
const PAGE = 5_000;
/** Streams read at once when the log read could not see all of them. */
const READ_CONCURRENCY = 16;

/**
 * A decision read back from the log, or null when none has this number. Its caused events follow it
 * in the log (one commit), so they are collected reading forward from its position until all
 * `eventCount` are found.
 *
 * @throws InvalidCommand for a malformed number.
 */
export async function readDecision(store: EventStore, authorityCode: string, number: string): Promise<DecisionRecord | null> {
  validateDecisionNumber(number);
  const [event] = await store.readStream(decisionStreamId(authorityCode, number), { maxCount: 1 });
  if (!event) return null;
  const data = event.data as DecisionIssued['data'];
  const caused: RecordedEvent[] = [];
  let after = event.globalPosition;
  while (caused.length < data.eventCount) {
    const page = await store.readAll({ after, limit: PAGE });
    if (page.length === 0) break;
    for (const e of page) if (e.metadata.causationId === event.id) caused.push(e);
    after = page[page.length - 1].globalPosition;
  }
  const byStream = new Map<string, RecordedEvent[]>();
  for (const e of caused) byStream.set(e.streamId, [...(byStream.get(e.streamId) ?? []), e]);
  if (caused.length < data.eventCount) {
    // The log read stops at the oldest transaction still running (the catch-up readers' guarantee),
    // which may be older than the decision's: the item streams themselves are read then.
    const missing = data.items.map((i) => procedureStreamId(data.authorityCode, i.procedureCode)).filter((id) => !byStream.has(id));
    for (let start = 0; start < missing.length; start += READ_CONCURRENCY) {
      await Promise.all(
        missing.slice(start, start + READ_CONCURRENCY).map(async (streamId) => {
          const own = (await store.readStream(streamId)).filter((e) => e.metadata.causationId === event.id);
          if (own.length > 0) byStream.set(streamId, own);
        }),
      );
    }
  }
  return toRecord(data, event, (streamId) => byStream.get(streamId) ?? []);
}

/** As readDecision, but a missing decision is DecisionNotFound (404). */
export async function getDecision(store: EventStore, authorityCode: string, number: string): Promise<DecisionRecord> {
  const record = await readDecision(store, authorityCode, number);
  if (!record) throw new DecisionNotFound(authorityCode, number);
  return record;
}

/** The record of a decision just appended, from the append's results and its event read back. */
export async function decisionRecord(
  store: EventStore,
  data: DecisionIssued['data'],
  decision: AppendResult,
  items: readonly AppendResult[],
): Promise<DecisionRecord> {
  const [event] = await store.readStream(decision.streamId, { maxCount: 1 });
  const byStream = new Map(items.map((r) => [r.streamId, r.events]));
  return toRecord(data, event, (streamId) => byStream.get(streamId) ?? []);
}

function toRecord(
  data: DecisionIssued['data'],
  event: RecordedEvent,
  eventsOf: (streamId: string) => readonly { type: string; revision: number; globalPosition: number }[],
): DecisionRecord {
  return {
    authorityCode: data.authorityCode,
    number: data.number,
    issuedOn: data.issuedOn,
    effectiveFrom: data.effectiveFrom,
    ...(data.title !== undefined && { title: data.title }),
    streamId: event.streamId,
    eventId: event.id,
    globalPosition: event.globalPosition,
    recordedAt: event.metadata.recordedAt,
    actor: event.metadata.actor,
    correlationId: event.metadata.correlationId,
    annexDigest: data.annexDigest,
    itemCount: data.itemCount,
    eventCount: data.eventCount,
    effect: data.effect,
    atomic: true,
    items: data.items.map((item, index) => {
      const streamId = procedureStreamId(data.authorityCode, item.procedureCode);
      const events = eventsOf(streamId).map(({ type, revision, globalPosition }) => ({ type, revision, globalPosition }));
      return { ...item, index, streamId, events };
    }),
  };
}
