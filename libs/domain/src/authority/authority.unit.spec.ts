import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AUTHORITIES_2023 } from './authorities.data.js';
import { allAuthorities, findAuthority, isKnownAuthorityCode } from './authority.js';

// The one unit spec that reads files: the shipped data must be the CSVs at the repository root.
const csv = (file: string): Record<string, string>[] => {
  const [header, ...rows] = readFileSync(join(process.cwd(), 'data', file), 'utf8')
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '');
  const columns = header.split(',');
  return rows.map((row) => Object.fromEntries(row.split(',').map((value, i) => [columns[i], value])));
};
const provinces2023 = csv('provinces-2023.csv');
const merger2025 = csv('provinces-2025-merger.csv');
const provinces2025 = csv('provinces-2025.csv');

describe('Authorities (provincial-level units of 2023)', () => {
  it('are the 63 units, each code once', () => {
    expect(AUTHORITIES_2023).toHaveLength(63);
    expect(new Set(AUTHORITIES_2023.map((a) => a.code)).size).toBe(63);
    expect(allAuthorities()).toBe(AUTHORITIES_2023);
  });

  it('match data/provinces-2023.csv: codes, names, slugs and regions', () => {
    expect(provinces2023).toHaveLength(63);
    expect(AUTHORITIES_2023.map(({ code, nameVi, nameEn, slug, region }) => ({ code, nameVi, nameEn, slug, region }))).toEqual(
      provinces2023.map((p) => ({ code: p.code, nameVi: p.name_vi, nameEn: p.name_en, slug: p.slug, region: p.region })),
    );
  });

  it('are merged as in data/provinces-2025-merger.csv', () => {
    expect(merger2025).toHaveLength(63);
    expect(AUTHORITIES_2023.map(({ code, nameVi, mergedInto }) => ({ code, nameVi, mergedInto }))).toEqual(
      merger2025.map((m) => ({ code: m.old_code, nameVi: m.old_name_vi, mergedInto: m.new_code })),
    );
  });

  it('merge into the 34 units of data/provinces-2025.csv', () => {
    expect(provinces2025).toHaveLength(34);
    expect([...new Set(AUTHORITIES_2023.map((a) => a.mergedInto))].sort()).toEqual(provinces2025.map((p) => p.code).sort());
  });

  it('have NFC-normalised names', () => {
    for (const a of AUTHORITIES_2023) expect(a.nameVi).toBe(a.nameVi.normalize('NFC'));
  });

  it('include Bình Dương (74), merged into Hồ Chí Minh (79) from 2025-07-01', () => {
    expect(findAuthority('74')).toMatchObject({ code: '74', nameVi: 'Bình Dương', mergedInto: '79' });
    expect(findAuthority('79')).toMatchObject({ nameVi: 'Hồ Chí Minh', mergedInto: '79' });
    expect(findAuthority('77')).toMatchObject({ mergedInto: '79' });
  });

  it('know every shipped code and no other', () => {
    for (const { code } of AUTHORITIES_2023) expect(isKnownAuthorityCode(code)).toBe(true);
    for (const code of ['00', '03', '99', '7', '074', 'ab', '']) {
      expect(isKnownAuthorityCode(code)).toBe(false);
      expect(findAuthority(code)).toBeUndefined();
    }
  });
});
