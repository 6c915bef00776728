import { SHIPPED_MERGER_LINEAGE, type LineageLookup } from '@tthc/domain';

/** Where the authority scope reads which unit succeeded which (the LINEAGE_SOURCE provider). */
export interface LineageSource {
  /** The lineage as the ledger knows it now; read once per scoped request. */
  lookup(): Promise<LineageLookup>;
}

export const LINEAGE_SOURCE = Symbol('LINEAGE_SOURCE');

/** The 2025 merger as shipped in data/provinces-2025-merger.csv. */
export const SHIPPED_LINEAGE_SOURCE: LineageSource = { lookup: async () => SHIPPED_MERGER_LINEAGE };
