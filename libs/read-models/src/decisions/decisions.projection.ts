import { DECISION_EVENT_TYPES, type DecisionIssued } from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';
import type { Sql } from '../projection/projection-writer.js';
import { quoteIdent } from '../schema/read-model.schema.js';

const isDecisionIssued = (e: RecordedEvent) => (DECISION_EVENT_TYPES as readonly string[]).includes(e.type);

/**
 * Projects a batch's DecisionIssued events into the decisions table, inside the batch's transaction
 * (the projection runner calls it beside the procedures' and the lineage's, so one checkpoint covers
 * them all). One row per decision, from the event alone: its header, item and event counts, digest and
 * the effect on the counts it recorded. A decision's stream holds one event, so a replay finds its row
 * already there and changes nothing (`ON CONFLICT DO NOTHING`).
 *
 * @returns the number of decision rows written.
 */
export async function projectDecisionEvents(sql: Sql, schema: string, events: readonly RecordedEvent[]): Promise<number> {
  const rows = events.filter(isDecisionIssued).map(decisionRow);
  if (rows.length === 0) return 0;
  const column = <K extends keyof DecisionRow>(k: K) => rows.map((r) => r[k]);
  const inserted: unknown[] = await sql(
    `INSERT INTO ${quoteIdent(schema)}.decisions
       (authority_code, number, issued_on, effective_from, title, item_count, event_count, annex_digest,
        effect_total, effect_full_process, effect_partial, effect_information_only, effect_paper_intake_disabled,
        stream_id, event_id, actor, recorded_at, position)
     SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::int[], $7::int[], $8::text[],
                          $9::int[], $10::int[], $11::int[], $12::int[], $13::int[],
                          $14::text[], $15::uuid[], $16::text[], $17::timestamptz[], $18::bigint[])
     ON CONFLICT (authority_code, number) DO NOTHING
     RETURNING 1`,
    [
      column('authorityCode'), column('number'), column('issuedOn'), column('effectiveFrom'), column('title'),
      column('itemCount'), column('eventCount'), column('annexDigest'),
      column('total'), column('fullProcess'), column('partial'), column('informationOnly'), column('paperIntakeDisabled'),
      column('streamId'), column('eventId'), column('actor'), column('recordedAt'), column('position'),
    ],
  );
  return inserted.length;
}

/** A decisions row as the projection writes it (and the verifier expects it), from its event. */
export interface DecisionRow {
  authorityCode: string;
  number: string;
  issuedOn: string;
  effectiveFrom: string;
  title: string | null;
  itemCount: number;
  eventCount: number;
  annexDigest: string;
  total: number;
  fullProcess: number;
  partial: number;
  informationOnly: number;
  paperIntakeDisabled: number;
  streamId: string;
  eventId: string;
  actor: string;
  recordedAt: string;
  position: number;
}

export function decisionRow(e: RecordedEvent): DecisionRow {
  const d = e.data as DecisionIssued['data'];
  return {
    authorityCode: d.authorityCode,
    number: d.number,
    issuedOn: d.issuedOn,
    effectiveFrom: d.effectiveFrom,
    title: d.title ?? null,
    itemCount: d.itemCount,
    eventCount: d.eventCount,
    annexDigest: d.annexDigest,
    ...d.effect,
    streamId: e.streamId,
    eventId: e.id,
    actor: e.metadata.actor,
    recordedAt: e.metadata.recordedAt,
    position: e.globalPosition,
  };
}

export { isDecisionIssued };
