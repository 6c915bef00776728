import { Lineage } from '@tthc/domain';
import type { Queryable } from '../queries/read-model.reader.js';
import { LIVE_SCHEMA } from '../schema/read-model.schema.js';
import { loadLineageUnits } from './authority-lineage.projection.js';

/**
 * Reads the lineage read model whole (a hundred rows) into the domain's Lineage, which answers which
 * catalogues serve a unit of either boundary set on a date. Read per query: the lineage is read as it
 * stands now (a reorganisation recorded later changes how earlier dates are composed, never the
 * catalogues' own counts, which `knownAt`/`asOfPosition` still fix).
 */
export class LineageReader {
  constructor(
    private readonly dataSource: Queryable,
    private readonly schema: string = LIVE_SCHEMA,
  ) {}

  async load(): Promise<Lineage> {
    return new Lineage(await loadLineageUnits((sql, params) => this.dataSource.query(sql, params), this.schema));
  }
}
