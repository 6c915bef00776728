/** Counts of one authority's procedures in force on a date. */
export interface SummaryCounts {
  total: number;
  fullProcess: number;
  partial: number;
  informationOnly: number;
  paperIntakeDisabled: number;
}

export interface Share {
  count: number;
  /** Percent of the procedures in force, rounded half-up to 2 decimals. */
  share: number;
}

/** Which boundaries an answer used, and how the unit's territory was served on the date. */
export interface BoundaryLabels {
  /** The set of units the answer is in: `2023` (63 units) or `2025` (34 units). */
  boundaries: '2023' | '2025';
  /** The units whose catalogues were summed (a 2025 unit before the merger). */
  composedOf?: string[];
  /** The unit whose catalogue serves the territory (a 2023 unit after the merger). */
  servedBy?: string;
  /** The day the unit ceased to exist, when it had by the date. */
  dissolvedOn?: string;
}

export interface AuthoritySummary extends Partial<BoundaryLabels> {
  authorityCode: string;
  authorityName: string;
  at: string;
  /** As recorded at this instant (now when not asked); null for an answer as of a log position. */
  knownAt: string | null;
  /** Global log position the answer reflects: the read models' checkpoint, or `asOfPosition` when asked. */
  position: number;
  /** Present when the answer was asked for as the log stood at this position. */
  asOfPosition?: number;
  total: number;
  online: Share;
  fullProcess: Share;
  partial: Share;
  informationOnly: Share;
  paperIntakeDisabled: Share;
}

export const ZERO_COUNTS: SummaryCounts = { total: 0, fullProcess: 0, partial: 0, informationOnly: 0, paperIntakeDisabled: 0 };

/** Half-up rounding to 2 decimals in integer arithmetic: 697 of 1,893 → 36.82, never a float artefact. */
export function shareOf(count: number, total: number): number {
  if (total <= 0) return 0;
  return Math.floor((2 * count * 10_000 + total) / (2 * total)) / 100;
}

export function toSummary(
  counts: SummaryCounts,
  meta: { authorityCode: string; authorityName: string; at: string; knownAt: string | null; position: number; asOfPosition?: number } & Partial<BoundaryLabels>,
): AuthoritySummary {
  const share = (count: number): Share => ({ count, share: shareOf(count, counts.total) });
  return {
    ...meta,
    total: counts.total,
    online: share(counts.fullProcess + counts.partial),
    fullProcess: share(counts.fullProcess),
    partial: share(counts.partial),
    informationOnly: share(counts.informationOnly),
    paperIntakeDisabled: share(counts.paperIntakeDisabled),
  };
}

/** The sum of several catalogues' counts (a unit composed of several, or a national total). */
export function sumCounts(list: readonly SummaryCounts[]): SummaryCounts {
  const total: SummaryCounts = { ...ZERO_COUNTS };
  for (const c of list) for (const k of Object.keys(total) as (keyof SummaryCounts)[]) total[k] += c[k];
  return total;
}

/** A page of a list answer, with the record axis and log position it reflects (as every answer states them). */
export interface AnswerPage<T> {
  knownAt: string | null;
  position: number;
  asOfPosition?: number;
  page: number;
  pageSize: number;
  /** Entries matching, on every page. */
  total: number;
  items: T[];
}
