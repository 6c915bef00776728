import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  BOUNDARY_SETS,
  boundariesInForce,
  InvalidCommand,
  vietnamDate,
  type Boundaries,
  type FieldError,
  type Lineage,
  type LineageStep,
  type UnitOnDate,
} from '@tthc/domain';
import { READ_MODEL_READER } from '../read-models.tokens.js';
import { ReadModelReader, TRANSITION_KINDS, type ProcedureListItem, type TransitionCounts } from './read-model.reader.js';
import { sumCounts, toSummary, ZERO_COUNTS, type AnswerPage, type AuthoritySummary, type BoundaryLabels, type SummaryCounts } from './summary.js';

export interface Movement {
  authorityCode: string;
  boundaries: Boundaries;
  position: number;
  asOfPosition?: number;
  from: AuthoritySummary;
  to: AuthoritySummary;
  delta: SummaryCounts;
  /** Every catalogue's transitions in its part of the period, summed (no catalogue counted twice). */
  transitions: TransitionCounts;
  /** The same, per catalogue: the part of `(from, to]` in which it served the unit's territory. */
  transitionsByAuthority: { authorityCode: string; from: string; to: string; transitions: TransitionCounts }[];
  /** The mergers that touched the territory in `(from, to]`. */
  lineage: LineageStep[];
}

/** A row of the national table or of the authority list: a summary with the unit's lineage. */
export interface AuthorityRow extends AuthoritySummary {
  lineage: UnitLineage;
}

/** Where a unit comes from and goes to: the dates of its version in the boundary set, and its successor. */
export interface UnitLineage {
  kind: string;
  nameEn: string | null;
  region: string | null;
  establishedFrom: string;
  /** The version of the unit in the boundary set: in force on [validFrom, validTo). */
  validFrom: string;
  validTo: string | null;
  /** Base territories (2023 codes) it covers in the boundary set. */
  territory: string[];
  /** Units that merged into it (on validFrom). */
  predecessors: string[];
  successorCode: string | null;
  dissolvedOn: string | null;
}

export interface NationalSummary {
  at: string;
  boundaries: Boundaries;
  knownAt: string | null;
  position: number;
  asOfPosition?: number;
  authorities: AuthorityRow[];
  /** Every catalogue in force on `at` counted once (a catalogue serving several rows is not added twice). */
  totals: Omit<AuthoritySummary, 'authorityCode' | 'authorityName'> & { authorityCode: null; authorityName: 'Toàn quốc' };
}

export interface ProcedurePage extends AnswerPage<ProcedureListItem> {
  authorityCode: string;
  boundaries: Boundaries;
  composedOf?: string[];
  servedBy?: string;
  dissolvedOn?: string;
  at: string;
}

// `asOfPosition` (every query below): the answer as the log stood at that global position, so that an
// earlier answer (which stated its `position`) can be regenerated exactly. Not with `knownAt`.
// `boundaries`: the set of units to answer in (default: the set in force on `at`, or on `to`).
export class GetAuthoritySummaryQuery extends Query<AuthoritySummary> {
  constructor(
    readonly authorityCode: string,
    readonly at?: string,
    readonly knownAt?: string,
    readonly asOfPosition?: number,
    readonly boundaries?: Boundaries,
  ) {
    super();
  }
}
export class GetMovementQuery extends Query<Movement> {
  constructor(
    readonly authorityCode: string,
    readonly from: string,
    readonly to: string,
    readonly knownAt?: string,
    readonly asOfPosition?: number,
    readonly boundaries?: Boundaries,
  ) {
    super();
  }
}
export class GetNationalSummaryQuery extends Query<NationalSummary> {
  constructor(
    readonly at?: string,
    readonly knownAt?: string,
    readonly asOfPosition?: number,
    readonly boundaries?: Boundaries,
  ) {
    super();
  }
}
export class ListProceduresQuery extends Query<ProcedurePage> {
  constructor(
    readonly authorityCode: string,
    readonly options: {
      at?: string;
      knownAt?: string;
      asOfPosition?: number;
      boundaries?: Boundaries;
      onlineMode?: string;
      paperIntake?: string;
      page?: number;
      pageSize?: number;
    },
  ) {
    super();
  }
}

const today = () => vietnamDate(new Date());

/** Refuses an `asOfPosition` that is not a log position, or that comes with `knownAt`. */
export function validateAsOfPosition(knownAt: string | undefined, asOfPosition: number | undefined): void {
  if (asOfPosition === undefined) return;
  const errors: FieldError[] = [];
  if (!Number.isSafeInteger(asOfPosition) || asOfPosition < 0) {
    errors.push({ field: 'asOfPosition', message: 'must be a non-negative integer' });
  } else if (knownAt !== undefined) {
    errors.push({ field: 'asOfPosition', message: 'cannot be combined with knownAt: a log position already fixes what was known' });
  }
  if (errors.length > 0) throw new InvalidCommand(errors);
}

/** `knownAt` and `asOfPosition` of an answer: the instant asked for (or now), or the position asked for. */
export function recordAxis(knownAt: string | undefined, asOfPosition: number | undefined): { knownAt: string | null; asOfPosition?: number } {
  validateAsOfPosition(knownAt, asOfPosition);
  return asOfPosition === undefined ? { knownAt: knownAt ?? new Date().toISOString() } : { knownAt: null, asOfPosition };
}

/** The labels of a unit on a date, as answers carry them. */
function labels(view: UnitOnDate): BoundaryLabels {
  return {
    boundaries: view.boundaries,
    ...(view.composedOf !== undefined && { composedOf: view.composedOf }),
    ...(view.servedBy !== undefined && { servedBy: view.servedBy }),
    ...(view.dissolvedOn !== undefined && { dissolvedOn: view.dissolvedOn }),
  };
}

const sumOf = (counts: Map<string, SummaryCounts>, codes: readonly string[]) => sumCounts(codes.map((c) => counts.get(c) ?? ZERO_COUNTS));

function unitLineage(lineage: Lineage, code: string, boundaries: Boundaries): UnitLineage {
  const unit = lineage.unit(code)!;
  const v = lineage.versionOn(code, BOUNDARY_SETS[boundaries])!;
  return {
    kind: v.kind,
    nameEn: v.nameEn ?? null,
    region: unit.region ?? null,
    establishedFrom: unit.establishedFrom,
    validFrom: v.validFrom,
    validTo: v.validTo,
    territory: v.territory,
    predecessors: v.absorbed,
    successorCode: unit.successorCode ?? null,
    dissolvedOn: unit.dissolvedOn ?? null,
  };
}

@QueryHandler(GetAuthoritySummaryQuery)
export class GetAuthoritySummaryHandler implements IQueryHandler<GetAuthoritySummaryQuery, AuthoritySummary> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, at = today(), knownAt, asOfPosition, boundaries }: GetAuthoritySummaryQuery): Promise<AuthoritySummary> {
    const axis = recordAxis(knownAt, asOfPosition);
    return this.reader.withLineage(async (lineage) => {
      const view = lineage.on(authorityCode, lineage.boundariesFor(authorityCode, at, boundaries), at);
      const { counts, position, lineagePosition } = await this.reader.counts(view.catalogues, { at, knownAt, asOfPosition });
      const result = toSummary(sumOf(counts, view.catalogues), { authorityCode, authorityName: view.authorityName, ...labels(view), at, ...axis, position });
      return { result, lineagePosition };
    });
  }
}

@QueryHandler(GetMovementQuery)
export class GetMovementHandler implements IQueryHandler<GetMovementQuery, Movement> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, from, to, knownAt, asOfPosition, boundaries }: GetMovementQuery): Promise<Movement> {
    const axis = recordAxis(knownAt, asOfPosition);
    return this.reader.withLineage(async (lineage) => {
      const set = lineage.boundariesFor(authorityCode, to, boundaries);
      const [a, b] = [lineage.on(authorityCode, set, from), lineage.on(authorityCode, set, to)];
      const windows = lineage.windows(a.territory, from, to);
      const [start, end, ...perCatalogue] = await Promise.all([
        this.reader.counts(a.catalogues, { at: from, knownAt, asOfPosition }),
        this.reader.counts(b.catalogues, { at: to, knownAt, asOfPosition }),
        ...windows.map((w) => this.reader.transitions(w.authorityCode, w.from, w.to, knownAt, asOfPosition)),
      ]);
      const before = sumOf(start.counts, a.catalogues);
      const after = sumOf(end.counts, b.catalogues);
      const transitions = Object.fromEntries(Object.values(TRANSITION_KINDS).map((k) => [k, 0])) as TransitionCounts;
      for (const t of perCatalogue) for (const k of Object.keys(transitions) as (keyof TransitionCounts)[]) transitions[k] += t[k];
      const result: Movement = {
        authorityCode,
        boundaries: set,
        // The reads may straddle a batch; the lowest position is the one all of them reflect
        // (with asOfPosition, all of them reflect exactly it).
        position: Math.min(start.position, end.position),
        ...(asOfPosition !== undefined && { asOfPosition }),
        from: toSummary(before, { authorityCode, authorityName: a.authorityName, ...labels(a), at: from, ...axis, position: start.position }),
        to: toSummary(after, { authorityCode, authorityName: b.authorityName, ...labels(b), at: to, ...axis, position: end.position }),
        delta: {
          total: after.total - before.total,
          fullProcess: after.fullProcess - before.fullProcess,
          partial: after.partial - before.partial,
          informationOnly: after.informationOnly - before.informationOnly,
          paperIntakeDisabled: after.paperIntakeDisabled - before.paperIntakeDisabled,
        },
        transitions,
        transitionsByAuthority: windows.map((w, i) => ({ ...w, transitions: perCatalogue[i] })),
        lineage: lineage.steps(a.territory, from, to),
      };
      // Both counts saw the lineage's stamp: the lineage is confirmed only when they agree.
      return { result, lineagePosition: start.lineagePosition === end.lineagePosition ? start.lineagePosition : undefined };
    });
  }
}

@QueryHandler(GetNationalSummaryQuery)
export class GetNationalSummaryHandler implements IQueryHandler<GetNationalSummaryQuery, NationalSummary> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ at = today(), knownAt, asOfPosition, boundaries = boundariesInForce(at) }: GetNationalSummaryQuery): Promise<NationalSummary> {
    const axis = recordAxis(knownAt, asOfPosition);
    return this.reader.withLineage(async (lineage) => {
      const catalogues = lineage.nationalCatalogues(boundaries, at);
      const { counts, position, lineagePosition } = await this.reader.counts(catalogues, { at, knownAt, asOfPosition });
      const rows = lineage.members(boundaries).map((code): AuthorityRow => {
        const view = lineage.on(code, boundaries, at);
        const summary = toSummary(sumOf(counts, view.catalogues), { authorityCode: code, authorityName: view.authorityName, ...labels(view), at, ...axis, position });
        return { ...summary, lineage: unitLineage(lineage, code, boundaries) };
      });
      const result: NationalSummary = {
        at,
        boundaries,
        ...axis,
        position,
        authorities: rows,
        totals: {
          ...toSummary(sumOf(counts, catalogues), { authorityCode: '', authorityName: '', at, ...axis, position }),
          authorityCode: null,
          authorityName: 'Toàn quốc',
        },
      };
      return { result, lineagePosition };
    });
  }
}

@QueryHandler(ListProceduresQuery)
export class ListProceduresHandler implements IQueryHandler<ListProceduresQuery, ProcedurePage> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, options }: ListProceduresQuery): Promise<ProcedurePage> {
    const at = options.at ?? today();
    const page = options.page ?? 1;
    const pageSize = options.pageSize ?? 50;
    const axis = recordAxis(options.knownAt, options.asOfPosition);
    return this.reader.withLineage(async (lineage) => {
      const view = lineage.on(authorityCode, lineage.boundariesFor(authorityCode, at, options.boundaries), at);
      const { lineagePosition, ...found } = await this.reader.procedures(view.catalogues, { at, knownAt: options.knownAt, asOfPosition: options.asOfPosition }, {
        onlineMode: options.onlineMode,
        paperIntake: options.paperIntake,
        page,
        pageSize,
      });
      return { result: { authorityCode, ...labels(view), at, ...axis, page, pageSize, ...found }, lineagePosition };
    });
  }
}
export const READ_MODEL_QUERY_HANDLERS = [
  GetAuthoritySummaryHandler,
  GetMovementHandler,
  GetNationalSummaryHandler,
  ListProceduresHandler,
];
