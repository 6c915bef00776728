import { authorityLineageDdl } from '../authorities/authority-lineage.schema.js';
import { decisionsDdl } from '../decisions/decisions.schema.js';
import { nationalFactsDdl } from '../national-facts/national-facts.schema.js';

/**
 * The read models' tables, created in a schema of a given name: `read_model` is the live one; a
 * rebuild creates the same tables in a fresh schema beside it and then swaps the names (rebuild.ts).
 * The TypeORM migration and the rebuild both call this, so the two can never drift apart.
 *
 * This is always the LATEST shape: the initial migration creates it on a fresh database, and every
 * later migration upgrades an older database to it with `ADD COLUMN IF NOT EXISTS` (a no-op on a
 * fresh one). Columns added later therefore go last in their table, where ALTER TABLE puts them, so
 * that both paths end in the same shape (read-model.schema.int.spec.ts compares them).
 */
export const LIVE_SCHEMA = 'read_model';

export function readModelTablesDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE SCHEMA IF NOT EXISTS ${s}`,
    // Where each projection stands in the global log; written in the same transaction as its rows.
    `CREATE TABLE ${s}.projection_checkpoints (
       name text PRIMARY KEY,
       position bigint NOT NULL DEFAULT 0,
       updated_at timestamptz NOT NULL DEFAULT now())`,
    // Each procedure as it stands now (the latest of everything recorded).
    `CREATE TABLE ${s}.procedures (
       authority_code text NOT NULL,
       procedure_code text NOT NULL,
       name text NOT NULL,
       field text,
       level text,
       online_mode text NOT NULL,
       paper_intake text NOT NULL,
       withdrawn boolean NOT NULL DEFAULT false,
       registered_from date NOT NULL,
       last_effective_from date NOT NULL,
       revision integer NOT NULL,
       position bigint NOT NULL,
       -- The interval row that is open on both axes, so that the next transition finds it by key.
       open_valid_from date,
       open_recorded_from timestamptz,
       open_recorded_from_position bigint,
       PRIMARY KEY (authority_code, procedure_code))`,
    // Status over time on two axes: in force on [valid_from, valid_to), as recorded during
    // [recorded_from, recorded_to). NULL ends are open. The record axis is also kept in global log
    // positions, [recorded_from_position, recorded_to_position): the row is what the log said from
    // the event at the first position until the one at the second (asOfPosition queries).
    `CREATE TABLE ${s}.procedure_status_intervals (
       authority_code text NOT NULL,
       procedure_code text NOT NULL,
       valid_from date NOT NULL,
       valid_to date,
       recorded_from timestamptz NOT NULL,
       recorded_to timestamptz,
       online_mode text NOT NULL,
       paper_intake text NOT NULL,
       recorded_from_position bigint NOT NULL,
       recorded_to_position bigint,
       PRIMARY KEY (authority_code, procedure_code, valid_from, recorded_from))`,
    ...statusIntervalIndexesDdl(schema),
    // One row per transition (registration included), by effective date. A corrected or rescinded one
    // is superseded from the instant (and log position) of the event at `superseded_by`; a corrected
    // one's right values are a row of their own at the correction's position.
    `CREATE TABLE ${s}.procedure_transitions (
       position bigint PRIMARY KEY,
       authority_code text NOT NULL,
       procedure_code text NOT NULL,
       kind text NOT NULL,
       effective_from date NOT NULL,
       recorded_at timestamptz NOT NULL,
       decision_ref text,
       from_value text,
       to_value text,
       superseded_at timestamptz,
       superseded_position bigint,
       superseded_by bigint)`,
    ...transitionIndexesDdl(schema),
    `CREATE INDEX ON ${s}.procedure_transitions (authority_code, procedure_code, position)`,
    // Pre-aggregation: each authority's counts in force from each date on which anything changed,
    // as currently known. The summary at D is the row with the greatest date <= D: one index probe.
    `CREATE TABLE ${s}.authority_daily_summaries (
       authority_code text NOT NULL,
       date date NOT NULL,
       total integer NOT NULL,
       full_process integer NOT NULL,
       partial integer NOT NULL,
       information_only integer NOT NULL,
       paper_intake_disabled integer NOT NULL,
       PRIMARY KEY (authority_code, date))`,
    ...dailyTransitionsDdl(schema),
    // The units and their lineage (authorities/authority-lineage.schema.ts).
    ...authorityLineageDdl(schema),
    // The decisions (decisions/decisions.schema.ts).
    ...decisionsDdl(schema),
    // The national facts (national-facts/national-facts.schema.ts).
    ...nationalFactsDdl(schema),
  ];
}

export function quoteIdent(name: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`Unsafe schema name '${name}'`);
  return `"${name}"`;
}

/**
 * The query side's indexes on the status intervals (issue 16): each holds every column its queries
 * read, so that they are answered from the index alone (an index-only scan; only pages changed since
 * the last vacuum are visited in the table), not by one table page per row in force.
 * - rows open on the record axis ("now"), by unit and procedure code: the procedure list walks a
 *   unit's rows in code order and stops at the page's end (its cost follows the page, not the
 *   catalogue), and the projector finds a procedure's open rows;
 * - every row, by unit and start of validity: counts and lists as known at an instant or as of a
 *   log position.
 */
export function statusIntervalIndexesDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE INDEX procedure_status_intervals_current_idx ON ${s}.procedure_status_intervals (authority_code, procedure_code, valid_from)
       INCLUDE (valid_to, online_mode, paper_intake) WHERE recorded_to IS NULL`,
    `CREATE INDEX procedure_status_intervals_valid_idx ON ${s}.procedure_status_intervals (authority_code, valid_from)
       INCLUDE (valid_to, recorded_from, recorded_to, recorded_from_position, recorded_to_position, procedure_code, online_mode, paper_intake)`,
  ];
}

/**
 * Pre-aggregation of the movement (issue 16): the transitions as currently known (none corrected or
 * rescinded since), counted by unit, effective date and kind; a row with `n` 0 is deleted. The
 * transitions effective in (from, to] are the sum over the dates between: one index range over the
 * unit's change dates, whatever the size of its catalogue. Written in the same transaction as the
 * transitions (projection-writer.ts; bulk-load.ts fills it from them after the load, in key order).
 * Every projected batch updates `n` of some rows: `n` is kept out of the index and a third of each page
 * left free, so that those updates are HOT (the new version on the same page, no new index entry) and a
 * unit's rows stay together. With `n` in the index (the first shape) no update was HOT: after 240,000
 * updates under the queries benchmark's writers one province's 2,522 rows lay on 1,444 pages and the
 * movement's sum took 35.7 ms warm; the same rows written in key order with this shape, 34 pages, 0.65 ms.
 */
export function dailyTransitionsDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE ${s}.authority_daily_transitions (
       authority_code text NOT NULL,
       date date NOT NULL,
       kind text NOT NULL,
       n integer NOT NULL,
       PRIMARY KEY (authority_code, date, kind))
     WITH (fillfactor = 70)`,
  ];
}

/**
 * Fills dailyTransitionsDdl's table of `schema` from its transitions (those not superseded), in key
 * order: the bulk writer after its load, and the migration that adds the table to an older database.
 */
export function fillDailyTransitionsSql(schema: string): string {
  const s = quoteIdent(schema);
  return `INSERT INTO ${s}.authority_daily_transitions (authority_code, date, kind, n)
          SELECT authority_code, effective_from, kind, count(*) FROM ${s}.procedure_transitions
          WHERE superseded_at IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`;
}

/** The transitions of a unit by effective date, with what the movement's counts read (index-only, as above). */
export function transitionIndexesDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE INDEX procedure_transitions_effective_idx ON ${s}.procedure_transitions (authority_code, effective_from)
       INCLUDE (kind, recorded_at, position, superseded_at, superseded_position)`,
  ];
}
