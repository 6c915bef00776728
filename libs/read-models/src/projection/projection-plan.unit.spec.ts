import type { ProcedureEvent } from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';
import {
  downgradedToInformationOnly,
  paperIntakeDisabled,
  paperIntakeReenabled,
  registered,
  upgradedToFullProcess,
  withdrawn,
} from '../../../domain/src/testing/procedure-builders.js';
import { planBatch, procedureKey, type IntervalRow, type ProcedureRow, type ProjectionPlan } from './projection-plan.js';

const KEY = procedureKey('74', '1.001612');
const T1 = '2023-05-20T03:00:00.000Z';
const T2 = '2023-08-01T03:00:00.000Z';
const T3 = '2023-10-01T03:00:00.000Z';

/** One stream's events as the log records them: revisions from 0, the given positions and record instants. */
function recorded(...entries: [ProcedureEvent, number, string][]): RecordedEvent[] {
  return entries.map(([event, globalPosition, recordedAt], revision) => ({
    id: `00000000-0000-4000-8000-${String(globalPosition).padStart(12, '0')}`,
    type: event.type,
    schemaVersion: 1,
    data: event.data,
    metadata: { actor: 'test', correlationId: 'c', causationId: null, recordedAt },
    streamId: 'procedure-74:1.001612',
    revision,
    globalPosition,
  }));
}

/** The tables as the writer leaves them, kept in memory: enough to compare plans made over different batch boundaries. */
class Tables {
  readonly procedures = new Map<string, ProcedureRow>();
  readonly intervals = new Map<string, IntervalRow>();
  readonly transitions: number[] = [];

  apply(plan: ProjectionPlan): this {
    const k = (r: { authorityCode: string; procedureCode: string; validFrom: string; recordedFrom: string }) =>
      `${r.authorityCode}|${r.procedureCode}|${r.validFrom}|${r.recordedFrom}`;
    for (const p of plan.procedures) this.procedures.set(procedureKey(p.authorityCode, p.procedureCode), { ...p });
    for (const d of plan.deleteIntervals) this.intervals.delete(k(d));
    for (const c of plan.closeIntervals) {
      const row = this.intervals.get(k(c))!;
      this.intervals.set(k(c), { ...row, recordedTo: c.recordedTo, recordedToPosition: c.recordedToPosition });
    }
    for (const i of plan.insertIntervals) this.intervals.set(k(i), { ...i });
    this.transitions.push(...plan.transitions.map((t) => t.position));
    return this;
  }

  /** Plans `events` in batches of `size` against these tables, applying each plan. */
  project(events: readonly RecordedEvent[], size: number): this {
    for (let i = 0; i < events.length; i += size) this.apply(planBatch(events.slice(i, i + size), this.procedures));
    return this;
  }

  sortedIntervals(): IntervalRow[] {
    return [...this.intervals.values()].sort((a, b) => `${a.validFrom}${a.recordedFrom}`.localeCompare(`${b.validFrom}${b.recordedFrom}`));
  }
}

describe('planBatch (pure: events and the stored rows in, row changes out)', () => {
  describe('a registration', () => {
    const plan = planBatch(recorded([registered({ onlineMode: 'PARTIAL', paperIntake: 'DISABLED', effectiveFrom: '2023-06-01' }), 11, T1]), new Map());

    it('creates the procedure row, its open interval from the event position, a transition and the day counts', () => {
      expect(plan.procedures).toEqual([
        expect.objectContaining({
          onlineMode: 'PARTIAL',
          paperIntake: 'DISABLED',
          withdrawn: false,
          registeredFrom: '2023-06-01',
          revision: 0,
          position: 11,
          openValidFrom: '2023-06-01',
          openRecordedFrom: T1,
          openRecordedFromPosition: 11,
        }),
      ]);
      expect(plan.insertIntervals).toEqual([
        {
          authorityCode: '74',
          procedureCode: '1.001612',
          validFrom: '2023-06-01',
          validTo: null,
          recordedFrom: T1,
          recordedTo: null,
          onlineMode: 'PARTIAL',
          paperIntake: 'DISABLED',
          recordedFromPosition: 11,
          recordedToPosition: null,
        },
      ]);
      expect(plan.transitions).toEqual([expect.objectContaining({ position: 11, kind: 'ProcedureRegistered', effectiveFrom: '2023-06-01' })]);
      expect(plan.summaryDeltas).toEqual([
        { authorityCode: '74', date: '2023-06-01', total: 1, fullProcess: 0, partial: 1, informationOnly: 0, paperIntakeDisabled: 1 },
      ]);
      expect({ close: plan.closeIntervals, delete: plan.deleteIntervals, skipped: plan.skipped }).toEqual({ close: [], delete: [], skipped: 0 });
    });
  });

  describe('a reclassification recorded later, in a later batch', () => {
    const events = recorded(
      [registered({ onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' }), 11, T1],
      [upgradedToFullProcess({ effectiveFrom: '2023-08-20' }), 25, T2],
    );
    const stored = new Tables().project(events.slice(0, 1), 1).procedures;
    const plan = planBatch(events.slice(1), stored);

    it('closes the stored open interval at the event, on both record axes', () =>
      expect(plan.closeIntervals).toEqual([
        { authorityCode: '74', procedureCode: '1.001612', validFrom: '2023-06-01', recordedFrom: T1, recordedTo: T2, recordedToPosition: 25 },
      ]));

    it('records from the event on: the old state until the effective date, the new one after it', () =>
      expect(plan.insertIntervals.map((i) => [i.validFrom, i.validTo, i.onlineMode, i.recordedFrom, i.recordedFromPosition, i.recordedToPosition])).toEqual([
        ['2023-06-01', '2023-08-20', 'PARTIAL', T2, 25, null],
        ['2023-08-20', null, 'FULL_PROCESS', T2, 25, null],
      ]));

    it('moves the counts from the effective date, and the procedure row to the new open interval', () => {
      expect(plan.summaryDeltas).toEqual([
        { authorityCode: '74', date: '2023-08-20', total: 0, fullProcess: 1, partial: -1, informationOnly: 0, paperIntakeDisabled: 0 },
      ]);
      expect(plan.procedures[0]).toMatchObject({ revision: 1, position: 25, openValidFrom: '2023-08-20', openRecordedFrom: T2, openRecordedFromPosition: 25 });
    });

    it('gives the same rows when both events come in one batch', () => {
      const together = new Tables().project(events, 2);
      const apart = new Tables().project(events, 1);
      expect(together.sortedIntervals()).toEqual(apart.sortedIntervals());
      expect(together.sortedIntervals().map((i) => [i.validFrom, i.recordedFromPosition, i.recordedToPosition])).toEqual([
        ['2023-06-01', 11, 25],
        ['2023-06-01', 25, null],
        ['2023-08-20', 25, null],
      ]);
    });
  });

  describe('one decision of two events (a paperless procedure downgraded to information-only)', () => {
    const events = recorded(
      [registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', effectiveFrom: '2024-01-01' }), 3, T1],
      [downgradedToInformationOnly({ from: 'FULL_PROCESS', effectiveFrom: '2024-05-01' }), 40, T2],
      [paperIntakeReenabled({ effectiveFrom: '2024-05-01' }), 41, T2],
    );

    it('is never half-applied on the record axis: the rows of the decision hold from its first position', () => {
      const tables = new Tables().project(events, 3);
      expect(tables.sortedIntervals().map((i) => [i.validFrom, i.validTo, i.onlineMode, i.paperIntake, i.recordedFromPosition, i.recordedToPosition])).toEqual([
        ['2024-01-01', null, 'FULL_PROCESS', 'DISABLED', 3, 40],
        ['2024-01-01', '2024-05-01', 'FULL_PROCESS', 'DISABLED', 40, null],
        ['2024-05-01', null, 'INFORMATION_ONLY', 'ACCEPTED', 40, null],
      ]);
      expect(tables.procedures.get(KEY)).toMatchObject({ openRecordedFrom: T2, openRecordedFromPosition: 40 });
    });

    it('gives the same rows whatever the batch boundaries, the decision split between two batches included', () => {
      const whole = new Tables().project(events, 3);
      for (const size of [1, 2]) {
        const split = new Tables().project(events, size);
        expect(split.sortedIntervals()).toEqual(whole.sortedIntervals());
        expect([...split.procedures.values()]).toEqual([...whole.procedures.values()]);
      }
    });

    it('carries the stored open interval’s position on when the second event comes in a batch of its own', () => {
      const stored = new Tables().project(events.slice(0, 2), 2);
      const plan = planBatch(events.slice(2), stored.procedures);
      expect(plan.deleteIntervals).toEqual([{ authorityCode: '74', procedureCode: '1.001612', validFrom: '2024-05-01', recordedFrom: T2 }]);
      expect(plan.insertIntervals).toEqual([expect.objectContaining({ validFrom: '2024-05-01', paperIntake: 'ACCEPTED', recordedFromPosition: 40 })]);
    });
  });

  describe('a stream appended whole, every event recorded at one instant (the national seed)', () => {
    const events = recorded(
      [registered({ onlineMode: 'PARTIAL', effectiveFrom: '2023-01-01' }), 100, T1],
      [upgradedToFullProcess({ effectiveFrom: '2023-03-01' }), 101, T1],
      [paperIntakeDisabled({ effectiveFrom: '2023-06-01' }), 102, T1],
    );

    it('keeps the whole valid-time history, recorded from the registration’s position', () => {
      const tables = new Tables().project(events, 3);
      expect(tables.sortedIntervals().map((i) => [i.validFrom, i.validTo, i.onlineMode, i.paperIntake, i.recordedFromPosition, i.recordedToPosition])).toEqual([
        ['2023-01-01', '2023-03-01', 'PARTIAL', 'ACCEPTED', 100, null],
        ['2023-03-01', '2023-06-01', 'FULL_PROCESS', 'ACCEPTED', 100, null],
        ['2023-06-01', null, 'FULL_PROCESS', 'DISABLED', 100, null],
      ]);
      for (const size of [1, 2]) expect(new Tables().project(events, size).sortedIntervals()).toEqual(tables.sortedIntervals());
    });
  });

  describe('a withdrawal', () => {
    const events = recorded(
      [registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', effectiveFrom: '2023-06-01' }), 5, T1],
      [withdrawn({ effectiveFrom: '2023-09-10' }), 9, T3],
    );
    const tables = new Tables().project(events, 1);

    it('closes the open interval and leaves none open: the procedure is in force only until the withdrawal', () => {
      expect(tables.sortedIntervals().map((i) => [i.validFrom, i.validTo, i.recordedFromPosition, i.recordedToPosition])).toEqual([
        ['2023-06-01', null, 5, 9],
        ['2023-06-01', '2023-09-10', 9, null],
      ]);
      expect(tables.procedures.get(KEY)).toMatchObject({ withdrawn: true, openValidFrom: null, openRecordedFrom: null, openRecordedFromPosition: null });
    });

    it('takes it out of every count from its date', () =>
      expect(planBatch(events.slice(1), new Tables().project(events.slice(0, 1), 1).procedures).summaryDeltas).toEqual([
        { authorityCode: '74', date: '2023-09-10', total: -1, fullProcess: -1, partial: 0, informationOnly: 0, paperIntakeDisabled: -1 },
      ]));
  });

  describe('what it skips', () => {
    const events = recorded(
      [registered({ effectiveFrom: '2023-06-01' }), 1, T1],
      [upgradedToFullProcess({ effectiveFrom: '2023-07-01' }), 2, T2],
    );

    it('plans nothing for events at or below the stored revision (a replay)', () => {
      const tables = new Tables().project(events, 2);
      expect(planBatch(events, tables.procedures)).toEqual({
        procedures: [],
        closeIntervals: [],
        deleteIntervals: [],
        insertIntervals: [],
        transitions: [],
        supersedeTransitions: [],
        summaryDeltas: [],
        skipped: 2,
      });
    });

    it('skips events of other streams’ kinds, and transitions of a procedure it never saw registered', () => {
      const foreign: RecordedEvent = { ...events[0], type: 'SomethingElse', globalPosition: 3 };
      const plan = planBatch([foreign, events[1]], new Map());
      expect(plan.skipped).toBe(2);
      expect(plan.insertIntervals).toEqual([]);
    });

    it('skips a second registration instead of counting it twice', () => {
      const again: RecordedEvent = { ...events[0], revision: 1, globalPosition: 2 };
      const plan = planBatch([events[0], again], new Map());
      expect(plan.skipped).toBe(1);
      expect(plan.summaryDeltas).toEqual([expect.objectContaining({ total: 1 })]);
    });
  });
});
