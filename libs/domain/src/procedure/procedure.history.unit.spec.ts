import { InvalidCommand } from '../shared/errors.js';
import {
  downgradedToInformationOnly,
  paperIntakeDisabled,
  paperIntakeReenabled,
  registered,
  upgradedToFullProcess,
  upgradedToPartialOnline,
  withdrawn,
} from '../testing/procedure-builders.js';
import type { ProcedureEvent } from './procedure.events.js';
import { isInstant, stateAt, type RecordedProcedureEvent } from './procedure.history.js';

/** A stream as the log holds it: revisions from 0, positions from `firstPosition`, each with its record time. */
function stream(firstPosition: number, ...entries: [ProcedureEvent, string][]): RecordedProcedureEvent[] {
  return entries.map(([event, recordedAt], revision) => ({
    ...event,
    revision,
    globalPosition: firstPosition + revision * 10,
    metadata: { recordedAt },
  }));
}

describe('stateAt: a procedure in force on a date, as recorded at an instant', () => {
  describe('registered partially online on 2023-06-01, full-process from 2023-08-20, paperless from 2023-10-16', () => {
    const events = stream(
      100,
      [registered({ onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' }), '2023-05-20T03:00:00.000Z'],
      [upgradedToFullProcess({ effectiveFrom: '2023-08-20' }), '2023-08-01T03:00:00.000Z'],
      [paperIntakeDisabled({ effectiveFrom: '2023-10-16' }), '2023-10-01T03:00:00.000Z'],
    );

    it('is not in force the day before its registration takes effect', () =>
      expect(stateAt(events, { at: '2023-05-31' })).toEqual({
        inForce: false,
        state: null,
        revision: null,
        globalPosition: null,
        eventsConsidered: 0,
        consideredRevisions: [],
      }));

    it('names the transitions it results from, by revision', () => {
      expect(stateAt(events, { at: '2023-10-16' }).consideredRevisions).toEqual([0, 1, 2]);
      expect(stateAt(events, { at: '2023-10-16', knownAt: '2023-09-30T00:00:00Z' }).consideredRevisions).toEqual([0, 1]);
    });

    it('is in force, partially online, from the registration date', () =>
      expect(stateAt(events, { at: '2023-06-01' })).toMatchObject({
        inForce: true,
        state: { status: 'offered', onlineMode: 'PARTIAL', paperIntake: 'ACCEPTED', name: 'Đăng ký thành lập hộ kinh doanh' },
        revision: 0,
        globalPosition: 100,
        eventsConsidered: 1,
      }));

    it('is still partial the day before the reclassification, and full-process on its date', () => {
      expect(stateAt(events, { at: '2023-08-19' }).state).toMatchObject({ onlineMode: 'PARTIAL', lastEffectiveFrom: '2023-06-01' });
      expect(stateAt(events, { at: '2023-08-20' })).toMatchObject({
        state: { onlineMode: 'FULL_PROCESS', paperIntake: 'ACCEPTED', lastEffectiveFrom: '2023-08-20' },
        revision: 1,
        globalPosition: 110,
        eventsConsidered: 2,
      });
    });

    it('takes no paper from the date paper intake is disabled, and considers every event then', () =>
      expect(stateAt(events, { at: '2024-01-01' })).toMatchObject({
        inForce: true,
        state: { onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' },
        revision: 2,
        globalPosition: 120,
        eventsConsidered: 3,
      }));

    it('knows nothing before the registration was recorded, even on a date when it is in force', () =>
      expect(stateAt(events, { at: '2024-01-01', knownAt: '2023-05-19T00:00:00Z' })).toMatchObject({
        inForce: false,
        state: null,
        eventsConsidered: 0,
      }));

    it('ignores the transitions recorded after knownAt, even those already effective on `at`', () =>
      expect(stateAt(events, { at: '2024-01-01', knownAt: '2023-09-01T00:00:00Z' })).toMatchObject({
        state: { onlineMode: 'FULL_PROCESS', paperIntake: 'ACCEPTED' },
        revision: 1,
        eventsConsidered: 2,
      }));

    it('includes an event recorded exactly at knownAt, and excludes it a millisecond earlier', () => {
      expect(stateAt(events, { at: '2023-09-01', knownAt: '2023-08-01T03:00:00.000Z' }).state?.onlineMode).toBe('FULL_PROCESS');
      expect(stateAt(events, { at: '2023-09-01', knownAt: '2023-08-01T02:59:59.999Z' }).state?.onlineMode).toBe('PARTIAL');
    });

    it('reads knownAt in its own time zone', () => {
      expect(stateAt(events, { at: '2023-09-01', knownAt: '2023-08-01T10:00:00+07:00' }).state?.onlineMode).toBe('FULL_PROCESS');
      expect(stateAt(events, { at: '2023-09-01', knownAt: '2023-08-01T09:59:59+07:00' }).state?.onlineMode).toBe('PARTIAL');
    });

    it('folds the events in revision order whatever order they are given in', () =>
      expect(stateAt([...events].reverse(), { at: '2024-01-01' })).toEqual(stateAt(events, { at: '2024-01-01' })));
  });

  describe('a reclassification recorded in July, effective from June 1 (retroactive)', () => {
    const events = stream(
      1,
      [registered({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-01-01' }), '2023-01-05T03:00:00.000Z'],
      [upgradedToPartialOnline({ effectiveFrom: '2023-06-01' }), '2023-07-10T02:00:00.000Z'],
    );

    it('was information-only on June 15 as known in June', () =>
      expect(stateAt(events, { at: '2023-06-15', knownAt: '2023-06-20T00:00:00Z' }).state?.onlineMode).toBe('INFORMATION_ONLY'));

    it('was partially online on June 15 as known since its recording', () =>
      expect(stateAt(events, { at: '2023-06-15', knownAt: '2023-07-20T00:00:00Z' }).state?.onlineMode).toBe('PARTIAL'));

    it('changes nothing on a date before its effective date, whenever known', () =>
      expect(stateAt(events, { at: '2023-05-31' }).state?.onlineMode).toBe('INFORMATION_ONLY'));
  });

  describe('a withdrawal', () => {
    const events = stream(
      7,
      [registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', effectiveFrom: '2023-06-01' }), '2023-06-01T00:00:00.000Z'],
      [withdrawn({ effectiveFrom: '2023-09-10' }), '2023-09-01T00:00:00.000Z'],
    );

    it('leaves it in force the day before', () => expect(stateAt(events, { at: '2023-09-09' }).inForce).toBe(true));

    it('takes it out of force on its effective date and after, keeping its last state', () => {
      for (const at of ['2023-09-10', '2030-01-01']) {
        expect(stateAt(events, { at })).toMatchObject({
          inForce: false,
          state: { status: 'withdrawn', withdrawnFrom: '2023-09-10', onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' },
          revision: 1,
          globalPosition: 17,
        });
      }
    });

    it('is not known as withdrawn before it was recorded', () =>
      expect(stateAt(events, { at: '2023-09-10', knownAt: '2023-08-31T23:59:59Z' }).inForce).toBe(true));
  });

  describe('a downgrade of a paperless procedure to information-only (one decision, two events)', () => {
    const decidedAt = '2024-04-20T08:00:00.000Z';
    const events = stream(
      50,
      [registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', effectiveFrom: '2024-01-01' }), '2024-01-01T00:00:00.000Z'],
      [downgradedToInformationOnly({ from: 'FULL_PROCESS', effectiveFrom: '2024-05-01' }), decidedAt],
      [paperIntakeReenabled({ effectiveFrom: '2024-05-01' }), decidedAt],
    );

    it('switches the mode and paper intake together, never half-applied', () => {
      expect(stateAt(events, { at: '2024-05-01' }).state).toMatchObject({ onlineMode: 'INFORMATION_ONLY', paperIntake: 'ACCEPTED' });
      expect(stateAt(events, { at: '2024-05-01', knownAt: decidedAt }).state).toMatchObject({ onlineMode: 'INFORMATION_ONLY', paperIntake: 'ACCEPTED' });
      expect(stateAt(events, { at: '2024-05-01', knownAt: '2024-04-20T07:59:59.999Z' }).state).toMatchObject({
        onlineMode: 'FULL_PROCESS',
        paperIntake: 'DISABLED',
      });
      expect(stateAt(events, { at: '2024-04-30' }).state).toMatchObject({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' });
    });
  });

  describe('future-dated transitions', () => {
    const events = stream(
      3,
      [registered({ onlineMode: 'PARTIAL', effectiveFrom: '2020-01-01' }), '2020-01-01T00:00:00.000Z'],
      [upgradedToFullProcess({ effectiveFrom: '2031-01-01' }), '2024-01-01T00:00:00.000Z'],
    );

    it('are not in force before their date, though recorded', () =>
      expect(stateAt(events, { at: '2030-12-31' })).toMatchObject({ state: { onlineMode: 'PARTIAL' }, eventsConsidered: 1 }));

    it('are from their date on', () => expect(stateAt(events, { at: '2031-01-01' }).state?.onlineMode).toBe('FULL_PROCESS'));
  });

  describe('malformed questions', () => {
    const events = stream(1, [registered(), '2023-06-01T00:00:00.000Z']);

    it.each([
      [{ at: '2023-02-30' }, ['at']],
      [{ at: '01/06/2023' }, ['at']],
      [{ at: '2023-06-01', knownAt: '2023-07-01' }, ['knownAt']],
      [{ at: '2023-06-01', knownAt: '2023-07-01T00:00:00' }, ['knownAt']],
      [{ at: '2023-06-01', knownAt: 'yesterday' }, ['knownAt']],
      [{ at: 'today', knownAt: '1800-01-01T00:00:00Z' }, ['at', 'knownAt']],
    ])('refuses %j, naming %j', (view, fields) => {
      let thrown: unknown;
      try {
        stateAt(events, view);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(InvalidCommand);
      expect((thrown as InvalidCommand).errors.map((e) => e.field)).toEqual(fields);
    });
  });
});

describe('isInstant', () => {
  it.each(['2023-07-01T00:00:00Z', '2023-07-01T00:00Z', '2023-07-01T07:00:00.123+07:00', '2023-07-01T00:00:00.123456Z'])('accepts %s', (value) =>
    expect(isInstant(value)).toBe(true));

  it.each([
    '2023-07-01',
    '2023-07-01T00:00:00',
    '2023-07-01 00:00:00Z',
    '1899-12-31T00:00:00Z',
    '2023-13-01T00:00:00Z',
    '2023-02-30T00:00:00Z',
    '2023-06-01T24:00:00Z',
    '2023-06-01T00:00:00+25:00',
    20230701,
    null,
  ])(
    'rejects %p',
    (value) => expect(isInstant(value)).toBe(false),
  );
});
