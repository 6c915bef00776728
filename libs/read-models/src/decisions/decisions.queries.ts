import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InvalidCommand, UnknownAuthority } from '@tthc/domain';
import { validateAsOfPosition } from '../queries/read-model.queries.js';
import { ReadModelReader } from '../queries/read-model.reader.js';
import { READ_MODEL_READER } from '../read-models.tokens.js';
import type { DecisionListOptions, DecisionPage } from './decisions.reader.js';

/** An authority's decisions whose `by` date lies in [from, to], by that date then log order, paged. */
export class ListDecisionsQuery extends Query<DecisionPage> {
  constructor(
    readonly authorityCode: string,
    readonly options: DecisionListOptions = {},
  ) {
    super();
  }
}

@QueryHandler(ListDecisionsQuery)
export class ListDecisionsHandler implements IQueryHandler<ListDecisionsQuery, DecisionPage> {
  constructor(@Inject(READ_MODEL_READER) private readonly reader: ReadModelReader) {}

  /** @throws InvalidCommand (from after to, asOfPosition with knownAt), UnknownAuthority, ProjectionBehind. */
  async execute({ authorityCode, options }: ListDecisionsQuery): Promise<DecisionPage> {
    const { from, to, by = 'effectiveFrom', knownAt, asOfPosition, page = 1, pageSize = 50 } = options;
    if (from !== undefined && to !== undefined && from > to) throw new InvalidCommand([{ field: 'to', message: 'must not be before from' }]);
    validateAsOfPosition(knownAt, asOfPosition);
    const lineage = await this.reader.lineage();
    const unit = lineage.unit(authorityCode);
    if (!unit) throw new UnknownAuthority(authorityCode);
    const nameOn = (date: string) => (lineage.versionOn(authorityCode, date) ?? unit.versions[unit.versions.length - 1]).name;
    const asked = asOfPosition === undefined ? { knownAt: knownAt ?? new Date().toISOString() } : { knownAt: null, asOfPosition };
    const result = await this.reader.decisions().list(authorityCode, { from, to, by, knownAt, asOfPosition, page, pageSize });
    return {
      authorityCode,
      authorityName: unit.versions[unit.versions.length - 1].name,
      from: from ?? null,
      to: to ?? null,
      by,
      ...asked,
      position: result.position,
      page,
      pageSize,
      total: result.total,
      items: result.items.map((item) => ({ ...item, issuer: { authorityCode, authorityName: nameOn(item.issuedOn) } })),
    };
  }
}

export const DECISION_QUERY_HANDLERS = [ListDecisionsHandler];
