import { quoteIdent } from '../schema/read-model.schema.js';

/**
 * The lineage read model: every provincial-level unit and each version of it (name, kind, territory
 * in base territories; see libs/domain/src/authority/authority.state.ts). A hundred rows at most:
 * queries read it whole and answer with the domain's Lineage.
 *
 * `IF NOT EXISTS`: the same statements create the tables on a fresh database (with the rest of the
 * read models), in a rebuild's fresh schema, and on a database created before them (its migration).
 */
export function authorityLineageDdl(schema: string): string[] {
  const s = quoteIdent(schema);
  return [
    `CREATE TABLE IF NOT EXISTS ${s}.authorities (
       authority_code text PRIMARY KEY,
       region text,
       established_from date NOT NULL,
       dissolved_on date,
       successor_code text,
       dissolution_legal_basis text,
       revision integer NOT NULL,
       position bigint NOT NULL)`,
    // In force on [valid_from, valid_to); territory and absorbed are sorted codes of base territories / units.
    `CREATE TABLE IF NOT EXISTS ${s}.authority_versions (
       authority_code text NOT NULL,
       valid_from date NOT NULL,
       valid_to date,
       name text NOT NULL,
       name_en text,
       kind text NOT NULL,
       territory text[] NOT NULL,
       absorbed text[] NOT NULL,
       legal_basis text,
       PRIMARY KEY (authority_code, valid_from))`,
  ];
}

export const AUTHORITY_LINEAGE_TABLES = ['authorities', 'authority_versions'] as const;
