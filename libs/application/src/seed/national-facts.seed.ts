import { factDateOf, type EstablishAuthority, type NationalFactCommand } from '@tthc/domain';
import { AGENCIES_2023_BASIS, AGENCIES_2023_FROM, shippedAgencies, shippedAuthorities } from '../authorities/shipped-authorities.js';
import { prng, shuffle } from './prng.js';

/**
 * The article's national facts (issue 18; shared/DOMAIN.md §6), as demo data whose AGGREGATES are the
 * published figures and whose PER-AGENCY facts are SYNTHETIC: no official list of the 76 agencies
 * assessed, of the 37 that met the requirements, or of the ministries connected and their dates was
 * found. Every event's `source` says so ("phân bổ theo cơ quan: dữ liệu tổng hợp").
 *
 *   2023-10-16  37 of 76 systems assessed meet all requirements of Circular 21/2023/TT-BTTTT
 *               (the 63 provincial-level units and 13 of the 22 central agencies assessed that day);
 *               15 ministries (of 22 central agencies) and 63/63 localities connected to the
 *               National Population Database
 *   2024-08-31  18 ministries and 63 localities connected
 *   2025-07-01  34/34 localities connected (the 29 units dissolved by Resolution 202/2025/QH15 no
 *               longer count; their hosts' connections go on)
 */
export const NATIONAL_FACTS_FIGURES = {
  '2023-10-16': { systems: { count: 37, total: 76, share: 48.68 }, ministries: { count: 15, total: 22 }, localities: { count: 63, total: 63 } },
  '2024-08-31': { ministries: { count: 18, total: 22 }, localities: { count: 63, total: 63 } },
  '2025-07-01': { localities: { count: 34, total: 34 } },
} as const;

const SYNTHETIC = 'phân bổ theo cơ quan: dữ liệu tổng hợp';
export const ARTICLE_2023_SOURCE = `Báo cáo tại phiên họp thứ 2 Tổ công tác cải cách TTHC của Thủ tướng, 16-10-2023 (Báo Bình Dương); ${SYNTHETIC}`;
export const REPORT_2024_SOURCE = `Báo cáo kết nối CSDL quốc gia về dân cư đến 31-08-2024: 18 bộ, ngành và 63 địa phương; ${SYNTHETIC}`;

const DAY = 86_400_000;
/** A date in [from, to], drawn from `random`. */
function dateBetween(random: () => number, from: string, to: string): string {
  const a = Date.parse(`${from}T00:00:00Z`);
  const days = Math.round((Date.parse(`${to}T00:00:00Z`) - a) / DAY);
  return new Date(a + Math.floor(random() * (days + 1)) * DAY).toISOString().slice(0, 10);
}

/**
 * The commands that load the demo: the 22 central agencies established, then the facts (in date
 * order per unit). Deterministic (a fixed PRNG seed): every run makes the same data.
 */
export function nationalFactsSeedCommands(): (EstablishAuthority | NationalFactCommand)[] {
  const random = prng(1810);
  const agencies = shippedAgencies();
  const localities = shippedAuthorities().provinces2023.map((p) => p.code);
  const establish: EstablishAuthority[] = agencies.map((a) => ({
    type: 'EstablishAuthority',
    data: { authorityCode: a.code, name: a.nameVi, nameEn: a.nameEn, kind: a.kind, effectiveFrom: AGENCIES_2023_FROM, legalBasis: AGENCIES_2023_BASIS },
  }));
  const order = shuffle(agencies.map((a) => a.code), random);
  const assessedAgencies = order.slice(0, 13);
  const assessed = shuffle([...localities, ...assessedAgencies], random);
  const meeting = new Set(assessed.slice(0, 37));
  const connected2023 = shuffle(agencies.map((a) => a.code), random).slice(0, 18);
  const facts = new Map<string, NationalFactCommand[]>();
  const add = (c: NationalFactCommand) => facts.set(c.data.authorityCode, [...(facts.get(c.data.authorityCode) ?? []), c]);
  for (const code of localities) add({ type: 'ConnectPopulationDatabase', data: { authorityCode: code, connectedOn: dateBetween(random, '2022-07-01', '2023-09-30'), source: ARTICLE_2023_SOURCE } });
  connected2023.forEach((code, i) =>
    add({
      type: 'ConnectPopulationDatabase',
      data: i < 15
        ? { authorityCode: code, connectedOn: dateBetween(random, '2022-07-01', '2023-10-16'), source: ARTICLE_2023_SOURCE }
        : { authorityCode: code, connectedOn: dateBetween(random, '2023-10-17', '2024-08-31'), source: REPORT_2024_SOURCE },
    }));
  for (const code of assessed) {
    add({ type: 'AssessProcedureSystem', data: { authorityCode: code, assessedOn: '2023-10-16', meetsAllRequirements: meeting.has(code), source: ARTICLE_2023_SOURCE } });
  }
  return [...establish, ...[...facts.values()].flatMap((list) => list.sort((a, b) => factDateOf(a).localeCompare(factDateOf(b))))];
}

