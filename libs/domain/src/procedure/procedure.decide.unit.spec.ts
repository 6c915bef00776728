import { InvalidCommand, IllegalProcedureTransition, ProcedureNotFound, UnknownAuthority } from '../shared/errors.js';
import type { TransitionRefusal } from '../shared/errors.js';
import { deciderSpec } from '../testing/decider-spec.js';
import {
  DEFAULTS,
  disablePaperIntake,
  downgradedToInformationOnly,
  downgradedToPartialOnline,
  malformed,
  paperIntakeDisabled,
  paperIntakeReenabled,
  reclassify,
  reenablePaperIntake,
  register,
  registered,
  upgradedToFullProcess,
  upgradedToPartialOnline,
  withdraw,
  withdrawn,
} from '../testing/procedure-builders.js';
import type { ProcedureCommand } from './procedure.commands.js';
import { procedure } from './procedure.decide.js';
import type { ProcedureEvent } from './procedure.events.js';
import { evolve, initialState, type ProcedureState } from './procedure.state.js';

const given = deciderSpec(procedure);

describe('Procedure', () => {
  describe('when not yet registered', () => {
    it('registers it taking paper dossiers by default', () =>
      given([])
        .when(register({ onlineMode: 'PARTIAL' }))
        .then([registered({ onlineMode: 'PARTIAL', paperIntake: 'ACCEPTED' })]));

    it('registers it fully online with paper intake disabled', () =>
      given([])
        .when(register({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' }))
        .then([registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' })]));

    it('registers it information-only', () =>
      given([])
        .when(register({ onlineMode: 'INFORMATION_ONLY' }))
        .then([registered({ onlineMode: 'INFORMATION_ONLY' })]));

    it('refuses to register it information-only with paper intake disabled', () =>
      given([])
        .when(register({ onlineMode: 'INFORMATION_ONLY', paperIntake: 'DISABLED' }))
        .thenThrows(IllegalProcedureTransition, because('PAPER_INTAKE_REQUIRES_ONLINE_MODE')));

    it('registers it with its name NFC-normalised and trimmed', () =>
      given([])
        .when(register({ name: '  Hoa\u0300 Bi\u0300nh\u00a0 ' }))
        .then([registered({ name: 'Ho\u00e0 B\u00ecnh' })]));

    it('registers its field and level trimmed and NFC-normalised, and its decision reference trimmed', () =>
      given([])
        .when(register({ field: ' Hộ tịch ', level: 'ca\u0302\u0301p xã ', decisionRef: ' QĐ 1234/QĐ-UBND ' }))
        .then([registered({ field: 'Hộ tịch', level: 'cấp xã', decisionRef: 'QĐ 1234/QĐ-UBND' })]));

    it('registers it without a decision reference', () =>
      given([])
        .when(malformed(register(), { decisionRef: undefined }))
        .then([registered({ decisionRef: undefined })]));

    it('registers it with a future effective date', () =>
      given([])
        .when(register({ effectiveFrom: '2031-01-01' }))
        .then([registered({ effectiveFrom: '2031-01-01' })]));

    it('registers it with a name of exactly 1000 characters', () =>
      given([])
        .when(register({ name: 'a'.repeat(1000) }))
        .then([registered({ name: 'a'.repeat(1000) })]));

    it.each(['1.001193', '2.000815', '3.000123', '1.001193.01', '1.000494.000.00.00.H29', '1.012753.H19'])(
      'registers it under the procedure code %s',
      (procedureCode) =>
        given([])
          .when(register({ procedureCode }))
          .then([registered({ procedureCode })]),
    );

    it.each(commandsOtherThanRegistration())('refuses to %s it: procedure not found', (_, command) =>
      given([])
        .when(command)
        .thenThrows(ProcedureNotFound, (e) =>
          expect(e).toMatchObject({ authorityCode: '74', procedureCode: '1.001612', code: 'PROCEDURE_NOT_FOUND' }),
        ),
    );
  });

  describe('when offered partially online', () => {
    const partial = [registered({ onlineMode: 'PARTIAL' })];

    it('upgrades it to full process', () =>
      given(partial)
        .when(reclassify({ onlineMode: 'FULL_PROCESS', reason: 'Online payment connected' }))
        .then([upgradedToFullProcess({ from: 'PARTIAL', reason: 'Online payment connected' })]));

    it('downgrades it to information only', () =>
      given(partial)
        .when(reclassify({ onlineMode: 'INFORMATION_ONLY' }))
        .then([downgradedToInformationOnly({ from: 'PARTIAL' })]));

    it('refuses to reclassify it as partial again', () =>
      given(partial)
        .when(reclassify({ onlineMode: 'PARTIAL' }))
        .thenThrows(IllegalProcedureTransition, because('ALREADY_IN_MODE')));

    it('disables paper intake', () =>
      given(partial).when(disablePaperIntake()).then([paperIntakeDisabled()]));

    it('refuses to re-enable paper intake that is accepted', () =>
      given(partial)
        .when(reenablePaperIntake())
        .thenThrows(IllegalProcedureTransition, because('PAPER_INTAKE_ALREADY_ACCEPTED')));

    it('refuses to register it again', () =>
      given(partial)
        .when(register({ onlineMode: 'FULL_PROCESS' }))
        .thenThrows(IllegalProcedureTransition, because('ALREADY_REGISTERED')));

    it('withdraws it', () =>
      given(partial)
        .when(withdraw({ reason: '  Abolished by the ministry  ' }))
        .then([withdrawn({ reason: 'Abolished by the ministry' })]));

    it('trims the decision reference of a transition', () =>
      given(partial)
        .when(reclassify({ decisionRef: '  QĐ 99/QĐ-UBND ' }))
        .then([upgradedToFullProcess({ decisionRef: 'QĐ 99/QĐ-UBND' })]));
  });

  describe('when offered as a full process', () => {
    const full = [registered({ onlineMode: 'FULL_PROCESS' })];

    it('downgrades it to partial online', () =>
      given(full)
        .when(reclassify({ onlineMode: 'PARTIAL' }))
        .then([downgradedToPartialOnline({ from: 'FULL_PROCESS', to: 'PARTIAL' })]));

    it('downgrades it to information only', () =>
      given(full)
        .when(reclassify({ onlineMode: 'INFORMATION_ONLY' }))
        .then([downgradedToInformationOnly({ from: 'FULL_PROCESS' })]));

    it('refuses to reclassify it as full process again', () =>
      given(full)
        .when(reclassify({ onlineMode: 'FULL_PROCESS' }))
        .thenThrows(IllegalProcedureTransition, because('ALREADY_IN_MODE')));

    it('disables paper intake', () =>
      given(full).when(disablePaperIntake()).then([paperIntakeDisabled()]));

    it('refuses to re-enable paper intake that is accepted', () =>
      given(full)
        .when(reenablePaperIntake())
        .thenThrows(IllegalProcedureTransition, because('PAPER_INTAKE_ALREADY_ACCEPTED')));
  });

  describe('when information-only', () => {
    const informationOnly = [registered({ onlineMode: 'INFORMATION_ONLY' })];

    it('upgrades it to partial online', () =>
      given(informationOnly)
        .when(reclassify({ onlineMode: 'PARTIAL' }))
        .then([upgradedToPartialOnline({ from: 'INFORMATION_ONLY', to: 'PARTIAL' })]));

    it('upgrades it straight to full process', () =>
      given(informationOnly)
        .when(reclassify({ onlineMode: 'FULL_PROCESS' }))
        .then([upgradedToFullProcess({ from: 'INFORMATION_ONLY' })]));

    it('refuses to reclassify it as information-only again', () =>
      given(informationOnly)
        .when(reclassify({ onlineMode: 'INFORMATION_ONLY' }))
        .thenThrows(IllegalProcedureTransition, because('ALREADY_IN_MODE')));

    it('refuses to disable paper intake', () =>
      given(informationOnly)
        .when(disablePaperIntake())
        .thenThrows(IllegalProcedureTransition, because('PAPER_INTAKE_REQUIRES_ONLINE_MODE')));

    it('refuses to re-enable paper intake that is accepted', () =>
      given(informationOnly)
        .when(reenablePaperIntake())
        .thenThrows(IllegalProcedureTransition, because('PAPER_INTAKE_ALREADY_ACCEPTED')));

    it('withdraws it', () => given(informationOnly).when(withdraw()).then([withdrawn()]));
  });

  describe('when paper intake is disabled', () => {
    const fullPaperless = [registered({ onlineMode: 'FULL_PROCESS' }), paperIntakeDisabled()];
    const partialPaperless = [registered({ onlineMode: 'PARTIAL', paperIntake: 'DISABLED' })];

    it('refuses to disable it again', () =>
      given(fullPaperless)
        .when(disablePaperIntake())
        .thenThrows(IllegalProcedureTransition, because('PAPER_INTAKE_ALREADY_DISABLED')));

    it('re-enables paper intake', () =>
      given(fullPaperless)
        .when(reenablePaperIntake({ reason: 'Citizens without ID' }))
        .then([paperIntakeReenabled({ reason: 'Citizens without ID' })]));

    it('downgrades it to partial online and keeps paper intake disabled', () =>
      given(fullPaperless).when(reclassify({ onlineMode: 'PARTIAL' })).then([downgradedToPartialOnline()]));

    it('upgrades it to full process and keeps paper intake disabled', () =>
      given(partialPaperless).when(reclassify({ onlineMode: 'FULL_PROCESS' })).then([upgradedToFullProcess()]));

    it('downgrades a full process to information only and re-enables paper intake by the same decision', () =>
      given(fullPaperless)
        .when(
          reclassify({
            onlineMode: 'INFORMATION_ONLY',
            effectiveFrom: '2024-01-01',
            decisionRef: 'QĐ 77/QĐ-UBND',
            reason: 'Portal withdrawn',
          }),
        )
        .then([
          downgradedToInformationOnly({
            from: 'FULL_PROCESS',
            effectiveFrom: '2024-01-01',
            decisionRef: 'QĐ 77/QĐ-UBND',
            reason: 'Portal withdrawn',
          }),
          paperIntakeReenabled({ effectiveFrom: '2024-01-01', decisionRef: 'QĐ 77/QĐ-UBND', reason: 'Portal withdrawn' }),
        ]));

    it('downgrades a partial procedure to information only and re-enables paper intake by the same decision', () =>
      given(partialPaperless)
        .when(reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2024-01-01' }))
        .then([
          downgradedToInformationOnly({ from: 'PARTIAL', effectiveFrom: '2024-01-01' }),
          paperIntakeReenabled({ effectiveFrom: '2024-01-01' }),
        ]));

    it('withdraws it', () => given(fullPaperless).when(withdraw()).then([withdrawn()]));
  });

  describe('when paper intake was disabled and re-enabled', () => {
    it('disables paper intake again', () =>
      given([registered({ onlineMode: 'FULL_PROCESS' }), paperIntakeDisabled(), paperIntakeReenabled()])
        .when(disablePaperIntake())
        .then([paperIntakeDisabled()]));
  });

  describe('when withdrawn', () => {
    const withdrawnProcedure = [registered({ onlineMode: 'FULL_PROCESS' }), withdrawn({ effectiveFrom: '2024-01-01' })];

    it.each(everyCommand({ effectiveFrom: '2025-01-01' }))('refuses to %s it: already withdrawn', (_, command) =>
      given(withdrawnProcedure).when(command).thenThrows(IllegalProcedureTransition, because('ALREADY_WITHDRAWN')),
    );

    it('refuses to register it again even after paper intake changes', () =>
      given([registered({ onlineMode: 'FULL_PROCESS' }), paperIntakeDisabled(), withdrawn()])
        .when(register({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' }))
        .thenThrows(IllegalProcedureTransition, because('ALREADY_WITHDRAWN')));
  });

  describe('when its last transition took effect on 2023-06-01', () => {
    const lastOnJune1st = [
      registered({ onlineMode: 'PARTIAL', effectiveFrom: '2023-01-01' }),
      upgradedToFullProcess({ effectiveFrom: '2023-06-01' }),
    ];

    // Late decisions (issue 15): decided on the state in force on their date, refused only when they
    // break a rule there or make the later transition illegal (procedure.late.unit.spec.ts has more).
    it('accepts a late paper decision that leaves the later upgrade legal', () =>
      given(lastOnJune1st)
        .when(disablePaperIntake({ effectiveFrom: '2023-03-01' }))
        .then([paperIntakeDisabled({ effectiveFrom: '2023-03-01' })]));

    it('refuses a late reclassification to the mode already in force on its date', () =>
      given(lastOnJune1st)
        .when(reclassify({ onlineMode: 'PARTIAL', effectiveFrom: '2023-05-31' }))
        .thenThrows(IllegalProcedureTransition, because('ALREADY_IN_MODE')));

    it('refuses a late withdrawal, naming the later upgrade it would make illegal', () =>
      given(lastOnJune1st)
        .when(withdraw({ effectiveFrom: '2023-05-31' }))
        .thenThrows(
          IllegalProcedureTransition,
          (e) => e.reason === 'CONFLICTS_WITH_LATER_TRANSITION' && e.conflictsWith?.revision === 1 && e.conflictsWith.reason === 'ALREADY_WITHDRAWN',
        ));

    it('refuses a date before its registration', () =>
      given(lastOnJune1st)
        .when(disablePaperIntake({ effectiveFrom: '2022-12-31' }))
        .thenThrows(IllegalProcedureTransition, because('EFFECTIVE_DATE_BEFORE_REGISTRATION')));

    it('accepts a transition on the same date', () =>
      given(lastOnJune1st)
        .when(reclassify({ onlineMode: 'PARTIAL', effectiveFrom: '2023-06-01' }))
        .then([downgradedToPartialOnline({ effectiveFrom: '2023-06-01' })]));

    it('accepts a later transition', () =>
      given(lastOnJune1st)
        .when(disablePaperIntake({ effectiveFrom: '2023-06-02' }))
        .then([paperIntakeDisabled({ effectiveFrom: '2023-06-02' })]));

    it('accepts a future-dated transition', () =>
      given(lastOnJune1st)
        .when(withdraw({ effectiveFrom: '2031-01-01' }))
        .then([withdrawn({ effectiveFrom: '2031-01-01' })]));

    it('places a decision before a future-dated one, and refuses it when that one would become illegal', () =>
      given([...lastOnJune1st, paperIntakeDisabled({ effectiveFrom: '2031-01-01' })])
        .when(reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2030-12-31' }))
        .thenThrows(IllegalProcedureTransition, (e) => e.reason === 'CONFLICTS_WITH_LATER_TRANSITION' && e.conflictsWith?.revision === 2));
  });

  describe('whatever the code of its authority', () => {
    // Whether a unit exists, and is still in force, is its own stream's to say: the application reads
    // it before deciding (libs/application handle-command.ts; tested in authority-commands.int.spec.ts).
    it('decides for any 2-digit code, a unit established later included', () => {
      for (const authorityCode of ['01', '74', '79', '96', '99']) {
        given([])
          .when(register({ authorityCode }))
          .then([registered({ authorityCode })]);
      }
    });
  });

  describe('whatever its state, for malformed input', () => {
    it.each(['2023-02-30', '2023-13-01', '99999-01-01', '2023-6-1', '01/06/2023', '1899-12-31', ''])(
      'refuses effectiveFrom %j',
      (effectiveFrom) => {
        given([]).when(register({ effectiveFrom })).thenThrows(InvalidCommand, namesFields('effectiveFrom'));
        given([registered()]).when(reclassify({ effectiveFrom })).thenThrows(InvalidCommand, namesFields('effectiveFrom'));
      },
    );

    it('refuses a missing effectiveFrom', () =>
      given([registered()])
        .when(malformed(withdraw(), { effectiveFrom: undefined }))
        .thenThrows(InvalidCommand, namesFields('effectiveFrom')));

    it.each(['LEVEL_4', 'full_process', '', 2, null])('refuses onlineMode %j', (onlineMode) => {
      given([]).when(malformed(register(), { onlineMode })).thenThrows(InvalidCommand, namesFields('onlineMode'));
      given([registered()])
        .when(malformed(reclassify(), { onlineMode }))
        .thenThrows(InvalidCommand, namesFields('onlineMode'));
    });

    it('refuses an unknown paperIntake', () =>
      given([])
        .when(malformed(register(), { paperIntake: 'NONE' }))
        .thenThrows(InvalidCommand, namesFields('paperIntake')));

    it.each(commandsOtherThanRegistration())('refuses to %s it without a decisionRef', (_, command) =>
      given([registered()])
        .when(malformed(command, { decisionRef: undefined }))
        .thenThrows(InvalidCommand, namesFields('decisionRef')),
    );

    it.each(['', '   ', 42])('refuses decisionRef %j', (decisionRef) =>
      given([registered()])
        .when(malformed(disablePaperIntake(), { decisionRef }))
        .thenThrows(InvalidCommand, namesFields('decisionRef')),
    );

    it.each([
      ['an empty name', ''],
      ['a blank name', ' \t '],
      ['a missing name', undefined],
      ['a name that is not a string', 1001612],
      ['a zero-width space (U+200B)', 'Đăng ký\u200b thành lập hộ kinh doanh'],
      ['a right-to-left override (U+202E)', 'Đăng ký \u202ehộ kinh doanh'],
      ['a byte-order mark (U+FEFF)', '\ufeffĐăng ký thành lập hộ kinh doanh'],
      ['a control character', 'Đăng ký\u0000thành lập'],
      ['over 1000 characters', 'a'.repeat(1001)],
    ])('refuses a name with %s', (_, name) =>
      given([])
        .when(malformed(register(), { name }))
        .thenThrows(InvalidCommand, namesFields('name')),
    );

    it('refuses a field, level or reason that is too long', () => {
      given([])
        .when(register({ field: 'x'.repeat(201), level: 'x'.repeat(101) }))
        .thenThrows(InvalidCommand, namesFields('field', 'level'));
      given([registered()])
        .when(withdraw({ reason: 'x'.repeat(2001) }))
        .thenThrows(InvalidCommand, namesFields('reason'));
    });

    it('refuses an empty reason', () =>
      given([registered()])
        .when(reenablePaperIntake({ reason: '' }))
        .thenThrows(InvalidCommand, namesFields('reason')));

    it.each([
      '../etc/passwd',
      "1.001612'; DROP TABLE",
      '1.001612; DROP TABLE procedures',
      '1.00161',
      '1.0016122',
      '01.001612',
      '1-001612',
      '1.001612.',
      '1.001612.h29',
      '1.001612.000.00.00.H29.01',
      ' 1.001612',
      '1.001612\n',
      '',
    ])('refuses the procedure code %j', (procedureCode) => {
      given([]).when(register({ procedureCode })).thenThrows(InvalidCommand, namesFields('procedureCode'));
      given([]).when(withdraw({ procedureCode })).thenThrows(InvalidCommand, namesFields('procedureCode'));
    });

    it.each(['ab', '7', '074', ' 74', '７４', 74, null])('refuses the authority code %j', (authorityCode) =>
      given([])
        .when(malformed(register(), { authorityCode }))
        .thenThrows(InvalidCommand, namesFields('authorityCode')),
    );

    it('names every offending field at once', () =>
      given([])
        .when(
          malformed(register(), {
            authorityCode: 'ab',
            procedureCode: '../etc/passwd',
            effectiveFrom: '2023-02-30',
            name: '',
            onlineMode: 'LEVEL_4',
            paperIntake: 'MAYBE',
            decisionRef: '\u202eQĐ',
          }),
        )
        .thenThrows(
          InvalidCommand,
          namesFields('authorityCode', 'procedureCode', 'effectiveFrom', 'name', 'onlineMode', 'paperIntake', 'decisionRef'),
        ));

    it('names every offending field of a transition at once', () =>
      given([registered()])
        .when(malformed(reclassify(), { effectiveFrom: '2023-13-01', onlineMode: 'ONLINE', decisionRef: undefined }))
        .thenThrows(InvalidCommand, namesFields('effectiveFrom', 'onlineMode', 'decisionRef')));

    it('refuses malformed input before looking at the state', () =>
      given([registered(), withdrawn()])
        .when(withdraw({ effectiveFrom: '2023-02-30' }))
        .thenThrows(InvalidCommand, namesFields('effectiveFrom')));

    it('refuses malformed input before looking up the authority', () =>
      given([])
        .when(register({ authorityCode: '99', name: '' }))
        .thenThrows(InvalidCommand, namesFields('name')));
  });
});

describe('Procedure state (evolve)', () => {
  const fold = (events: ProcedureEvent[]): ProcedureState => events.reduce(evolve, initialState());

  it('starts unregistered', () => expect(initialState()).toEqual({ status: 'unregistered' }));

  it('is offered in the registered mode from the registration date', () =>
    expect(
      fold([registered({ onlineMode: 'PARTIAL', field: 'Hộ tịch', level: 'cấp xã', effectiveFrom: '2023-01-01' })]),
    ).toEqual({
      status: 'offered',
      authorityCode: '74',
      procedureCode: '1.001612',
      name: DEFAULTS.name,
      field: 'Hộ tịch',
      level: 'cấp xã',
      onlineMode: 'PARTIAL',
      paperIntake: 'ACCEPTED',
      lastEffectiveFrom: '2023-01-01',
    }));

  it('follows reclassifications and paper intake changes', () =>
    expect(
      fold([
        registered({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-01-01' }),
        upgradedToPartialOnline({ effectiveFrom: '2023-03-01' }),
        upgradedToFullProcess({ effectiveFrom: '2023-06-01' }),
        paperIntakeDisabled({ effectiveFrom: '2023-06-01' }),
      ]),
    ).toMatchObject({ status: 'offered', onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED', lastEffectiveFrom: '2023-06-01' }));

  it('takes paper again after a downgrade to information only', () =>
    expect(
      fold([
        registered({ onlineMode: 'FULL_PROCESS', paperIntake: 'DISABLED' }),
        downgradedToPartialOnline({ effectiveFrom: '2023-09-01' }),
        downgradedToInformationOnly({ from: 'PARTIAL', effectiveFrom: '2024-01-01' }),
        paperIntakeReenabled({ effectiveFrom: '2024-01-01' }),
      ]),
    ).toMatchObject({ status: 'offered', onlineMode: 'INFORMATION_ONLY', paperIntake: 'ACCEPTED', lastEffectiveFrom: '2024-01-01' }));

  it('is withdrawn from the withdrawal date, keeping its last classification', () => {
    const state = fold([
      registered({ onlineMode: 'FULL_PROCESS' }),
      paperIntakeDisabled({ effectiveFrom: '2023-07-01' }),
      withdrawn({ effectiveFrom: '2024-12-31' }),
    ]);
    expect(state).toMatchObject({
      status: 'withdrawn',
      withdrawnFrom: '2024-12-31',
      lastEffectiveFrom: '2024-12-31',
      onlineMode: 'FULL_PROCESS',
      paperIntake: 'DISABLED',
    });
  });

  it('ignores a transition on a stream without a registration', () =>
    expect(fold([upgradedToFullProcess(), withdrawn()])).toEqual({ status: 'unregistered' }));

  it('holds the NFC-normalised, trimmed name decided at registration', () => {
    const events = procedure.decide(register({ name: ' Hoa\u0300 Bi\u0300nh ' }), initialState());
    expect(fold(events)).toMatchObject({ status: 'offered', name: 'Ho\u00e0 B\u00ecnh' });
  });

  it('is what the decider folds to after each decision', () => {
    let state = initialState();
    for (const command of [
      register({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2023-01-01' }),
      reclassify({ onlineMode: 'FULL_PROCESS', effectiveFrom: '2023-06-01' }),
      disablePaperIntake({ effectiveFrom: '2023-06-01' }),
      reclassify({ onlineMode: 'INFORMATION_ONLY', effectiveFrom: '2024-01-01' }),
      withdraw({ effectiveFrom: '2025-07-01' }),
    ]) {
      state = procedure.decide(command, state).reduce(evolve, state);
    }
    expect(state).toMatchObject({
      status: 'withdrawn',
      onlineMode: 'INFORMATION_ONLY',
      paperIntake: 'ACCEPTED',
      lastEffectiveFrom: '2025-07-01',
      withdrawnFrom: '2025-07-01',
    });
  });
});

// ---- fixtures ----

function because(reason: TransitionRefusal) {
  return (error: IllegalProcedureTransition) => error.reason === reason;
}

/** The fields an InvalidCommand names, in any order, exactly. */
function namesFields(...fields: string[]) {
  return (error: InvalidCommand) => {
    expect(error.errors.map((e) => e.field).sort()).toEqual([...fields].sort());
  };
}

type Overrides = { authorityCode?: string; procedureCode?: string; effectiveFrom?: string; onlineMode?: 'PARTIAL' };

function commandsOtherThanRegistration(overrides: Overrides = {}): [string, ProcedureCommand][] {
  const { onlineMode = 'PARTIAL', ...dated } = overrides;
  return [
    ['reclassify', reclassify({ ...dated, onlineMode })],
    ['disable paper intake of', disablePaperIntake(dated)],
    ['re-enable paper intake of', reenablePaperIntake(dated)],
    ['withdraw', withdraw(dated)],
  ];
}

function everyCommand(overrides: Overrides = {}): [string, ProcedureCommand][] {
  const { onlineMode: _, ...dated } = overrides;
  return [['register', register({ ...dated, onlineMode: 'FULL_PROCESS' })], ...commandsOtherThanRegistration(overrides)];
}
