import type { DecisionItem, IssueDecision, OnlineMode, PaperIntake, ProcedureCommand } from '@tthc/domain';
import { prng, shuffle, SYNTHETIC_FIELDS, SYNTHETIC_LEVELS } from './prng.js';

/**
 * SYNTHETIC catalogues around the 2025 merger of Bình Dương (74), Bà Rịa–Vũng Tàu (77) and Hồ Chí
 * Minh City (79) into Hồ Chí Minh City (79). Individual procedures are invented (codes 9.2….. for 77,
 * 9.3….. and 9.4….. for 79; names say "dữ liệu tổng hợp"); so are the 2023–2024 figures of 77 and 79,
 * which no source gives. The merged city's aggregates are the published ones
 * (shared/data/published-figures.csv):
 *
 *   2025-07-01  temporary list of 2,357 in force: 79's 2,000 continue, 357 registered
 *   2025-07-09  official list of 2,168: 189 withdrawn
 *   2025-10-19  2,251 = 1,778 full-process + 218 partial + 255 information-only: 83 registered,
 *               273 partial → full-process, 122 information-only → full-process
 *
 * 74's and 77's procedures are not carried over: the merger discontinues them (the host's catalogue
 * continues, DOMAIN.md §4), so the city's catalogue is 79's own.
 */
export const HO_CHI_MINH_FIGURES = {
  '2025-07-01': { total: 2357 },
  '2025-07-09': { total: 2168 },
  '2025-10-19': { total: 2251, fullProcess: 1778, partial: 218, informationOnly: 255 },
} as const;

/** 2023 catalogues (synthetic): registered on 2023-06-01, one reclassification decision each in 2024. */
export const UNITS_2023_SYNTHETIC = {
  '77': { total: 1700, fullProcess: 600, partial: 650, informationOnly: 450 },
  '79': { total: 2000, fullProcess: 800, partial: 700, informationOnly: 500 },
} as const;

const ref = (_authorityCode: string, n: string) => `${n}/QĐ-UBND`;

interface Catalogue {
  authorityCode: string;
  commands: ProcedureCommand[];
  /** Procedure codes by their current mode, as the commands leave them. */
  byMode: Record<OnlineMode, string[]>;
}

function register(
  c: Catalogue,
  codes: string[],
  mode: OnlineMode,
  effectiveFrom: string,
  decisionRef: string,
  paperless: (i: number) => boolean = () => false,
): void {
  codes.forEach((procedureCode, i) => {
    const n = Number(procedureCode.slice(2));
    c.commands.push({
      type: 'RegisterProcedure',
      data: {
        authorityCode: c.authorityCode,
        procedureCode,
        name: `Thủ tục hành chính mẫu số ${n} (dữ liệu tổng hợp)`,
        field: SYNTHETIC_FIELDS[n % SYNTHETIC_FIELDS.length],
        level: SYNTHETIC_LEVELS[n % SYNTHETIC_LEVELS.length],
        onlineMode: mode,
        paperIntake: (paperless(i) ? 'DISABLED' : 'ACCEPTED') as PaperIntake,
        effectiveFrom,
        decisionRef,
      },
    });
  });
  c.byMode[mode].push(...codes);
}

/** Moves the first `n` procedures of mode `from` (as shuffled at registration) to `to`. */
function reclassify(c: Catalogue, n: number, from: OnlineMode, to: OnlineMode, effectiveFrom: string, decisionRef: string): void {
  const moved = c.byMode[from].splice(0, n);
  for (const procedureCode of moved) {
    c.commands.push({ type: 'ReclassifyProcedure', data: { authorityCode: c.authorityCode, procedureCode, onlineMode: to, effectiveFrom, decisionRef, reason: 'Nâng cấp dịch vụ công trực tuyến' } });
  }
  c.byMode[to].push(...moved);
}

function withdraw(c: Catalogue, n: number, from: OnlineMode, effectiveFrom: string, decisionRef: string): void {
  for (const procedureCode of c.byMode[from].splice(0, n)) {
    c.commands.push({ type: 'WithdrawProcedure', data: { authorityCode: c.authorityCode, procedureCode, effectiveFrom, decisionRef, reason: 'Không có trong danh mục chính thức' } });
  }
}

const range = (prefix: number, from: number, count: number) =>
  Array.from({ length: count }, (_, i) => `9.${String(prefix * 100_000 + from + i).padStart(6, '0')}`);

function catalogue2023(authorityCode: '77' | '79', prefix: number, seed: number): Catalogue {
  const f = UNITS_2023_SYNTHETIC[authorityCode];
  const c: Catalogue = { authorityCode, commands: [], byMode: { FULL_PROCESS: [], PARTIAL: [], INFORMATION_ONLY: [] } };
  const codes = shuffle(range(prefix, 1, f.total), prng(seed));
  const date = '2023-06-01';
  register(c, codes.slice(0, f.fullProcess), 'FULL_PROCESS', date, ref(authorityCode, '1000'), (i) => i < f.fullProcess * 0.6);
  register(c, codes.slice(f.fullProcess, f.fullProcess + f.partial), 'PARTIAL', date, ref(authorityCode, '1000'), (i) => i < f.partial * 0.15);
  register(c, codes.slice(f.fullProcess + f.partial), 'INFORMATION_ONLY', date, ref(authorityCode, '1000'));
  return c;
}

/** 77's and 79's catalogues before the merger (to be run with Bình Dương's, before the reorganisation). */
export function hoChiMinhSeedCommandsBefore2025(): { '77': ProcedureCommand[]; '79': ProcedureCommand[]; city: Catalogue } {
  const vungTau = catalogue2023('77', 2, 7701);
  reclassify(vungTau, 150, 'INFORMATION_ONLY', 'PARTIAL', '2024-05-01', ref('77', '900'));
  const city = catalogue2023('79', 3, 7901);
  reclassify(city, 200, 'PARTIAL', 'FULL_PROCESS', '2024-03-01', ref('79', '700'));
  return { '77': vungTau.commands, '79': city.commands, city };
}

/** The merged city's own decisions from 2025-07-01 (to be run after the reorganisation). */
export function hoChiMinhSeedCommandsFrom2025(): ProcedureCommand[] {
  const { city } = hoChiMinhSeedCommandsBefore2025();
  city.commands = [];
  const fresh = range(4, 1, 440);
  register(city, fresh.slice(0, 300), 'FULL_PROCESS', '2025-07-01', ref('79', '2500'));
  register(city, fresh.slice(300, 330), 'PARTIAL', '2025-07-01', ref('79', '2500'));
  register(city, fresh.slice(330, 357), 'INFORMATION_ONLY', '2025-07-01', ref('79', '2500'));
  withdraw(city, 150, 'INFORMATION_ONLY', '2025-07-09', ref('79', '2600'));
  withdraw(city, 39, 'PARTIAL', '2025-07-09', ref('79', '2600'));
  register(city, fresh.slice(357, 440), 'FULL_PROCESS', '2025-10-19', ref('79', '3100'));
  reclassify(city, 273, 'PARTIAL', 'FULL_PROCESS', '2025-10-19', ref('79', '3100'));
  reclassify(city, 122, 'INFORMATION_ONLY', 'FULL_PROCESS', '2025-10-19', ref('79', '3100'));
  return city.commands;
}

const TITLES: Record<string, string> = {
  '1000/QĐ-UBND': 'Công bố danh mục thủ tục hành chính (dữ liệu tổng hợp)',
  '700/QĐ-UBND': 'Nâng cấp dịch vụ công trực tuyến (dữ liệu tổng hợp)',
  '900/QĐ-UBND': 'Nâng cấp dịch vụ công trực tuyến (dữ liệu tổng hợp)',
  '2500/QĐ-UBND': 'Danh mục tạm thời thủ tục hành chính của Thành phố sau sắp xếp (dữ liệu tổng hợp)',
  '2600/QĐ-UBND': 'Danh mục chính thức thủ tục hành chính (dữ liệu tổng hợp)',
  '3100/QĐ-UBND': 'Nâng cấp dịch vụ công trực tuyến toàn trình (dữ liệu tổng hợp)',
};

/**
 * Single commands as the decisions they cite (one per authority, number and date; issued on the day
 * they take effect), in date order: the seed issues them through the decision path.
 */
export function asDecisions(commands: readonly ProcedureCommand[]): IssueDecision[] {
  const groups = new Map<string, { header: Omit<IssueDecision['data'], 'items'>; items: DecisionItem[] }>();
  for (const c of commands) {
    const { authorityCode, procedureCode, effectiveFrom, decisionRef } = c.data as { authorityCode: string; procedureCode: string; effectiveFrom: string; decisionRef: string };
    const key = `${authorityCode}|${decisionRef}|${effectiveFrom}`;
    let d = groups.get(key);
    if (!d) {
      d = { header: { authorityCode, number: decisionRef, issuedOn: effectiveFrom, effectiveFrom, title: TITLES[decisionRef] ?? 'Quyết định (dữ liệu tổng hợp)' }, items: [] };
      groups.set(key, d);
    }
    d.items.push(itemOf(c, procedureCode));
  }
  return [...groups.values()]
    .map(({ header, items }): IssueDecision => ({ type: 'IssueDecision', data: { ...header, items } }))
    .sort((a, b) => a.data.effectiveFrom.localeCompare(b.data.effectiveFrom));
}

function itemOf(c: ProcedureCommand, procedureCode: string): DecisionItem {
  switch (c.type) {
    case 'RegisterProcedure': {
      const { name, field, level, onlineMode, paperIntake } = c.data;
      return { procedureCode, action: 'register', name, field, level, onlineMode, paperIntake };
    }
    case 'ReclassifyProcedure':
      return { procedureCode, action: 'reclassify', onlineMode: c.data.onlineMode, ...(c.data.reason !== undefined && { reason: c.data.reason }) };
    case 'WithdrawProcedure':
      return { procedureCode, action: 'withdraw', ...(c.data.reason !== undefined && { reason: c.data.reason }) };
    default:
      throw new Error(`no decision item for ${c.type}`);
  }
}
