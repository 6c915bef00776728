import { ProjectionBehind } from '../projection/projection-behind.error.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';
import { PROCEDURE_PROJECTION } from '../projection/projection-runner.js';
import { ZERO_COUNTS, type SummaryCounts } from './summary.js';
import { LineageReader, type StampedLineage } from '../authorities/authority-lineage.queries.js';
import { DecisionsReader } from '../decisions/decisions.reader.js';
import { AuthorityNotInBoundaries, UnknownAuthority, type Lineage } from '@tthc/domain';

/** Runs one statement: a TypeORM DataSource, or a QueryRunner holding a transaction (the verifier's snapshot). */
export interface Queryable {
  query(sql: string, params?: any[]): Promise<any>;
}

export interface Bitemporal {
  at: string;
  /** ISO instant; undefined means "as the read models know it now" (served by the pre-aggregation). */
  knownAt?: string;
  /**
   * Global log position: "as the log stood once it held every event up to this position", for
   * regenerating an earlier answer exactly. Excludes `knownAt` (a position already fixes what was
   * known). The read models must have reached it: a query beyond their checkpoint throws
   * ProjectionBehind rather than answer for a position it does not reflect yet.
   */
  asOfPosition?: number;
}

export const TRANSITION_KINDS = {
  ProcedureRegistered: 'registered',
  ProcedureUpgradedToFullProcess: 'upgradedToFullProcess',
  ProcedureUpgradedToPartialOnline: 'upgradedToPartial',
  ProcedureDowngradedToPartialOnline: 'downgradedToPartial',
  ProcedureDowngradedToInformationOnly: 'downgradedToInformationOnly',
  PaperIntakeDisabled: 'paperIntakeDisabled',
  PaperIntakeReenabled: 'paperIntakeReenabled',
  ProcedureWithdrawn: 'withdrawn',
  ProcedureDiscontinued: 'discontinued',
} as const;
export type TransitionCounts = Record<(typeof TRANSITION_KINDS)[keyof typeof TRANSITION_KINDS], number>;

export interface ProcedureListItem {
  /** The catalogue it belongs to (a 2025 unit before the merger lists its predecessors' procedures). */
  authorityCode: string;
  procedureCode: string;
  name: string;
  field: string | null;
  level: string | null;
  onlineMode: string;
  paperIntake: string;
  inForceFrom: string;
}

/**
 * SQL of the read side. Every statement also selects the projection's checkpoint, so that the
 * answer and the position it reflects come from one snapshot.
 *
 * Three ways to read the status intervals' record axis: now (`recorded_to IS NULL`, or the
 * pre-aggregated daily summaries for counts), as known at an instant (`knownAt`), and as of a log
 * position (`asOfPosition`, on `recorded_from_position`/`recorded_to_position`; transitions by their
 * `position`). The events of one procedure recorded at one instant count as one on both axes: a
 * position inside such a group (one decision's two events, or a stream appended whole) answers as
 * after all of them. Every position a command's reply or a caught-up projector reports ends a group.
 */
export class ReadModelReader {
  private readonly s: string;
  private readonly checkpointSql: string;
  private readonly lineageReader: LineageReader;
  private readonly decisionsReader: DecisionsReader;

  constructor(
    private readonly dataSource: Queryable,
    schema: string = LIVE_SCHEMA,
  ) {
    this.s = quoteIdent(schema);
    this.lineageReader = new LineageReader(dataSource, schema);
    this.decisionsReader = new DecisionsReader(dataSource, schema);
    this.checkpointSql = `(SELECT coalesce(max(position), 0) FROM ${this.s}.projection_checkpoints WHERE name = '${PROCEDURE_PROJECTION.name}')`;
  }

  /**
   * The units and their lineage (the lineage read model, read whole). None at all means the read
   * models have not yet reached the units' setup (the first events of every log): ProjectionBehind
   * (503 with Retry-After), not "unknown authority".
   */
  async lineage(): Promise<Lineage> {
    return this.nonEmpty(await this.lineageReader.load());
  }

  /**
   * `read`'s answer, made with the lineage. `read` makes its statement select the lineage's stamp
   * (`lineagePosition`: counts(), procedures()) and returns it with its result. The lineage last
   * confirmed current is given first, and its answer kept when the statement saw the same stamp (the
   * lineage cannot have changed before the statement's snapshot); otherwise (a reorganisation
   * projected since, or a unit it does not know yet) the lineage is read again and `read` runs again
   * with it. Saves reading the lineage's hundred rows twice per query.
   */
  async withLineage<T>(read: (lineage: Lineage) => Promise<{ result: T; lineagePosition: number | undefined }>): Promise<T> {
    const kept = this.lineageReader.kept;
    if (kept !== undefined) {
      try {
        const { result, lineagePosition } = await read(kept.lineage);
        if (lineagePosition === kept.stamp) return result;
      } catch (error) {
        // What the kept lineage may be wrong about; anything else is the answer.
        if (!(error instanceof UnknownAuthority || error instanceof AuthorityNotInBoundaries)) throw error;
      }
    }
    const fresh: StampedLineage = await this.lineageReader.loadStamped();
    await this.nonEmpty(fresh.lineage);
    const { result, lineagePosition } = await read(fresh.lineage);
    if (lineagePosition === fresh.stamp) this.lineageReader.keep(fresh);
    return result;
  }

  /** None at all: the read models have not reached the units' setup yet (ProjectionBehind). */
  private async nonEmpty(lineage: Lineage): Promise<Lineage> {
    if (lineage.units.length === 0) {
      const reached = await this.position();
      throw new ProjectionBehind(reached + 1, reached, 0);
    }
    return lineage;
  }

  /** The decisions read model (decisions/decisions.reader.ts), on the same connection or snapshot. */
  decisions(): DecisionsReader {
    return this.decisionsReader;
  }

  /**
   * Counts in force on `at` for each of `authorityCodes`, with the checkpoint they reflect and the
   * lineage's stamp in the same snapshot (for withLineage; undefined without any code).
   */
  async counts(
    authorityCodes: readonly string[],
    { at, knownAt, asOfPosition }: Bitemporal,
  ): Promise<{ counts: Map<string, SummaryCounts>; position: number; lineagePosition: number | undefined }> {
    const recorded = this.recordedClause('i', 3, { knownAt, asOfPosition });
    const rows: any[] = recorded === null
      ? await this.dataSource.query(
          // One index probe per authority: the latest change date on or before `at`.
          `SELECT a.code AS authority_code, d.total, d.full_process, d.partial, d.information_only,
                  d.paper_intake_disabled, ${this.checkpointSql} AS position, ${this.lineageReader.stampSql} AS lineage_position
           FROM unnest($1::text[]) AS a(code)
           LEFT JOIN LATERAL (SELECT * FROM ${this.s}.authority_daily_summaries x
                              WHERE x.authority_code = a.code AND x.date <= $2
                              ORDER BY x.date DESC LIMIT 1) d ON true`,
          [authorityCodes, at],
        )
      : await this.dataSource.query(
          // count(i.authority_code), not count(i.*): a whole-row reference would rule out an index-only scan.
          `SELECT a.code AS authority_code, count(i.authority_code) AS total,
                  count(*) FILTER (WHERE i.online_mode = 'FULL_PROCESS') AS full_process,
                  count(*) FILTER (WHERE i.online_mode = 'PARTIAL') AS partial,
                  count(*) FILTER (WHERE i.online_mode = 'INFORMATION_ONLY') AS information_only,
                  count(*) FILTER (WHERE i.paper_intake = 'DISABLED') AS paper_intake_disabled,
                  ${this.checkpointSql} AS position, ${this.lineageReader.stampSql} AS lineage_position
           FROM unnest($1::text[]) AS a(code)
           LEFT JOIN ${this.s}.procedure_status_intervals i
             ON i.authority_code = a.code AND i.valid_from <= $2 AND (i.valid_to IS NULL OR i.valid_to > $2)
            AND ${recorded.sql}
           GROUP BY a.code`,
          [authorityCodes, at, ...recorded.params],
        );
    const counts = new Map<string, SummaryCounts>();
    let position = 0;
    for (const r of rows) {
      position = this.reflected(Number(r.position), asOfPosition);
      counts.set(
        r.authority_code,
        r.total === null
          ? { ...ZERO_COUNTS }
          : {
              total: Number(r.total),
              fullProcess: Number(r.full_process),
              partial: Number(r.partial),
              informationOnly: Number(r.information_only),
              paperIntakeDisabled: Number(r.paper_intake_disabled),
            },
      );
    }
    if (rows.length === 0) position = this.reflected(await this.position(), asOfPosition);
    return { counts, position, lineagePosition: rows.length > 0 ? Number(rows[0].lineage_position) : undefined };
  }

  /**
   * Transitions whose effective date lies in (from, to], by kind: as known now from the daily
   * pre-aggregation (a sum over the unit's change dates between, whatever its catalogue's size), as
   * known at `knownAt` or up to `asOfPosition` from the transition rows.
   */
  async transitions(authorityCode: string, from: string, to: string, knownAt?: string, asOfPosition?: number): Promise<TransitionCounts> {
    const now = knownAt === undefined && asOfPosition === undefined;
    const rows: { kind: keyof typeof TRANSITION_KINDS | null; n: string | null; position: string }[] = await this.dataSource.query(
      now
        ? `SELECT t.kind, t.n, ${this.checkpointSql} AS position
           FROM (SELECT 1) one
           LEFT JOIN (SELECT kind, sum(n) AS n FROM ${this.s}.authority_daily_transitions
                      WHERE authority_code = $1 AND date > $2 AND date <= $3 GROUP BY kind) t ON true`
        : `SELECT t.kind, t.n, ${this.checkpointSql} AS position
           FROM (SELECT 1) one
           LEFT JOIN (SELECT kind, count(*) AS n FROM ${this.s}.procedure_transitions
                      WHERE authority_code = $1 AND effective_from > $2 AND effective_from <= $3
                        AND ($4::timestamptz IS NULL OR recorded_at <= $4) AND ($5::bigint IS NULL OR position <= $5)
                        -- not yet corrected or rescinded as known then (one of $4, $5 is given)
                        AND CASE WHEN $4::timestamptz IS NOT NULL THEN superseded_at IS NULL OR superseded_at > $4
                                 ELSE superseded_position IS NULL OR superseded_position > $5 END
                      GROUP BY kind) t ON true`,
      now ? [authorityCode, from, to] : [authorityCode, from, to, knownAt ?? null, asOfPosition ?? null],
    );
    if (rows.length > 0) this.reflected(Number(rows[0].position), asOfPosition);
    const counts = Object.fromEntries(Object.values(TRANSITION_KINDS).map((k) => [k, 0])) as TransitionCounts;
    for (const r of rows) if (r.kind !== null && r.kind in TRANSITION_KINDS) counts[TRANSITION_KINDS[r.kind]] = Number(r.n);
    return counts;
  }

  async procedures(
    authorityCodes: readonly string[],
    { at, knownAt, asOfPosition }: Bitemporal,
    filter: { onlineMode?: string; paperIntake?: string; page: number; pageSize: number },
  ): Promise<{ items: ProcedureListItem[]; total: number; position: number; lineagePosition: number | undefined }> {
    const recorded = this.recordedClause('i', 7, { knownAt, asOfPosition });
    if (recorded === null) return this.currentProcedures(authorityCodes, at, filter);
    // The page is cut from the interval rows alone (counted, sorted, limited), and only its rows are
    // joined to the procedures for their names: joining every row in force before the LIMIT cost one
    // procedures lookup per procedure of the catalogue (1,587 per page at 1M events), whatever the page.
    // Every interval row has its procedure's row (both are written by the batch that registers it).
    const rows: any[] = await this.dataSource.query(
      `SELECT i.authority_code, i.procedure_code, p.name, p.field, p.level, i.online_mode, i.paper_intake, p.registered_from,
              i.total, ${this.checkpointSql} AS position, ${this.lineageReader.stampSql} AS lineage_position
       FROM (SELECT i.authority_code, i.procedure_code, i.online_mode, i.paper_intake, count(*) OVER () AS total
             FROM ${this.s}.procedure_status_intervals i
             WHERE i.authority_code = ANY($1::text[]) AND i.valid_from <= $2 AND (i.valid_to IS NULL OR i.valid_to > $2)
               AND ${recorded.sql}
               AND ($3::text IS NULL OR i.online_mode = $3) AND ($4::text IS NULL OR i.paper_intake = $4)
             ORDER BY i.procedure_code, i.authority_code
             LIMIT $5 OFFSET $6) i
       JOIN ${this.s}.procedures p ON p.authority_code = i.authority_code AND p.procedure_code = i.procedure_code
       ORDER BY i.procedure_code, i.authority_code`,
      [
        authorityCodes,
        at,
        filter.onlineMode ?? null,
        filter.paperIntake ?? null,
        filter.pageSize,
        (filter.page - 1) * filter.pageSize,
        ...recorded.params,
      ],
    );
    if (rows.length > 0) this.reflected(Number(rows[0].position), asOfPosition);
    return {
      items: rows.map(toListItem),
      total: rows.length > 0 ? Number(rows[0].total) : await this.count(authorityCodes, { at, knownAt, asOfPosition }, filter),
      position: rows.length > 0 ? (asOfPosition ?? Number(rows[0].position)) : this.reflected(await this.position(), asOfPosition),
      // With no row, no stamp: withLineage reads the lineage again (a page past the end is rare).
      lineagePosition: rows.length > 0 ? Number(rows[0].lineage_position) : undefined,
    };
  }

  /**
   * The procedure list as the read models know it now, in one statement whose cost follows the page,
   * not the catalogue (issue 16): each unit's rows in force are walked in code order on
   * `procedure_status_intervals_current_idx` and stop at the page's end (`offset + pageSize` rows a
   * unit at most, merged across the units of a merged catalogue); the total is read from the daily
   * summaries (one index probe a unit) for no filter or one filter, and counted only for both. The
   * head row always comes back, so an empty page still carries its total, position and lineage stamp.
   */
  private async currentProcedures(
    authorityCodes: readonly string[],
    at: string,
    filter: { onlineMode?: string; paperIntake?: string; page: number; pageSize: number },
  ): Promise<{ items: ProcedureListItem[]; total: number; position: number; lineagePosition: number | undefined }> {
    const summed = summaryColumnFor(filter);
    const total =
      summed !== null
        ? `(SELECT coalesce(sum(${summed}), 0) FROM unnest($1::text[]) AS a(code)
             CROSS JOIN LATERAL (SELECT * FROM ${this.s}.authority_daily_summaries x
                                 WHERE x.authority_code = a.code AND x.date <= $2 ORDER BY x.date DESC LIMIT 1) d)`
        : `(SELECT count(*) FROM ${this.s}.procedure_status_intervals i
            WHERE i.authority_code = ANY($1::text[]) AND i.recorded_to IS NULL AND i.valid_from <= $2 AND (i.valid_to IS NULL OR i.valid_to > $2)
              AND i.online_mode = $3 AND i.paper_intake = $4)`;
    const rows: any[] = await this.dataSource.query(
      `SELECT i.authority_code, i.procedure_code, p.name, p.field, p.level, i.online_mode, i.paper_intake, p.registered_from,
              h.total, h.position, h.lineage_position
       FROM (SELECT ${total} AS total, ${this.checkpointSql} AS position, ${this.lineageReader.stampSql} AS lineage_position) h
       LEFT JOIN (
         (SELECT i.* FROM unnest($1::text[]) AS a(code)
          CROSS JOIN LATERAL (SELECT i.authority_code, i.procedure_code, i.online_mode, i.paper_intake
                              FROM ${this.s}.procedure_status_intervals i
                              WHERE i.authority_code = a.code AND i.recorded_to IS NULL
                                AND i.valid_from <= $2 AND (i.valid_to IS NULL OR i.valid_to > $2)
                                AND ($3::text IS NULL OR i.online_mode = $3) AND ($4::text IS NULL OR i.paper_intake = $4)
                              ORDER BY i.procedure_code
                              LIMIT $5::int + $6::int) i
          ORDER BY i.procedure_code, i.authority_code
          LIMIT $5 OFFSET $6) i
         JOIN ${this.s}.procedures p ON p.authority_code = i.authority_code AND p.procedure_code = i.procedure_code
       ) ON true
       ORDER BY i.procedure_code, i.authority_code`,
      [authorityCodes, at, filter.onlineMode ?? null, filter.paperIntake ?? null, filter.pageSize, (filter.page - 1) * filter.pageSize],
    );
    const head = rows[0];
    return {
      // The head row alone (no procedure) is an empty page.
      items: rows.filter((r) => r.procedure_code !== null).map(toListItem),
      total: Number(head.total),
      position: Number(head.position),
      lineagePosition: Number(head.lineage_position),
    };
  }

  async position(): Promise<number> {
    const [row] = await this.dataSource.query(`SELECT ${this.checkpointSql} AS position`);
    return Number(row.position);
  }

  /** The checkpoint as the queries see it (on a read replica: as replayed there). */
  checkpoint(): Promise<number> {
    return this.position();
  }

  /**
   * Resolves true once the read models, as the queries see them, reflect `position`; false after
   * `timeoutMs`. With a read replica this waits on the replica's copy of the checkpoint, so its
   * replication lag is included: read-your-writes holds on the replica.
   */
  async waitForPosition(position: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.position()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Only needed when a page past the end comes back empty but the total is still wanted. */
  private async count(authorityCodes: readonly string[], { at, knownAt, asOfPosition }: Bitemporal, filter: { onlineMode?: string; paperIntake?: string }) {
    const recorded = this.recordedClause('i', 5, { knownAt, asOfPosition });
    const [row] = await this.dataSource.query(
      `SELECT count(*) AS n FROM ${this.s}.procedure_status_intervals i
       WHERE i.authority_code = ANY($1::text[]) AND i.valid_from <= $2 AND (i.valid_to IS NULL OR i.valid_to > $2)
         AND ${recorded?.sql ?? 'i.recorded_to IS NULL'}
         AND ($3::text IS NULL OR i.online_mode = $3) AND ($4::text IS NULL OR i.paper_intake = $4)`,
      [authorityCodes, at, filter.onlineMode ?? null, filter.paperIntake ?? null, ...(recorded?.params ?? [])],
    );
    return Number(row.n);
  }

  /**
   * The record-axis condition on interval rows aliased `t`, its parameter numbered `n`: as known at an
   * instant, or as of a log position; null for "now" (each caller has its own fast way to say that).
   */
  private recordedClause(t: string, n: number, { knownAt, asOfPosition }: Omit<Bitemporal, 'at'>): { sql: string; params: unknown[] } | null {
    if (knownAt !== undefined && asOfPosition !== undefined) {
      throw new Error('asOfPosition and knownAt cannot be combined: a log position already fixes what was known');
    }
    if (asOfPosition !== undefined) {
      return {
        sql: `${t}.recorded_from_position <= $${n} AND (${t}.recorded_to_position IS NULL OR ${t}.recorded_to_position > $${n})`,
        params: [asOfPosition],
      };
    }
    if (knownAt !== undefined) {
      return { sql: `${t}.recorded_from <= $${n} AND (${t}.recorded_to IS NULL OR ${t}.recorded_to > $${n})`, params: [knownAt] };
    }
    return null;
  }

  /**
   * The position an answer reflects: the checkpoint it was read with, or `asOfPosition` — which the
   * read models must have reached, or rows of events after their checkpoint would be missing from it.
   */
  private reflected(checkpoint: number, asOfPosition: number | undefined): number {
    if (asOfPosition === undefined) return checkpoint;
    if (checkpoint < asOfPosition) throw new ProjectionBehind(asOfPosition, checkpoint, 0);
    return asOfPosition;
  }
}

/** A row of the list's statements (snake_case columns) as the list's item. */
function toListItem(r: any): ProcedureListItem {
  return {
    authorityCode: r.authority_code,
    procedureCode: r.procedure_code,
    name: r.name,
    field: r.field,
    level: r.level,
    onlineMode: r.online_mode,
    paperIntake: r.paper_intake,
    inForceFrom: r.registered_from,
  };
}

/**
 * The daily summaries' column that counts the procedures a list filter keeps, or null when it takes
 * both filters (counted from the intervals). Values outside the domain's sets (ONLINE_MODES,
 * PAPER_INTAKES) keep nothing: `0`.
 */
function summaryColumnFor(filter: { onlineMode?: string; paperIntake?: string }): string | null {
  const { onlineMode, paperIntake } = filter;
  if (onlineMode !== undefined && paperIntake !== undefined) return null;
  if (onlineMode !== undefined) return ONLINE_MODE_COLUMNS.get(onlineMode) ?? '0';
  if (paperIntake !== undefined) return PAPER_INTAKE_COLUMNS.get(paperIntake) ?? '0';
  return 'd.total';
}
const ONLINE_MODE_COLUMNS = new Map<string, string>([
  ['FULL_PROCESS', 'd.full_process'],
  ['PARTIAL', 'd.partial'],
  ['INFORMATION_ONLY', 'd.information_only'],
]);
const PAPER_INTAKE_COLUMNS = new Map<string, string>([
  ['DISABLED', 'd.paper_intake_disabled'],
  ['ACCEPTED', 'd.total - d.paper_intake_disabled'],
]);
