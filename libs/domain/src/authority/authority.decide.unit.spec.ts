import { deciderSpec } from '../testing/decider-spec.js';
import { IllegalAuthorityTransition, InvalidCommand, UnknownAuthority } from '../shared/errors.js';
import { authority, authorityStreamId } from './authority.decide.js';
import type { AuthorityCommand } from './authority.commands.js';
import type { AuthorityEvent, AuthorityStreamEvent } from './authority.events.js';
import { evolveAuthority, initialAuthorityState, versionOn, type EstablishedAuthority } from './authority.state.js';

const given = deciderSpec(authority);
const BASIS = 'Nghị quyết 202/2025/QH15';

const established = (code: string, name: string, kind: 'PROVINCE' | 'CITY' = 'PROVINCE'): AuthorityEvent => ({
  type: 'AuthorityEstablished',
  data: { authorityCode: code, name, kind, effectiveFrom: '2008-08-01', legalBasis: 'GSO' },
});
const establish = (code: string, name: string, kind: 'PROVINCE' | 'CITY' = 'PROVINCE'): AuthorityCommand => ({
  type: 'EstablishAuthority',
  data: { authorityCode: code, name, kind, effectiveFrom: '2008-08-01', legalBasis: 'GSO' },
});
const dissolve = (code: string, successorCode: string, effectiveFrom = '2025-07-01'): AuthorityCommand => ({
  type: 'DissolveAuthority',
  data: { authorityCode: code, successorCode, effectiveFrom, legalBasis: BASIS },
});
const merged = (code: string, successorCode: string): AuthorityEvent => ({
  type: 'AuthorityMerged',
  data: { authorityCode: code, successorCode, effectiveFrom: '2025-07-01', legalBasis: BASIS },
});
const absorb = (code: string, absorbed: { authorityCode: string; territory: string[] }[]): AuthorityCommand => ({
  type: 'AbsorbAuthorities',
  data: { authorityCode: code, absorbed, effectiveFrom: '2025-07-01', legalBasis: BASIS },
});
const fold = (events: AuthorityStreamEvent[]) => events.reduce(evolveAuthority, initialAuthorityState()) as EstablishedAuthority;

describe('Authority decider', () => {
  it('streams are keyed by the code', () => expect(authorityStreamId('79')).toBe('authority-79'));

  it('establishes a unit over its own base territory', () => {
    given([]).when(establish('74', ' Bình Dương ')).then([established('74', 'Bình Dương')]);
    expect(fold([established('74', 'Bình Dương')]).versions).toEqual([
      { validFrom: '2008-08-01', validTo: null, name: 'Bình Dương', kind: 'PROVINCE', territory: ['74'], absorbed: [], legalBasis: 'GSO' },
    ]);
  });

  it('establishing the same unit again decides nothing; another establishment is refused', () => {
    given([established('74', 'Bình Dương')]).when(establish('74', 'Bình Dương')).thenNothingHappened();
    given([established('74', 'Bình Dương')]).when(establish('74', 'Sông Bé')).thenThrows(IllegalAuthorityTransition, (e) => e.reason === 'ALREADY_ESTABLISHED');
  });

  it('a dissolved code is retired, never reused for a new unit (its own establishment repeated decides nothing)', () => {
    given([established('74', 'Bình Dương'), merged('74', '79')]).when(establish('74', 'X')).thenThrows(IllegalAuthorityTransition, (e) => e.reason === 'CODE_RETIRED');
    given([established('74', 'Bình Dương'), merged('74', '79')]).when(establish('74', 'Bình Dương')).thenNothingHappened();
  });

  it('dissolves a unit into its successor, once (repeating it decides nothing)', () => {
    given([established('74', 'Bình Dương')]).when(dissolve('74', '79')).then([merged('74', '79')]);
    given([established('74', 'Bình Dương'), merged('74', '79')]).when(dissolve('74', '79')).thenNothingHappened();
    given([established('74', 'Bình Dương'), merged('74', '79')]).when(dissolve('74', '75')).thenThrows(IllegalAuthorityTransition, (e) => e.reason === 'ALREADY_DISSOLVED');
    const state = fold([established('74', 'Bình Dương'), merged('74', '79')]);
    expect(state).toMatchObject({ status: 'dissolved', dissolvedOn: '2025-07-01', successorCode: '79' });
    expect(versionOn(state, '2025-06-30')?.name).toBe('Bình Dương');
    expect(versionOn(state, '2025-07-01')).toBeUndefined();
  });

  it('the host absorbs the dissolved units: a new version over the union of their territories', () => {
    const events = authority.decide(absorb('79', [{ authorityCode: '77', territory: ['77'] }, { authorityCode: '74', territory: ['74'] }]), fold([established('79', 'Hồ Chí Minh', 'CITY')]));
    expect(events).toEqual([
      { type: 'AuthorityAbsorbed', data: { authorityCode: '79', absorbedCodes: ['74', '77'], territory: ['74', '77', '79'], effectiveFrom: '2025-07-01', legalBasis: BASIS } },
    ]);
    const state = fold([established('79', 'Hồ Chí Minh', 'CITY'), ...events]);
    expect(versionOn(state, '2025-06-30')).toMatchObject({ territory: ['79'], validTo: '2025-07-01' });
    expect(versionOn(state, '2025-07-01')).toMatchObject({ territory: ['74', '77', '79'], absorbed: ['74', '77'], validTo: null, name: 'Hồ Chí Minh' });
    given([established('79', 'Hồ Chí Minh', 'CITY'), ...events]).when(absorb('79', [{ authorityCode: '74', territory: ['74'] }])).thenNothingHappened();
  });

  it('a code names a continuing unit: 15 was Yên Bái and is Lào Cai from the merger, over a larger territory', () => {
    const start = fold([established('15', 'Yên Bái')]);
    const absorbed = authority.decide(absorb('15', [{ authorityCode: '10', territory: ['10'] }]), start);
    const afterAbsorb = absorbed.reduce(evolveAuthority, start);
    const renamed = authority.decide({ type: 'RenameAuthority', data: { authorityCode: '15', name: 'Lào Cai', effectiveFrom: '2025-07-01', legalBasis: BASIS } }, afterAbsorb);
    expect(renamed).toEqual([{ type: 'AuthorityRenamed', data: { authorityCode: '15', from: 'Yên Bái', to: 'Lào Cai', effectiveFrom: '2025-07-01', legalBasis: BASIS } }]);
    const state = renamed.reduce(evolveAuthority, afterAbsorb) as EstablishedAuthority;
    expect(state.versions.map((v) => [v.validFrom, v.name, v.territory])).toEqual([
      ['2008-08-01', 'Yên Bái', ['15']],
      ['2025-07-01', 'Lào Cai', ['10', '15']],
    ]);
  });

  it('refuses changes to an unknown or dissolved unit, and changes dated before its last one', () => {
    given([]).when(dissolve('74', '79')).thenThrows(UnknownAuthority);
    given([established('74', 'Bình Dương'), merged('74', '79')])
      .when({ type: 'RenameAuthority', data: { authorityCode: '74', name: 'X', effectiveFrom: '2026-01-01', legalBasis: 'x' } })
      .thenThrows(IllegalAuthorityTransition, (e) => e.reason === 'ALREADY_DISSOLVED');
    given([established('74', 'Bình Dương')]).when(dissolve('74', '79', '2008-08-01')).thenThrows(IllegalAuthorityTransition, (e) => e.reason === 'EFFECTIVE_DATE_BEFORE_LAST_CHANGE');
  });

  it('names every malformed field', () =>
    given([]).when({ type: 'DissolveAuthority', data: { authorityCode: '7', successorCode: 'x', effectiveFrom: '2025-02-30', legalBasis: ' ' } }).thenThrows(InvalidCommand, (e) =>
      expect(e.errors.map((x) => x.field).sort()).toEqual(['authorityCode', 'effectiveFrom', 'legalBasis', 'successorCode'])));
});
