import { quoteIdent } from '../schema/read-model.schema.js';

/**
 * The decisions read model: one row per decision recorded (`DecisionIssued`, the first and only event
 * of its stream `decision-<authority>:<number>`), with the change it made to the authority's counts on
 * its effective date. Lists by issued or effective date read one index range; the items stay in the
 * log (GET …/decisions/{number} reads them there).
 *
 * `recorded_at` and `position` are the DecisionIssued event's: `knownAt` filters on the first,
 * `asOfPosition` on the second. `IF NOT EXISTS`: the same statements create the table on a fresh
 * database (with the rest of the read models), in a rebuild's fresh schema, and on a database created
 * before it (its migration, 1732900000000).
 */
export function decisionsDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.decisions (
       authority_code text NOT NULL,
       number text NOT NULL,
       issued_on date NOT NULL,
       effective_from date NOT NULL,
       title text,
       item_count integer NOT NULL,
       event_count integer NOT NULL,
       annex_digest text NOT NULL,
       effect_total integer NOT NULL,
       effect_full_process integer NOT NULL,
       effect_partial integer NOT NULL,
       effect_information_only integer NOT NULL,
       effect_paper_intake_disabled integer NOT NULL,
       stream_id text NOT NULL,
       event_id uuid NOT NULL,
       actor text NOT NULL,
       recorded_at timestamptz NOT NULL,
       position bigint NOT NULL,
       PRIMARY KEY (authority_code, number))`,
    `CREATE INDEX IF NOT EXISTS decisions_by_effective_from ON ${s}.decisions (authority_code, effective_from, position)`,
    `CREATE INDEX IF NOT EXISTS decisions_by_issued_on ON ${s}.decisions (authority_code, issued_on, position)`,
  ];
}

export const DECISIONS_TABLES = ['decisions'] as const;
