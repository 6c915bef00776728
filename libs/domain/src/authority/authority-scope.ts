import type { CalendarDate } from '../shared/calendar-date.js';

/**
 * The provincial-level units a principal may act for (issue 14): every unit (`*`, national staff), or
 * the units named by their 2-digit codes. It comes from the caller's verified token.
 */
export type AuthorityScope = { readonly national: true } | { readonly national: false; readonly units: readonly string[] };

export const NATIONAL_SCOPE: AuthorityScope = { national: true };
/** What a scope entry may be: a 2-digit code, or `*` alone. Anything else widens nothing. */
export const SCOPE_ENTRY = /^(?:[0-9]{2}|\*)$/;

/** The scope named by `entries` (codes or `*`); entries that are not exactly one of those are dropped. */
export function authorityScope(entries: readonly unknown[]): AuthorityScope {
  const valid = entries.filter((e): e is string => typeof e === 'string' && SCOPE_ENTRY.test(e));
  if (valid.includes('*')) return NATIONAL_SCOPE;
  return { national: false, units: [...new Set(valid)].sort() };
}

/** `*`, or the codes joined by commas: how a scope is named in a problem and a log line. */
export function describeScope(scope: AuthorityScope): string {
  return scope.national ? '*' : scope.units.length === 0 ? 'none' : scope.units.join(',');
}

/** What the scope rule needs to know of a unit's lineage: whether, when and into which unit it dissolved. */
export interface UnitSuccession {
  /** First day on which the unit no longer exists. */
  readonly dissolvedOn?: CalendarDate;
  /** The unit its territory, catalogue and pending business passed to on `dissolvedOn`. */
  readonly successorCode?: string;
}

/** Which unit succeeded which: the lineage read model, or the shipped merger data (see shipped-merger-lineage.ts). */
export interface LineageLookup {
  unit(authorityCode: string): UnitSuccession | undefined;
}

/**
 * How far a scope covers one authority's commands:
 * - `all`: whatever the command's effective date;
 * - `before`: only commands effective before `date` (the unit's own dissolution);
 * - `none`: no command at all.
 * `why` says it in a sentence, for the 403 and the audit log.
 */
export type ScopeCoverage =
  | { readonly covers: 'all'; readonly why: string }
  | { readonly covers: 'before'; readonly date: CalendarDate; readonly why: string }
  | { readonly covers: 'none'; readonly why: string };

/**
 * How far `scope` covers commands on `authorityCode`, for a token issued on `issuedOn` (a Vietnamese
 * calendar date: the token's `iat`, or the request's date without one). The rule (issue 14, "the
 * scope follows lineage"; DOMAIN.md §4 for the lineage itself):
 * 1. National scope covers every authority.
 * 2. A unit covers itself until it dissolves: commands effective before its `dissolvedOn`, and none at
 *    all with a token issued on or after that day (its staff then act as the successor's).
 * 3. A successor covers every unit dissolved into it, directly or through a chain of successors, for
 *    commands of any effective date — late decisions of the dissolved unit, effective before the
 *    merger, are recorded by the successor's staff (the domain still refuses a dissolved unit's
 *    commands effective after its dissolution, naming the successor) — but only with a token issued
 *    once the succession took effect: the last link of the chain is dated on or before `issuedOn`.
 * A scope of several units covers what any one of them covers.
 */
export function scopeCoverage(scope: AuthorityScope, authorityCode: string, issuedOn: CalendarDate, lineage: LineageLookup): ScopeCoverage {
  if (scope.national) return { covers: 'all', why: 'national scope (*)' };
  const coverages = scope.units.map((unit) => unitCoverage(unit, authorityCode, issuedOn, lineage));
  const all = coverages.find((c) => c.covers === 'all');
  if (all) return all;
  const before = coverages.filter((c) => c.covers === 'before').sort((a, b) => b.date.localeCompare(a.date))[0];
  if (before) return before;
  const reasons = coverages.filter((c) => c.covers === 'none' && c.why !== '').map((c) => c.why);
  return {
    covers: 'none',
    why: reasons.length > 0 ? reasons.join('; ') : `authority ${authorityCode} is outside the token's scope (${describeScope(scope)})`,
  };
}

/** Longest chain of successions followed (a corrupt lineage with a cycle must not loop); the shipped data has chains of one link. */
export const MAX_SUCCESSION_CHAIN = 16;

function unitCoverage(unit: string, authorityCode: string, issuedOn: CalendarDate, lineage: LineageLookup): ScopeCoverage {
  const own = lineage.unit(unit);
  if (own?.dissolvedOn !== undefined && own.dissolvedOn <= issuedOn) {
    // Rule 2: a token issued for a unit that no longer existed names nobody who may act.
    return {
      covers: 'none',
      why: `${unit} was dissolved into ${own.successorCode ?? 'its successor'} on ${own.dissolvedOn}, before the token was issued (${issuedOn})`,
    };
  }
  if (unit === authorityCode) {
    if (own?.dissolvedOn !== undefined) {
      return { covers: 'before', date: own.dissolvedOn, why: `${unit} acts for itself only before its dissolution on ${own.dissolvedOn}` };
    }
    return { covers: 'all', why: `scoped to ${unit}` };
  }
  // Rule 3: walk authorityCode's successors; the succession must have taken effect by issuedOn.
  let code = authorityCode;
  for (let step = 0; step < MAX_SUCCESSION_CHAIN; step += 1) {
    const link = lineage.unit(code);
    if (link?.successorCode === undefined || link.dissolvedOn === undefined) break;
    if (link.successorCode === unit) {
      return link.dissolvedOn <= issuedOn
        ? { covers: 'all', why: `${authorityCode} passed to ${unit} on ${link.dissolvedOn}` }
        : { covers: 'none', why: `${authorityCode} passes to ${unit} only on ${link.dissolvedOn}, after the token was issued (${issuedOn})` };
    }
    code = link.successorCode;
  }
  return { covers: 'none', why: '' };
}

/** True when `coverage` admits a command effective on `effectiveFrom`. */
export function coversDate(coverage: ScopeCoverage, effectiveFrom: CalendarDate): boolean {
  return coverage.covers === 'all' || (coverage.covers === 'before' && effectiveFrom < coverage.date);
}
