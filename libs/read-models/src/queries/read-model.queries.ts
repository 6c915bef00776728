import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { allAuthorities, findAuthority, UnknownAuthority, vietnamDate } from '@tthc/domain';
import { READ_MODEL_READER } from '../read-models.tokens.js';
import { ReadModelReader, type ProcedureListItem, type TransitionCounts } from './read-model.reader.js';
import { toSummary, ZERO_COUNTS, type AuthoritySummary, type SummaryCounts } from './summary.js';

export interface Movement {
  authorityCode: string;
  position: number;
  from: AuthoritySummary;
  to: AuthoritySummary;
  delta: SummaryCounts;
  transitions: TransitionCounts;
}

export interface NationalSummary {
  at: string;
  knownAt: string;
  position: number;
  authorities: AuthoritySummary[];
  totals: Omit<AuthoritySummary, 'authorityCode' | 'authorityName'> & { authorityCode: null; authorityName: 'Toàn quốc' };
}

export interface ProcedurePage {
  authorityCode: string;
  at: string;
  knownAt: string;
  position: number;
  page: number;
  pageSize: number;
  total: number;
  items: ProcedureListItem[];
}

export class GetAuthoritySummaryQuery extends Query<AuthoritySummary> {
  constructor(readonly authorityCode: string, readonly at?: string, readonly knownAt?: string) {
    super();
  }
}
export class GetMovementQuery extends Query<Movement> {
  constructor(readonly authorityCode: string, readonly from: string, readonly to: string, readonly knownAt?: string) {
    super();
  }
}
export class GetNationalSummaryQuery extends Query<NationalSummary> {
  constructor(readonly at?: string, readonly knownAt?: string) {
    super();
  }
}
export class ListProceduresQuery extends Query<ProcedurePage> {
  constructor(
    readonly authorityCode: string,
    readonly options: { at?: string; knownAt?: string; onlineMode?: string; paperIntake?: string; page?: number; pageSize?: number },
  ) {
    super();
  }
}

const today = () => vietnamDate(new Date());

function authorityName(code: string): string {
  const authority = findAuthority(code);
  if (!authority) throw new UnknownAuthority(code);
  return authority.nameVi;
}

@QueryHandler(GetAuthoritySummaryQuery)
export class GetAuthoritySummaryHandler implements IQueryHandler<GetAuthoritySummaryQuery, AuthoritySummary> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, at = today(), knownAt }: GetAuthoritySummaryQuery): Promise<AuthoritySummary> {
    const name = authorityName(authorityCode);
    const { counts, position } = await this.reader.counts([authorityCode], { at, knownAt });
    return toSummary(counts.get(authorityCode) ?? ZERO_COUNTS, {
      authorityCode,
      authorityName: name,
      at,
      knownAt: knownAt ?? new Date().toISOString(),
      position,
    });
  }
}

@QueryHandler(GetMovementQuery)
export class GetMovementHandler implements IQueryHandler<GetMovementQuery, Movement> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}
  async execute({ authorityCode, from, to, knownAt }: GetMovementQuery): Promise<Movement> {
    const name = authorityName(authorityCode);
    const known = knownAt ?? new Date().toISOString();
    const [start, end, transitions] = await Promise.all([
      this.reader.counts([authorityCode], { at: from, knownAt }),
      this.reader.counts([authorityCode], { at: to, knownAt }),
      this.reader.transitions(authorityCode, from, to, knownAt),
    ]);
    const a = start.counts.get(authorityCode) ?? ZERO_COUNTS;
    const b = end.counts.get(authorityCode) ?? ZERO_COUNTS;
    const meta = { authorityCode, authorityName: name, knownAt: known };
    return {
      authorityCode,
      // The three reads may straddle a batch; the lowest position is the one all of them reflect.
      position: Math.min(start.position, end.position),
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
  async execute({ at = today(), knownAt }: GetNationalSummaryQuery): Promise<NationalSummary> {
    const authorities = allAuthorities();
    const { counts, position } = await this.reader.counts(authorities.map((a) => a.code), { at, knownAt });
    const known = knownAt ?? new Date().toISOString();
    const totals: SummaryCounts = { ...ZERO_COUNTS };
    const summaries = authorities.map((a) => {
      const c = counts.get(a.code) ?? ZERO_COUNTS;
      for (const k of Object.keys(totals) as (keyof SummaryCounts)[]) totals[k] += c[k];
      return toSummary(c, { authorityCode: a.code, authorityName: a.nameVi, at, knownAt: known, position });
    });
    return {
      at,
      knownAt: known,
      position,
      authorities: summaries,
      totals: {
        ...toSummary(totals, { authorityCode: '', authorityName: '', at, knownAt: known, position }),
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
    const result = await this.reader.procedures(authorityCode, { at, knownAt: options.knownAt }, {
      onlineMode: options.onlineMode,
      paperIntake: options.paperIntake,
      page,
      pageSize,
    });
    return { authorityCode, at, knownAt: options.knownAt ?? new Date().toISOString(), page, pageSize, ...result };
  }
}

export const READ_MODEL_QUERY_HANDLERS = [
  GetAuthoritySummaryHandler,
  GetMovementHandler,
  GetNationalSummaryHandler,
  ListProceduresHandler,
];
