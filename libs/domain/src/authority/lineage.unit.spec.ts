import { evolveAuthority, initialAuthorityState, type EstablishedAuthority } from './authority.state.js';
import type { AuthorityEvent } from './authority.events.js';
import { BOUNDARY_SETS, Lineage, boundariesInForce } from './lineage.js';
import { AuthorityNotInBoundaries, UnknownAuthority } from '../shared/errors.js';

const BASIS = 'Nghị quyết 202/2025/QH15';
const unit = (code: string, name: string, ...more: AuthorityEvent[]) =>
  [{ type: 'AuthorityEstablished', data: { authorityCode: code, name, kind: 'PROVINCE', effectiveFrom: '2008-08-01' } } as AuthorityEvent, ...more]
    .reduce(evolveAuthority, initialAuthorityState()) as EstablishedAuthority;
const merged = (code: string, into: string): AuthorityEvent => ({ type: 'AuthorityMerged', data: { authorityCode: code, successorCode: into, effectiveFrom: '2025-07-01', legalBasis: BASIS } });
const absorbed = (code: string, codes: string[], territory: string[]): AuthorityEvent => ({
  type: 'AuthorityAbsorbed',
  data: { authorityCode: code, absorbedCodes: codes, territory, effectiveFrom: '2025-07-01', legalBasis: BASIS },
});

// Four units of 2023 and their two of 2025: 74 and 77 into 79; 10 into 15 (renamed Lào Cai).
const lineage = new Lineage([
  unit('74', 'Bình Dương', merged('74', '79')),
  unit('77', 'Bà Rịa - Vũng Tàu', merged('77', '79')),
  unit('79', 'Hồ Chí Minh', absorbed('79', ['74', '77'], ['74', '77', '79'])),
  unit('10', 'Lào Cai', merged('10', '15')),
  unit('15', 'Yên Bái', absorbed('15', ['10'], ['10', '15']), { type: 'AuthorityRenamed', data: { authorityCode: '15', from: 'Yên Bái', to: 'Lào Cai', effectiveFrom: '2025-07-01', legalBasis: BASIS } }),
  unit('01', 'Hà Nội'),
]);

describe('Lineage: every query in either set of boundaries', () => {
  it('the boundary sets are the units in force the day before the merger, and from it', () => {
    expect(BOUNDARY_SETS).toEqual({ '2023': '2025-06-30', '2025': '2025-07-01' });
    expect(lineage.members('2023')).toEqual(['01', '10', '15', '74', '77', '79']);
    expect(lineage.members('2025')).toEqual(['01', '15', '79']);
    expect([boundariesInForce('2025-06-30'), boundariesInForce('2025-07-01')]).toEqual(['2023', '2025']);
  });

  it('a 2025 unit before the merger is composed of the units that governed its territory', () => {
    expect(lineage.on('79', '2025', '2023-06-01')).toEqual({
      authorityCode: '79', authorityName: 'Hồ Chí Minh', boundaries: '2025', territory: ['74', '77', '79'], catalogues: ['74', '77', '79'], composedOf: ['74', '77', '79'],
    });
    expect(lineage.on('79', '2025', '2025-06-30').composedOf).toEqual(['74', '77', '79']);
    expect(lineage.on('79', '2025', '2025-07-01')).toEqual({
      authorityCode: '79', authorityName: 'Hồ Chí Minh', boundaries: '2025', territory: ['74', '77', '79'], catalogues: ['79'],
    });
    expect(lineage.on('15', '2025', '2025-06-30')).toMatchObject({ authorityName: 'Yên Bái', catalogues: ['10', '15'], composedOf: ['10', '15'] });
    expect(lineage.on('15', '2025', '2025-07-01')).toMatchObject({ authorityName: 'Lào Cai', catalogues: ['15'] });
  });

  it('a 2023 unit after its dissolution is served by its successor', () => {
    expect(lineage.on('74', '2023', '2025-06-30')).toEqual({
      authorityCode: '74', authorityName: 'Bình Dương', boundaries: '2023', territory: ['74'], catalogues: ['74'],
    });
    expect(lineage.on('74', '2023', '2025-07-01')).toEqual({
      authorityCode: '74', authorityName: 'Bình Dương', boundaries: '2023', territory: ['74'], catalogues: ['79'], servedBy: '79', dissolvedOn: '2025-07-01',
    });
    // 79 of 2023 is not dissolved, but from the merger its catalogue covers a larger territory.
    expect(lineage.on('79', '2023', '2026-01-01')).toMatchObject({ catalogues: ['79'], servedBy: '79' });
    expect(lineage.on('79', '2023', '2026-01-01').dissolvedOn).toBeUndefined();
    expect(lineage.on('01', '2023', '2026-01-01')).toEqual({ authorityCode: '01', authorityName: 'Hà Nội', boundaries: '2023', territory: ['01'], catalogues: ['01'] });
  });

  it('the national catalogues are the units in force on the date, each once, in either set', () => {
    for (const date of ['2023-06-01', '2025-06-30']) {
      expect(lineage.nationalCatalogues('2023', date)).toEqual(['01', '10', '15', '74', '77', '79']);
      expect(lineage.nationalCatalogues('2025', date)).toEqual(['01', '10', '15', '74', '77', '79']);
    }
    expect(lineage.nationalCatalogues('2023', '2025-07-01')).toEqual(['01', '15', '79']);
    expect(lineage.nationalCatalogues('2025', '2025-07-01')).toEqual(['01', '15', '79']);
  });

  it('chooses the boundaries: the one asked, else the set in force on the date the unit belongs to', () => {
    expect(lineage.boundariesFor('74', '2026-11-30')).toBe('2023');
    expect(lineage.boundariesFor('79', '2026-11-30')).toBe('2025');
    expect(lineage.boundariesFor('79', '2023-06-01')).toBe('2023');
    expect(lineage.boundariesFor('79', '2023-06-01', '2025')).toBe('2025');
    expect(() => lineage.boundariesFor('74', '2023-06-01', '2025')).toThrow(AuthorityNotInBoundaries);
    expect(() => lineage.boundariesFor('99', '2023-06-01')).toThrow(UnknownAuthority);
  });

  it('a movement across the merger: the lineage step, and each catalogue in its own part of the period', () => {
    expect(lineage.steps(['74'], '2023-06-01', '2026-11-30')).toEqual([
      { effectiveFrom: '2025-07-01', successorCode: '79', successorName: 'Hồ Chí Minh', predecessors: ['74', '77'], legalBasis: BASIS },
    ]);
    expect(lineage.steps(['74'], '2025-07-01', '2026-11-30')).toEqual([]);
    expect(lineage.windows(['74'], '2023-06-01', '2026-11-30')).toEqual([
      { authorityCode: '74', from: '2023-06-01', to: '2025-07-01' },
      { authorityCode: '79', from: '2025-06-30', to: '2026-11-30' },
    ]);
    expect(lineage.windows(['74', '77', '79'], '2023-06-01', '2026-11-30')).toEqual([
      { authorityCode: '74', from: '2023-06-01', to: '2025-07-01' },
      { authorityCode: '77', from: '2023-06-01', to: '2025-07-01' },
      { authorityCode: '79', from: '2023-06-01', to: '2026-11-30' },
    ]);
    expect(lineage.windows(['74'], '2023-06-01', '2023-10-16')).toEqual([{ authorityCode: '74', from: '2023-06-01', to: '2023-10-16' }]);
  });
});
