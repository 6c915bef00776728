import { IllegalProcedureTransition, InvalidCommand, ProcedureNotFound } from '../shared/errors.js';
import {
  disablePaperIntake,
  downgradedToInformationOnly,
  paperIntakeDisabled,
  reclassify,
  registered,
  upgradedToFullProcess,
  withdraw,
} from '../testing/procedure-builders.js';
import type { CorrectTransition, ProcedureCommand, RescindTransitions } from './procedure.commands.js';
import { procedure } from './procedure.decide.js';
import type { ProcedureEvent } from './procedure.events.js';
import { stateAt, type RecordedProcedureEvent } from './procedure.history.js';
import { checkStanding, standing, timeline } from './procedure.standing.js';
import { evolve, initialState, stateOn, type ProcedureState } from './procedure.state.js';

const KEY = { authorityCode: '74', procedureCode: '1.001612' };
const fold = (events: readonly ProcedureEvent[]): ProcedureState => events.reduce(evolve, initialState());
const correct = (data: Partial<CorrectTransition['data']>): CorrectTransition => ({
  type: 'CorrectTransition',
  data: { ...KEY, revision: 1, reason: 'Nhập nhầm ngày hiệu lực', ...data },
});
const rescind = (data: Partial<RescindTransitions['data']>): RescindTransitions => ({
  type: 'RescindTransitions',
  data: { ...KEY, revisions: [1], decisionRef: 'QĐ 99/QĐ-UBND', ...data },
});
const decideOn = (events: readonly ProcedureEvent[], command: ProcedureCommand) => procedure.decide(command, fold(events));
const refusal = (events: readonly ProcedureEvent[], command: ProcedureCommand): IllegalProcedureTransition => {
  try {
    decideOn(events, command);
  } catch (error) {
    if (error instanceof IllegalProcedureTransition) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

/** Registered partial on 2023-01-01, full-process from 2023-06-01, paperless from 2023-09-01. */
const history = [
  registered({ onlineMode: 'PARTIAL', effectiveFrom: '2023-01-01' }),
  upgradedToFullProcess({ effectiveFrom: '2023-06-01' }),
  paperIntakeDisabled({ effectiveFrom: '2023-09-01' }),
];

describe('late decisions: a transition effective before others already recorded', () => {
  it('is accepted as its own event and takes effect at its date, the later ones still standing', () => {
    const late = decideOn(history, reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-03-01' }));
    expect(late).toEqual([downgradedToInformationOnly({ effectiveFrom: '2023-03-01', from: 'PARTIAL' })]);
    const after = fold([...history, ...late]);
    expect(stateOn(after, '2023-02-28')).toMatchObject({ onlineMode: 'PARTIAL' });
    expect(stateOn(after, '2023-03-01')).toMatchObject({ onlineMode: 'INFORMATION_ONLY' });
    expect(stateOn(after, '2023-06-01')).toMatchObject({ onlineMode: 'FULL_PROCESS', paperIntake: 'ACCEPTED' });
    expect(after).toMatchObject({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', lastEffectiveFrom: '2023-09-01' });
    expect(timeline(standing([...history, ...late].map((event, revision) => ({ revision, event }))))).toEqual([
      { validFrom: '2023-01-01', validTo: '2023-03-01', onlineMode: 'PARTIAL', paperIntake: 'ACCEPTED' },
      { validFrom: '2023-03-01', validTo: '2023-06-01', onlineMode: 'INFORMATION_ONLY', paperIntake: 'ACCEPTED' },
      { validFrom: '2023-06-01', validTo: '2023-09-01', onlineMode: 'FULL_PROCESS', paperIntake: 'ACCEPTED' },
      { validFrom: '2023-09-01', validTo: null, onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' },
    ]);
  });

  it('is decided on the state in force on its date (a late downgrade of a paperless procedure re-enables paper)', () => {
    const paperlessEarly = [registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', effectiveFrom: '2023-01-01' }), withdrawLater()];
    expect(decideOn(paperlessEarly, reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-02-01' })).map((e) => e.type)).toEqual([
      'ProcedureDowngradedToInformationOnly',
      'PaperIntakeReenabled',
    ]);
  });

  it('is refused, naming the later transition, when it would make that one illegal, and nothing is decided', () => {
    const error = refusal(history, reclassify({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-04-01' }));
    expect(error.reason).toBe('CONFLICTS_WITH_LATER_TRANSITION');
    expect(error.conflictsWith).toEqual({
      revision: 1,
      type: 'ProcedureUpgradedToFullProcess',
      effectiveFrom: '2023-06-01',
      decisionRef: 'QĐ 1234/QĐ-UBND',
      reason: 'ALREADY_IN_MODE',
    });
    expect(error.message).toContain('ProcedureUpgradedToFullProcess of revision 1, effective 2023-06-01');
  });

  it('is refused when it would leave a later paperless decision on an information-only procedure', () => {
    // Information only from 2023-07-01 would sit between the upgrade and the 2023-09-01 paperless decision.
    const error = refusal(history, reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-07-01' }));
    expect(error.conflictsWith).toMatchObject({ revision: 2, type: 'PaperIntakeDisabled', reason: 'PAPER_INTAKE_REQUIRES_ONLINE_MODE' });
  });

  it('is refused when it would turn a later upgrade into a downgrade', () => {
    const fullThenPartial = [
      registered({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-01-01' }),
      { type: 'ProcedureDowngradedToPartialOnline', data: { ...KEY, effectiveFrom: '2023-06-01', decisionRef: 'QĐ 2', from: 'FULL_PROCESS', to: 'PARTIAL' } } as ProcedureEvent,
    ];
    const error = refusal(fullThenPartial, reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-03-01' }));
    expect(error.conflictsWith).toMatchObject({ revision: 1, reason: 'WRONG_DIRECTION' });
  });

  it('a late withdrawal with transitions after it is refused; one after all of them is not late', () => {
    expect(refusal(history, withdraw({ effectiveFrom: '2023-05-01' })).conflictsWith).toMatchObject({ revision: 1, reason: 'ALREADY_WITHDRAWN' });
    expect(decideOn(history, withdraw({ effectiveFrom: '2023-09-01' }))).toHaveLength(1);
  });

  it('a late paper decision in force on its date is refused by the rule itself', () =>
    expect(refusal(history, disablePaperIntake({ effectiveFrom: '2023-12-01' })).reason).toBe('PAPER_INTAKE_ALREADY_DISABLED'));
});

describe('corrections: an entry made in error, corrected by an event of its own', () => {
  it('moves a transition to its right date: the old date no longer holds, the new one does', () => {
    const [event] = decideOn(history, correct({ revision: 1, effectiveFrom: '2023-08-01' }));
    expect(event).toEqual({
      type: 'TransitionCorrected',
      data: {
        ...KEY,
        effectiveFrom: '2023-06-01',
        corrects: { revision: 1, type: 'ProcedureUpgradedToFullProcess' },
        correctedTo: upgradedToFullProcess({ effectiveFrom: '2023-08-01' }),
        reason: 'Nhập nhầm ngày hiệu lực',
      },
    });
    const after = fold([...history, event]);
    expect(stateOn(after, '2023-07-31')).toMatchObject({ onlineMode: 'PARTIAL' });
    expect(stateOn(after, '2023-08-01')).toMatchObject({ onlineMode: 'FULL_PROCESS' });
  });

  it('changes the mode a reclassification really went to, with the type it then has', () => {
    const [event] = decideOn(history.slice(0, 2), correct({ revision: 1, onlineMode: 'INFORMATION_ONLY', correctionRef: 'CV 12/VP' }));
    expect(event.data).toMatchObject({
      correctedTo: { type: 'ProcedureDowngradedToInformationOnly', data: { from: 'PARTIAL', to: 'INFORMATION_ONLY' } },
      decisionRef: 'CV 12/VP',
    });
  });

  it('is refused, naming the later transition, when the corrected history would break a rule', () => {
    // Information only from 2023-06-01 would make the 2023-09-01 paperless decision illegal.
    const error = refusal(history, correct({ revision: 1, onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-06-01' }));
    expect(error.reason).toBe('CONFLICTS_WITH_LATER_TRANSITION');
    expect(error.conflictsWith).toMatchObject({ revision: 2, type: 'PaperIntakeDisabled' });
  });

  it('corrects a registration (date, mode); a correction of a correction names the original', () => {
    const [first] = decideOn(history, correct({ revision: 0, effectiveFrom: '2022-12-01' }));
    const after = [...history, first];
    expect(stateAt(recorded(after), { at: '2022-12-15' }).inForce).toBe(true);
    const error = refusal(after, correct({ revision: 3, effectiveFrom: '2022-11-01' }));
    expect(error.reason).toBe('NOT_CORRECTABLE');
    expect(error.message).toContain('revision 0');
    const [second] = decideOn(after, correct({ revision: 0, effectiveFrom: '2022-11-01' }));
    expect(stateOn(fold([...after, second]), '2022-11-15').status).toBe('offered');
  });

  it('refuses a correction that changes nothing, names no event, or gives a field the event does not have', () => {
    expect(refusal(history, correct({ revision: 1, effectiveFrom: '2023-06-01' })).reason).toBe('CORRECTION_CHANGES_NOTHING');
    expect(refusal(history, correct({ revision: 7, effectiveFrom: '2023-06-01' })).reason).toBe('NO_SUCH_EVENT');
    expect(() => decideOn(history, correct({ revision: 2, onlineMode: 'PARTIAL' }))).toThrow(InvalidCommand);
    expect(() => decideOn([], correct({ revision: 0, effectiveFrom: '2023-06-01' }))).toThrow(ProcedureNotFound);
  });

  it.each([
    [{ revision: -1 }, 'revision'],
    [{ revision: 1.5 }, 'revision'],
    [{ revision: 10_000_001 }, 'revision'],
    [{ revision: '1' as unknown as number }, 'revision'],
    [{ effectiveFrom: '2023-02-30' }, 'effectiveFrom'],
    [{ onlineMode: 'ONLINE' as never }, 'onlineMode'],
    [{ reason: '   ' }, 'reason'],
    [{ reason: 'x'.repeat(2001) }, 'reason'],
    [{ reason: 'a\u202Eb' }, 'reason'],
    [{ effectiveFrom: undefined, onlineMode: undefined, decisionRef: undefined }, 'effectiveFrom'],
  ])('refuses malformed input %j naming %s', (data, field) => {
    try {
      decideOn(history, correct({ effectiveFrom: '2023-08-01', ...data }));
      throw new Error('expected InvalidCommand');
    } catch (error) {
      expect(error).toBeInstanceOf(InvalidCommand);
      expect((error as InvalidCommand).errors.map((e) => e.field)).toContain(field);
    }
  });
});

describe('rescissions: facts annulled by a later decision', () => {
  it('undoes every rescinded change from its effective date', () => {
    const events = decideOn(history, rescind({ revisions: [2, 1] }));
    expect(events.map((e) => e.data)).toEqual([
      { ...KEY, effectiveFrom: '2023-06-01', rescinds: { revision: 1, type: 'ProcedureUpgradedToFullProcess' }, decisionRef: 'QĐ 99/QĐ-UBND' },
      { ...KEY, effectiveFrom: '2023-09-01', rescinds: { revision: 2, type: 'PaperIntakeDisabled' }, decisionRef: 'QĐ 99/QĐ-UBND' },
    ]);
    expect(fold([...history, ...events])).toMatchObject({ onlineMode: 'PARTIAL', paperIntake: 'ACCEPTED', lastEffectiveFrom: '2023-01-01' });
  });

  it('is refused, naming the transition it would leave illegal (paperless needs an online mode; transitions need the registration)', () => {
    const onlyFromInfo = [
      registered({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-01-01' }),
      { type: 'ProcedureUpgradedToPartialOnline', data: { ...KEY, effectiveFrom: '2023-03-01', decisionRef: 'QĐ 1', from: 'INFORMATION_ONLY', to: 'PARTIAL' } } as ProcedureEvent,
      paperIntakeDisabled({ effectiveFrom: '2023-09-01' }),
    ];
    expect(refusal(onlyFromInfo, rescind({ revisions: [1] })).conflictsWith).toMatchObject({ revision: 2, reason: 'PAPER_INTAKE_REQUIRES_ONLINE_MODE' });
    expect(refusal(history, rescind({ revisions: [0] })).conflictsWith).toMatchObject({ revision: 1, reason: 'EFFECTIVE_DATE_BEFORE_REGISTRATION' });
  });

  it('refuses to rescind twice, and malformed lists', () => {
    const once = [...history, ...decideOn(history, rescind({ revisions: [2] }))];
    expect(refusal(once, rescind({ revisions: [2] })).reason).toBe('NOT_CORRECTABLE');
    for (const revisions of [[], [1, 1], [-1], Array.from({ length: 101 }, (_, i) => i), 'all' as never]) {
      expect(() => decideOn(history, rescind({ revisions }))).toThrow(InvalidCommand);
    }
    expect(() => decideOn(history, rescind({ decisionRef: '' }))).toThrow(InvalidCommand);
  });
});

describe('stateAt: as known at an instant, before and after a late decision, a correction and a rescission', () => {
  const events = recorded([
    ...history,
    ...decideOn(history, reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-03-01' })), // revision 3, late
    correctionOf(1, '2023-08-01'), // revision 4
    rescissionOf(2), // revision 5
  ]);
  it.each([
    ['2023-04-01', '2023-10-01T00:00:00Z', 'PARTIAL', 'ACCEPTED'],
    ['2023-04-01', '2023-10-02T00:00:00Z', 'INFORMATION_ONLY', 'ACCEPTED'],
    ['2023-07-01', '2023-10-02T00:00:00Z', 'FULL_PROCESS', 'ACCEPTED'],
    ['2023-07-01', '2023-10-03T00:00:00Z', 'INFORMATION_ONLY', 'ACCEPTED'],
    ['2023-09-15', '2023-10-03T00:00:00Z', 'FULL_PROCESS', 'DISABLED'],
    ['2023-09-15', '2023-10-04T00:00:00Z', 'FULL_PROCESS', 'ACCEPTED'],
  ])('on %s as known at %s: %s, paper %s', (at, knownAt, onlineMode, paperIntake) =>
    expect(stateAt(events, { at, knownAt }).state).toMatchObject({ onlineMode, paperIntake }));

  it('the full history checks out', () => expect(checkStanding(standing(events.map((event) => ({ revision: event.revision, event }))))).toBeNull());
});

function withdrawLater(): ProcedureEvent {
  return { type: 'ProcedureWithdrawn', data: { ...KEY, effectiveFrom: '2024-01-01', decisionRef: 'QĐ 5' } };
}

function correctionOf(revision: number, effectiveFrom: string): ProcedureEvent {
  return {
    type: 'TransitionCorrected',
    data: {
      ...KEY,
      effectiveFrom: '2023-06-01',
      corrects: { revision, type: 'ProcedureUpgradedToFullProcess' },
      correctedTo: { ...upgradedToFullProcess({ effectiveFrom }), data: { ...upgradedToFullProcess({ effectiveFrom }).data, from: 'INFORMATION_ONLY' } },
      reason: 'sai ngày',
    },
  };
}

function rescissionOf(revision: number): ProcedureEvent {
  return { type: 'TransitionRescinded', data: { ...KEY, effectiveFrom: '2023-09-01', rescinds: { revision, type: 'PaperIntakeDisabled' }, decisionRef: 'QĐ 99' } };
}

/** Revisions from 0, recorded one a day from 2023-09-28 (so revision 3 on 2023-10-01). */
function recorded(events: readonly ProcedureEvent[]): RecordedProcedureEvent[] {
  return events.map((event, revision) => ({
    ...event,
    revision,
    globalPosition: 100 + revision,
    metadata: { recordedAt: new Date(Date.UTC(2023, 8, 28 + revision, 12)).toISOString() },
  }));
}
