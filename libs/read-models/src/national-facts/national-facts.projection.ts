import { isAgencyKind, isNationalFactEventType, type AuthorityStreamEvent } from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';
import type { Sql } from '../projection/projection-writer.js';
import { quoteIdent } from '../schema/read-model.schema.js';

/** A row of national_fact_authorities, as the projection writes it and the verifier expects it. */
export interface NationalFactAuthorityRow {
  authority_code: string;
  kind: string;
  kind_group: 'LOCALITY' | 'MINISTRY';
  name: string;
  established_from: string;
  established_position: number;
  established_at: string;
  dissolved_on: string | null;
  dissolved_position: number | null;
  dissolved_at: string | null;
  revision: number;
}

/** A row of national_facts. */
export interface NationalFactRow {
  position: number;
  authority_code: string;
  fact: 'ASSESSED' | 'CONNECTED' | 'DISCONNECTED';
  effective_on: string;
  meets_all_requirements: boolean | null;
  requirements: string | null;
  source: string;
  reason: string | null;
  recorded_at: string;
}

const RELEVANT = new Set(['AuthorityEstablished', 'AuthorityRenamed', 'AuthorityMerged', 'ProcedureSystemAssessed', 'PopulationDatabaseConnected', 'PopulationDatabaseDisconnected']);

/** Whether the national facts read model takes this event. */
export function isNationalFactsEvent(e: { type: string }): boolean {
  return RELEVANT.has(e.type);
}

/**
 * Folds events into the rows they make, in memory: the verifier's expectation, from the log alone.
 * `authorities` is updated in place; a fact becomes one row.
 */
export class NationalFactsFold {
  readonly authorities = new Map<string, NationalFactAuthorityRow>();
  readonly facts: NationalFactRow[] = [];

  apply(e: RecordedEvent): void {
    if (!isNationalFactsEvent(e)) return;
    const event = { type: e.type, data: e.data } as AuthorityStreamEvent;
    const code = event.data.authorityCode;
    const unit = this.authorities.get(code);
    if (unit && e.revision <= unit.revision) return;
    if (isNationalFactEventType(event.type)) {
      const row = factRow(e, event);
      if (row) this.facts.push(row);
    }
    const changed = authorityRow(unit, e, event);
    if (changed) this.authorities.set(code, changed);
  }
}

/** The authority's row after `event` (undefined when it has none yet and the event does not start one). */
export function authorityRow(row: NationalFactAuthorityRow | undefined, e: RecordedEvent, event: AuthorityStreamEvent): NationalFactAuthorityRow | undefined {
  switch (event.type) {
    case 'AuthorityEstablished':
      if (row) return { ...row, revision: e.revision };
      return {
        authority_code: event.data.authorityCode,
        kind: event.data.kind,
        kind_group: isAgencyKind(event.data.kind) ? 'MINISTRY' : 'LOCALITY',
        name: event.data.name,
        established_from: event.data.effectiveFrom,
        established_position: e.globalPosition,
        established_at: instant(e.metadata.recordedAt),
        dissolved_on: null,
        dissolved_position: null,
        dissolved_at: null,
        revision: e.revision,
      };
    case 'AuthorityRenamed':
      return row && { ...row, name: event.data.to, revision: e.revision };
    case 'AuthorityMerged':
      return row && { ...row, dissolved_on: event.data.effectiveFrom, dissolved_position: e.globalPosition, dissolved_at: instant(e.metadata.recordedAt), revision: e.revision };
    default:
      return row && { ...row, revision: e.revision };
  }
}

function factRow(e: RecordedEvent, event: AuthorityStreamEvent): NationalFactRow | undefined {
  const row = (fact: NationalFactRow['fact'], effectiveOn: string, source: string, assessed?: { meets: boolean; requirements: string }, reason?: string): NationalFactRow => ({
    position: e.globalPosition,
    authority_code: event.data.authorityCode,
    fact,
    effective_on: effectiveOn,
    meets_all_requirements: assessed?.meets ?? null,
    requirements: assessed?.requirements ?? null,
    source,
    reason: reason ?? null,
    recorded_at: instant(e.metadata.recordedAt),
  });
  switch (event.type) {
    case 'ProcedureSystemAssessed':
      return row('ASSESSED', event.data.assessedOn, event.data.source, { meets: event.data.meetsAllRequirements, requirements: event.data.requirements });
    case 'PopulationDatabaseConnected':
      return row('CONNECTED', event.data.connectedOn, event.data.source);
    case 'PopulationDatabaseDisconnected':
      return row('DISCONNECTED', event.data.disconnectedOn, event.data.source, undefined, event.data.reason);
    default:
      return undefined;
  }
}

const instant = (value: Date | string) => new Date(value).toISOString();

/**
 * Projects a batch's events into the national facts tables, inside the batch's transaction (the
 * projection runner calls it beside the lineage's, so one checkpoint covers all). The authorities a
 * batch touches are loaded, folded with NationalFactsFold's own rules (events at or below a stored
 * revision are skipped: replays change nothing), and written back.
 *
 * @returns the number of events applied.
 */
export async function projectNationalFacts(sql: Sql, schema: string, events: readonly RecordedEvent[]): Promise<number> {
  const relevant = events.filter(isNationalFactsEvent);
  if (relevant.length === 0) return 0;
  const s = quoteIdent(schema);
  const codes = [...new Set(relevant.map((e) => (e.data as { authorityCode: string }).authorityCode))];
  const fold = new NationalFactsFold();
  for (const row of (await sql(`SELECT * FROM ${s}.national_fact_authorities WHERE authority_code = ANY($1::text[])`, [codes])) as any[]) {
    fold.authorities.set(row.authority_code, fromDb(row));
  }
  const before = new Map(fold.authorities);
  for (const e of relevant) fold.apply(e);
  for (const f of fold.facts) {
    await sql(
      `INSERT INTO ${s}.national_facts (position, authority_code, fact, effective_on, meets_all_requirements, requirements, source, reason, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (position) DO NOTHING`,
      [f.position, f.authority_code, f.fact, f.effective_on, f.meets_all_requirements, f.requirements, f.source, f.reason, f.recorded_at],
    );
  }
  let applied = fold.facts.length;
  for (const [code, r] of fold.authorities) {
    if (before.get(code) === r) continue;
    applied++;
    await sql(
      `INSERT INTO ${s}.national_fact_authorities (authority_code, kind, kind_group, name, established_from, established_position, established_at,
         dissolved_on, dissolved_position, dissolved_at, revision)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (authority_code) DO UPDATE SET name = excluded.name, dissolved_on = excluded.dissolved_on,
         dissolved_position = excluded.dissolved_position, dissolved_at = excluded.dissolved_at, revision = excluded.revision`,
      [r.authority_code, r.kind, r.kind_group, r.name, r.established_from, r.established_position, r.established_at, r.dissolved_on, r.dissolved_position, r.dissolved_at, r.revision],
    );
  }
  return applied;
}

/** A row as PostgreSQL returns it (dates as text: the data source parses no dates), in the fold's shape. */
export function fromDb(row: any): NationalFactAuthorityRow {
  return {
    authority_code: row.authority_code,
    kind: row.kind,
    kind_group: row.kind_group,
    name: row.name,
    established_from: row.established_from,
    established_position: Number(row.established_position),
    established_at: instant(row.established_at),
    dissolved_on: row.dissolved_on,
    dissolved_position: row.dissolved_position === null ? null : Number(row.dissolved_position),
    dissolved_at: row.dissolved_at === null ? null : instant(row.dissolved_at),
    revision: row.revision,
  };
}

export function factFromDb(row: any): NationalFactRow {
  return {
    position: Number(row.position),
    authority_code: row.authority_code,
    fact: row.fact,
    effective_on: row.effective_on,
    meets_all_requirements: row.meets_all_requirements,
    requirements: row.requirements,
    source: row.source,
    reason: row.reason,
    recorded_at: instant(row.recorded_at),
  };
}
