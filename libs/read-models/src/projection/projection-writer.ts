import type { IntervalRow, ProcedureRow, ProjectionPlan } from './projection-plan.js';
import { quoteIdent } from '../schema/read-model.schema.js';

/** Runs one SQL statement inside the caller's transaction (TypeORM QueryRunner.query fits). */
export type Sql = (sql: string, params?: unknown[]) => Promise<any[]>;

/** Loads the stored rows of the procedures a batch touches, in one statement. */
export async function loadProcedures(sql: Sql, schema: string, keys: { authorityCode: string; procedureCode: string }[]) {
  const s = quoteIdent(schema);
  const rows = await sql(
    `SELECT p.* FROM ${s}.procedures p
       JOIN unnest($1::text[], $2::text[]) AS k(a, c) ON p.authority_code = k.a AND p.procedure_code = k.c`,
    [keys.map((k) => k.authorityCode), keys.map((k) => k.procedureCode)],
  );
  return new Map<string, ProcedureRow>(
    rows.map((r) => [
      `${r.authority_code}:${r.procedure_code}`,
      {
        authorityCode: r.authority_code,
        procedureCode: r.procedure_code,
        name: r.name,
        field: r.field,
        level: r.level,
        onlineMode: r.online_mode,
        paperIntake: r.paper_intake,
        withdrawn: r.withdrawn,
        registeredFrom: r.registered_from,
        lastEffectiveFrom: r.last_effective_from,
        revision: r.revision,
        position: Number(r.position),
        openValidFrom: r.open_valid_from,
        openRecordedFrom: r.open_recorded_from ? new Date(r.open_recorded_from).toISOString() : null,
        openRecordedFromPosition: r.open_recorded_from_position === null ? null : Number(r.open_recorded_from_position),
      },
    ]),
  );
}

/** Writes a plan with set-based statements: a batch costs a handful of round trips, whatever its size. */
export async function writePlan(sql: Sql, schema: string, plan: ProjectionPlan): Promise<void> {
  const s = quoteIdent(schema);
  const col = <T, K extends keyof T>(rows: T[], key: K) => rows.map((r) => r[key]);

  if (plan.procedures.length > 0) {
    const p = plan.procedures;
    await sql(
      `INSERT INTO ${s}.procedures (authority_code, procedure_code, name, field, level, online_mode, paper_intake,
         withdrawn, registered_from, last_effective_from, revision, position, open_valid_from, open_recorded_from,
         open_recorded_from_position)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
         $8::boolean[], $9::date[], $10::date[], $11::integer[], $12::bigint[], $13::date[], $14::timestamptz[], $15::bigint[])
       ON CONFLICT (authority_code, procedure_code) DO UPDATE SET
         name = excluded.name, field = excluded.field, level = excluded.level, online_mode = excluded.online_mode,
         paper_intake = excluded.paper_intake, withdrawn = excluded.withdrawn, registered_from = excluded.registered_from,
         last_effective_from = excluded.last_effective_from, revision = excluded.revision, position = excluded.position,
         open_valid_from = excluded.open_valid_from, open_recorded_from = excluded.open_recorded_from,
         open_recorded_from_position = excluded.open_recorded_from_position`,
      [
        col(p, 'authorityCode'), col(p, 'procedureCode'), col(p, 'name'), col(p, 'field'), col(p, 'level'),
        col(p, 'onlineMode'), col(p, 'paperIntake'), col(p, 'withdrawn'), col(p, 'registeredFrom'),
        col(p, 'lastEffectiveFrom'), col(p, 'revision'), col(p, 'position'), col(p, 'openValidFrom'), col(p, 'openRecordedFrom'),
        col(p, 'openRecordedFromPosition'),
      ],
    );
  }
  // Delete before insert: a superseded row and its replacement may share a key.
  if (plan.deleteIntervals.length > 0) {
    const d = plan.deleteIntervals;
    await sql(
      `DELETE FROM ${s}.procedure_status_intervals i
       USING unnest($1::text[], $2::text[], $3::date[], $4::timestamptz[]) AS k(a, c, v, r)
       WHERE i.authority_code = k.a AND i.procedure_code = k.c AND i.valid_from = k.v AND i.recorded_from = k.r`,
      [col(d, 'authorityCode'), col(d, 'procedureCode'), col(d, 'validFrom'), col(d, 'recordedFrom')],
    );
  }
  if (plan.closeIntervals.length > 0) {
    const c = plan.closeIntervals;
    await sql(
      `UPDATE ${s}.procedure_status_intervals i SET recorded_to = k.t, recorded_to_position = k.tp
       FROM unnest($1::text[], $2::text[], $3::date[], $4::timestamptz[], $5::timestamptz[], $6::bigint[]) AS k(a, c, v, r, t, tp)
       WHERE i.authority_code = k.a AND i.procedure_code = k.c AND i.valid_from = k.v AND i.recorded_from = k.r`,
      [
        col(c, 'authorityCode'), col(c, 'procedureCode'), col(c, 'validFrom'), col(c, 'recordedFrom'), col(c, 'recordedTo'),
        col(c, 'recordedToPosition'),
      ],
    );
  }
  if (plan.insertIntervals.length > 0) {
    const i = plan.insertIntervals;
    await sql(
      `INSERT INTO ${s}.procedure_status_intervals (authority_code, procedure_code, valid_from, valid_to,
         recorded_from, recorded_to, online_mode, paper_intake, recorded_from_position, recorded_to_position)
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::timestamptz[], $6::timestamptz[],
         $7::text[], $8::text[], $9::bigint[], $10::bigint[])
       ON CONFLICT (authority_code, procedure_code, valid_from, recorded_from) DO UPDATE SET
         valid_to = excluded.valid_to, recorded_to = excluded.recorded_to,
         online_mode = excluded.online_mode, paper_intake = excluded.paper_intake,
         recorded_from_position = excluded.recorded_from_position, recorded_to_position = excluded.recorded_to_position`,
      [
        col(i, 'authorityCode'), col(i, 'procedureCode'), col(i, 'validFrom'), col(i, 'validTo'),
        col(i, 'recordedFrom'), col(i, 'recordedTo'), col(i, 'onlineMode'), col(i, 'paperIntake'),
        col(i, 'recordedFromPosition'), col(i, 'recordedToPosition'),
      ],
    );
  }
  if (plan.transitions.length > 0) {
    const t = plan.transitions;
    // The daily transition counts take the rows actually inserted (a replay of events already
    // projected inserts none), in the same statement.
    await sql(
      `WITH inserted AS (
         INSERT INTO ${s}.procedure_transitions (position, authority_code, procedure_code, kind, effective_from,
           recorded_at, decision_ref, from_value, to_value)
         SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::date[], $6::timestamptz[],
           $7::text[], $8::text[], $9::text[])
         ON CONFLICT (position) DO NOTHING
         RETURNING authority_code, effective_from, kind)
       INSERT INTO ${s}.authority_daily_transitions AS d (authority_code, date, kind, n)
       SELECT authority_code, effective_from, kind, count(*) FROM inserted GROUP BY 1, 2, 3
       ON CONFLICT (authority_code, date, kind) DO UPDATE SET n = d.n + excluded.n`,
      [
        col(t, 'position'), col(t, 'authorityCode'), col(t, 'procedureCode'), col(t, 'kind'), col(t, 'effectiveFrom'),
        col(t, 'recordedAt'), col(t, 'decisionRef'), col(t, 'fromValue'), col(t, 'toValue'),
      ],
    );
  }
  if (plan.supersedeTransitions.length > 0) {
    const t = plan.supersedeTransitions;
    // In one statement: the rows superseded now (not those already superseded), no longer counted in
    // the daily transition counts where they were; a count that reaches 0 goes (the bulk load has none).
    // Both data-modifying CTEs see the table as it was, and touch different rows (n = c.n, n <> c.n).
    await sql(
      `WITH superseded AS (
         UPDATE ${s}.procedure_transitions x SET superseded_at = k.t, superseded_position = k.p, superseded_by = k.b
         FROM unnest($1::bigint[], $2::timestamptz[], $3::bigint[], $4::bigint[]) AS k(position, t, p, b)
         WHERE x.position = k.position AND x.superseded_at IS NULL
         RETURNING x.authority_code, x.effective_from, x.kind),
       counted AS (SELECT authority_code, effective_from, kind, count(*) AS n FROM superseded GROUP BY 1, 2, 3),
       emptied AS (
         DELETE FROM ${s}.authority_daily_transitions d USING counted c
         WHERE d.authority_code = c.authority_code AND d.date = c.effective_from AND d.kind = c.kind AND d.n = c.n)
       UPDATE ${s}.authority_daily_transitions d SET n = d.n - c.n FROM counted c
       WHERE d.authority_code = c.authority_code AND d.date = c.effective_from AND d.kind = c.kind AND d.n <> c.n`,
      [col(t, 'position'), col(t, 'supersededAt'), col(t, 'supersededPosition'), col(t, 'supersededBy')],
    );
  }
  if (plan.summaryDeltas.length > 0) {
    const d = plan.summaryDeltas;
    const authorities = col(d, 'authorityCode');
    const dates = col(d, 'date');
    // 1. A row for each new change date, starting from the counts in force just before it (the
    //    statement sees the table as it was, so several new dates of one authority are all right).
    await sql(
      `INSERT INTO ${s}.authority_daily_summaries
         (authority_code, date, total, full_process, partial, information_only, paper_intake_disabled)
       SELECT n.a, n.e, coalesce(p.total, 0), coalesce(p.full_process, 0), coalesce(p.partial, 0),
              coalesce(p.information_only, 0), coalesce(p.paper_intake_disabled, 0)
       FROM (SELECT DISTINCT a, e FROM unnest($1::text[], $2::date[]) AS u(a, e)) n
       LEFT JOIN LATERAL (SELECT * FROM ${s}.authority_daily_summaries x
                          WHERE x.authority_code = n.a AND x.date < n.e ORDER BY x.date DESC LIMIT 1) p ON true
       ON CONFLICT (authority_code, date) DO NOTHING`,
      [authorities, dates],
    );
    // 2. Every row on or after a change date takes that change.
    await sql(
      `UPDATE ${s}.authority_daily_summaries t SET
         total = t.total + s.total, full_process = t.full_process + s.full_process, partial = t.partial + s.partial,
         information_only = t.information_only + s.information_only,
         paper_intake_disabled = t.paper_intake_disabled + s.paper_intake_disabled
       FROM (SELECT x.authority_code, x.date, sum(d.total) AS total, sum(d.full_process) AS full_process,
                    sum(d.partial) AS partial, sum(d.information_only) AS information_only,
                    sum(d.paper_intake_disabled) AS paper_intake_disabled
             FROM unnest($1::text[], $2::date[], $3::integer[], $4::integer[], $5::integer[], $6::integer[], $7::integer[])
                    AS d(a, e, total, full_process, partial, information_only, paper_intake_disabled)
             JOIN ${s}.authority_daily_summaries x ON x.authority_code = d.a AND x.date >= d.e
             GROUP BY x.authority_code, x.date) s
       WHERE t.authority_code = s.authority_code AND t.date = s.date`,
      [authorities, dates, col(d, 'total'), col(d, 'fullProcess'), col(d, 'partial'), col(d, 'informationOnly'), col(d, 'paperIntakeDisabled')],
    );
  }
}

/** The interval rows open on the record axis of the procedures given (what the history path diffs against). */
export async function loadOpenIntervals(sql: Sql, schema: string, keys: { authorityCode: string; procedureCode: string }[]) {
  const s = quoteIdent(schema);
  const rows = await sql(
    `SELECT i.* FROM ${s}.procedure_status_intervals i
       JOIN unnest($1::text[], $2::text[]) AS k(a, c) ON i.authority_code = k.a AND i.procedure_code = k.c
     WHERE i.recorded_to IS NULL`,
    [keys.map((k) => k.authorityCode), keys.map((k) => k.procedureCode)],
  );
  const byKey = new Map<string, IntervalRow[]>();
  for (const r of rows) {
    const key = `${r.authority_code}:${r.procedure_code}`;
    if (!byKey.has(key)) byKey.set(key, []);
    byKey.get(key)!.push({
      authorityCode: r.authority_code,
      procedureCode: r.procedure_code,
      validFrom: r.valid_from,
      validTo: r.valid_to,
      recordedFrom: new Date(r.recorded_from).toISOString(),
      recordedTo: null,
      onlineMode: r.online_mode,
      paperIntake: r.paper_intake,
      recordedFromPosition: Number(r.recorded_from_position),
      recordedToPosition: null,
    });
  }
  return byKey;
}
