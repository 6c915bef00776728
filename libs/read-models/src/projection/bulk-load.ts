import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { DataSource } from 'typeorm';
import type { EventStore, RecordedEvent } from '@tthc/event-store';
import { isProcedureEventType, procedureStreamId, type ProcedureEvent } from '@tthc/domain';
import { dataSourcePool } from '../read-model.data-source.js';
import { fillDailyTransitionsSql, quoteIdent } from '../schema/read-model.schema.js';
import { projectAuthorityEvents } from '../authorities/authority-lineage.projection.js';
import { projectDecisionEvents } from '../decisions/decisions.projection.js';
import { projectNationalFacts } from '../national-facts/national-facts.projection.js';
import { keysNeedingHistory, planBatch, procedureKey, type IntervalRow, type ProcedureRow, type ProjectionPlan, type TransitionRow } from './projection-plan.js';
import { loadHistories, PROCEDURE_PROJECTION } from './projection-runner.js';
import { loadProcedures, writePlan, type Sql } from './projection-writer.js';

/** The tables a bulk load writes with COPY (their primary keys and indexes are built after the load). */
export const BULK_TABLES = ['procedures', 'procedure_status_intervals', 'procedure_transitions', 'authority_daily_summaries'] as const;

export interface BulkLoadOptions {
  /** Events read from the log at a time (default 5000). */
  pageSize?: number;
  onProgress?: (position: number, head: number) => void;
  log?: (message: string) => void;
}

export interface BulkLoadResult {
  /** Events read from the log. */
  events: number;
  /** The log position loaded up to; the schema's checkpoint is set to it. */
  position: number;
  /** Procedures whose history changed other than at its end, projected at the end by the live writer. */
  deferredProcedures: number;
  /** Milliseconds per phase: replay (read, plan, stream), copyEnd, indexes, dailyTransitions, deferred. */
  phases: Record<string, number>;
}

/**
 * Loads the read models of a fresh, empty schema from the whole log in one pass, for a rebuild: the
 * same planner as the live projector (planBatch), with its state kept in memory instead of in the
 * tables, and every row written once, by COPY, with the primary keys and indexes built afterwards.
 *
 * - Memory is proportional to the procedures, not the events: each procedure's row and its interval
 *   open on both axes; the daily summaries' changes per (authority, date). Every other interval row
 *   (closed on the valid axis, or on the record axis) is final when it is planned and streamed out.
 * - A procedure whose history changes other than at its end (a correction, a rescission, a late
 *   event, a second registration: keysNeedingHistory) is *deferred* at its first such event: its
 *   later events are left out of the pass, and once the tables are loaded and indexed they are
 *   projected by the live writer (loadProcedures, loadHistories, planBatch, writePlan), which finds
 *   the procedure's rows exactly as the live projector would have left them before that event.
 *   Procedures are independent of one another (daily summaries add up whatever the order), so the
 *   result is the live projector's.
 * - The log is read on the store's connections while the rows are streamed on two others, so that
 *   PostgreSQL and Node work at the same time.
 * - Authority lineage, national facts and decisions (a few events) go through their live projections.
 *
 * The schema must hold readModelTablesDdl's tables, empty. Throws whatever the store or PostgreSQL
 * throws; the caller drops the schema then (rebuild.ts).
 */
export async function bulkLoadReadModels(
  dataSource: DataSource,
  store: EventStore,
  schema: string,
  options: BulkLoadOptions = {},
): Promise<BulkLoadResult> {
  const log = options.log ?? (() => undefined);
  const pageSize = options.pageSize ?? 5000;
  const s = quoteIdent(schema);
  const pool = dataSourcePool(dataSource);
  const phases: Record<string, number> = {};
  let mark = Date.now();
  const phase = (name: string) => {
    const now = Date.now();
    phases[name] = now - mark;
    mark = now;
  };

  const rebuildKeys = await dropKeysAndIndexes(dataSource, schema);
  const head = await store.headPosition();
  const state = new BulkState();
  const writers: CopyWriter[] = [];
  const copy = async (table: string, columns: string) => {
    const writer = await CopyWriter.open(pool, `COPY ${s}.${table} (${columns}) FROM STDIN`);
    writers.push(writer);
    return writer;
  };
  const side = await pool.connect();
  let sideFailed = false;
  const sql: Sql = async (text, params) => {
    try {
      return (await side.query(text, params)).rows;
    } catch (error) {
      sideFailed = true;
      throw error;
    }
  };
  let events = 0;
  let position = 0;
  try {
    const intervals = await copy('procedure_status_intervals', INTERVAL_COLUMNS);
    const transitions = await copy('procedure_transitions', TRANSITION_COLUMNS);
    const read = (after: number): Promise<RecordedEvent[]> => {
      if (after >= head) return Promise.resolve([]);
      const page = store.readAll({ after, limit: pageSize });
      page.catch(() => undefined); // awaited below
      return page;
    };
    let next = read(0);
    for (;;) {
      const page = await next;
      if (page.length === 0) break;
      position = page[page.length - 1].globalPosition;
      next = read(position);
      events += page.length;
      const procedureEvents: RecordedEvent[] = [];
      let others = false;
      for (const e of page) {
        if (isProcedureEventType(e.type)) procedureEvents.push(e);
        else others = true;
      }
      state.apply(procedureEvents, intervals, transitions);
      if (others) {
        await projectAuthorityEvents(sql, schema, page);
        await projectNationalFacts(sql, schema, page);
        await projectDecisionEvents(sql, schema, page);
      }
      await Promise.all([intervals.flush(), transitions.flush()]);
      options.onProgress?.(position, Math.max(head, position));
    }
    phase('replay');

    for (const row of state.openIntervals.values()) intervals.row(intervalLine(row));
    const procedures = await copy('procedures', PROCEDURE_COLUMNS);
    const summaries = await copy('authority_daily_summaries', SUMMARY_COLUMNS);
    for (const row of state.procedures.values()) procedures.row(procedureLine(row));
    for (const line of state.summaryLines()) summaries.row(line);
    await Promise.all([intervals.end(), transitions.end(), procedures.end(), summaries.end()]);
    phase('copyEnd');

    await runAll(pool, rebuildKeys, 2);
    phase('indexes');
    // The movement's pre-aggregation from the transitions just loaded (none of them superseded: a
    // procedure with a correction or rescission is deferred); the deferred ones add theirs below.
    await sql(fillDailyTransitionsSql(schema));
    phase('dailyTransitions');

    await projectDeferred(sql, schema, store, state, position);
    await sql(
      `INSERT INTO ${s}.projection_checkpoints (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = excluded.position, updated_at = now()`,
      [PROCEDURE_PROJECTION.name, position],
    );
    phase('deferred');
    log(
      `bulk-loaded ${events} events up to ${position}: ${state.procedures.size} procedures (${state.deferred.size} deferred to the live writer), ` +
        `${intervals.rows} interval rows, ${transitions.rows} transition rows; ms ${JSON.stringify(phases)}`,
    );
    return { events, position, deferredProcedures: state.deferred.size, phases };
  } catch (error) {
    for (const writer of writers) writer.abort(error as Error);
    throw error;
  } finally {
    side.release(sideFailed);
  }
}

/**
 * The planner's state across the whole log, in memory: what the live projector keeps in the tables
 * and reloads for each batch. Bounded by the procedures (and the dates on which counts changed).
 */
class BulkState {
  /** Each procedure's row, as the live projector's `procedures` table would hold it. */
  readonly procedures = new Map<string, ProcedureRow>();
  /** Each procedure's interval row open on both axes (validTo and recordedTo null), not yet written. */
  readonly openIntervals = new Map<string, IntervalRow>();
  /** Procedures left to the live writer at the end, each with the authority and procedure codes. */
  readonly deferred = new Map<string, { authorityCode: string; procedureCode: string }>();
  /** Summed summary deltas by authority, then date: [total, full, partial, information, paper disabled]. */
  private readonly deltas = new Map<string, Map<string, number[]>>();

  /** Plans the procedure events of one page and streams out every row that is final. */
  apply(page: readonly RecordedEvent[], intervals: CopyWriter, transitions: CopyWriter): void {
    const events = this.deferred.size === 0 ? page : page.filter((e) => !this.deferred.has(keyOf(e)));
    const slow = keysNeedingHistory(events, this.procedures);
    let fast = events;
    if (slow.size > 0) {
      for (const e of events) {
        const key = keyOf(e);
        if (!slow.has(key) || this.deferred.has(key)) continue;
        const { authorityCode, procedureCode } = (e as unknown as ProcedureEvent).data;
        this.deferred.set(key, { authorityCode, procedureCode });
      }
      fast = events.filter((e) => !slow.has(keyOf(e)));
    }
    const plan = planBatch(fast, this.procedures);
    this.write(plan, intervals, transitions);
  }

  private write(plan: ProjectionPlan, intervals: CopyWriter, transitions: CopyWriter): void {
    if (plan.supersedeTransitions.length > 0) throw new Error('bulk load: a supersession outside the history path');
    // As writePlan: deletions, then closings, then insertions. Only the row open on both axes is
    // ever deleted or closed by the planner's fast path.
    for (const d of plan.deleteIntervals) this.takeOpen(d);
    for (const c of plan.closeIntervals) {
      const row = this.takeOpen(c);
      row.recordedTo = c.recordedTo;
      row.recordedToPosition = c.recordedToPosition;
      intervals.row(intervalLine(row));
    }
    for (const row of plan.insertIntervals) {
      if (row.validTo === null && row.recordedTo === null) {
        const key = procedureKey(row.authorityCode, row.procedureCode);
        if (this.openIntervals.has(key)) throw new Error(`bulk load: a second open interval of ${key}`);
        this.openIntervals.set(key, { ...row, recordedFrom: canonicalInstant(row.recordedFrom) });
      } else {
        intervals.row(intervalLine(row));
      }
    }
    for (const t of plan.transitions) transitions.row(transitionLine(t));
    for (const p of plan.procedures) {
      // As the live projector reads it back (loadProcedures): instants in Date#toISOString's form.
      if (p.openRecordedFrom !== null) p.openRecordedFrom = canonicalInstant(p.openRecordedFrom);
      this.procedures.set(procedureKey(p.authorityCode, p.procedureCode), p);
    }
    for (const d of plan.summaryDeltas) {
      let byDate = this.deltas.get(d.authorityCode);
      if (!byDate) this.deltas.set(d.authorityCode, (byDate = new Map()));
      let sums = byDate.get(d.date);
      if (!sums) byDate.set(d.date, (sums = [0, 0, 0, 0, 0]));
      sums[0] += d.total;
      sums[1] += d.fullProcess;
      sums[2] += d.partial;
      sums[3] += d.informationOnly;
      sums[4] += d.paperIntakeDisabled;
    }
  }

  private takeOpen(k: { authorityCode: string; procedureCode: string; validFrom: string; recordedFrom: string }): IntervalRow {
    const key = procedureKey(k.authorityCode, k.procedureCode);
    const row = this.openIntervals.get(key);
    if (!row || row.validFrom !== k.validFrom || row.recordedFrom !== canonicalInstant(k.recordedFrom)) {
      throw new Error(`bulk load: the open interval of ${key} is not the one the plan names (${k.validFrom}, ${k.recordedFrom})`);
    }
    this.openIntervals.delete(key);
    return row;
  }

  /**
   * authority_daily_summaries as the live writer leaves it: a row on every date on which a change
   * was planned, holding the counts of every change up to that date.
   */
  *summaryLines(): Generator<string> {
    for (const [authority, byDate] of this.deltas) {
      const sums = [0, 0, 0, 0, 0];
      for (const date of [...byDate.keys()].sort()) {
        const d = byDate.get(date)!;
        for (let i = 0; i < 5; i++) sums[i] += d[i];
        yield `${text(authority)}\t${date}\t${sums.join('\t')}\n`;
      }
    }
  }
}

/**
 * The deferred procedures' remaining events, projected by the live writer into the loaded, indexed
 * tables: all of them in one pass per group of procedures (planBatch plans several events of one
 * procedure as the live projector's successive batches would).
 */
async function projectDeferred(sql: Sql, schema: string, store: EventStore, state: BulkState, upTo: number): Promise<void> {
  const all = [...state.deferred.values()];
  for (let i = 0; i < all.length; i += GROUP) {
    const keys = all.slice(i, i + GROUP);
    const streams = await readStreams(store, keys.map((k) => procedureStreamId(k.authorityCode, k.procedureCode)));
    const events = streams.flat().filter((e) => e.globalPosition <= upTo && isProcedureEventType(e.type));
    events.sort((a, b) => a.globalPosition - b.globalPosition);
    if (events.length === 0) continue;
    const rows = await loadProcedures(sql, schema, keys);
    const plan = planBatch(events, rows, await loadHistories(sql, schema, store, keysNeedingHistory(events, rows), keys));
    await writePlan(sql, schema, plan);
  }
}

const GROUP = 500;

async function readStreams(store: EventStore, streamIds: string[]): Promise<RecordedEvent[][]> {
  if (store.readStreams) {
    const found = await store.readStreams(streamIds);
    return streamIds.map((id) => found.get(id) ?? []);
  }
  const out: RecordedEvent[][] = [];
  for (const id of streamIds) out.push(await store.readStream(id));
  return out;
}

/**
 * Drops the primary keys and indexes of BULK_TABLES in `schema` and returns the statements that build
 * them again, exactly as they were (same names, same definitions, from the catalog).
 */
async function dropKeysAndIndexes(dataSource: DataSource, schema: string): Promise<string[]> {
  const s = quoteIdent(schema);
  const keys: { table: string; name: string; def: string }[] = await dataSource.query(
    `SELECT c.relname AS table, con.conname AS name, pg_get_constraintdef(con.oid) AS def
     FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = $1 AND c.relname = ANY($2::text[]) AND con.contype = 'p' ORDER BY 1, 2`,
    [schema, BULK_TABLES],
  );
  const indexes: { name: string; def: string }[] = await dataSource.query(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes
     WHERE schemaname = $1 AND tablename = ANY($2::text[]) AND NOT (indexname = ANY($3::text[])) ORDER BY 1`,
    [schema, BULK_TABLES, keys.map((k) => k.name)],
  );
  for (const i of indexes) await dataSource.query(`DROP INDEX ${s}.${quoteIdent(i.name)}`);
  for (const k of keys) await dataSource.query(`ALTER TABLE ${s}.${quoteIdent(k.table)} DROP CONSTRAINT ${quoteIdent(k.name)}`);
  return [
    ...keys.map((k) => `ALTER TABLE ${s}.${quoteIdent(k.table)} ADD CONSTRAINT ${quoteIdent(k.name)} ${k.def}`),
    ...indexes.map((i) => i.def),
  ];
}

/**
 * Runs index builds on up to `parallel` connections at once, each with `maintenance_work_mem` at
 * 256 MB for its transaction (PostgreSQL's default of 64 MB sorts the larger keys on disk).
 */
async function runAll(pool: pg.Pool, statements: readonly string[], parallel: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < statements.length) {
      const statement = statements[next++];
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        await client.query(`SET LOCAL maintenance_work_mem = '256MB'`);
        await client.query(statement);
        await client.query('COMMIT');
        client.release();
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, statements.length) }, worker));
}

/**
 * One COPY … FROM STDIN on a connection of its own, fed with text-format lines. Lines are gathered
 * in memory and written by `flush` (awaiting the socket only when it pushes back).
 */
class CopyWriter {
  rows = 0;
  private lines: string[] = [];
  private failure: Error | undefined;
  private released = false;
  /** Resolves once the socket has taken the last chunk written (one chunk may be in flight). */
  private drained: Promise<void> = Promise.resolve();

  private constructor(
    private readonly client: pg.PoolClient,
    private readonly stream: NodeJS.WritableStream,
    private readonly done: Promise<void>,
  ) {}

  static async open(pool: pg.Pool, statement: string): Promise<CopyWriter> {
    const client = await pool.connect();
    const stream = client.query(copyFrom(statement));
    const done = new Promise<void>((resolve, reject) => {
      stream.on('finish', resolve);
      stream.on('error', reject);
    });
    const writer = new CopyWriter(client, stream, done);
    done.catch((error: Error) => (writer.failure = error));
    return writer;
  }

  row(line: string): void {
    this.lines.push(line);
    this.rows++;
  }

  /** Hands the gathered lines to the connection, after the socket took the previous chunk. */
  async flush(): Promise<void> {
    await this.drained;
    if (this.failure) throw this.failure;
    if (this.lines.length === 0) return;
    const chunk = this.lines.join('');
    this.lines = [];
    if (!this.stream.write(chunk)) {
      this.drained = Promise.race([new Promise<void>((resolve) => this.stream.once('drain', resolve)), this.done]);
    }
  }

  /** Ends the COPY and waits for PostgreSQL to have taken every row. */
  async end(): Promise<void> {
    await this.flush();
    await this.drained;
    this.stream.end();
    await this.done;
    this.released = true;
    this.client.release();
  }

  /** Gives the connection up unless ended (a COPY in progress: closed, not returned to the pool). */
  abort(error: Error): void {
    if (this.released) return;
    this.released = true;
    this.client.release(error);
  }
}

const PROCEDURE_COLUMNS = `authority_code, procedure_code, name, field, level, online_mode, paper_intake, withdrawn, registered_from,
  last_effective_from, revision, position, open_valid_from, open_recorded_from, open_recorded_from_position`;
const INTERVAL_COLUMNS = `authority_code, procedure_code, valid_from, valid_to, recorded_from, recorded_to, online_mode, paper_intake,
  recorded_from_position, recorded_to_position`;
const TRANSITION_COLUMNS = 'position, authority_code, procedure_code, kind, effective_from, recorded_at, decision_ref, from_value, to_value';
const SUMMARY_COLUMNS = 'authority_code, date, total, full_process, partial, information_only, paper_intake_disabled';

// text() for free text and codes; dates, instants and the enumerations go as they are (a tab or a
// line end in one of them makes COPY fail on a wrong column count or an invalid date, never a wrong row).
const procedureLine = (p: ProcedureRow) =>
  `${text(p.authorityCode)}\t${text(p.procedureCode)}\t${text(p.name)}\t${text(p.field)}\t${text(p.level)}\t${p.onlineMode}\t` +
  `${p.paperIntake}\t${p.withdrawn ? 't' : 'f'}\t${p.registeredFrom}\t${p.lastEffectiveFrom}\t${p.revision}\t${p.position}\t` +
  `${p.openValidFrom ?? '\\N'}\t${p.openRecordedFrom ?? '\\N'}\t${num(p.openRecordedFromPosition)}\n`;

const intervalLine = (i: IntervalRow) =>
  `${text(i.authorityCode)}\t${text(i.procedureCode)}\t${i.validFrom}\t${i.validTo ?? '\\N'}\t${i.recordedFrom}\t` +
  `${i.recordedTo ?? '\\N'}\t${i.onlineMode}\t${i.paperIntake}\t${i.recordedFromPosition}\t${num(i.recordedToPosition)}\n`;

const transitionLine = (t: TransitionRow) =>
  `${t.position}\t${text(t.authorityCode)}\t${text(t.procedureCode)}\t${t.kind}\t${t.effectiveFrom}\t${t.recordedAt}\t` +
  `${text(t.decisionRef)}\t${t.fromValue ?? '\\N'}\t${t.toValue ?? '\\N'}\n`;

const SPECIAL = /[\\\n\r\t]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A value in COPY's text format: NULL as \N, backslash, tab and line ends escaped. */
function text(value: string | null | undefined): string {
  if (value === null || value === undefined) return '\\N';
  return SPECIAL.test(value) ? value.replace(/[\\\n\r\t]/g, (c) => ESCAPES[c]) : value;
}

const num = (value: number | null) => (value === null ? '\\N' : String(value));

/** An instant as Date#toISOString writes it, as the live projector reads instants back from its tables. */
function canonicalInstant(value: string): string {
  return value.length === 24 && value.charCodeAt(23) === 90 /* Z */ && value.charCodeAt(19) === 46 /* . */ ? value : new Date(value).toISOString();
}

function keyOf(e: RecordedEvent): string {
  const d = e.data as { authorityCode: string; procedureCode: string };
  return procedureKey(d.authorityCode, d.procedureCode);
}
