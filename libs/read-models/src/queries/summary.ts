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

export interface AuthoritySummary {
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
  meta: { authorityCode: string; authorityName: string; at: string; knownAt: string | null; position: number; asOfPosition?: number },
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
