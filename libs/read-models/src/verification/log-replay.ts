import {
  DECISION_EVENT_TYPES,
  authority,
  isAuthorityEventType,
  isProcedureEventType,
  type AuthorityEvent,
  type AuthorityState,
  type DecisionIssued,
  logOf,
  procedure,
  standing,
  timeline,
  timelineChange,
  type ProcedureEvent,
  type ProcedureEventType,
  type ProcedureState,
} from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';
import { ZERO_COUNTS, type SummaryCounts } from '../queries/summary.js';
import { isLineageEvent } from '../authorities/authority-lineage.projection.js';
import { NationalFactsFold } from '../national-facts/national-facts.projection.js';

/** One procedure as the replay knows it: the decider's state and where its stream stands. */
export interface ReplayedProcedure {
  state: ProcedureState;
  revision: number;
  /** Effective date of its registration (the decider's state does not keep it). */
  registeredFrom: string | null;
}

/**
 * One decision as the replay knows it: its record, and what the procedure events it caused (their
 * causationId is its event's id) did to the counts, folded by the replay itself.
 */
export interface ReplayedDecision {
  /** The DecisionIssued event's place in the log. */
  streamId: string;
  globalPosition: number;
  recordedAt: string;
  actor: string;
  /** Its data but the items (a replay of a large log keeps no annexes). */
  data: Omit<DecisionIssued['data'], 'items'>;
  causedEvents: number;
  effect: SummaryCounts;
}

type Deltas = Map<string, Map<string, SummaryCounts>>; // authority → date → change of counts from that date on

/**
 * The log replayed in memory, independently of the projector: every procedure stream folded with the
 * domain decider's own `evolve`, and, per authority, how the counts in force change on each date.
 * Holds one state per procedure and one delta per authority and date, never the events themselves,
 * so that a log of a million events is replayed in bounded memory.
 *
 * The counts in force on D are the sum of the deltas dated on or before D. Each event changes its
 * procedure's timeline (the domain's fold of its standing facts in valid-time order: a late decision,
 * a correction or a rescission may change it anywhere); the deltas take the difference, date by date.
 * (The states keep their stream's events, which `decide` needs: memory grows with the log.)
 */
export class LogReplay {
  readonly procedures = new Map<string, ReplayedProcedure>();
  /** Every unit folded from its stream with the domain's own `evolve`, and its stream's last revision. */
  readonly units = new Map<string, { state: AuthorityState; revision: number }>();
  /** The national facts read model's rows, from the log alone (issue 18). */
  readonly nationalFacts = new NationalFactsFold();
  /** Transitions per authority, effective date and event type (registrations included). */
  readonly transitions = new Map<string, number>();
  /** Every decision recorded, by the id of its DecisionIssued event. */
  readonly decisions = new Map<string, ReplayedDecision>();
  events = 0;
  private readonly deltas: Deltas = new Map();
  private cumulative: Map<string, { dates: string[]; counts: SummaryCounts[] }> | undefined;
  // The latest run of one procedure's events recorded at one instant: the read models record such a
  // run as one (see ReadModelReader), so the interval path is compared as of the position before it
  // when the replay stops inside it.
  private run = { streamId: '', recordedAt: '', revision: -1, after: 0, deltas: new Map() as Deltas };
  private previousProcedureEvent = 0;

  apply(event: RecordedEvent): void {
    this.events++;
    this.nationalFacts.apply(event);
    if (isAuthorityEventType(event.type)) {
      const code = (event.data as { authorityCode?: unknown })?.authorityCode;
      if (!isLineageEvent(event)) return; // a central agency's (issue 18): no lineage
      if (typeof code !== 'string') return;
      const unit = this.units.get(code) ?? { state: authority.initialState(), revision: -1 };
      this.units.set(code, { state: authority.evolve(unit.state, { type: event.type, data: event.data } as AuthorityEvent), revision: event.revision });
      return;
    }
    if ((DECISION_EVENT_TYPES as readonly string[]).includes(event.type)) {
      const { items: _items, ...data } = event.data as DecisionIssued['data'];
      const { streamId, globalPosition, metadata } = event;
      this.decisions.set(event.id, { streamId, globalPosition, recordedAt: metadata.recordedAt, actor: metadata.actor, data, causedEvents: 0, effect: { ...ZERO_COUNTS } });
      return;
    }
    if (!isProcedureEventType(event.type)) return;
    const data = event.data as { authorityCode?: unknown; procedureCode?: unknown; effectiveFrom?: unknown };
    if (typeof data?.authorityCode !== 'string' || typeof data.procedureCode !== 'string' || typeof data.effectiveFrom !== 'string') return;
    const { authorityCode, procedureCode, effectiveFrom } = data as { authorityCode: string; procedureCode: string; effectiveFrom: string };

    const continuesRun =
      event.streamId === this.run.streamId && event.metadata.recordedAt === this.run.recordedAt && event.revision === this.run.revision + 1;
    if (!continuesRun) {
      this.run = { streamId: event.streamId, recordedAt: event.metadata.recordedAt, revision: event.revision, after: this.previousProcedureEvent, deltas: new Map() };
    }
    this.run.revision = event.revision;
    this.previousProcedureEvent = event.globalPosition;

    const key = `${authorityCode}:${procedureCode}`;
    const tracked = this.procedures.get(key) ?? { state: procedure.initialState(), revision: -1, registeredFrom: null };
    const state = procedure.evolve(tracked.state, { type: event.type, data: event.data } as ProcedureEvent);
    const [before, after] = [standing(logOf(tracked.state)), standing(logOf(state))];
    const changes = timelineChange(timeline(before), timeline(after));
    for (const [date, change] of changes) {
      add(this.deltas, authorityCode, date, change);
      add(this.run.deltas, authorityCode, date, change);
    }
    const decision = event.metadata.causationId ? this.decisions.get(event.metadata.causationId) : undefined;
    if (decision) {
      decision.causedEvents++;
      // Its effect on its effective date: the change there (a late item's change elsewhere is not its effect).
      const change = changes.get(effectiveFrom);
      if (change) for (const k of COUNT_FIELDS) decision.effect[k] += change[k];
    }
    this.procedures.set(key, {
      state,
      revision: event.revision,
      registeredFrom: after.find((f) => f.fact.type === 'ProcedureRegistered')?.fact.data.effectiveFrom ?? tracked.registeredFrom,
    });
    // The transitions as they now stand (a corrected one under its right date and kind, a rescinded one gone).
    for (const [facts, sign] of [[before, -1], [after, 1]] as const) {
      for (const { fact } of facts) {
        const t = transitionKey(authorityCode, fact.data.effectiveFrom, fact.type);
        const n = (this.transitions.get(t) ?? 0) + sign;
        if (n === 0) this.transitions.delete(t);
        else this.transitions.set(t, n);
      }
    }
    // Every date of a procedure event is a date to check, even when the counts do not move on it.
    add(this.deltas, authorityCode, effectiveFrom, { ...ZERO_COUNTS });
    this.cumulative = undefined;
  }

  /** Authorities with at least one procedure event. */
  authorities(): string[] {
    return [...this.deltas.keys()];
  }

  /** The dates on which anything happened to the authority's procedures, sorted. */
  changeDates(authorityCode: string): string[] {
    return [...(this.deltas.get(authorityCode)?.keys() ?? [])].sort();
  }

  /** The counts in force on `date`; `withoutLastRun` leaves out the latest run (see `splitRunAfter`). */
  countsAt(authorityCode: string, date: string, withoutLastRun = false): SummaryCounts {
    const table = this.cumulativeOf(authorityCode);
    let lo = 0;
    let hi = table.dates.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (table.dates[mid] <= date) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const counts = found < 0 ? { ...ZERO_COUNTS } : { ...table.counts[found] };
    if (withoutLastRun) {
      for (const [d, change] of this.run.deltas.get(authorityCode) ?? []) if (d <= date) subtract(counts, change);
    }
    return counts;
  }

  /**
   * Whether `next` (the event after the last one replayed) continues the latest run of one procedure's
   * events recorded at one instant; if so, the position just before that run.
   */
  splitRunAfter(next: RecordedEvent | undefined): number | undefined {
    if (!next || !isProcedureEventType(next.type)) return undefined;
    const continues =
      next.streamId === this.run.streamId && next.metadata.recordedAt === this.run.recordedAt && next.revision === this.run.revision + 1;
    return continues ? this.run.after : undefined;
  }

  private cumulativeOf(authorityCode: string) {
    this.cumulative ??= new Map();
    let table = this.cumulative.get(authorityCode);
    if (!table) {
      const byDate = this.deltas.get(authorityCode) ?? new Map<string, SummaryCounts>();
      const dates = [...byDate.keys()].sort();
      const running = { ...ZERO_COUNTS };
      const counts = dates.map((d) => {
        const change = byDate.get(d)!;
        for (const k of COUNT_FIELDS) running[k] += change[k];
        return { ...running };
      });
      table = { dates, counts };
      this.cumulative.set(authorityCode, table);
    }
    return table;
  }
}

export const COUNT_FIELDS = ['total', 'fullProcess', 'partial', 'informationOnly', 'paperIntakeDisabled'] as const;

export function transitionKey(authorityCode: string, date: string, type: ProcedureEventType | string): string {
  return `${authorityCode}|${date}|${type}`;
}

function add(deltas: Deltas, authorityCode: string, date: string, change: SummaryCounts): void {
  let byDate = deltas.get(authorityCode);
  if (!byDate) deltas.set(authorityCode, (byDate = new Map()));
  const current = byDate.get(date);
  if (!current) byDate.set(date, { ...change });
  else for (const k of COUNT_FIELDS) current[k] += change[k];
}

function subtract(counts: SummaryCounts, change: SummaryCounts): void {
  for (const k of COUNT_FIELDS) counts[k] -= change[k];
}
