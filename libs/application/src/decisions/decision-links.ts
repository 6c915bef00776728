import { DECISION_LIMITS, DECISION_NUMBER_PATTERN, decisionStreamId } from '@tthc/domain';
import type { EventStore, RecordedEvent } from '@tthc/event-store';

/** The recorded decision a procedure event came from: its number, and its DecisionIssued event. */
export interface DecisionLink {
  number: string;
  streamId: string;
  /** The DecisionIssued event: the procedure event's causationId. */
  eventId: string;
  globalPosition: number;
}

/**
 * For each of a procedure's events that a recorded decision appended: that decision, by the event's id.
 * An event came from a decision when its `decisionRef` names a decision recorded for the authority
 * and its causationId is that decision's DecisionIssued event (a single command that merely cites a
 * decision's number has another cause, and no link). One read per distinct number cited.
 */
export async function decisionsCausing(store: EventStore, authorityCode: string, events: readonly RecordedEvent[]): Promise<Map<string, DecisionLink>> {
  const refOf = (e: RecordedEvent) => (e.data as { decisionRef?: unknown })?.decisionRef;
  const cited = new Set(
    events
      .filter((e) => e.metadata.causationId)
      .map(refOf)
      .filter((ref): ref is string => typeof ref === 'string' && ref.length <= DECISION_LIMITS.number && DECISION_NUMBER_PATTERN.test(ref.normalize('NFC'))),
  );
  const decisions = new Map<string, RecordedEvent>();
  await Promise.all(
    [...cited].map(async (number) => {
      const [decision] = await store.readStream(decisionStreamId(authorityCode, number), { maxCount: 1 });
      if (decision) decisions.set(number, decision);
    }),
  );
  const links = new Map<string, DecisionLink>();
  for (const e of events) {
    const ref = refOf(e);
    const decision = typeof ref === 'string' ? decisions.get(ref) : undefined;
    if (decision && decision.id === e.metadata.causationId) {
      links.set(e.id, { number: ref as string, streamId: decision.streamId, eventId: decision.id, globalPosition: decision.globalPosition });
    }
  }
  return links;
}
