import { parse } from 'csv-parse/sync';
import type { AuthoritySummary, NationalSummary } from '@tthc/read-models';
import { csvMetadataHeaders, nationalSummaryCsv } from './national-summary.csv.js';

/** csv-parse with `columns: true`, as a client reads the file. */
const records = (text: string): Record<string, string>[] => parse(text, { columns: true });

const share = (count: number, share: number) => ({ count, share });

function summary(authorityCode: string, authorityName: string, total: number): AuthoritySummary {
  return {
    authorityCode,
    authorityName,
    at: '2023-10-16',
    knownAt: '2026-01-01T00:00:00.000Z',
    position: 42,
    total,
    online: share(total, 100),
    fullProcess: share(total, 100),
    partial: share(0, 0),
    informationOnly: share(0, 0),
    paperIntakeDisabled: share(0, 0),
  };
}

function table(...authorities: AuthoritySummary[]): NationalSummary {
  const total = authorities.reduce((sum, a) => sum + a.total, 0);
  return {
    at: '2023-10-16',
    knownAt: '2026-01-01T00:00:00.000Z',
    position: 42,
    boundaries: '2023',
    // The CSV has no lineage columns: the rows' lineage is not read.
    authorities: authorities.map((a) => ({ ...a, lineage: undefined as never })),
    totals: { ...summary('', 'Toàn quốc', total), authorityCode: null, authorityName: 'Toàn quốc' },
  };
}

describe('nationalSummaryCsv', () => {
  it('writes the header row first and reads back, with csv-parse, as the table', () => {
    const text = nationalSummaryCsv(table(summary('74', 'Bình Dương', 3), summary('01', 'Hà Nội', 1)));
    expect(text.startsWith('authority_code,authority_name,at,total,')).toBe(true);
    expect(text.endsWith('\r\n')).toBe(true);
    expect(records(text).map((r) => [r.authority_code, r.authority_name, r.total, r.online_share])).toEqual([
      ['74', 'Bình Dương', '3', '100'],
      ['01', 'Hà Nội', '1', '100'],
      ['', 'Toàn quốc', '4', '100'],
    ]);
  });

  it('quotes commas, quotes and line breaks, so that a name is always one cell', () => {
    const names = ['Tỉnh "A", miền Nam', 'line\nbreak', 'carriage\rreturn', 'windows\r\nbreak'];
    const text = nationalSummaryCsv(table(...names.map((name, i) => summary(String(10 + i), name, 1))));
    expect(records(text).map((r) => r.authority_name)).toEqual([...names, 'Toàn quốc']);
  });

  it.each(['=HYPERLINK("http://x")', '+1', '-1', '@SUM(A1)', '\tx'])('keeps the text cell %j inert for spreadsheets', (name) => {
    const [record] = records(nationalSummaryCsv(table(summary('10', name, 1))));
    expect(record.authority_name).toBe(`'${name}`);
  });

  it('starts with a byte order mark only when asked', () => {
    const t = table(summary('74', 'Bình Dương', 1));
    expect(nationalSummaryCsv(t).charCodeAt(0)).toBe('a'.charCodeAt(0));
    expect(nationalSummaryCsv(t, { bom: true })).toBe(`\ufeff${nationalSummaryCsv(t)}`);
  });
});

describe('csvMetadataHeaders', () => {
  it('gives the position and known-at, or the position asked for', () => {
    expect(csvMetadataHeaders({ position: 42, knownAt: '2026-01-01T00:00:00.000Z' })).toEqual({ 'Log-Position': '42', 'Known-At': '2026-01-01T00:00:00.000Z' });
    expect(csvMetadataHeaders({ position: 40, knownAt: null, asOfPosition: 40 })).toEqual({ 'Log-Position': '40', 'As-Of-Position': '40' });
  });
});
