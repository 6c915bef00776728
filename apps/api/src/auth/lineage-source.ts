import { loadAuthority } from '@tthc/application';
import { MAX_SUCCESSION_CHAIN, type LineageLookup, type UnitSuccession } from '@tthc/domain';
import type { EventStore } from '@tthc/event-store';

/** Where the authority scope reads which unit succeeded which (the LINEAGE_SOURCE provider). */
export interface LineageSource {
  /** A unit's dissolution and successor as the ledger knows them now; undefined for a unit never dissolved or unknown. */
  unit(authorityCode: string): Promise<UnitSuccession | undefined>;
}

export const LINEAGE_SOURCE = Symbol('LINEAGE_SOURCE');

/**
 * The lineage as the units' own streams record it (`authority-79`; issue 12): a unit's dissolution
 * and successor, read from its stream at each request (a few events), so a reorganisation recorded
 * through the API takes effect on the next command.
 */
export function eventSourcedLineage(store: EventStore): LineageSource {
  return {
    unit: async (code) => {
      const unit = await loadAuthority(store, code);
      return unit.status === 'dissolved' ? { dissolvedOn: unit.dissolvedOn!, successorCode: unit.successorCode! } : undefined;
    },
  };
}

/**
 * The part of the lineage the scope rule needs to judge `authorityCode` for `units`: each unit of the
 * scope, and the chain of successors of the authority. A few reads, made once per request.
 */
export async function lineageFor(source: LineageSource, units: readonly string[], authorityCode: string): Promise<LineageLookup> {
  const known = new Map<string, UnitSuccession | undefined>();
  const load = async (code: string) => {
    if (!known.has(code)) known.set(code, await source.unit(code));
    return known.get(code);
  };
  await Promise.all(units.map(load));
  let code: string | undefined = authorityCode;
  for (let step = 0; code !== undefined && step < MAX_SUCCESSION_CHAIN; step += 1) code = (await load(code))?.successorCode;
  return { unit: (c) => known.get(c) };
}
