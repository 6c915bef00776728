import { ProjectionBehind } from '../projection/projection-behind.error.js';
import { PROCEDURE_PROJECTION } from '../projection/projection-runner.js';
import type { Queryable } from '../queries/read-model.reader.js';
import type { AnswerPage, SummaryCounts } from '../queries/summary.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';

/** The date a decision list's range applies to. */
export const DECISION_DATE_FIELDS = ['effectiveFrom', 'issuedOn'] as const;
export type DecisionDateField = (typeof DECISION_DATE_FIELDS)[number];
const COLUMN_OF: Record<DecisionDateField, string> = { effectiveFrom: 'effective_from', issuedOn: 'issued_on' };

/** One decision of a list: its record without the items (GET …/decisions/{number} has them). */
export interface DecisionListItem {
  number: string;
  issuedOn: string;
  effectiveFrom: string;
  /** The issuing unit, and its name on the issued-on date. */
  issuer: { authorityCode: string; authorityName: string };
  title: string | null;
  itemCount: number;
  eventCount: number;
  annexDigest: string;
  /** The change the decision made to the authority's counts on its effective date. */
  effect: SummaryCounts;
  streamId: string;
  /** The DecisionIssued event: every procedure event of the decision has it as causationId. */
  eventId: string;
  globalPosition: number;
  recordedAt: string;
  actor: string;
}

export interface DecisionPage extends AnswerPage<DecisionListItem> {
  authorityCode: string;
  authorityName: string;
  /** The range asked for (inclusive), on `by`; null for an open end. */
  from: string | null;
  to: string | null;
  by: DecisionDateField;
}

export interface DecisionListOptions {
  from?: string;
  to?: string;
  by?: DecisionDateField;
  knownAt?: string;
  asOfPosition?: number;
  page?: number;
  pageSize?: number;
}

/**
 * SQL of the decisions read model. One statement reads the page, the total and the checkpoint, so the
 * three come from one snapshot.
 */
export class DecisionsReader {
  private readonly s: string;

  constructor(
    private readonly dataSource: Queryable,
    schema: string = LIVE_SCHEMA,
  ) {
    this.s = quoteIdent(schema);
  }

  /**
   * @param range dates inclusive on `by` (either end may be open); `knownAt` keeps the decisions recorded
   *   by that instant, `asOfPosition` those at or below that log position (the read models must have
   *   reached it: ProjectionBehind otherwise).
   */
  async list(
    authorityCode: string,
    { from, to, by = 'effectiveFrom', knownAt, asOfPosition, page = 1, pageSize = 50 }: DecisionListOptions,
  ): Promise<{ items: Omit<DecisionListItem, 'issuer'>[]; total: number; position: number }> {
    const column = COLUMN_OF[by];
    const [row] = await this.dataSource.query(
      `WITH matching AS (
         SELECT * FROM ${this.s}.decisions
         WHERE authority_code = $1 AND ($2::date IS NULL OR ${column} >= $2) AND ($3::date IS NULL OR ${column} <= $3)
           AND ($4::timestamptz IS NULL OR recorded_at <= $4) AND ($5::bigint IS NULL OR position <= $5))
       SELECT (SELECT count(*) FROM matching) AS total,
              (SELECT coalesce(max(position), 0) FROM ${this.s}.projection_checkpoints WHERE name = '${PROCEDURE_PROJECTION.name}') AS position,
              (SELECT coalesce(json_agg(p ORDER BY p.${column}, p.position), '[]'::json)
               FROM (SELECT * FROM matching ORDER BY ${column}, position LIMIT $6 OFFSET $7) p) AS items`,
      [authorityCode, from ?? null, to ?? null, knownAt ?? null, asOfPosition ?? null, pageSize, (page - 1) * pageSize],
    );
    const checkpoint = Number(row.position);
    if (asOfPosition !== undefined && checkpoint < asOfPosition) throw new ProjectionBehind(asOfPosition, checkpoint, 0);
    return {
      total: Number(row.total),
      position: asOfPosition ?? checkpoint,
      items: (row.items as any[]).map((r) => ({
        number: r.number,
        issuedOn: r.issued_on,
        effectiveFrom: r.effective_from,
        title: r.title,
        itemCount: r.item_count,
        eventCount: r.event_count,
        annexDigest: r.annex_digest,
        effect: {
          total: r.effect_total,
          fullProcess: r.effect_full_process,
          partial: r.effect_partial,
          informationOnly: r.effect_information_only,
          paperIntakeDisabled: r.effect_paper_intake_disabled,
        },
        streamId: r.stream_id,
        eventId: r.event_id,
        globalPosition: Number(r.position),
        recordedAt: new Date(r.recorded_at).toISOString(),
        actor: r.actor,
      })),
    };
  }
}
