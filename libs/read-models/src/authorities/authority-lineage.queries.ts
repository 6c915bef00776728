import { Lineage } from '@tthc/domain';
import type { Queryable } from '../queries/read-model.reader.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';
import { loadLineageUnits } from './authority-lineage.projection.js';

/** A lineage with its stamp: the highest log position of its units' rows (0 for none). */
export interface StampedLineage {
  lineage: Lineage;
  stamp: number;
}

/**
 * Reads the lineage read model whole (a hundred rows) into the domain's Lineage, which answers which
 * catalogues serve a unit of either boundary set on a date. The lineage is read as it stands now (a
 * reorganisation recorded later changes how earlier dates are composed, never the catalogues' own
 * counts, which `knownAt`/`asOfPosition` still fix).
 *
 * The read model changes only with a reorganisation, and every change rewrites the changed unit's
 * row with the change's position, in the projection's transaction: the highest position of the rows
 * (`stampSql`, selected by a query's own statement) tells whether a lineage read earlier is still
 * the current one. ReadModelReader.withLineage keeps the last one so confirmed.
 */
export class LineageReader {
  /** The lineage's stamp, as a scalar subquery a query's statement selects (`lineage_position`). */
  readonly stampSql: string;
  /** The lineage last confirmed current by a query's statement. */
  private confirmed: StampedLineage | undefined;

  constructor(
    private readonly dataSource: Queryable,
    private readonly schema: string = LIVE_SCHEMA,
  ) {
    this.stampSql = `(SELECT coalesce(max(position), 0) FROM ${quoteIdent(schema)}.authorities)`;
  }

  async load(): Promise<Lineage> {
    return new Lineage(await loadLineageUnits((sql, params) => this.dataSource.query(sql, params), this.schema));
  }

  /**
   * The lineage with its stamp. The units' rows are read before their versions, in two statements
   * one after the other: when a later statement still sees the same stamp, no change was committed
   * between the first statement and it, so the versions belong to the rows.
   */
  async loadStamped(): Promise<StampedLineage> {
    let previous: Promise<unknown> = Promise.resolve();
    const inOrder = (sql: string, params?: unknown[]) => {
      const next = previous.then(() => this.dataSource.query(sql, params));
      previous = next.catch(() => undefined);
      return next;
    };
    const units = await loadLineageUnits(inOrder, this.schema);
    return { lineage: new Lineage(units), stamp: units.reduce((max, u) => Math.max(max, u.position), 0) };
  }

  /** The lineage confirmed current last (undefined before the first). */
  get kept(): StampedLineage | undefined {
    return this.confirmed;
  }

  /** Keeps `lineage`: a statement of a query saw its stamp as the current one. */
  keep(lineage: StampedLineage): void {
    if (this.confirmed === undefined || lineage.stamp >= this.confirmed.stamp) this.confirmed = lineage;
  }
}
