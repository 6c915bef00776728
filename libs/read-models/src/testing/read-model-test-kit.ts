import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { DataSource } from 'typeorm';
import {
  PROCEDURE_EVENT_SCHEMA_VERSION,
  isProcedureEventType,
  procedure,
  procedureStreamId,
  standing,
  stateAt,
  type ProcedureCommand,
  type RecordedProcedureEvent,
  type ProcedureEvent,
  type ProcedureState,
} from '@tthc/domain';
import type { EventStore, RecordedEvent } from '@tthc/event-store';
import { bulkLoadReadModels } from '../projection/bulk-load.js';
import { ProjectionRunner } from '../projection/projection-runner.js';
import { TRANSITION_KINDS, type TransitionCounts } from '../queries/read-model.reader.js';
import { ZERO_COUNTS, type SummaryCounts } from '../queries/summary.js';
import { LIVE_SCHEMA, quoteIdent, readModelTablesDdl } from '../schema/read-model.schema.js';

export { sleep };

/** Every read-model table of `schema`, as JSON rows ordered by the table's primary key. */
export type ReadModelSnapshot = Record<string, Record<string, unknown>[]>;

export interface SnapshotOptions {
  /**
   * Drop `authority_daily_summaries` rows that repeat the counts in force just before them (or are
   * all zero with nothing before). Such rows change no answer, but whether one exists depends on
   * where batch boundaries fell: a batch whose changes on a date cancel out writes no row for it,
   * while the same changes split over two batches do. Compare with `compact` whenever the two sides
   * were projected with different batch boundaries.
   */
  compact?: boolean;
}

/**
 * Dumps every table of a read-model schema (found in the catalog, so a new table is covered without
 * touching this), ordered by its primary key, without the `updated_at` bookkeeping timestamps.
 */
export async function snapshotReadModels(
  dataSource: DataSource,
  schema: string = LIVE_SCHEMA,
  options: SnapshotOptions = {},
): Promise<ReadModelSnapshot> {
  const s = quoteIdent(schema);
  const tables: { table_name: string }[] = await dataSource.query(
    `SELECT table_name FROM information_schema.tables
     WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name`,
    [schema],
  );
  const snapshot: ReadModelSnapshot = {};
  for (const { table_name: table } of tables) {
    const t = `${s}.${quoteIdent(table)}`;
    const keys: { attname: string }[] = await dataSource.query(
      `SELECT a.attname FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey::int2[])
       WHERE i.indrelid = $1::regclass AND i.indisprimary
       ORDER BY array_position(i.indkey::int2[], a.attnum)`,
      [t],
    );
    const order = keys.length > 0 ? keys.map((k) => `t.${quoteIdent(k.attname)}`).join(', ') : 't::text';
    const rows: { row: Record<string, unknown> }[] = await dataSource.query(
      `SELECT to_jsonb(t) - 'updated_at' AS row FROM ${t} t ORDER BY ${order}`,
    );
    snapshot[table] = rows.map((r) => r.row);
  }
  if (options.compact && snapshot.authority_daily_summaries) {
    snapshot.authority_daily_summaries = compactDailySummaries(snapshot.authority_daily_summaries);
  }
  return snapshot;
}

const COUNT_COLUMNS = ['total', 'full_process', 'partial', 'information_only', 'paper_intake_disabled'] as const;

/** Rows ordered by (authority_code, date); keeps only the rows where some count changes. */
export function compactDailySummaries(rows: Record<string, unknown>[]): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let previous: Record<string, unknown> | undefined;
  for (const row of rows) {
    const before = previous && previous.authority_code === row.authority_code ? previous : undefined;
    const same = COUNT_COLUMNS.every((c) => Number(row[c]) === (before ? Number(before[c]) : 0));
    if (!same) out.push(row);
    previous = row;
  }
  return out;
}

/**
 * A full replay of the whole log into a fresh schema beside the live one (the rebuild's way, without
 * the swap), snapshotted and dropped again. `writer`: the live projector's batches of `batchSize`
 * (default), or the rebuild's bulk writer reading pages of `batchSize`.
 */
export async function replaySnapshot(
  dataSource: DataSource,
  store: EventStore,
  options: SnapshotOptions & { batchSize?: number; writer?: 'live' | 'bulk' } = {},
): Promise<ReadModelSnapshot> {
  const schema = `replay_${randomBytes(5).toString('hex')}`;
  for (const statement of readModelTablesDdl(schema)) await dataSource.query(statement);
  try {
    if (options.writer === 'bulk') await bulkLoadReadModels(dataSource, store, schema, { pageSize: options.batchSize ?? 1000 });
    else await new ProjectionRunner(dataSource, store, { schema, batchSize: options.batchSize ?? 1000 }).catchUp();
    return await snapshotReadModels(dataSource, schema, options);
  } finally {
    await dataSource.query(`DROP SCHEMA IF EXISTS ${quoteIdent(schema)} CASCADE`);
  }
}

/** Resolves with the checkpoint once it has reached the head of the log (as the head stands at each look). */
export async function waitUntilCaughtUp(runner: ProjectionRunner, store: EventStore, timeoutMs = 20_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const head = await store.headPosition();
    const position = await runner.checkpoint();
    if (position >= head) return position;
    if (Date.now() > deadline) throw new Error(`projection stuck at ${position}, head ${head}`);
    await sleep(20);
  }
}

/**
 * Decides `command` against the stream with the real decider and appends the events with an explicit
 * `recordedAt` (the store keeps it): history recorded "in the past", for bitemporal tests.
 */
export async function appendRecordedAt(store: EventStore, command: ProcedureCommand, recordedAt: string) {
  const streamId = procedureStreamId(command.data.authorityCode, command.data.procedureCode);
  const history = await store.readStream(streamId);
  const state = history.reduce((s, e) => procedure.evolve(s, e as unknown as ProcedureEvent), procedure.initialState());
  const decided = procedure.decide(command, state);
  return store.appendToStream(
    streamId,
    decided.map((e) => ({
      id: randomUUID(),
      type: e.type,
      schemaVersion: PROCEDURE_EVENT_SCHEMA_VERSION,
      data: e.data,
      metadata: { actor: 'test', correlationId: randomUUID(), causationId: null, recordedAt },
    })),
    { expectedRevision: history.length === 0 ? 'no_stream' : history[history.length - 1].revision },
  );
}

export async function readWholeLog(store: EventStore): Promise<RecordedEvent[]> {
  const all: RecordedEvent[] = [];
  for (;;) {
    const batch = await store.readAll({ after: all.length > 0 ? all[all.length - 1].globalPosition : 0, limit: 5000 });
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/**
 * The expected answers computed without the read models: every stream's events told by the domain's
 * own `stateAt` (the standing facts recorded by `knownAt`, in force on `at`, in valid-time order).
 */
export class IndependentReplay {
  private readonly streams = new Map<string, RecordedEvent[]>();

  constructor(events: readonly RecordedEvent[]) {
    for (const e of events) {
      if (!isProcedureEventType(e.type)) continue;
      const list = this.streams.get(e.streamId) ?? [];
      list.push(e);
      this.streams.set(e.streamId, list);
    }
    for (const list of this.streams.values()) list.sort((a, b) => a.revision - b.revision);
  }

  static async load(store: EventStore): Promise<IndependentReplay> {
    return new IndependentReplay(await readWholeLog(store));
  }

  states(at: string, knownAt?: string): ProcedureState[] {
    const out: ProcedureState[] = [];
    for (const events of this.streams.values()) {
      // The domain's own time travel: standing facts known by `knownAt`, in force on `at`.
      const { state } = stateAt(events as unknown as RecordedProcedureEvent[], { at, ...(knownAt !== undefined && { knownAt }) });
      out.push(state ?? procedure.initialState());
    }
    return out;
  }

  counts(authorityCodes: readonly string[], at: string, knownAt?: string): Map<string, SummaryCounts> {
    const counts = new Map<string, SummaryCounts>(authorityCodes.map((c) => [c, { ...ZERO_COUNTS }]));
    for (const state of this.states(at, knownAt)) {
      if (state.status !== 'offered') continue;
      const c = counts.get(state.authorityCode);
      if (!c) continue;
      c.total++;
      if (state.onlineMode === 'FULL_PROCESS') c.fullProcess++;
      else if (state.onlineMode === 'PARTIAL') c.partial++;
      else c.informationOnly++;
      if (state.paperIntake === 'DISABLED') c.paperIntakeDisabled++;
    }
    return counts;
  }

  /** Transitions of one authority whose effective date lies in (from, to], by kind. */
  transitions(authorityCode: string, from: string, to: string, knownAt?: string): TransitionCounts {
    const known = knownAt === undefined ? undefined : Date.parse(knownAt);
    const counts = Object.fromEntries(Object.values(TRANSITION_KINDS).map((k) => [k, 0])) as TransitionCounts;
    for (const events of this.streams.values()) {
      const known_ = events.filter((e) => known === undefined || Date.parse(e.metadata.recordedAt) <= known);
      // The facts as they stood then: a corrected one under its right date and kind, a rescinded one gone.
      for (const { fact } of standing(known_.map((e) => ({ revision: e.revision, event: { type: e.type, data: e.data } as ProcedureEvent })))) {
        if (fact.data.authorityCode !== authorityCode || fact.data.effectiveFrom <= from || fact.data.effectiveFrom > to) continue;
        counts[TRANSITION_KINDS[fact.type]]++;
      }
    }
    return counts;
  }

  /** Every effective date in the log, sorted. */
  effectiveDates(): string[] {
    const dates = new Set<string>();
    for (const events of this.streams.values()) for (const e of events) dates.add((e.data as { effectiveFrom: string }).effectiveFrom);
    return [...dates].sort();
  }
}

/** The day before / after a calendar date. */
export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** An ISO instant `ms` milliseconds from `iso`. */
export function shiftInstant(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}

/** Read-model invariants that must hold after any sequence of batches; returns the violations found. */
export async function readModelInvariantViolations(dataSource: DataSource, schema: string = LIVE_SCHEMA): Promise<string[]> {
  const s = quoteIdent(schema);
  const checks: [string, string][] = [
    [
      'an empty or inverted valid-time interval',
      `SELECT * FROM ${s}.procedure_status_intervals WHERE valid_to IS NOT NULL AND valid_to <= valid_from`,
    ],
    [
      'an empty or inverted record-time interval',
      `SELECT * FROM ${s}.procedure_status_intervals WHERE recorded_to IS NOT NULL AND recorded_to <= recorded_from`,
    ],
    [
      'an information-only procedure with paper intake disabled',
      `SELECT * FROM ${s}.procedure_status_intervals WHERE online_mode = 'INFORMATION_ONLY' AND paper_intake = 'DISABLED'`,
    ],
    [
      'currently known intervals of one procedure that overlap or leave a gap',
      `SELECT * FROM (SELECT authority_code, procedure_code, valid_from, valid_to,
                             lead(valid_from) OVER w AS next_from
                      FROM ${s}.procedure_status_intervals WHERE recorded_to IS NULL
                      WINDOW w AS (PARTITION BY authority_code, procedure_code ORDER BY valid_from)) x
       WHERE next_from IS NOT NULL AND (valid_to IS NULL OR valid_to <> next_from)`,
    ],
    [
      'a procedure whose currently known intervals do not start at its registration',
      `SELECT * FROM ${s}.procedures p WHERE NOT EXISTS (
         SELECT 1 FROM ${s}.procedure_status_intervals i WHERE i.authority_code = p.authority_code
           AND i.procedure_code = p.procedure_code AND i.recorded_to IS NULL AND i.valid_from = p.registered_from)
         AND NOT (p.withdrawn AND p.last_effective_from = p.registered_from)`,
    ],
    [
      'an offered procedure without an open interval, or a withdrawn one with one',
      `SELECT * FROM ${s}.procedures p WHERE (p.withdrawn) <> (NOT EXISTS (
         SELECT 1 FROM ${s}.procedure_status_intervals i WHERE i.authority_code = p.authority_code
           AND i.procedure_code = p.procedure_code AND i.recorded_to IS NULL AND i.valid_to IS NULL))`,
    ],
    [
      'daily counts that do not add up',
      `SELECT * FROM ${s}.authority_daily_summaries WHERE total <> full_process + partial + information_only
         OR least(total, full_process, partial, information_only, paper_intake_disabled) < 0
         OR paper_intake_disabled > full_process + partial`,
    ],
  ];
  const violations: string[] = [];
  for (const [what, sql] of checks) {
    const rows = await dataSource.query(`${sql} LIMIT 3`);
    if (rows.length > 0) violations.push(`${what}: ${JSON.stringify(rows)}`);
  }
  return violations;
}

/** Terse command builders for tests. */
export const cmd = {
  register: (
    authorityCode: string,
    procedureCode: string,
    onlineMode: 'FULL_PROCESS' | 'PARTIAL' | 'INFORMATION_ONLY',
    effectiveFrom: string,
    paperIntake: 'ACCEPTED' | 'DISABLED' = 'ACCEPTED',
  ): ProcedureCommand => ({
    type: 'RegisterProcedure',
    data: { authorityCode, procedureCode, name: `Thủ tục thử ${procedureCode}`, onlineMode, paperIntake, effectiveFrom, decisionRef: 'T-1' },
  }),
  reclassify: (
    authorityCode: string,
    procedureCode: string,
    onlineMode: 'FULL_PROCESS' | 'PARTIAL' | 'INFORMATION_ONLY',
    effectiveFrom: string,
  ): ProcedureCommand => ({
    type: 'ReclassifyProcedure',
    data: { authorityCode, procedureCode, onlineMode, effectiveFrom, decisionRef: `R-${effectiveFrom}` },
  }),
  disablePaper: (authorityCode: string, procedureCode: string, effectiveFrom: string): ProcedureCommand => ({
    type: 'DisablePaperIntake',
    data: { authorityCode, procedureCode, effectiveFrom, decisionRef: `P-${effectiveFrom}` },
  }),
  reenablePaper: (authorityCode: string, procedureCode: string, effectiveFrom: string): ProcedureCommand => ({
    type: 'ReenablePaperIntake',
    data: { authorityCode, procedureCode, effectiveFrom, decisionRef: `E-${effectiveFrom}` },
  }),
  withdraw: (authorityCode: string, procedureCode: string, effectiveFrom: string): ProcedureCommand => ({
    type: 'WithdrawProcedure',
    data: { authorityCode, procedureCode, effectiveFrom, decisionRef: `W-${effectiveFrom}` },
  }),
  correct: (
    authorityCode: string,
    procedureCode: string,
    revision: number,
    right: { effectiveFrom?: string; onlineMode?: 'FULL_PROCESS' | 'PARTIAL' | 'INFORMATION_ONLY'; decisionRef?: string },
  ): ProcedureCommand => ({
    type: 'CorrectTransition',
    data: { authorityCode, procedureCode, revision, ...right, reason: 'Nhập nhầm' },
  }),
  rescind: (authorityCode: string, procedureCode: string, revisions: number[], decisionRef = 'QĐ 99/QĐ-UBND'): ProcedureCommand => ({
    type: 'RescindTransitions',
    data: { authorityCode, procedureCode, revisions, decisionRef },
  }),
};

export const counts = (total: number, fullProcess: number, partial: number, informationOnly: number, paperIntakeDisabled: number): SummaryCounts => ({
  total,
  fullProcess,
  partial,
  informationOnly,
  paperIntakeDisabled,
});
