import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CIRCULAR_21_2023, UnknownAuthority, vietnamDate } from '@tthc/domain';
import { ProjectionBehind } from '../projection/projection-behind.error.js';
import { recordAxis } from '../queries/read-model.queries.js';
import { ReadModelReader, type Bitemporal, type Queryable } from '../queries/read-model.reader.js';
import { shareOf } from '../queries/summary.js';
import { QUERY_ROUTER } from '../read-models.tokens.js';
import { LIVE_SCHEMA, quoteIdent } from '../schema/read-model.schema.js';
import { factFromDb, fromDb, type NationalFactAuthorityRow, type NationalFactRow } from './national-facts.projection.js';

/** `count` of `total`, and the share as a percentage rounded half-up to 2 decimals (37 of 76 → 48.68). */
export interface FactShare {
  count: number;
  total: number;
  share: number;
}
export interface FactShareByKind extends FactShare {
  /** Ministries: ministries and ministry-level agencies; localities: provincial-level units. */
  byKind: { ministries: FactShare; localities: FactShare };
}

/** `GET /api/national-facts`: the national facts in force on `at`, as recorded at `knownAt` or as of `asOfPosition`. */
export interface NationalFactsAnswer {
  at: string;
  knownAt: string | null;
  asOfPosition?: number;
  position: number;
  /**
   * Systems assessed (on or before `at`, by authorities in force on `at`) and, of them, those whose
   * latest assessment says they meet all requirements.
   */
  procedureHandlingSystems: FactShareByKind & { requirements: string };
  /** Authorities in force on `at` and, of them, those connected to the National Population Database on `at`. */
  populationDatabase: FactShareByKind;
}

/** One authority's facts on `at`. */
export interface AgencyFactsAnswer {
  authorityCode: string;
  name: string;
  kind: string;
  at: string;
  knownAt: string | null;
  asOfPosition?: number;
  position: number;
  establishedFrom: string;
  dissolvedOn: string | null;
  /** False before its establishment or from its dissolution: it then counts in no figure. */
  inForce: boolean;
  procedureHandlingSystem: { assessedOn: string; meetsAllRequirements: boolean; requirements: string; source: string } | null;
  populationDatabase: { connected: boolean; connectedOn: string | null; disconnectedOn: string | null; source: string | null };
}

interface Known {
  authorities: NationalFactAuthorityRow[];
  /** Facts dated on or before `at`, in log order. */
  facts: NationalFactRow[];
  position: number;
}

/** Reads the national facts known at an instant or up to a position, dated on or before a date. */
export class NationalFactsReader {
  constructor(
    private readonly dataSource: Queryable,
    private readonly schema: string = LIVE_SCHEMA,
  ) {}

  /**
   * Reads the checkpoint first and only rows at or below it (rows and checkpoint are written in one
   * transaction), so an answer never reflects more than its `position` says.
   *
   * @throws ProjectionBehind when `asOfPosition` lies beyond the read models' checkpoint.
   */
  async known({ at, knownAt, asOfPosition }: Bitemporal, authorityCode?: string): Promise<Known> {
    const checkpoint = await new ReadModelReader(this.dataSource, this.schema).position();
    if (asOfPosition !== undefined && checkpoint < asOfPosition) throw new ProjectionBehind(asOfPosition, checkpoint, 0);
    const upTo = asOfPosition ?? checkpoint;
    const s = quoteIdent(this.schema);
    const [authorities, facts] = await Promise.all([
      this.dataSource.query(
        `SELECT * FROM ${s}.national_fact_authorities
         WHERE established_position <= $1 AND ($2::timestamptz IS NULL OR established_at <= $2) AND ($3::text IS NULL OR authority_code = $3)
         ORDER BY authority_code`,
        [upTo, knownAt ?? null, authorityCode ?? null],
      ),
      this.dataSource.query(
        `SELECT * FROM ${s}.national_facts
         WHERE position <= $1 AND ($2::timestamptz IS NULL OR recorded_at <= $2) AND effective_on <= $3 AND ($4::text IS NULL OR authority_code = $4)
         ORDER BY position`,
        [upTo, knownAt ?? null, at, authorityCode ?? null],
      ),
    ]);
    // A dissolution recorded after the instant or position is not known there.
    const known = (r: NationalFactAuthorityRow) =>
      r.dissolved_position !== null && (r.dissolved_position > upTo || (knownAt !== undefined && Date.parse(r.dissolved_at!) > Date.parse(knownAt)))
        ? { ...r, dissolved_on: null, dissolved_position: null, dissolved_at: null }
        : r;
    return { authorities: authorities.map(fromDb).map(known), facts: facts.map(factFromDb), position: upTo };
  }
}

/** Each authority's facts on `at`: in force, its latest assessment, its connection. Pure. */
export function factsOn(authorities: readonly NationalFactAuthorityRow[], facts: readonly NationalFactRow[], at: string) {
  const latest = new Map<string, { assessment?: NationalFactRow; connection?: NationalFactRow }>();
  // The domain keeps each timeline append-only in time, so the last in log order is the latest by date.
  for (const f of facts) {
    if (f.effective_on > at) continue;
    const entry = latest.get(f.authority_code) ?? {};
    if (f.fact === 'ASSESSED') entry.assessment = f;
    else entry.connection = f;
    latest.set(f.authority_code, entry);
  }
  return authorities.map((a) => ({
    authority: a,
    inForce: a.established_from <= at && (a.dissolved_on === null || at < a.dissolved_on),
    assessment: latest.get(a.authority_code)?.assessment,
    connection: latest.get(a.authority_code)?.connection,
  }));
}

/** The national figures on `at` from the rows known. Pure: the verifier and the tests call it too. */
export function nationalFigures(authorities: readonly NationalFactAuthorityRow[], facts: readonly NationalFactRow[], at: string): Pick<NationalFactsAnswer, 'procedureHandlingSystems' | 'populationDatabase'> {
  const inForce = factsOn(authorities, facts, at).filter((f) => f.inForce);
  const share = (list: typeof inForce, counted: (f: (typeof inForce)[number]) => boolean): FactShare => {
    const count = list.filter(counted).length;
    return { count, total: list.length, share: shareOf(count, list.length) };
  };
  const byKind = (list: typeof inForce, counted: (f: (typeof inForce)[number]) => boolean): FactShareByKind => ({
    ...share(list, counted),
    byKind: {
      ministries: share(list.filter((f) => f.authority.kind_group === 'MINISTRY'), counted),
      localities: share(list.filter((f) => f.authority.kind_group === 'LOCALITY'), counted),
    },
  });
  return {
    procedureHandlingSystems: {
      ...byKind(inForce.filter((f) => f.assessment !== undefined), (f) => f.assessment!.meets_all_requirements === true),
      requirements: CIRCULAR_21_2023,
    },
    populationDatabase: byKind(inForce, (f) => f.connection?.fact === 'CONNECTED'),
  };
}

export class GetNationalFactsQuery extends Query<NationalFactsAnswer> {
  constructor(
    readonly at?: string,
    readonly knownAt?: string,
    readonly asOfPosition?: number,
  ) {
    super();
  }
}

export class GetAgencyFactsQuery extends Query<AgencyFactsAnswer> {
  constructor(
    readonly authorityCode: string,
    readonly at?: string,
    readonly knownAt?: string,
    readonly asOfPosition?: number,
  ) {
    super();
  }
}

@QueryHandler(GetNationalFactsQuery)
export class GetNationalFactsHandler implements IQueryHandler<GetNationalFactsQuery, NationalFactsAnswer> {
  constructor(@Inject(QUERY_ROUTER) private readonly dataSource: Queryable) {}
  async execute({ at = vietnamDate(new Date()), knownAt, asOfPosition }: GetNationalFactsQuery): Promise<NationalFactsAnswer> {
    const axis = recordAxis(knownAt, asOfPosition);
    const { authorities, facts, position } = await new NationalFactsReader(this.dataSource).known({ at, knownAt, asOfPosition });
    return { at, ...axis, position, ...nationalFigures(authorities, facts, at) };
  }
}

@QueryHandler(GetAgencyFactsQuery)
export class GetAgencyFactsHandler implements IQueryHandler<GetAgencyFactsQuery, AgencyFactsAnswer> {
  constructor(@Inject(QUERY_ROUTER) private readonly dataSource: Queryable) {}
  /** @throws UnknownAuthority when no authority of that code was recorded (as known then). */
  async execute({ authorityCode, at = vietnamDate(new Date()), knownAt, asOfPosition }: GetAgencyFactsQuery): Promise<AgencyFactsAnswer> {
    const axis = recordAxis(knownAt, asOfPosition);
    const { authorities, facts, position } = await new NationalFactsReader(this.dataSource).known({ at, knownAt, asOfPosition }, authorityCode);
    const [one] = factsOn(authorities, facts, at);
    if (!one) throw new UnknownAuthority(authorityCode);
    const { authority: a, assessment, connection } = one;
    const connected = connection?.fact === 'CONNECTED';
    // The connection's date when connected; when not, the last disconnection's (and the connection it ended is not shown).
    const connectedSince = connected ? connection!.effective_on : null;
    return {
      authorityCode: a.authority_code,
      name: a.name,
      kind: a.kind,
      at,
      ...axis,
      position,
      establishedFrom: a.established_from,
      dissolvedOn: a.dissolved_on,
      inForce: one.inForce,
      procedureHandlingSystem: assessment
        ? { assessedOn: assessment.effective_on, meetsAllRequirements: assessment.meets_all_requirements === true, requirements: assessment.requirements ?? CIRCULAR_21_2023, source: assessment.source }
        : null,
      populationDatabase: {
        connected: connected && one.inForce,
        connectedOn: connectedSince,
        disconnectedOn: connection?.fact === 'DISCONNECTED' ? connection.effective_on : null,
        source: connection?.source ?? null,
      },
    };
  }
}

export const NATIONAL_FACTS_QUERY_HANDLERS = [GetNationalFactsHandler, GetAgencyFactsHandler];
