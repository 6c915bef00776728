import {
  AUTHORITY_CODE_PATTERN,
  authority,
  isAuthorityEventType,
  type AuthorityEvent,
  type AuthorityState,
  type EstablishedAuthority,
  type LineageUnit,
} from '@tthc/domain';
import type { RecordedEvent } from '@tthc/event-store';
import type { Sql } from '../projection/projection-writer.js';
import { quoteIdent } from '../schema/read-model.schema.js';

interface Stored {
  state: AuthorityState;
  revision: number;
  position: number;
}

/**
 * Projects a batch's authority events into the lineage tables, inside the batch's transaction (the
 * procedures' projection runner calls it, so one checkpoint covers both). The few units a batch
 * touches are loaded, folded on with the domain's own `evolve` (events at or below a unit's stored
 * revision are skipped: replays change nothing), and written back whole.
 *
 * @returns the number of authority events applied.
 */
export async function projectAuthorityEvents(sql: Sql, schema: string, events: readonly RecordedEvent[]): Promise<number> {
  const relevant = events.filter((e) => isLineageEvent(e));
  if (relevant.length === 0) return 0;
  const codes = [...new Set(relevant.map((e) => (e.data as { authorityCode: string }).authorityCode))];
  const units = await loadUnits(sql, schema, codes);
  let applied = 0;
  for (const e of relevant) {
    const code = (e.data as { authorityCode: string }).authorityCode;
    const stored = units.get(code) ?? { state: authority.initialState(), revision: -1, position: 0 };
    if (e.revision <= stored.revision) continue;
    units.set(code, { state: authority.evolve(stored.state, { type: e.type, data: e.data } as AuthorityEvent), revision: e.revision, position: e.globalPosition });
    applied++;
  }
  const s = quoteIdent(schema);
  for (const code of codes) {
    const u = units.get(code);
    if (!u || u.state.status === 'unestablished') continue;
    const st = u.state;
    await sql(
      `INSERT INTO ${s}.authorities (authority_code, region, established_from, dissolved_on, successor_code, dissolution_legal_basis, revision, position)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (authority_code) DO UPDATE SET region = excluded.region, established_from = excluded.established_from,
         dissolved_on = excluded.dissolved_on, successor_code = excluded.successor_code,
         dissolution_legal_basis = excluded.dissolution_legal_basis, revision = excluded.revision, position = excluded.position`,
      [code, st.region ?? null, st.establishedFrom, st.dissolvedOn ?? null, st.successorCode ?? null, st.dissolutionLegalBasis ?? null, u.revision, u.position],
    );
    await sql(`DELETE FROM ${s}.authority_versions WHERE authority_code = $1`, [code]);
    for (const v of st.versions) {
      await sql(
        `INSERT INTO ${s}.authority_versions (authority_code, valid_from, valid_to, name, name_en, kind, territory, absorbed, legal_basis)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
        [code, v.validFrom, v.validTo, v.name, v.nameEn ?? null, v.kind, v.territory, v.absorbed, v.legalBasis ?? null],
      );
    }
  }
  return applied;
}

/**
 * The events of the provincial-level units' lineage: authority events about a 2-digit code. Central
 * agencies (B05: issue 18) are authorities too, but govern no territory and stay out of the lineage;
 * national facts are not lineage events.
 */
export function isLineageEvent(e: { type: string; data: unknown }): boolean {
  return isAuthorityEventType(e.type) && AUTHORITY_CODE_PATTERN.test(String((e.data as { authorityCode?: unknown })?.authorityCode));
}

/** Every unit of the lineage tables (or only `codes`), as the domain's Lineage takes them. */
export async function loadLineageUnits(sql: Sql, schema: string, codes?: readonly string[]): Promise<(LineageUnit & { revision: number; position: number })[]> {
  const units = await loadUnits(sql, schema, codes);
  return [...units.values()]
    .filter((u): u is Stored & { state: EstablishedAuthority } => u.state.status !== 'unestablished')
    .map((u) => ({ ...u.state, revision: u.revision, position: u.position }));
}

async function loadUnits(sql: Sql, schema: string, codes?: readonly string[]): Promise<Map<string, Stored>> {
  const s = quoteIdent(schema);
  const filter = codes === undefined ? '' : 'WHERE a.authority_code = ANY($1::text[])';
  const params = codes === undefined ? [] : [codes];
  const [rows, versions] = await Promise.all([
    sql(`SELECT a.* FROM ${s}.authorities a ${filter}`, params),
    sql(`SELECT a.* FROM ${s}.authority_versions a ${filter} ORDER BY a.authority_code, a.valid_from`, params),
  ]);
  const out = new Map<string, Stored>();
  for (const r of rows) {
    const own = versions.filter((v: any) => v.authority_code === r.authority_code).map((v: any) => ({
      validFrom: v.valid_from,
      validTo: v.valid_to,
      name: v.name,
      ...(v.name_en !== null && { nameEn: v.name_en }),
      kind: v.kind,
      territory: v.territory,
      absorbed: v.absorbed,
      ...(v.legal_basis !== null && { legalBasis: v.legal_basis }),
    }));
    const last = [r.dissolved_on, ...own.map((v: { validFrom: string }) => v.validFrom)].filter(Boolean).sort().at(-1);
    out.set(r.authority_code, {
      state: {
        status: r.dissolved_on === null ? 'in-force' : 'dissolved',
        authorityCode: r.authority_code,
        ...(r.region !== null && { region: r.region }),
        establishedFrom: r.established_from,
        versions: own,
        ...(r.dissolved_on !== null && { dissolvedOn: r.dissolved_on, successorCode: r.successor_code, dissolutionLegalBasis: r.dissolution_legal_basis }),
        lastEffectiveFrom: last,
      },
      revision: r.revision,
      position: Number(r.position),
    });
  }
  return out;
}
