import {
  factsOf,
  foldFacts,
  isAmendment,
  isProcedureEventType,
  standing,
  timeline,
  timelineChange,
  type OnlineMode,
  type PaperIntake,
  type ProcedureEvent,
  type ProcedureFact,
  type TimelineSegment,
} from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';

/** A procedure's row in `procedures`, as the planner reads and writes it. */
export interface ProcedureRow {
  authorityCode: string;
  procedureCode: string;
  name: string;
  field: string | null;
  level: string | null;
  onlineMode: OnlineMode;
  paperIntake: PaperIntake;
  withdrawn: boolean;
  registeredFrom: string;
  lastEffectiveFrom: string;
  revision: number;
  position: number;
  openValidFrom: string | null;
  openRecordedFrom: string | null;
  /** Log position from which the open interval row is recorded (see IntervalRow). */
  openRecordedFromPosition: number | null;
}

export interface IntervalRow {
  authorityCode: string;
  procedureCode: string;
  validFrom: string;
  validTo: string | null;
  recordedFrom: string;
  recordedTo: string | null;
  onlineMode: OnlineMode;
  paperIntake: PaperIntake;
  /**
   * The record axis in log positions: the row holds from the event at `recordedFromPosition` until
   * the one at `recordedToPosition` (exclusive). Like the record instants, the events of one procedure
   * recorded at one instant (one decision, or a stream appended whole) count as one: their rows carry
   * the position of the first of them.
   */
  recordedFromPosition: number;
  recordedToPosition: number | null;
}

export interface TransitionRow {
  position: number;
  authorityCode: string;
  procedureCode: string;
  kind: string;
  effectiveFrom: string;
  recordedAt: string;
  decisionRef: string | null;
  fromValue: string | null;
  toValue: string | null;
}

export interface SummaryDelta {
  authorityCode: string;
  date: string;
  total: number;
  fullProcess: number;
  partial: number;
  informationOnly: number;
  paperIntakeDisabled: number;
}

/** Every row change one batch of events makes; the writer turns it into a few set-based statements. */
export interface ProjectionPlan {
  procedures: ProcedureRow[];
  /** Keys (authority, procedure, validFrom, recordedFrom) of stored open interval rows to close at `recordedTo`. */
  closeIntervals: {
    authorityCode: string;
    procedureCode: string;
    validFrom: string;
    recordedFrom: string;
    recordedTo: string;
    recordedToPosition: number;
  }[];
  /** Stored rows superseded within the same record instant: never visible, so deleted. */
  deleteIntervals: { authorityCode: string; procedureCode: string; validFrom: string; recordedFrom: string }[];
  insertIntervals: IntervalRow[];
  transitions: TransitionRow[];
  /**
   * Transition rows no longer true as of an instant: corrected (a new row, at the correction's
   * position, holds the right values) or rescinded. Applied after `transitions` are inserted.
   */
  supersedeTransitions: { position: number; supersededAt: string; supersededPosition: number; supersededBy: number }[];
  summaryDeltas: SummaryDelta[];
  /** Events skipped: not procedure events, or already applied (revision at or below the row's). */
  skipped: number;
}

export const procedureKey = (authorityCode: string, procedureCode: string) => `${authorityCode}:${procedureCode}`;

const MODE_FIELD: Record<OnlineMode, 'fullProcess' | 'partial' | 'informationOnly'> = {
  FULL_PROCESS: 'fullProcess',
  PARTIAL: 'partial',
  INFORMATION_ONLY: 'informationOnly',
};

/**
 * Plans a batch of events against the stored rows of the procedures they touch. Pure: the caller
 * loads `stored` and writes the plan in one transaction with the checkpoint.
 *
 * Per procedure, effective dates never decrease (the domain refuses earlier ones), so each event
 * changes only the procedure's interval that is open on both axes, and counts from its date on.
 */
/**
 * What the planner needs of a procedure whose history changes other than at its end (a late
 * decision, a correction, a rescission): its stream (at least up to the batch's last event of it) and
 * its interval rows open on the record axis (`recordedTo` null), as stored before the batch.
 */
export interface ProcedureHistory {
  events: readonly RecordedEvent[];
  openIntervals: readonly IntervalRow[];
}

/**
 * The procedures of a batch that need their history (see ProcedureHistory): those with a correction
 * or rescission, a fact effective before the latest one known, or a second registration (after a
 * rescinded one). The others take the fast path: every event changes only the open interval.
 */
export function keysNeedingHistory(events: readonly RecordedEvent[], stored: ReadonlyMap<string, ProcedureRow>): Set<string> {
  const slow = new Set<string>();
  const last = new Map<string, string>();
  for (const recorded of events) {
    if (!isProcedureEventType(recorded.type)) continue;
    const event = { type: recorded.type, data: recorded.data } as ProcedureEvent;
    const key = procedureKey(event.data.authorityCode, event.data.procedureCode);
    const row = stored.get(key);
    if (row && recorded.revision <= row.revision) continue;
    const latest = last.get(key) ?? row?.lastEffectiveFrom;
    // A registration on a stored withdrawn row can only follow a rescinded registration (decide refuses
    // any other); a registration on any other known procedure is a corrupt stream, skipped below.
    const reregistered = event.type === 'ProcedureRegistered' && row?.withdrawn === true && !last.has(key);
    const late = event.type !== 'ProcedureRegistered' && latest !== undefined && event.data.effectiveFrom < latest;
    if (isAmendment(event) || late || reregistered) slow.add(key);
    if (latest === undefined || event.data.effectiveFrom > latest) last.set(key, event.data.effectiveFrom);
  }
  return slow;
}

export function planBatch(
  events: readonly RecordedEvent[],
  stored: ReadonlyMap<string, ProcedureRow>,
  histories: ReadonlyMap<string, ProcedureHistory> = new Map(),
): ProjectionPlan {
  const slowKeys = keysNeedingHistory(events, stored);
  const slowState = new Map<string, Map<string, { row: IntervalRow; pending: boolean }>>();
  const rows = new Map<string, ProcedureRow>();
  const storedOpenClosed = new Set<string>();
  const pendingIntervals = new Map<string, IntervalRow>(); // open interval rows created in this batch, by procedure
  // Rows planned in this batch and superseded at the same instant, taken out of insertIntervals at the
  // end (one pass: taking each out as it happens scanned the array each time, quadratic in the batch).
  const dropped = new Set<IntervalRow>();
  const plan: ProjectionPlan = {
    procedures: [],
    closeIntervals: [],
    deleteIntervals: [],
    insertIntervals: [],
    transitions: [],
    supersedeTransitions: [],
    summaryDeltas: [],
    skipped: 0,
  };
  const deltas = new Map<string, SummaryDelta>();
  const delta = (authorityCode: string, date: string) => {
    const k = `${authorityCode}|${date}`;
    let d = deltas.get(k);
    if (!d) {
      d = { authorityCode, date, total: 0, fullProcess: 0, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 };
      deltas.set(k, d);
    }
    return d;
  };

  for (const recorded of events) {
    if (!isProcedureEventType(recorded.type)) {
      plan.skipped++;
      continue;
    }
    const event = { type: recorded.type, data: recorded.data } as ProcedureEvent;
    const { authorityCode, procedureCode, effectiveFrom } = event.data;
    const key = procedureKey(authorityCode, procedureCode);
    const before = rows.get(key) ?? stored.get(key);
    if (before && recorded.revision <= before.revision) {
      plan.skipped++; // already applied: replays and overlapping batches change nothing
      continue;
    }
    const recordedAt = recorded.metadata.recordedAt;
    if (slowKeys.has(key)) {
      const history = histories.get(key);
      if (!history) throw new Error(`planBatch: the history of ${key} is needed (a late, corrected or rescinded event) and was not given`);
      let current = slowState.get(key);
      if (!current) slowState.set(key, (current = new Map(history.openIntervals.map((row) => [row.validFrom, { row: { ...row }, pending: false }]))));
      rows.set(key, planFromHistory(recorded, event, before, history.events, current, plan, delta, dropped));
      continue;
    }
    if (isAmendment(event)) throw new Error('unreachable: amendments take the history path');
    const transition = transitionRow(recorded, event);

    if (event.type === 'ProcedureRegistered') {
      if (before) {
        plan.skipped++; // a second registration cannot be decided; ignore rather than double count
        continue;
      }
      const d = event.data;
      const row: ProcedureRow = {
        authorityCode,
        procedureCode,
        name: d.name,
        field: d.field ?? null,
        level: d.level ?? null,
        onlineMode: d.onlineMode,
        paperIntake: d.paperIntake,
        withdrawn: false,
        registeredFrom: effectiveFrom,
        lastEffectiveFrom: effectiveFrom,
        revision: recorded.revision,
        position: recorded.globalPosition,
        openValidFrom: effectiveFrom,
        openRecordedFrom: recordedAt,
        openRecordedFromPosition: recorded.globalPosition,
      };
      rows.set(key, row);
      plan.transitions.push(transition);
      const interval = openInterval(row, effectiveFrom, recordedAt, recorded.globalPosition);
      pendingIntervals.set(key, interval);
      plan.insertIntervals.push(interval);
      const dd = delta(authorityCode, effectiveFrom);
      dd.total++;
      dd[MODE_FIELD[d.onlineMode]]++;
      if (d.paperIntake === 'DISABLED') dd.paperIntakeDisabled++;
      continue;
    }

    if (!before || before.withdrawn) {
      plan.skipped++; // a transition of an unknown or withdrawn procedure: a corrupt stream, not counted
      continue;
    }
    plan.transitions.push(transition);
    const row: ProcedureRow = { ...before, revision: recorded.revision, position: recorded.globalPosition, lastEffectiveFrom: effectiveFrom };
    const dd = delta(authorityCode, effectiveFrom);
    switch (event.type) {
      case 'ProcedureUpgradedToFullProcess':
      case 'ProcedureUpgradedToPartialOnline':
      case 'ProcedureDowngradedToPartialOnline':
      case 'ProcedureDowngradedToInformationOnly':
        dd[MODE_FIELD[before.onlineMode]]--;
        dd[MODE_FIELD[event.data.to]]++;
        row.onlineMode = event.data.to;
        break;
      case 'PaperIntakeDisabled':
      case 'PaperIntakeReenabled':
        if (before.paperIntake !== event.data.to) dd.paperIntakeDisabled += event.data.to === 'DISABLED' ? 1 : -1;
        row.paperIntake = event.data.to;
        break;
      case 'ProcedureWithdrawn':
      case 'ProcedureDiscontinued':
        dd.total--;
        dd[MODE_FIELD[before.onlineMode]]--;
        if (before.paperIntake === 'DISABLED') dd.paperIntakeDisabled--;
        row.withdrawn = true;
        break;
      default: {
        const _exhaustive: never = event;
        return _exhaustive;
      }
    }

    // Split the open interval at the effective date, as recorded from this event on.
    const open = pendingIntervals.get(key);
    let openValidFrom = before.openValidFrom;
    let recordedFrom = recordedAt;
    let recordedFromPosition = recorded.globalPosition;
    if (open) {
      openValidFrom = open.validFrom;
      if (open.recordedFrom >= recordedAt) {
        // same instant (one decision, two events): replace in place
        recordedFrom = open.recordedFrom;
        recordedFromPosition = open.recordedFromPosition;
        dropped.add(open);
      } else {
        open.recordedTo = recordedAt;
        open.recordedToPosition = recorded.globalPosition;
      }
    } else if (before.openValidFrom !== null && before.openRecordedFrom !== null && !storedOpenClosed.has(key)) {
      storedOpenClosed.add(key);
      const stored = { authorityCode, procedureCode, validFrom: before.openValidFrom, recordedFrom: before.openRecordedFrom };
      if (before.openRecordedFrom >= recordedAt) {
        recordedFrom = before.openRecordedFrom;
        recordedFromPosition = before.openRecordedFromPosition ?? recorded.globalPosition;
        plan.deleteIntervals.push(stored);
      } else {
        plan.closeIntervals.push({ ...stored, recordedTo: recordedAt, recordedToPosition: recorded.globalPosition });
      }
    }
    pendingIntervals.delete(key);
    if (openValidFrom !== null && openValidFrom < effectiveFrom) {
      plan.insertIntervals.push({ ...openInterval(before, openValidFrom, recordedFrom, recordedFromPosition), validTo: effectiveFrom });
    }
    if (row.withdrawn) {
      row.openValidFrom = null;
      row.openRecordedFrom = null;
      row.openRecordedFromPosition = null;
    } else {
      const next = openInterval(row, effectiveFrom, recordedFrom, recordedFromPosition);
      plan.insertIntervals.push(next);
      pendingIntervals.set(key, next);
      row.openValidFrom = effectiveFrom;
      row.openRecordedFrom = recordedFrom;
      row.openRecordedFromPosition = recordedFromPosition;
    }
    rows.set(key, row);
  }

  if (dropped.size > 0) plan.insertIntervals = plan.insertIntervals.filter((row) => !dropped.has(row));
  plan.procedures = [...rows.values()];
  // Deltas that net to zero are kept: every date on which something changed gets its summary row,
  // so the read models come out the same however the log is cut into batches.
  plan.summaryDeltas = [...deltas.values()];
  return plan;
}

function transitionRow(recorded: RecordedEvent, fact: ProcedureFact, position = recorded.globalPosition): TransitionRow {
  return {
    position,
    authorityCode: fact.data.authorityCode,
    procedureCode: fact.data.procedureCode,
    kind: fact.type,
    effectiveFrom: fact.data.effectiveFrom,
    recordedAt: recorded.metadata.recordedAt,
    decisionRef: fact.data.decisionRef ?? null,
    fromValue: 'from' in fact.data ? fact.data.from : null,
    toValue: 'to' in fact.data ? fact.data.to : null,
  };
}

/**
 * The history path: the procedure's timeline before and after `recorded`, both from its stream (the
 * domain's own fold of its standing facts), and the rows that change between them. Interval rows no
 * longer true are closed on the record axis at this event (deleted when recorded at the same instant:
 * never visible); new ones are recorded from it; the daily summaries take the difference, date by
 * date; a corrected or rescinded transition's row is superseded (and a corrected one gets a new row).
 */
function planFromHistory(
  recorded: RecordedEvent,
  event: ProcedureEvent,
  before: ProcedureRow | undefined,
  stream: readonly RecordedEvent[],
  current: Map<string, { row: IntervalRow; pending: boolean }>,
  plan: ProjectionPlan,
  delta: (authorityCode: string, date: string) => SummaryDelta,
  dropped: Set<IntervalRow>,
): ProcedureRow {
  const { authorityCode, procedureCode } = event.data;
  const upTo = [...stream].filter((e) => e.revision <= recorded.revision).sort((a, b) => a.revision - b.revision);
  const log = upTo.map((e) => ({ revision: e.revision, event: { type: e.type, data: e.data } as ProcedureEvent }));
  const facts = standing(log);
  const segments = timeline(facts);
  const state = foldFacts(facts);
  const recordedAt = recorded.metadata.recordedAt;
  // The run of this procedure's events recorded at this instant counts as one (see IntervalRow).
  let group = upTo.length - 1;
  while (group > 0 && upTo[group - 1].metadata.recordedAt === recordedAt) group--;
  const groupPosition = upTo[group]?.globalPosition ?? recorded.globalPosition;

  const old: TimelineSegment[] = [...current.values()].map(({ row }) => row);
  const same = (a: TimelineSegment, b: TimelineSegment) =>
    a.validTo === b.validTo && a.onlineMode === b.onlineMode && a.paperIntake === b.paperIntake;
  for (const [validFrom, entry] of current) {
    const next = segments.find((s) => s.validFrom === validFrom);
    if (next && same(entry.row, next)) continue;
    current.delete(validFrom);
    const { row } = entry;
    if (entry.pending) {
      if (row.recordedFrom >= recordedAt) dropped.add(row);
      else Object.assign(row, { recordedTo: recordedAt, recordedToPosition: groupPosition });
    } else {
      const key = { authorityCode, procedureCode, validFrom, recordedFrom: row.recordedFrom };
      if (row.recordedFrom >= recordedAt) plan.deleteIntervals.push(key);
      else plan.closeIntervals.push({ ...key, recordedTo: recordedAt, recordedToPosition: groupPosition });
    }
  }
  for (const s of segments) {
    if (current.has(s.validFrom)) continue;
    const row: IntervalRow = {
      authorityCode,
      procedureCode,
      ...s,
      recordedFrom: recordedAt,
      recordedTo: null,
      recordedFromPosition: groupPosition,
      recordedToPosition: null,
    };
    plan.insertIntervals.push(row);
    current.set(s.validFrom, { row, pending: true });
  }
  for (const [date, change] of timelineChange(old, segments)) {
    const d = delta(authorityCode, date);
    for (const k of ['total', 'fullProcess', 'partial', 'informationOnly', 'paperIntakeDisabled'] as const) d[k] += change[k];
  }
  delta(authorityCode, event.data.effectiveFrom);

  // The transitions table: facts as recorded, and what corrections and rescissions made of them.
  if (event.type === 'TransitionCorrected' || event.type === 'TransitionRescinded') {
    const named = event.type === 'TransitionCorrected' ? event.data.corrects.revision : event.data.rescinds.revision;
    const earlier = log.filter((e) => e.revision < recorded.revision);
    const target = standingFactsOf(earlier).get(named);
    if (target) {
      // The row that holds the named fact now: its latest correction's, or its own.
      const holder = target.correctedBy.length > 0 ? target.correctedBy[target.correctedBy.length - 1] : named;
      const position = upTo.find((e) => e.revision === holder)?.globalPosition;
      if (position !== undefined) {
        plan.supersedeTransitions.push({ position, supersededAt: recordedAt, supersededPosition: recorded.globalPosition, supersededBy: recorded.globalPosition });
      }
      if (event.type === 'TransitionCorrected') plan.transitions.push(transitionRow(recorded, event.data.correctedTo));
    }
  } else {
    plan.transitions.push(transitionRow(recorded, event));
  }

  const open = [...current.values()].find(({ row }) => row.validTo === null)?.row;
  const registration = facts.find((f) => f.fact.type === 'ProcedureRegistered')?.fact;
  const registeredState = state.status === 'unregistered' ? null : state;
  return {
    authorityCode,
    procedureCode,
    name: registeredState?.name ?? before?.name ?? '',
    field: registeredState ? (registeredState.field ?? null) : (before?.field ?? null),
    level: registeredState ? (registeredState.level ?? null) : (before?.level ?? null),
    onlineMode: registeredState?.onlineMode ?? before?.onlineMode ?? 'INFORMATION_ONLY',
    paperIntake: registeredState?.paperIntake ?? before?.paperIntake ?? 'ACCEPTED',
    withdrawn: state.status !== 'offered',
    registeredFrom: registration?.data.effectiveFrom ?? before?.registeredFrom ?? event.data.effectiveFrom,
    // A procedure whose registration was rescinded keeps a withdrawn row (its revision keeps replays idempotent).
    lastEffectiveFrom: registeredState?.lastEffectiveFrom ?? before?.registeredFrom ?? event.data.effectiveFrom,
    revision: recorded.revision,
    position: recorded.globalPosition,
    openValidFrom: open?.validFrom ?? null,
    openRecordedFrom: open?.recordedFrom ?? null,
    openRecordedFromPosition: open?.recordedFromPosition ?? null,
  };
}

function standingFactsOf(log: readonly { revision: number; event: ProcedureEvent }[]) {
  return new Map(factsOf(log).map((f) => [f.revision, f]));
}

function openInterval(row: ProcedureRow, validFrom: string, recordedFrom: string, recordedFromPosition: number): IntervalRow {
  return {
    authorityCode: row.authorityCode,
    procedureCode: row.procedureCode,
    validFrom,
    validTo: null,
    recordedFrom,
    recordedTo: null,
    onlineMode: row.onlineMode,
    paperIntake: row.paperIntake,
    recordedFromPosition,
    recordedToPosition: null,
  };
}
