import type { DataSource, QueryRunner } from 'typeorm';
import { vietnamDate, type LineageUnit } from '@tthc/domain';
import { loadLineageUnits } from '../authorities/authority-lineage.projection.js';
import { factFromDb, fromDb } from '../national-facts/national-facts.projection.js';
import type { EventStore } from '@tthc/event-store';
import { ReadModelReader, TRANSITION_KINDS } from '../queries/read-model.reader.js';
import type { SummaryCounts } from '../queries/summary.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';
import { COUNT_FIELDS, LogReplay, transitionKey } from './log-replay.js';

type Value = string | number | boolean | null;

/** One place where the read models say something else than the log. */
export interface ReadModelMismatch {
  authorityCode: string;
  /** The date a summary or transition count is for. */
  date?: string;
  /** The procedure a `procedures` row is for. */
  procedureCode?: string;
  /** The decision a `decisions` row is for (its number as printed). */
  decisionNumber?: string;
  /** What was read: the pre-aggregation, the bitemporal intervals, the procedure rows, the transitions, the lineage, the decisions, the national facts. */
  source:
    | 'authority_daily_summaries'
    | 'procedure_status_intervals'
    | 'procedures'
    | 'procedure_transitions'
    | 'authority_daily_transitions'
    | 'authorities'
    | 'decisions'
    | 'national_facts';
  field: string;
  expected: Value;
  found: Value;
}

export interface ReadModelVerification {
  /** The read models' checkpoint: every event up to it was replayed and every answer read as of it. */
  upToPosition: number;
  /** The head of the log when the verification started; events after `upToPosition` are not projected yet. */
  headPosition: number;
  eventsReplayed: number;
  authoritiesChecked: number;
  /** Distinct dates on which summaries were compared. */
  datesChecked: number;
  /** (authority, date) summaries compared on the pre-aggregated path. */
  summariesChecked: number;
  /** The bitemporal path, compared as of a log position on a sample of the dates (all of them when few). */
  intervalPath: { asOfPosition: number; dates: string[]; summariesChecked: number };
  proceduresChecked: number;
  /** (authority, effective date, kind) transition counts compared: the transition rows', and the daily pre-aggregation's. */
  transitionCountsChecked: number;
  /** Units of the lineage read model compared with their streams (versions, dissolution, revision). */
  unitsChecked: number;
  /**
   * Decisions of the decisions read model compared with their DecisionIssued events (header, digest,
   * item count, place in the log) and with what the procedure events they caused did (event count, and
   * the change of counts: the one the decision recorded, and the one its row shows).
   */
  decisionsChecked: number;
  /** Rows of the national facts read model compared with the log (authorities and facts, issue 18). */
  nationalFactsChecked: number;
  /** Every mismatch found; `mismatches` lists the first `maxMismatches` of them. */
  mismatchCount: number;
  mismatches: ReadModelMismatch[];
  millis: number;
}

export interface ReadModelVerifierOptions {
  schema?: string;
  /** Events per read of the log (default 5,000). */
  batchSize?: number;
  /** Dates on which the interval path is compared, today included (default 24). */
  intervalDates?: number;
  /** Mismatches listed at most (default 1,000); `mismatchCount` counts them all. */
  maxMismatches?: number;
  /** Today's date in Vietnam (tests fix it). */
  today?: () => string;
  onProgress?: (position: number, upTo: number) => void;
}

const FIELD_OF_KIND: Record<string, string> = TRANSITION_KINDS;
const CHUNK = 5_000;

/**
 * Verifies the read models against the log: replays every event up to the read models' checkpoint
 * with the domain decider's own `evolve` (not the projector's code), recomputes each authority's
 * counts on every date on which anything changed (and today), and compares them with what the read
 * models answer for those dates, on the pre-aggregated path and on the bitemporal intervals, and
 * compares every procedure's row and the transition counts.
 *
 * The read models are read in one REPEATABLE READ, READ ONLY transaction, so a projector running
 * meanwhile changes nothing the verifier sees; the log is streamed in batches.
 *
 * @example
 *   const report = await new ReadModelVerifier(dataSource, store).verify();
 *   if (report.mismatchCount > 0) console.table(report.mismatches);
 */
export class ReadModelVerifier {
  private readonly schema: string;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: EventStore,
    private readonly options: ReadModelVerifierOptions = {},
  ) {
    this.schema = options.schema ?? LIVE_SCHEMA;
  }

  async verify(overrides: Pick<ReadModelVerifierOptions, 'onProgress' | 'intervalDates'> = {}): Promise<ReadModelVerification> {
    const options = { ...this.options, ...overrides };
    const started = Date.now();
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction('REPEATABLE READ');
      await runner.query('SET TRANSACTION READ ONLY');
      const reader = new ReadModelReader(runner, this.schema);
      const upToPosition = await reader.position(); // the transaction's snapshot is taken here
      const headPosition = await this.store.headPosition();
      const replay = await this.replay(upToPosition, options);
      const next = (await this.store.readAll({ after: upToPosition, limit: 1 }))[0];
      const splitRun = replay.splitRunAfter(next);

      const found = new Mismatches(options.maxMismatches ?? 1_000);
      const today = options.today?.() ?? vietnamDate(new Date());
      const checkDates = await this.datesToCheck(runner, replay, today);
      const authorities = [...new Set([...checkDates.values()].flatMap((set) => [...set]))].sort();

      // 1. The pre-aggregated path (the dashboards' "now"), on every date where anything changed.
      let summariesChecked = 0;
      for (const date of [...checkDates.keys()].sort()) {
        const codes = [...checkDates.get(date)!].sort();
        const { counts } = await reader.counts(codes, { at: date });
        for (const code of codes) {
          found.compareCounts(code, date, 'authority_daily_summaries', replay.countsAt(code, date), counts.get(code));
          summariesChecked++;
        }
      }

      // 2. The bitemporal intervals as of the checkpoint, on a sample of those dates. Should the
      //    checkpoint fall inside a run of one procedure's events recorded at one instant (a batch
      //    boundary during a catch-up), the intervals hold that run whole: compare before it.
      const asOfPosition = splitRun ?? upToPosition;
      const sample = sampleDates([...checkDates.keys()].sort(), options.intervalDates ?? 24, today);
      let intervalChecked = 0;
      for (const date of sample) {
        const { counts } = await reader.counts(authorities, { at: date, asOfPosition });
        for (const code of authorities) {
          found.compareCounts(code, date, 'procedure_status_intervals', replay.countsAt(code, date, splitRun !== undefined), counts.get(code));
          intervalChecked++;
        }
      }

      const proceduresChecked = await this.checkProcedures(runner, replay, found);
      const transitionCountsChecked = await this.checkTransitions(runner, replay, upToPosition, found);
      const unitsChecked = await this.checkLineage(runner, replay, found);
      const decisionsChecked = await this.checkDecisions(runner, replay, found);
      const nationalFactsChecked = await this.checkNationalFacts(runner, replay, found);
      return {
        upToPosition,
        headPosition,
        eventsReplayed: replay.events,
        authoritiesChecked: authorities.length,
        datesChecked: checkDates.size,
        summariesChecked,
        intervalPath: { asOfPosition, dates: sample, summariesChecked: intervalChecked },
        proceduresChecked,
        transitionCountsChecked,
        unitsChecked,
        decisionsChecked,
        nationalFactsChecked,
        mismatchCount: found.count,
        mismatches: found.sorted(),
        millis: Date.now() - started,
      };
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      await runner.release();
    }
  }

  /** Streams the log up to `upTo` through the replay, `batchSize` events at a time. */
  private async replay(upTo: number, options: ReadModelVerifierOptions): Promise<LogReplay> {
    const replay = new LogReplay();
    let after = 0;
    while (after < upTo) {
      const batch = await this.store.readAll({ after, limit: options.batchSize ?? 5_000 });
      if (batch.length === 0) break;
      for (const event of batch) {
        if (event.globalPosition > upTo) return replay;
        replay.apply(event);
      }
      after = batch[batch.length - 1].globalPosition;
      options.onProgress?.(Math.min(after, upTo), upTo);
    }
    return replay;
  }

  /**
   * Date → authorities to compare on it: every date on which the log changed an authority's
   * procedures, every date the pre-aggregation has a row for (a stray row shows there), and today for
   * every authority.
   */
  private async datesToCheck(runner: QueryRunner, replay: LogReplay, today: string): Promise<Map<string, Set<string>>> {
    const dates = new Map<string, Set<string>>();
    const add = (date: string, code: string) => {
      let set = dates.get(date);
      if (!set) dates.set(date, (set = new Set()));
      set.add(code);
    };
    for (const code of replay.authorities()) for (const date of replay.changeDates(code)) add(date, code);
    const rows: { authority_code: string; date: string }[] = await runner.query(
      `SELECT authority_code, date::text AS date FROM ${quoteIdent(this.schema)}.authority_daily_summaries`,
    );
    for (const r of rows) add(r.date, r.authority_code);
    const everyAuthority = new Set([...replay.units.keys(), ...replay.authorities(), ...rows.map((r) => r.authority_code)]);
    for (const code of everyAuthority) add(today, code);
    return dates;
  }

  /**
   * The lineage read model against the units folded from their streams: each unit's versions (dates,
   * name, kind, territory, absorbed units), dissolution and successor, and revision; rows of units the
   * log never established too.
   */
  private async checkLineage(runner: QueryRunner, replay: LogReplay, found: Mismatches): Promise<number> {
    const stored = new Map((await loadLineageUnits((sql, params) => runner.query(sql, params), this.schema)).map((u) => [u.authorityCode, u]));
    const codes = new Set([...replay.units.keys(), ...stored.keys()]);
    const describe = (u: LineageUnit | undefined) =>
      u === undefined
        ? null
        : JSON.stringify([u.establishedFrom, u.dissolvedOn ?? null, u.successorCode ?? null, u.region ?? null,
            ...u.versions.map((v) => [v.validFrom, v.validTo, v.name, v.nameEn ?? null, v.kind, v.territory, v.absorbed, v.legalBasis ?? null])]);
    for (const code of [...codes].sort()) {
      const replayed = replay.units.get(code);
      const expected = replayed && replayed.state.status !== 'unestablished' ? replayed.state : undefined;
      const row = stored.get(code);
      const [e, f] = [describe(expected), describe(row)];
      if (e !== f) found.add({ authorityCode: code, source: 'authorities', field: 'lineage', expected: e, found: f });
      if (expected && row && replayed!.revision !== row.revision) {
        found.add({ authorityCode: code, source: 'authorities', field: 'revision', expected: replayed!.revision, found: row.revision });
      }
    }
    return codes.size;
  }

  /**
   * Each decision's row against its event and against the replayed effect of the events it caused; the
   * decision's own record (eventCount, effect) against the replay too; rows of decisions the log does
   * not hold.
   */
  private async checkDecisions(runner: QueryRunner, replay: LogReplay, found: Mismatches): Promise<number> {
    const rows: any[] = await runner.query(
      `SELECT authority_code, number, issued_on::text AS issued_on, effective_from::text AS effective_from, title, item_count, event_count,
              annex_digest, effect_total, effect_full_process, effect_partial, effect_information_only, effect_paper_intake_disabled,
              stream_id, event_id::text AS event_id, actor, recorded_at, position
       FROM ${quoteIdent(this.schema)}.decisions`,
    );
    const byEvent = new Map(rows.map((r) => [r.event_id, r]));
    for (const [eventId, d] of replay.decisions) {
      const at = { authorityCode: d.data.authorityCode, decisionNumber: d.data.number, source: 'decisions' as const };
      const row = byEvent.get(eventId);
      byEvent.delete(eventId);
      // What the decision recorded against what its events did: a record that claims another effect.
      if (d.causedEvents !== d.data.eventCount) found.add({ ...at, field: 'recorded eventCount', expected: d.causedEvents, found: d.data.eventCount });
      for (const k of COUNT_FIELDS) {
        if (d.effect[k] !== d.data.effect[k]) found.add({ ...at, field: `recorded effect.${k}`, expected: d.effect[k], found: d.data.effect[k] });
      }
      if (!row) {
        found.add({ ...at, field: 'row', expected: 'present', found: 'missing' });
        continue;
      }
      const expected: Record<string, Value> = {
        authorityCode: d.data.authorityCode,
        number: d.data.number,
        issuedOn: d.data.issuedOn,
        effectiveFrom: d.data.effectiveFrom,
        title: d.data.title ?? null,
        itemCount: d.data.itemCount,
        eventCount: d.causedEvents,
        annexDigest: d.data.annexDigest,
        'effect.total': d.effect.total,
        'effect.fullProcess': d.effect.fullProcess,
        'effect.partial': d.effect.partial,
        'effect.informationOnly': d.effect.informationOnly,
        'effect.paperIntakeDisabled': d.effect.paperIntakeDisabled,
        streamId: d.streamId,
        actor: d.actor,
        recordedAt: new Date(d.recordedAt).toISOString(),
        position: d.globalPosition,
      };
      const actual: Record<string, Value> = {
        authorityCode: row.authority_code,
        number: row.number,
        issuedOn: row.issued_on,
        effectiveFrom: row.effective_from,
        title: row.title,
        itemCount: row.item_count,
        eventCount: row.event_count,
        annexDigest: row.annex_digest,
        'effect.total': row.effect_total,
        'effect.fullProcess': row.effect_full_process,
        'effect.partial': row.effect_partial,
        'effect.informationOnly': row.effect_information_only,
        'effect.paperIntakeDisabled': row.effect_paper_intake_disabled,
        streamId: row.stream_id,
        actor: row.actor,
        recordedAt: new Date(row.recorded_at).toISOString(),
        position: Number(row.position),
      };
      for (const field of Object.keys(expected)) {
        if (expected[field] !== actual[field]) found.add({ ...at, field, expected: expected[field], found: actual[field] });
      }
    }
    for (const row of byEvent.values()) {
      found.add({ authorityCode: row.authority_code, decisionNumber: row.number, source: 'decisions', field: 'row', expected: 'absent', found: 'present' });
    }
    return replay.decisions.size;
  }

  /**
   * The national facts read model against the rows folded from the log (NationalFactsFold): each
   * authority's row (kind, name, establishment and dissolution with their positions and instants,
   * revision) and each fact's; rows the log never made too.
   */
  private async checkNationalFacts(runner: QueryRunner, replay: LogReplay, found: Mismatches): Promise<number> {
    const s = quoteIdent(this.schema);
    const [authorities, facts] = await Promise.all([
      runner.query(`SELECT * FROM ${s}.national_fact_authorities`),
      runner.query(`SELECT * FROM ${s}.national_facts`),
    ]);
    const compare = <T>(field: string, expected: Map<string, T>, stored: Map<string, T>, codeOf: (key: string, row: T) => string) => {
      for (const key of [...new Set([...expected.keys(), ...stored.keys()])].sort()) {
        const [e, f] = [expected.get(key), stored.get(key)].map((r) => (r === undefined ? null : JSON.stringify(r)));
        if (e !== f) found.add({ authorityCode: codeOf(key, (expected.get(key) ?? stored.get(key))!), source: 'national_facts', field, expected: e, found: f });
      }
      return new Set([...expected.keys(), ...stored.keys()]).size;
    };
    const fold = replay.nationalFacts;
    return (
      compare('authority', fold.authorities, new Map(authorities.map((r: any) => [r.authority_code, fromDb(r)])), (key) => key) +
      compare('fact', new Map(fold.facts.map((f) => [String(f.position), f])), new Map(facts.map((r: any) => [String(r.position), factFromDb(r)])), (_key, row) => row.authority_code)
    );
  }

  /** Each procedure's row against its replayed state; rows of procedures the log never registered too. */
  private async checkProcedures(runner: QueryRunner, replay: LogReplay, found: Mismatches): Promise<number> {
    const s = quoteIdent(this.schema);
    const keys = [...replay.procedures.entries()].filter(([, p]) => p.state.status !== 'unregistered').map(([key]) => key).sort();
    const split = (key: string) => {
      const i = key.indexOf(':');
      return [key.slice(0, i), key.slice(i + 1)] as const;
    };
    for (let i = 0; i < keys.length; i += CHUNK) {
      const chunk = keys.slice(i, i + CHUNK).map(split);
      const rows: any[] = await runner.query(
        `SELECT p.authority_code, p.procedure_code, p.name, p.online_mode, p.paper_intake, p.withdrawn,
                p.registered_from::text AS registered_from, p.last_effective_from::text AS last_effective_from, p.revision
         FROM ${s}.procedures p
         JOIN unnest($1::text[], $2::text[]) AS k(a, c) ON p.authority_code = k.a AND p.procedure_code = k.c`,
        [chunk.map((k) => k[0]), chunk.map((k) => k[1])],
      );
      const byKey = new Map(rows.map((r) => [`${r.authority_code}:${r.procedure_code}`, r]));
      for (const [authorityCode, procedureCode] of chunk) {
        const { state, revision, registeredFrom } = replay.procedures.get(`${authorityCode}:${procedureCode}`)!;
        if (state.status === 'unregistered') continue;
        const row = byKey.get(`${authorityCode}:${procedureCode}`);
        const at = { authorityCode, procedureCode, source: 'procedures' as const };
        if (!row) {
          found.add({ ...at, field: 'row', expected: 'present', found: 'missing' });
          continue;
        }
        const expected: Record<string, Value> = {
          name: state.name,
          onlineMode: state.onlineMode,
          paperIntake: state.paperIntake,
          withdrawn: state.status === 'withdrawn',
          registeredFrom,
          lastEffectiveFrom: state.lastEffectiveFrom,
          revision,
        };
        const actual: Record<string, Value> = {
          name: row.name,
          onlineMode: row.online_mode,
          paperIntake: row.paper_intake,
          withdrawn: row.withdrawn,
          registeredFrom: row.registered_from,
          lastEffectiveFrom: row.last_effective_from,
          revision: Number(row.revision),
        };
        for (const field of Object.keys(expected)) {
          if (expected[field] !== actual[field]) found.add({ ...at, field, expected: expected[field], found: actual[field] });
        }
      }
    }
    const [{ n }] = await runner.query(`SELECT count(*)::int AS n FROM ${s}.procedures`);
    if (n > keys.length - found.missingRows) {
      const strays: { authority_code: string; procedure_code: string }[] = await runner.query(
        `SELECT p.authority_code, p.procedure_code FROM ${s}.procedures p
         WHERE NOT EXISTS (SELECT 1 FROM unnest($1::text[], $2::text[]) AS k(a, c)
                           WHERE p.authority_code = k.a AND p.procedure_code = k.c)`,
        [keys.map((k) => split(k)[0]), keys.map((k) => split(k)[1])],
      );
      for (const r of strays) {
        found.add({ authorityCode: r.authority_code, procedureCode: r.procedure_code, source: 'procedures', field: 'row', expected: 'absent', found: 'present' });
      }
    }
    return keys.length;
  }

  /** Transition counts per authority, effective date and kind, up to the checkpoint (corrected and rescinded ones as they now stand). */
  private async checkTransitions(runner: QueryRunner, replay: LogReplay, upTo: number, found: Mismatches): Promise<number> {
    const s = quoteIdent(this.schema);
    const rows = await runner.query(
      `SELECT authority_code, effective_from::text AS date, kind, count(*)::int AS n
       FROM ${s}.procedure_transitions
       WHERE position <= $1 AND (superseded_position IS NULL OR superseded_position > $1) GROUP BY 1, 2, 3`,
      [upTo],
    );
    // The movement's pre-aggregation holds the same counts as known now: the checkpoint, in this snapshot.
    const daily = await runner.query(`SELECT authority_code, date::text AS date, kind, n FROM ${s}.authority_daily_transitions`);
    return (
      this.compareTransitionCounts(rows, replay, 'procedure_transitions', found) +
      this.compareTransitionCounts(daily, replay, 'authority_daily_transitions', found)
    );
  }

  private compareTransitionCounts(
    rows: { authority_code: string; date: string; kind: string; n: number }[],
    replay: LogReplay,
    source: 'procedure_transitions' | 'authority_daily_transitions',
    found: Mismatches,
  ): number {
    const actual = new Map(rows.map((r) => [transitionKey(r.authority_code, r.date, r.kind), r.n]));
    const keys = new Set([...replay.transitions.keys(), ...actual.keys()]);
    for (const key of keys) {
      const expected = replay.transitions.get(key) ?? 0;
      const got = actual.get(key) ?? 0;
      if (expected !== got) {
        const [authorityCode, date, kind] = key.split('|');
        found.add({ authorityCode, date, source, field: FIELD_OF_KIND[kind] ?? kind, expected, found: got });
      }
    }
    return keys.size;
  }
}

/** Up to `n` dates spread evenly over `dates`, today always among them. */
function sampleDates(dates: readonly string[], n: number, today: string): string[] {
  const others = dates.filter((d) => d !== today);
  const room = Math.max(0, n - 1);
  const picked = others.length <= room ? others : Array.from({ length: room }, (_, i) => others[Math.floor(((i + 0.5) * others.length) / room)]);
  return [...new Set([...picked, today])].sort();
}

class Mismatches {
  count = 0;
  missingRows = 0;
  private readonly listed: ReadModelMismatch[] = [];

  constructor(private readonly max: number) {}

  add(mismatch: ReadModelMismatch): void {
    this.count++;
    if (mismatch.source === 'procedures' && mismatch.field === 'row' && mismatch.found === 'missing') this.missingRows++;
    if (this.listed.length < this.max) this.listed.push(mismatch);
  }

  compareCounts(authorityCode: string, date: string, source: ReadModelMismatch['source'], expected: SummaryCounts, found: SummaryCounts | undefined): void {
    for (const field of COUNT_FIELDS) {
      const got = found?.[field] ?? null;
      if (got !== expected[field]) this.add({ authorityCode, date, source, field, expected: expected[field], found: got });
    }
  }

  sorted(): ReadModelMismatch[] {
    const order = (m: ReadModelMismatch) => `${m.authorityCode}|${m.source}|${m.date ?? ''}|${m.procedureCode ?? ''}|${m.decisionNumber ?? ''}|${m.field}`;
    return [...this.listed].sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0));
  }
}
