import { InvalidCommand, UnknownAuthority } from '../shared/errors.js';
import { evolve, initialState, type ProcedureState } from '../procedure/procedure.state.js';
import { registered } from '../testing/procedure-builders.js';
import { canonicalDecision, decideDecision, decisionIssued } from './decision.decide.js';
import type { DecisionItem, IssueDecision } from './decision.types.js';
import { DecisionTooLarge, decisionStreamId, validateDecision } from './decision.validation.js';

const decision = (items: DecisionItem[], overrides: Partial<IssueDecision['data']> = {}): IssueDecision => ({
  type: 'IssueDecision',
  data: { authorityCode: '74', number: '1500/QĐ-UBND', issuedOn: '2023-07-10', effectiveFrom: '2023-07-15', items, ...overrides },
});

/** Procedures 1.000001 (partial, paperless), 1.000002 (information only), 1.000003 withdrawn. */
function states(): (code: string) => ProcedureState {
  const map = new Map<string, ProcedureState>([
    ['1.000001', evolve(initialState(), registered({ procedureCode: '1.000001', paperIntake: 'DISABLED' }))],
    ['1.000002', evolve(initialState(), registered({ procedureCode: '1.000002', onlineMode: 'INFORMATION_ONLY' }))],
    [
      '1.000003',
      evolve(evolve(initialState(), registered({ procedureCode: '1.000003' })), {
        type: 'ProcedureWithdrawn',
        data: { authorityCode: '74', procedureCode: '1.000003', effectiveFrom: '2023-06-02', decisionRef: '1/QĐ-UBND' },
      }),
    ],
  ]);
  return (code) => map.get(code) ?? initialState();
}

describe('decideDecision', () => {
  it('decides every item as its single command, dated and referenced by the decision, and sums the effect', () => {
    const outcome = decideDecision(
      decision([
        { procedureCode: '1.000001', action: 'reclassify', onlineMode: 'INFORMATION_ONLY' },
        { procedureCode: '1.000002', action: 'reclassify', onlineMode: 'FULL_PROCESS', reason: 'Nâng cấp' },
        { procedureCode: '1.000004', action: 'register', name: 'Thủ tục mới', onlineMode: 'PARTIAL', paperIntake: 'DISABLED' },
      ]),
      states(),
    );
    expect(outcome.refusals).toEqual([]);
    expect(outcome.outcomes.map((o) => o.events.map((e) => e.type))).toEqual([
      ['ProcedureDowngradedToInformationOnly', 'PaperIntakeReenabled'],
      ['ProcedureUpgradedToFullProcess'],
      ['ProcedureRegistered'],
    ]);
    for (const event of outcome.outcomes.flatMap((o) => o.events)) {
      expect(event.data).toMatchObject({ authorityCode: '74', effectiveFrom: '2023-07-15', decisionRef: '1500/QĐ-UBND' });
    }
    // partial+paperless → info (−1 partial, −1 paperless, +1 info); info → full; a new partial paperless.
    expect(outcome.effect).toEqual({ total: 1, fullProcess: 1, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 });
  });

  it('judges every item and reports each refused one with its index and reason code', () => {
    const outcome = decideDecision(
      decision([
        { procedureCode: '1.000001', action: 'reclassify', onlineMode: 'PARTIAL' },
        { procedureCode: '1.000002', action: 'withdraw' },
        { procedureCode: '1.000003', action: 'withdraw' },
        { procedureCode: '1.000009', action: 'disable-paper-intake' },
      ]),
      states(),
    );
    expect(outcome.outcomes.map((o) => o.index)).toEqual([1]);
    expect(outcome.refusals.map(({ index, procedureCode, reason }) => [index, procedureCode, reason])).toEqual([
      [0, '1.000001', 'ALREADY_IN_MODE'],
      [2, '1.000003', 'ALREADY_WITHDRAWN'],
      [3, '1.000009', 'PROCEDURE_NOT_FOUND'],
    ]);
    expect(outcome.effect).toEqual({ total: -1, fullProcess: 0, partial: 0, informationOnly: -1, paperIntakeDisabled: 0 });
  });

  it('refuses an item dated before its procedure is registered', () => {
    const outcome = decideDecision(
      decision([{ procedureCode: '1.000002', action: 'reclassify', onlineMode: 'PARTIAL' }], { effectiveFrom: '2023-05-01', issuedOn: '2023-05-01' }),
      states(),
    );
    expect(outcome.refusals[0].reason).toBe('EFFECTIVE_DATE_BEFORE_REGISTRATION');
  });
});

describe('validateDecision', () => {
  const fieldsOf = (command: IssueDecision) => {
    try {
      validateDecision(command);
      return [];
    } catch (error) {
      return (error as InvalidCommand).errors.map((e) => e.field);
    }
  };

  it('accepts numbers as printed, with or without the year', () => {
    for (const number of ['1500/QĐ-UBND', '24/2023/QĐ-UBND', '3/QĐ-CT']) {
      expect(() => validateDecision(decision([{ procedureCode: '1.000001', action: 'withdraw' }], { number }))).not.toThrow();
    }
  });

  it('names every bad header field', () => {
    expect(fieldsOf(decision([], { number: 'QĐ 1500', issuedOn: '2023-02-30', effectiveFrom: 'soon', title: ' ' }))).toEqual([
      'number',
      'issuedOn',
      'effectiveFrom',
      'title',
      'items',
    ]);
  });

  it('names each bad item by index and field, as the single commands would', () => {
    const items = [
      { procedureCode: '1.000001', action: 'promote' },
      { procedureCode: '1.0001', action: 'withdraw' },
      { procedureCode: '1.000002', action: 'reclassify', onlineMode: 'ONLINE' },
      { procedureCode: '1.000003', action: 'register', onlineMode: 'PARTIAL' },
      { procedureCode: '1.000004', action: 'withdraw', name: 'not for withdraw' },
      { procedureCode: '1.000005', action: 'withdraw' },
      { procedureCode: '1.000005', action: 'disable-paper-intake' },
    ] as unknown as DecisionItem[];
    expect(fieldsOf(decision(items))).toEqual([
      'items[0].action',
      'items[1].procedureCode',
      'items[2].onlineMode',
      'items[3].name',
      'items[4].name',
      'items[6].procedureCode',
    ]);
  });

  it('refuses more than 100,000 items whole, naming the limit (whether the authority exists is its stream\'s to say: the application)', () => {
    const many = Array.from({ length: 100_001 }, () => ({ procedureCode: '1.000001', action: 'withdraw' as const }));
    expect(() => validateDecision(decision(many))).toThrow(DecisionTooLarge);
    expect(() => validateDecision(decision(many))).toThrow('A decision lists at most 100,000 items; this one has 100,001');
    expect(() => validateDecision(decision([{ procedureCode: '1.000001', action: 'withdraw' }], { authorityCode: '99' }))).not.toThrow();
  });
});

describe('the decision record', () => {
  it('is the canonical decision with its digest, counts and effect; the stream keeps the number as printed', () => {
    const command = decision([{ procedureCode: '1.000002', action: 'reclassify', onlineMode: 'PARTIAL', reason: '  Nâng cấp ' }], {
      title: ' Công bố danh mục ',
    });
    const outcome = decideDecision(command, states());
    const issued = decisionIssued(command, outcome, 'a'.repeat(64));
    expect(issued.data).toEqual({
      authorityCode: '74',
      number: '1500/QĐ-UBND',
      issuedOn: '2023-07-10',
      effectiveFrom: '2023-07-15',
      title: 'Công bố danh mục',
      annexDigest: 'a'.repeat(64),
      itemCount: 1,
      eventCount: 1,
      items: [{ procedureCode: '1.000002', action: 'reclassify', onlineMode: 'PARTIAL', reason: 'Nâng cấp' }],
      effect: { total: 0, fullProcess: 0, partial: 1, informationOnly: -1, paperIntakeDisabled: 0 },
    });
    expect(decisionStreamId('74', '1500/QĐ-UBND')).toBe('decision-74:1500/QĐ-UBND');
  });

  it('is the same for the same content however it was spelled (key order, spacing, NFC)', () => {
    const a = decision([{ procedureCode: '1.000004', action: 'register', name: 'Thủ tục', onlineMode: 'PARTIAL' }]);
    const b = decision([{ onlineMode: 'PARTIAL', name: ' Thủ tục'.normalize('NFD'), action: 'register', procedureCode: '1.000004' }]);
    expect(JSON.stringify(canonicalDecision(a))).toBe(JSON.stringify(canonicalDecision(b)));
  });
});
