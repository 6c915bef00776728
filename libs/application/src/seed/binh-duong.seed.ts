import { itemCommand, type DecisionItem, type IssueDecision, type OnlineMode, type ProcedureCommand, type RecordingCommand } from '@tthc/domain';
import { prng, shuffle, SYNTHETIC_FIELDS, SYNTHETIC_LEVELS } from './prng.js';

/**
 * A SYNTHETIC catalogue for Bình Dương (74) whose aggregate figures are the published ones
 * (Báo Bình Dương, 16 Oct 2023; shared/DOMAIN.md §3). Individual procedures are invented: codes use
 * the leading digit 9, which no national procedure code has, and names say "dữ liệu tổng hợp".
 *
 *   in force on 2023-06-01: 1,893 = 697 full-process + 692 partial + 504 information-only; 731 paperless
 *   in force on 2023-10-16: 1,890 = 756 full-process + 830 partial + 304 information-only
 *
 * The scenario is five (invented) decisions, each issued whole with its annex:
 *   2023-06-01  1000/QĐ-UBND: the 1,893 procedures registered
 *   2023-07-15  100 information-only → partial
 *   2023-08-20   59 partial → full-process
 *   2023-09-10   97 information-only → partial, 3 information-only withdrawn
 *   2023-10-16   40 full-process stop taking paper dossiers
 */
export const BINH_DUONG = '74';

export const BINH_DUONG_FIGURES = {
  '2023-06-01': { total: 1893, fullProcess: 697, partial: 692, informationOnly: 504, paperIntakeDisabled: 731 },
  '2023-10-16': { total: 1890, fullProcess: 756, partial: 830, informationOnly: 304, paperIntakeDisabled: 771 },
} as const;

/** Issue date of each invented decision: a few days before it takes effect, as provinces publish them. */
const DECISIONS: { number: string; issuedOn: string; effectiveFrom: string; title: string }[] = [
  { number: '1000/QĐ-UBND', issuedOn: '2023-05-25', effectiveFrom: '2023-06-01', title: 'Công bố danh mục thủ tục hành chính (dữ liệu tổng hợp)' },
  { number: '1500/QĐ-UBND', issuedOn: '2023-07-10', effectiveFrom: '2023-07-15', title: 'Nâng cấp thủ tục lên dịch vụ công trực tuyến một phần (dữ liệu tổng hợp)' },
  { number: '1900/QĐ-UBND', issuedOn: '2023-08-15', effectiveFrom: '2023-08-20', title: 'Nâng cấp thủ tục lên dịch vụ công trực tuyến toàn trình (dữ liệu tổng hợp)' },
  { number: '2100/QĐ-UBND', issuedOn: '2023-09-05', effectiveFrom: '2023-09-10', title: 'Nâng cấp và bãi bỏ thủ tục hành chính (dữ liệu tổng hợp)' },
  { number: '2400/QĐ-UBND', issuedOn: '2023-10-11', effectiveFrom: '2023-10-16', title: 'Thủ tục không tiếp nhận hồ sơ giấy (dữ liệu tổng hợp)' },
];

/** The scenario as the five decisions of the README's table, in order, each with its annex. */
export function binhDuongSeedDecisions(): IssueDecision[] {
  const random = prng(7401);
  const codes = Array.from({ length: 1893 }, (_, i) => `9.${String(i + 1).padStart(6, '0')}`);
  const order = shuffle(codes, random);
  const full = order.slice(0, 697);
  const partial = order.slice(697, 697 + 692);
  const info = order.slice(697 + 692);
  // 731 paperless on 2023-06-01: 600 of the full-process procedures and 131 of the partial ones.
  const paperless = new Set([...full.slice(0, 600), ...partial.slice(0, 131)]);
  const modeOf = new Map<string, OnlineMode>([
    ...full.map((c) => [c, 'FULL_PROCESS'] as const),
    ...partial.map((c) => [c, 'PARTIAL'] as const),
    ...info.map((c) => [c, 'INFORMATION_ONLY'] as const),
  ]);
  const registrations: DecisionItem[] = codes.map((code, i) => ({
    procedureCode: code,
    action: 'register',
    name: `Thủ tục hành chính mẫu số ${i + 1} (dữ liệu tổng hợp)`,
    field: SYNTHETIC_FIELDS[i % SYNTHETIC_FIELDS.length],
    level: SYNTHETIC_LEVELS[i % SYNTHETIC_LEVELS.length],
    onlineMode: modeOf.get(code)!,
    paperIntake: paperless.has(code) ? 'DISABLED' : 'ACCEPTED',
  }));
  const reclassify = (list: string[], onlineMode: OnlineMode): DecisionItem[] =>
    list.map((code) => ({ procedureCode: code, action: 'reclassify', onlineMode, reason: 'Nâng cấp dịch vụ công trực tuyến' }));
  const annexes: DecisionItem[][] = [
    registrations,
    reclassify(info.slice(0, 100), 'PARTIAL'),
    reclassify(partial.slice(131, 131 + 59), 'FULL_PROCESS'), // still taking paper
    [
      ...reclassify(info.slice(100, 197), 'PARTIAL'),
      ...info.slice(197, 200).map((code): DecisionItem => ({ procedureCode: code, action: 'withdraw', reason: 'Thủ tục bị bãi bỏ' })),
    ],
    full.slice(600, 640).map((code): DecisionItem => ({ procedureCode: code, action: 'disable-paper-intake', reason: 'Đủ điều kiện không nhận hồ sơ giấy' })),
  ];
  return DECISIONS.map((header, i) => ({ type: 'IssueDecision', data: { authorityCode: BINH_DUONG, ...header, items: annexes[i] } }));
}

/** The same scenario as single commands, one per item (each referencing its decision's number). */
export function binhDuongSeedCommands(): RecordingCommand[] {
  return binhDuongSeedDecisions().flatMap(({ data }) => data.items.map((item) => itemCommand(data, item)));
}
