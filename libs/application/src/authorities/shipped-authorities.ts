import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { AgencyKind, AuthorityKind, EstablishAuthority, RenameAuthority, Reorganisation } from '@tthc/domain';

/** A row of data/provinces-2023.csv (GSO codes of 10 Apr 2023; English names and regions of [S11]). */
export interface Province2023 {
  code: string;
  nameVi: string;
  nameEn: string;
  slug: string;
  region: string;
}
/** A row of data/provinces-2025.csv (the 34 units from 2025-07-01). */
export interface Province2025 {
  code: string;
  nameVi: string;
  nameEn: string;
  slug: string;
}
/** A row of data/provinces-2025-merger.csv (63 rows; unchanged units map to themselves). */
export interface MergerRow {
  oldCode: string;
  oldNameVi: string;
  newCode: string;
  newNameVi: string;
  effectiveDate: string;
}

export interface ShippedAuthorities {
  provinces2023: Province2023[];
  provinces2025: Province2025[];
  merger: MergerRow[];
}

/**
 * The day from which the 63 units of 2023 stood: Hà Tây was merged into Hà Nội on 2008-08-01
 * (Resolution 15/2008/QH12), after which the map held 63 units until 2025. The shipped files give no
 * establishment dates; this is the earliest date on which all 63 existed as listed.
 */
export const UNITS_2023_FROM = '2008-08-01';
export const UNITS_2023_BASIS = 'Danh mục đơn vị hành chính cấp tỉnh (GSO, 10-04-2023); 63 đơn vị từ 01-08-2008';
export const MERGER_2025_BASIS = 'Nghị quyết 202/2025/QH15';

/** Finds the repository's `data/` from this module, in the sources or in dist/ (or DATA_FILES_DIR). */
function dataDirectory(): string {
  if (process.env.DATA_FILES_DIR) return process.env.DATA_FILES_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    if (existsSync(join(dir, 'data', 'provinces-2023.csv'))) return join(dir, 'data');
    dir = dirname(dir);
  }
  throw new Error('data/provinces-2023.csv not found above ' + fileURLToPath(import.meta.url) + '; set DATA_FILES_DIR');
}

const read = (file: string): Record<string, string>[] =>
  parse(readFileSync(join(dataDirectory(), file), 'utf8'), { columns: true, skip_empty_lines: true, trim: true });

let cached: ShippedAuthorities | undefined;

/**
 * The three province files shipped in `data/`, parsed (csv-parse). Names are NFC-normalised.
 * @throws Error when the files cannot be found or read.
 */
export function shippedAuthorities(): ShippedAuthorities {
  if (cached) return cached;
  const nfc = (s: string) => s.normalize('NFC');
  cached = {
    provinces2023: read('provinces-2023.csv').map((r) => ({ code: r.code, nameVi: nfc(r.name_vi), nameEn: r.name_en, slug: r.slug, region: r.region })),
    provinces2025: read('provinces-2025.csv').map((r) => ({ code: r.code, nameVi: nfc(r.name_vi), nameEn: r.name_en, slug: r.slug })),
    merger: read('provinces-2025-merger.csv').map((r) => ({
      oldCode: r.old_code,
      oldNameVi: nfc(r.old_name_vi),
      newCode: r.new_code,
      newNameVi: nfc(r.new_name_vi),
      effectiveDate: r.effective_date,
    })),
  };
  return cached;
}

/** Centrally-run cities are the units whose English name ends in "City" in [S11]'s lists. */
const kindOf = (nameEn: string): AuthorityKind => (/\bCity$/.test(nameEn) ? 'CITY' : 'PROVINCE');

/**
 * The commands that set up the shipped data: the 63 units of 2023 established, then the 2025
 * reorganisation (23 mergers, each host keeping its code and perhaps taking a new name) and the
 * renaming of units that were not merged (46 Thừa Thiên Huế → Huế, a centrally-run city).
 */
export function shippedAuthorityCommands(data: ShippedAuthorities = shippedAuthorities()): {
  establish: EstablishAuthority[];
  reorganisations: Reorganisation[];
  renames: RenameAuthority[];
} {
  const establish: EstablishAuthority[] = data.provinces2023.map((p) => ({
    type: 'EstablishAuthority',
    data: { authorityCode: p.code, name: p.nameVi, nameEn: p.nameEn, kind: kindOf(p.nameEn), region: p.region, effectiveFrom: UNITS_2023_FROM, legalBasis: UNITS_2023_BASIS },
  }));
  const new2025 = new Map(data.provinces2025.map((p) => [p.code, p]));
  const old = new Map(data.provinces2023.map((p) => [p.code, p]));
  const groups = new Map<string, MergerRow[]>();
  for (const row of data.merger) groups.set(row.newCode, [...(groups.get(row.newCode) ?? []), row]);
  const reorganisations: Reorganisation[] = [];
  const renames: RenameAuthority[] = [];
  for (const [code, rows] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    const unit = new2025.get(code);
    if (!unit) throw new Error(`provinces-2025-merger.csv: new code ${code} is not in provinces-2025.csv`);
    if (!rows.some((r) => r.oldCode === code)) throw new Error(`provinces-2025-merger.csv: no unit of 2023 hosts new code ${code}`);
    const host = old.get(code)!;
    const renamed = host.nameVi !== unit.nameVi || kindOf(host.nameEn) !== kindOf(unit.nameEn);
    const effectiveFrom = rows[0].effectiveDate;
    const predecessors = rows.map((r) => r.oldCode).filter((c) => c !== code).sort();
    if (predecessors.length > 0) {
      reorganisations.push({
        successorCode: code,
        predecessorCodes: predecessors,
        ...(renamed && { successorName: unit.nameVi, successorNameEn: unit.nameEn, successorKind: kindOf(unit.nameEn) }),
        effectiveFrom,
        legalBasis: MERGER_2025_BASIS,
      });
    } else if (renamed) {
      // ⚠ The renaming instrument of Thừa Thiên Huế is unverified (DOMAIN.md §4); dated as the shipped file dates it.
      renames.push({
        type: 'RenameAuthority',
        data: { authorityCode: code, name: unit.nameVi, nameEn: unit.nameEn, kind: kindOf(unit.nameEn), effectiveFrom, legalBasis: 'Danh mục 34 đơn vị (data/provinces-2025.csv)' },
      });
    }
  }
  return { establish, reorganisations, renames };
}

/** A row of data/agencies-2023.csv: a ministry or ministry-level agency of the 2021–2026 government (issue 18). */
export interface Agency2023 {
  code: string;
  nameVi: string;
  nameEn: string;
  kind: AgencyKind;
}

/**
 * The 18 ministries and 4 ministry-level agencies of the Government's structure for the 15th National
 * Assembly's term (Nghị quyết 144/2021/QH15), parsed from data/agencies-2023.csv. Codes B01–B22
 * are this ledger's own (see AGENCY_CODE_PATTERN). ⚠ The 2025 restructuring of ministries is not recorded.
 */
export function shippedAgencies(): Agency2023[] {
  return read('agencies-2023.csv').map((r) => ({ code: r.code, nameVi: r.name_vi.normalize('NFC'), nameEn: r.name_en, kind: r.kind as AgencyKind }));
}

/** Agencies are recorded from the start of that structure, not from each body's founding (unknown here). */
export const AGENCIES_2023_FROM = '2021-07-28';
export const AGENCIES_2023_BASIS = 'Nghị quyết 144/2021/QH15 (cơ cấu tổ chức của Chính phủ nhiệm kỳ Quốc hội khóa XV)';
