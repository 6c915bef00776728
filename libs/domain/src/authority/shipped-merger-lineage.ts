import { AUTHORITIES_2023 } from './authorities.data.js';
import type { LineageLookup, UnitSuccession } from './authority-scope.js';

/** Resolution 202/2025/QH15: the 34 units operate from this date (data/provinces-2025-merger.csv, effective_date). */
export const MERGER_2025_DATE = '2025-07-01';

const successions = new Map<string, UnitSuccession>(
  AUTHORITIES_2023.filter((a) => a.mergedInto !== a.code).map((a) => [a.code, { dissolvedOn: MERGER_2025_DATE, successorCode: a.mergedInto }]),
);

/**
 * The lineage of the shipped data (data/provinces-2025-merger.csv): each 2023 unit whose `new_code` is
 * another's dissolved into it on 2025-07-01; the host units continue. A fixed lookup for the scope rule
 * until the authorities' lineage is event-sourced (issue 12).
 */
export const SHIPPED_MERGER_LINEAGE: LineageLookup = {
  unit: (authorityCode) => successions.get(authorityCode),
};
