import { quoteIdent } from '../schema/read-model.schema.js';

/**
 * The national facts read model (issue 18): every authority that may have facts (provincial-level
 * units and central agencies) with when it was established and dissolved, and every fact recorded
 * about them, each with the log position and instant that recorded it. A few hundred rows: a query
 * reads those known at its instant or position, dated on or before its date, and folds them
 * (national-facts.queries.ts).
 *
 * `IF NOT EXISTS`: the same statements serve a fresh database, a rebuild's schema and the migration.
 */
export function nationalFactsDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    // kind_group: LOCALITY (PROVINCE, CITY) or MINISTRY (MINISTRY, MINISTERIAL_AGENCY); name as now known.
    `CREATE TABLE IF NOT EXISTS ${s}.national_fact_authorities (
       authority_code text PRIMARY KEY,
       kind text NOT NULL,
       kind_group text NOT NULL,
       name text NOT NULL,
       established_from date NOT NULL,
       established_position bigint NOT NULL,
       established_at timestamptz NOT NULL,
       dissolved_on date,
       dissolved_position bigint,
       dissolved_at timestamptz,
       revision integer NOT NULL)`,
    // fact: ASSESSED (meets_all_requirements, requirements), CONNECTED or DISCONNECTED; effective_on is its date.
    `CREATE TABLE IF NOT EXISTS ${s}.national_facts (
       position bigint PRIMARY KEY,
       authority_code text NOT NULL,
       fact text NOT NULL,
       effective_on date NOT NULL,
       meets_all_requirements boolean,
       requirements text,
       source text NOT NULL,
       reason text,
       recorded_at timestamptz NOT NULL)`,
  ];
}

export const NATIONAL_FACTS_TABLES = ['national_fact_authorities', 'national_facts'] as const;
