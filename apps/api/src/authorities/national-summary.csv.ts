import type { AuthoritySummary, NationalSummary } from '@tthc/read-models';

const HEADER = [
  'authority_code', 'authority_name', 'at', 'total', 'online', 'online_share', 'full_process', 'full_process_share',
  'partial', 'partial_share', 'information_only', 'information_only_share', 'paper_intake_disabled',
  'paper_intake_disabled_share',
];

/** RFC 4180 CSV of the national table, totals last. */
export function nationalSummaryCsv(table: NationalSummary): string {
  const row = (code: string, name: string, s: Omit<AuthoritySummary, 'authorityCode' | 'authorityName'>) =>
    [
      code, name, s.at, s.total, s.online.count, s.online.share, s.fullProcess.count, s.fullProcess.share,
      s.partial.count, s.partial.share, s.informationOnly.count, s.informationOnly.share,
      s.paperIntakeDisabled.count, s.paperIntakeDisabled.share,
    ].map(cell).join(',');
  return [
    `# position=${table.position} ${table.asOfPosition === undefined ? `knownAt=${table.knownAt}` : `asOfPosition=${table.asOfPosition}`}`,
    HEADER.join(','),
    ...table.authorities.map((s) => row(s.authorityCode, s.authorityName, s)),
    row('', table.totals.authorityName, table.totals),
  ].join('\r\n') + '\r\n';
}

function cell(value: string | number): string {
  let text = String(value);
  // A spreadsheet runs a cell that starts with = + - @ as a formula: keep text cells inert.
  if (typeof value === 'string' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
