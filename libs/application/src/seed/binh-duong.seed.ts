import type { OnlineMode, ProcedureCommand } from '@tthc/domain';
import { prng, shuffle, SYNTHETIC_FIELDS, SYNTHETIC_LEVELS } from './prng.js';

/**
 * A SYNTHETIC catalogue for Bình Dương (74) whose aggregate figures are the published ones
 * (Báo Bình Dương, 16 Oct 2023; shared/DOMAIN.md §3). Individual procedures are invented: codes use
 * the leading digit 9, which no national procedure code has, and names say "dữ liệu tổng hợp".
 *
 *   in force on 2023-06-01: 1,893 = 697 full-process + 692 partial + 504 information-only; 731 paperless
 *   in force on 2023-10-16: 1,890 = 756 full-process + 830 partial + 304 information-only
 *
 * The changes in between are spread over dated (invented) decisions:
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

const decision = (n: string) => `${n}/QĐ-UBND (tổng hợp)`;

export function binhDuongSeedCommands(): ProcedureCommand[] {
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

  const key = (procedureCode: string) => ({ authorityCode: BINH_DUONG, procedureCode });
  const commands: ProcedureCommand[] = codes.map((code, i) => ({
    type: 'RegisterProcedure',
    data: {
      ...key(code),
      name: `Thủ tục hành chính mẫu số ${i + 1} (dữ liệu tổng hợp)`,
      field: SYNTHETIC_FIELDS[i % SYNTHETIC_FIELDS.length],
      level: SYNTHETIC_LEVELS[i % SYNTHETIC_LEVELS.length],
      onlineMode: modeOf.get(code)!,
      paperIntake: paperless.has(code) ? 'DISABLED' : 'ACCEPTED',
      effectiveFrom: '2023-06-01',
      decisionRef: decision('1000'),
    },
  }));
  const reclassify = (list: string[], onlineMode: OnlineMode, effectiveFrom: string, ref: string): ProcedureCommand[] =>
    list.map((code) => ({
      type: 'ReclassifyProcedure',
      data: { ...key(code), onlineMode, effectiveFrom, decisionRef: decision(ref), reason: 'Nâng cấp dịch vụ công trực tuyến' },
    }));

  const infoToPartialJuly = info.slice(0, 100);
  const partialToFull = partial.slice(131, 131 + 59); // still taking paper
  const infoToPartialSeptember = info.slice(100, 197);
  const withdrawn = info.slice(197, 200);
  const paperlessOctober = full.slice(600, 640);
  commands.push(
    ...reclassify(infoToPartialJuly, 'PARTIAL', '2023-07-15', '1500'),
    ...reclassify(partialToFull, 'FULL_PROCESS', '2023-08-20', '1900'),
    ...reclassify(infoToPartialSeptember, 'PARTIAL', '2023-09-10', '2100'),
    ...withdrawn.map((code): ProcedureCommand => ({
      type: 'WithdrawProcedure',
      data: { ...key(code), effectiveFrom: '2023-09-10', decisionRef: decision('2100'), reason: 'Thủ tục bị bãi bỏ' },
    })),
    ...paperlessOctober.map((code): ProcedureCommand => ({
      type: 'DisablePaperIntake',
      data: { ...key(code), effectiveFrom: '2023-10-16', decisionRef: decision('2400'), reason: 'Đủ điều kiện không nhận hồ sơ giấy' },
    })),
  );
  return commands;
}
