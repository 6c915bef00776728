import {
  isProcedureEventType,
  type OnlineMode,
  type PaperIntake,
  type ProcedureEvent,
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
export function planBatch(events: readonly RecordedEvent[], stored: ReadonlyMap<string, ProcedureRow>): ProjectionPlan {
  const rows = new Map<string, ProcedureRow>();
  const storedOpenClosed = new Set<string>();
  const pendingIntervals = new Map<string, IntervalRow>(); // open interval rows created in this batch, by procedure
  const plan: ProjectionPlan = {
    procedures: [],
    closeIntervals: [],
    deleteIntervals: [],
    insertIntervals: [],
    transitions: [],
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
    const transition: TransitionRow = {
      position: recorded.globalPosition,
      authorityCode,
      procedureCode,
      kind: event.type,
      effectiveFrom,
      recordedAt,
      decisionRef: event.data.decisionRef ?? null,
      fromValue: 'from' in event.data ? event.data.from : null,
      toValue: 'to' in event.data ? event.data.to : null,
    };

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
        plan.insertIntervals.splice(plan.insertIntervals.indexOf(open), 1);
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

  plan.procedures = [...rows.values()];
  // Deltas that net to zero are kept: every date on which something changed gets its summary row,
  // so the read models come out the same however the log is cut into batches.
  plan.summaryDeltas = [...deltas.values()];
  return plan;
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
