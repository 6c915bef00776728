import { stringify } from 'csv-stringify/sync';
import type { AuthoritySummary, NationalSummary } from '@tthc/read-models';

export const CSV_CONTENT_TYPE = 'text/csv; charset=utf-8; header=present';

/** The columns, in order: the header row names them. Counts and shares as in the JSON answer. */
const COLUMNS = [
  'authority_code', 'authority_name', 'at', 'total', 'online', 'online_share', 'full_process', 'full_process_share',
  'partial', 'partial_share', 'information_only', 'information_only_share', 'paper_intake_disabled',
  'paper_intake_disabled_share',
] as const;

type Row = Record<(typeof COLUMNS)[number], string | number>;

export interface CsvOptions {
  /** Start with a UTF-8 byte order mark, so that spreadsheet programs read the Vietnamese names as UTF-8. */
  bom?: boolean;
}

/**
 * The national table as RFC 4180 CSV (csv-stringify): the header row first, one row per authority,
 * the totals last (empty authority_code); CRLF line ends. The position and known-at it reflects are
 * not in the file but in the response's headers (`csvMetadataHeaders`), so that `csv-parse` with
 * `columns: true` and Python's `csv.DictReader` read it as it is.
 *
 * @example nationalSummaryCsv(table) // 'authority_code,authority_name,at,total,…\r\n01,Hà Nội,2023-10-16,…\r\n…'
 */
export function nationalSummaryCsv(table: NationalSummary, { bom = false }: CsvOptions = {}): string {
  const rows = [...table.authorities.map((s) => rowOf(s.authorityCode, s.authorityName, s)), rowOf('', table.totals.authorityName, table.totals)];
  return stringify(rows, {
    header: true,
    columns: [...COLUMNS],
    record_delimiter: 'windows',
    bom,
    // csv-stringify quotes a field holding CRLF, a comma or a quote; a lone CR or LF must be quoted too.
    quoted_match: /[\r\n]/,
    cast: { string: inert },
  });
}

/**
 * The response headers that carry what the JSON answer states beside the rows: `Log-Position`
 * always; `Known-At` for an answer as known at an instant, or `As-Of-Position` for one regenerated
 * as the log stood at a position.
 */
export function csvMetadataHeaders(table: Pick<NationalSummary, 'position' | 'knownAt' | 'asOfPosition'> & { boundaries?: string }): Record<string, string> {
  return {
    ...(table.boundaries !== undefined && { Boundaries: table.boundaries }),
    'Log-Position': String(table.position),
    ...(table.knownAt !== null && { 'Known-At': table.knownAt }),
    ...(table.asOfPosition !== undefined && { 'As-Of-Position': String(table.asOfPosition) }),
  };
}

export const CSV_METADATA_HEADERS = ['Log-Position', 'Known-At', 'As-Of-Position'];

function rowOf(code: string, name: string, s: Omit<AuthoritySummary, 'authorityCode' | 'authorityName'>): Row {
  return {
    authority_code: code,
    authority_name: name,
    at: s.at,
    total: s.total,
    online: s.online.count,
    online_share: s.online.share,
    full_process: s.fullProcess.count,
    full_process_share: s.fullProcess.share,
    partial: s.partial.count,
    partial_share: s.partial.share,
    information_only: s.informationOnly.count,
    information_only_share: s.informationOnly.share,
    paper_intake_disabled: s.paperIntakeDisabled.count,
    paper_intake_disabled_share: s.paperIntakeDisabled.share,
  };
}

/** A spreadsheet runs a cell that starts with = + - @ (or a tab or CR) as a formula: text cells stay inert (OWASP CSV injection). */
function inert(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}
