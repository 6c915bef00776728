import { dayBefore, type CalendarDate } from '../shared/calendar-date.js';
import { AuthorityNotInBoundaries, UnknownAuthority } from '../shared/errors.js';
import type { AuthorityVersion, EstablishedAuthority } from './authority.state.js';

/** Resolution 202/2025/QH15: the 34 units operate from this date (legal effect 2025-06-12). */
export const MERGER_2025_EFFECTIVE_DATE = '2025-07-01';

/**
 * The two sets of boundaries a query may answer in, each the units in force on a reference date:
 * 2023 — the 63 units as they stood the day before the merger; 2025 — the 34 units from it.
 */
export const BOUNDARY_SETS = { '2023': dayBefore(MERGER_2025_EFFECTIVE_DATE), '2025': MERGER_2025_EFFECTIVE_DATE } as const;
export type Boundaries = keyof typeof BOUNDARY_SETS;
export const BOUNDARIES = Object.keys(BOUNDARY_SETS) as Boundaries[];

/** The set in force on `date`: 2023 before 2025-07-01, 2025 from it. */
export function boundariesInForce(date: CalendarDate): Boundaries {
  return date < MERGER_2025_EFFECTIVE_DATE ? '2023' : '2025';
}

/** A unit as the lineage read model or a fold of its stream holds it. */
export type LineageUnit = Pick<
  EstablishedAuthority,
  'authorityCode' | 'region' | 'establishedFrom' | 'dissolvedOn' | 'successorCode' | 'dissolutionLegalBasis' | 'versions'
>;

/** How one unit of a boundary set is answered on a date. */
export interface UnitOnDate {
  authorityCode: string;
  /** Its name on the date, or on its boundary set's reference date when it did not exist then. */
  authorityName: string;
  boundaries: Boundaries;
  /** Base territories the unit covers in its boundary set. */
  territory: string[];
  /** The catalogues (authority codes) serving that territory on the date: their sum is the answer. */
  catalogues: string[];
  /** Present when the territory was governed by several units on the date (79 in 2025 boundaries before the merger). */
  composedOf?: string[];
  /** Present when another unit, or this unit over a larger territory, serves the territory on the date. */
  servedBy?: string;
  /** Present when the unit had ceased to exist by the date. */
  dissolvedOn?: CalendarDate;
}

/** One step of a territory's lineage: units dissolved into a successor (which may take a new name). */
export interface LineageStep {
  effectiveFrom: CalendarDate;
  successorCode: string;
  successorName: string;
  predecessors: string[];
  legalBasis: string | null;
}

/** A catalogue's share of a movement: its transitions count when effective in `(from, to]`. */
export interface CatalogueWindow {
  authorityCode: string;
  from: CalendarDate;
  to: CalendarDate;
}

const intersects = (a: readonly string[], b: readonly string[]) => a.some((x) => b.includes(x));

/** A unit in force on a date, with its version then. */
export interface UnitInForce {
  unit: LineageUnit;
  version: AuthorityVersion;
}

/** How many dates' inForce answers a Lineage keeps (then it starts again): a few days of queries at most. */
const REMEMBERED_DATES = 4_096;

/**
 * Answers "which catalogues serve this unit's territory on that date" over every unit's versions.
 * Pure and small (a hundred versions at most): built from the lineage read model, and kept by the
 * queries while it is current (ReadModelReader.withLineage). The rules (DOMAIN.md §4, issue 12):
 * - a 2025 unit before the merger is the sum of the units that governed its territory (`composedOf`);
 * - a 2023 unit after its dissolution is served by its successor's catalogue (`dissolvedOn`, `servedBy`);
 * - a catalogue is only ever counted once in a total (nationalCatalogues).
 */
export class Lineage {
  private readonly byCode: Map<string, LineageUnit>;
  /** The units in the order inForce answers in: by code. */
  private readonly byCodeOrder: readonly LineageUnit[];
  /** inForce's answers, by date: a lineage never changes, so neither do they (a kept one serves many queries). */
  private readonly inForceOn = new Map<CalendarDate, readonly UnitInForce[]>();

  constructor(readonly units: readonly LineageUnit[]) {
    this.byCode = new Map(units.map((u) => [u.authorityCode, u]));
    this.byCodeOrder = [...units].sort((a, b) => a.authorityCode.localeCompare(b.authorityCode));
  }

  unit(code: string): LineageUnit | undefined {
    return this.byCode.get(code);
  }

  versionOn(code: string, date: CalendarDate): AuthorityVersion | undefined {
    return this.byCode.get(code)?.versions.find((v) => v.validFrom <= date && (v.validTo === null || date < v.validTo));
  }

  /** Units in force on `date`, by code, with their version then (remembered per date: not to be changed). */
  inForce(date: CalendarDate): readonly UnitInForce[] {
    let found = this.inForceOn.get(date);
    if (found === undefined) {
      const out: UnitInForce[] = [];
      for (const unit of this.byCodeOrder) {
        const version = this.versionOn(unit.authorityCode, date);
        if (version) out.push({ unit, version });
      }
      found = Object.freeze(out);
      if (this.inForceOn.size >= REMEMBERED_DATES) this.inForceOn.clear();
      this.inForceOn.set(date, found);
    }
    return found;
  }

  /** The codes of a boundary set's units (63 in 2023, 34 in 2025 with the shipped data). */
  members(boundaries: Boundaries): string[] {
    return this.inForce(BOUNDARY_SETS[boundaries]).map((u) => u.unit.authorityCode);
  }

  /**
   * The boundary set to answer `code` in: `asked`, else the set in force on `date` if the unit is one
   * of it, else the set it belongs to (74 on 2026-11-30: 2023). Throws UnknownAuthority for a code no
   * unit ever had, AuthorityNotInBoundaries for a set asked for that the unit is not part of.
   */
  boundariesFor(code: string, date: CalendarDate, asked?: Boundaries): Boundaries {
    const unit = this.byCode.get(code);
    if (!unit) throw new UnknownAuthority(code);
    const isMember = (b: Boundaries) => this.versionOn(code, BOUNDARY_SETS[b]) !== undefined;
    if (asked !== undefined) {
      if (isMember(asked)) return asked;
      const detail = unit.dissolvedOn !== undefined && unit.dissolvedOn <= BOUNDARY_SETS[asked]
        ? `it was dissolved into ${unit.successorCode} on ${unit.dissolvedOn}`
        : `it was established on ${unit.establishedFrom}`;
      throw new AuthorityNotInBoundaries(code, asked, detail);
    }
    const preferred = boundariesInForce(date);
    return isMember(preferred) ? preferred : (BOUNDARIES.find(isMember) ?? preferred);
  }

  /** Base territories of the catalogues serving `territory` on `date`: the units in force whose territory meets it. */
  serving(territory: readonly string[], date: CalendarDate): string[] {
    return this.inForce(date)
      .filter((u) => intersects(u.version.territory, territory))
      .map((u) => u.unit.authorityCode);
  }

  /** How `code` of `boundaries` answers on `date` (boundaries must be one it belongs to: see boundariesFor). */
  on(code: string, boundaries: Boundaries, date: CalendarDate): UnitOnDate {
    const unit = this.byCode.get(code);
    const member = this.versionOn(code, BOUNDARY_SETS[boundaries]);
    if (!unit || !member) throw new UnknownAuthority(code);
    const own = this.versionOn(code, date);
    const catalogues = this.serving(member.territory, date);
    const view: UnitOnDate = {
      authorityCode: code,
      authorityName: (own ?? member).name,
      boundaries,
      territory: member.territory,
      catalogues,
    };
    // One catalogue over at least this territory: it serves it (servedBy, unless it is this very unit
    // over the same territory). Otherwise the territory was governed by several units: composedOf.
    const whole = catalogues.length === 1 ? this.versionOn(catalogues[0], date)! : undefined;
    if (whole && member.territory.every((t) => whole.territory.includes(t))) {
      if (catalogues[0] !== code || whole.territory.length > member.territory.length) view.servedBy = catalogues[0];
    } else if (catalogues.length > 0) {
      view.composedOf = catalogues;
    }
    if (unit.dissolvedOn !== undefined && unit.dissolvedOn <= date) view.dissolvedOn = unit.dissolvedOn;
    return view;
  }

  /** Every catalogue counted in a national table on `date`, each once: the units in force then. */
  nationalCatalogues(boundaries: Boundaries, date: CalendarDate): string[] {
    const territory = [...new Set(this.inForce(BOUNDARY_SETS[boundaries]).flatMap((u) => u.version.territory))];
    return this.serving(territory, date);
  }

  /** The mergers that touched `territory` with an effective date in `(from, to]`. */
  steps(territory: readonly string[], from: CalendarDate, to: CalendarDate): LineageStep[] {
    const steps: LineageStep[] = [];
    for (const unit of this.units) {
      for (const v of unit.versions) {
        if (v.absorbed.length > 0 && v.validFrom > from && v.validFrom <= to && intersects(v.territory, territory)) {
          steps.push({
            effectiveFrom: v.validFrom,
            successorCode: unit.authorityCode,
            successorName: v.name,
            predecessors: v.absorbed,
            legalBasis: v.legalBasis ?? null,
          });
        }
      }
    }
    return steps.sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom) || a.successorCode.localeCompare(b.successorCode));
  }

  /**
   * For a movement over `(from, to]`: each catalogue that served part of `territory` in that period,
   * and the part of the period in which it did. A dissolved unit's window ends on its dissolution
   * date inclusive, so that the events ending its procedures there are reported under it.
   */
  windows(territory: readonly string[], from: CalendarDate, to: CalendarDate): CatalogueWindow[] {
    const out: CatalogueWindow[] = [];
    for (const unit of this.units) {
      const versions = unit.versions.filter((v) => intersects(v.territory, territory));
      if (versions.length === 0) continue;
      const first = versions.map((v) => v.validFrom).sort()[0];
      const ends = versions.map((v) => v.validTo);
      const last = ends.includes(null) ? null : (ends as string[]).sort().at(-1)!;
      const start = first > from ? dayBefore(first) : from;
      const end = last === null || last > to ? to : last;
      if (start < end) out.push({ authorityCode: unit.authorityCode, from: start, to: end });
    }
    return out.sort((a, b) => a.authorityCode.localeCompare(b.authorityCode));
  }
}
