import { authorityScope, coversDate, describeScope, scopeCoverage, type LineageLookup } from './authority-scope.js';
import type { AuthorityEvent } from './authority.events.js';
import { evolveAuthority, initialAuthorityState, type EstablishedAuthority } from './authority.state.js';
import { Lineage, MERGER_2025_EFFECTIVE_DATE as MERGER_2025_DATE } from './lineage.js';

// The part of the 2025 merger these tests use, as the units' streams record it (a Lineage is a LineageLookup).
const unit = (code: string, successorCode?: string) =>
  [
    { type: 'AuthorityEstablished', data: { authorityCode: code, name: code, kind: 'PROVINCE', effectiveFrom: '2008-08-01' } } as AuthorityEvent,
    ...(successorCode ? [{ type: 'AuthorityMerged', data: { authorityCode: code, successorCode, effectiveFrom: '2025-07-01', legalBasis: 'NQ 202/2025/QH15' } } as AuthorityEvent] : []),
  ].reduce(evolveAuthority, initialAuthorityState()) as EstablishedAuthority;
const SHIPPED_MERGER_LINEAGE: LineageLookup = new Lineage([unit('01'), unit('72', '80'), unit('74', '79'), unit('75'), unit('77', '79'), unit('79'), unit('80')]);

const scope = (...entries: unknown[]) => authorityScope(entries);
const AFTER = '2026-11-30';
const BEFORE = '2025-06-30';

describe('authorityScope (the token claim)', () => {
  it('is national with `*`, whatever else is listed', () => {
    expect(scope('*')).toEqual({ national: true });
    expect(scope('74', '*')).toEqual({ national: true });
  });

  it('keeps 2-digit codes, once each, sorted', () => {
    expect(scope('79', '74', '79')).toEqual({ national: false, units: ['74', '79'] });
  });

  it.each([['*7'], ['7*'], ['**'], ['.*'], ['%'], ['ALL'], [' 79'], ['79 '], ['079'], ['7'], ['٧٩'], [79], [null], [{ $ne: '' }], [['*']], [true]])(
    'drops %j, which widens nothing',
    (entry) => {
      expect(scope(entry)).toEqual({ national: false, units: [] });
    },
  );

  it('is named as `*`, the codes, or none', () => {
    expect(describeScope(scope('*'))).toBe('*');
    expect(describeScope(scope('79', '74'))).toBe('74,79');
    expect(describeScope(scope())).toBe('none');
  });
});

describe('scopeCoverage (issue 14: the scope follows lineage)', () => {
  const covers = (entries: string[], authority: string, issuedOn: string, lineage: LineageLookup = SHIPPED_MERGER_LINEAGE) =>
    scopeCoverage(authorityScope(entries), authority, issuedOn, lineage);

  it('national scope covers every authority, dissolved or not, on every date', () => {
    for (const code of ['01', '74', '77', '79']) expect(covers(['*'], code, AFTER).covers).toBe('all');
  });

  it('a unit that was never merged covers itself on every date and nobody else', () => {
    expect(covers(['01'], '01', AFTER).covers).toBe('all');
    const other = covers(['01'], '79', AFTER);
    expect(other.covers).toBe('none');
    expect(other.why).toBe("authority 79 is outside the token's scope (01)");
  });

  it('the merger date is the one in data/provinces-2025-merger.csv (the units\' streams record it so)', () => {
    expect(MERGER_2025_DATE).toBe('2025-07-01');
    expect(SHIPPED_MERGER_LINEAGE.unit('74')).toMatchObject({ dissolvedOn: '2025-07-01', successorCode: '79' });
    expect(SHIPPED_MERGER_LINEAGE.unit('79')?.dissolvedOn).toBeUndefined();
  });

  describe('a successor (79, issued after 2025-07-01)', () => {
    it.each(['74', '77', '79'])('covers %s on every effective date', (code) => {
      const coverage = covers(['79'], code, AFTER);
      expect(coverage.covers).toBe('all');
      expect(coversDate(coverage, '2025-06-30')).toBe(true);
      expect(coversDate(coverage, '2025-07-01')).toBe(true);
    });

    it('covers no unit dissolved into another (72 Tây Ninh went to 80, 75 Đồng Nai stayed)', () => {
      expect(covers(['79'], '72', AFTER).covers).toBe('none');
      expect(covers(['79'], '75', AFTER).covers).toBe('none');
    });

    it('covers a dissolved unit only with a token issued once the merger took effect (2025-07-01, not 2025-06-30)', () => {
      expect(covers(['79'], '74', '2025-07-01').covers).toBe('all');
      const early = covers(['79'], '74', BEFORE);
      expect(early).toEqual({ covers: 'none', why: '74 passes to 79 only on 2025-07-01, after the token was issued (2025-06-30)' });
    });
  });

  describe('a dissolved unit (74)', () => {
    it('covers itself before its dissolution only, with a token issued before it', () => {
      const coverage = covers(['74'], '74', BEFORE);
      expect(coverage).toMatchObject({ covers: 'before', date: '2025-07-01' });
      expect(coversDate(coverage, '2025-06-30')).toBe(true);
      expect(coversDate(coverage, '2025-07-01')).toBe(false);
    });

    it('covers nothing with a token issued on or after its dissolution', () => {
      for (const issuedOn of ['2025-07-01', AFTER]) {
        expect(covers(['74'], '74', issuedOn)).toEqual({
          covers: 'none',
          why: `74 was dissolved into 79 on 2025-07-01, before the token was issued (${issuedOn})`,
        });
      }
    });

    it('never covers its successor or a sibling', () => {
      expect(covers(['74'], '79', BEFORE).covers).toBe('none');
      expect(covers(['74'], '77', BEFORE).covers).toBe('none');
    });
  });

  it('a scope of several units covers what any of them covers', () => {
    expect(covers(['01', '79'], '74', AFTER).covers).toBe('all');
    expect(covers(['01', '74'], '74', BEFORE).covers).toBe('before');
    expect(covers(['01', '74'], '79', BEFORE).covers).toBe('none');
  });

  it('follows a chain of successions, dated by its last link', () => {
    const chain: LineageLookup = {
      unit: (code) =>
        ({ '74': { dissolvedOn: '2025-07-01', successorCode: '79' }, '79': { dissolvedOn: '2030-01-01', successorCode: '99' } })[code],
    };
    expect(covers(['99'], '74', '2030-01-01', chain).covers).toBe('all');
    expect(covers(['99'], '74', '2029-12-31', chain).covers).toBe('none');
    expect(covers(['79'], '74', '2029-12-31', chain).covers).toBe('all');
    expect(covers(['79'], '79', '2029-12-31', chain)).toMatchObject({ covers: 'before', date: '2030-01-01' });
  });

  it('stops on a cycle in a corrupt lineage instead of looping', () => {
    const cycle: LineageLookup = { unit: (code) => ({ dissolvedOn: '2025-07-01', successorCode: code === '01' ? '02' : '01' }) };
    expect(covers(['03'], '01', AFTER, cycle).covers).toBe('none');
  });
});
