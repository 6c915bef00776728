import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { allAuthorities, findAuthority, InvalidCommand, UnknownAuthority, vietnamDate, type FieldError } from '@tthc/domain';
import { READ_MODEL_READER } from '../read-models.tokens.js';
import { ReadModelReader, type ProcedureListItem, type TransitionCounts } from './read-model.reader.js';
import { toSummary, ZERO_COUNTS, type AuthoritySummary, type SummaryCounts } from './summary.js';

export interface Movement {
  authorityCode: string;
  position: number;
  asOfPosition?: number;
  from: AuthoritySummary;
  to: AuthoritySummary;
  delta: SummaryCounts;
  transitions: TransitionCounts;
}

export interface NationalSummary {
  at: string;
  knownAt: string | null;
  position: number;
  asOfPosition?: number;
  authorities: AuthoritySummary[];
  totals: Omit<AuthoritySummary, 'authorityCode' | 'authorityName'> & { authorityCode: null; authorityName: 'Toàn quốc' };
}

export interface ProcedurePage {
  authorityCode: string;
  at: string;
  knownAt: string | null;
  position: number;
  asOfPosition?: number;
  page: number;
  pageSize: number;
  total: number;
  items: ProcedureListItem[];
}

// `asOfPosition` (every query below): the answer as the log stood at that global position, so that an
// earlier answer (which stated its `position`) can be regenerated exactly. Not with `knownAt`.
export class GetAuthoritySummaryQuery extends Query<AuthoritySummary> {
  constructor(readonly authorityCode: string, readonly at?: string, readonly knownAt?: string, readonly asOfPosition?: number) {
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
  ) {
    super();
  }
}
export class GetNationalSummaryQuery extends Query<NationalSummary> {
  constructor(readonly at?: string, readonly knownAt?: string, readonly asOfPosition?: number) {
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
function recordAxis(knownAt: string | undefined, asOfPosition: number | undefined): { knownAt: string | null; asOfPosition?: number } {
  validateAsOfPosition(knownAt, asOfPosition);
  return asOfPosition === undefined ? { knownAt: knownAt ?? new Date().toISOString() } : { knownAt: null, asOfPosition };
}

function authorityName(code: string): string {
  const authority = findAuthority(code);
  if (!authority) throw new UnknownAuthority(code);
  return authority.nameVi;
}

@QueryHandler(GetAuthoritySummaryQuery)
export class GetAuthoritySummaryHandler implements IQueryHandler<GetAuthoritySummaryQuery, AuthoritySummary> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, at = today(), knownAt, asOfPosition }: GetAuthoritySummaryQuery): Promise<AuthoritySummary> {
    const name = authorityName(authorityCode);
    const axis = recordAxis(knownAt, asOfPosition);
    const { counts, position } = await this.reader.counts([authorityCode], { at, knownAt, asOfPosition });
    return toSummary(counts.get(authorityCode) ?? ZERO_COUNTS, { authorityCode, authorityName: name, at, ...axis, position });
  }
}

@QueryHandler(GetMovementQuery)
export class GetMovementHandler implements IQueryHandler<GetMovementQuery, Movement> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, from, to, knownAt, asOfPosition }: GetMovementQuery): Promise<Movement> {
    const name = authorityName(authorityCode);
    const axis = recordAxis(knownAt, asOfPosition);
    const [start, end, transitions] = await Promise.all([
      this.reader.counts([authorityCode], { at: from, knownAt, asOfPosition }),
      this.reader.counts([authorityCode], { at: to, knownAt, asOfPosition }),
      this.reader.transitions(authorityCode, from, to, knownAt, asOfPosition),
    ]);
    const a = start.counts.get(authorityCode) ?? ZERO_COUNTS;
    const b = end.counts.get(authorityCode) ?? ZERO_COUNTS;
    const meta = { authorityCode, authorityName: name, ...axis };
    return {
      authorityCode,
      // The three reads may straddle a batch; the lowest position is the one all of them reflect
      // (with asOfPosition, all three reflect exactly it).
      position: Math.min(start.position, end.position),
      ...(asOfPosition !== undefined && { asOfPosition }),
      from: toSummary(a, { ...meta, at: from, position: start.position }),
      to: toSummary(b, { ...meta, at: to, position: end.position }),
      delta: {
        total: b.total - a.total,
        fullProcess: b.fullProcess - a.fullProcess,
        partial: b.partial - a.partial,
        informationOnly: b.informationOnly - a.informationOnly,
        paperIntakeDisabled: b.paperIntakeDisabled - a.paperIntakeDisabled,
      },
      transitions,
    };
  }
}

@QueryHandler(GetNationalSummaryQuery)
export class GetNationalSummaryHandler implements IQueryHandler<GetNationalSummaryQuery, NationalSummary> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ at = today(), knownAt, asOfPosition }: GetNationalSummaryQuery): Promise<NationalSummary> {
    const authorities = allAuthorities();
    const axis = recordAxis(knownAt, asOfPosition);
    const { counts, position } = await this.reader.counts(authorities.map((a) => a.code), { at, knownAt, asOfPosition });
    const totals: SummaryCounts = { ...ZERO_COUNTS };
    const summaries = authorities.map((a) => {
      const c = counts.get(a.code) ?? ZERO_COUNTS;
      for (const k of Object.keys(totals) as (keyof SummaryCounts)[]) totals[k] += c[k];
      return toSummary(c, { authorityCode: a.code, authorityName: a.nameVi, at, ...axis, position });
    });
    return {
      at,
      ...axis,
      position,
      authorities: summaries,
      totals: {
        ...toSummary(totals, { authorityCode: '', authorityName: '', at, ...axis, position }),
        authorityCode: null,
        authorityName: 'Toàn quốc',
      },
    };
  }
}

@QueryHandler(ListProceduresQuery)
export class ListProceduresHandler implements IQueryHandler<ListProceduresQuery, ProcedurePage> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, options }: ListProceduresQuery): Promise<ProcedurePage> {
    authorityName(authorityCode);
    const at = options.at ?? today();
    const page = options.page ?? 1;
    const pageSize = options.pageSize ?? 50;
    const axis = recordAxis(options.knownAt, options.asOfPosition);
    const result = await this.reader.procedures(authorityCode, { at, knownAt: options.knownAt, asOfPosition: options.asOfPosition }, {
      onlineMode: options.onlineMode,
      paperIntake: options.paperIntake,
      page,
      pageSize,
    });
    return { authorityCode, at, ...axis, page, pageSize, ...result };
  }
}

export const READ_MODEL_QUERY_HANDLERS = [
  GetAuthoritySummaryHandler,
  GetMovementHandler,
  GetNationalSummaryHandler,
  ListProceduresHandler,
];
