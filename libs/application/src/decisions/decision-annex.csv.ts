import { CsvError, parse } from 'csv-parse/sync';
import { DECISION_LIMITS, DecisionTooLarge, InvalidCommand, type DecisionItem } from '@tthc/domain';

/** The annex's columns (API.md): a header row names them, in any order; procedureCode and action are required. */
export const ANNEX_COLUMNS = ['procedureCode', 'action', 'onlineMode', 'name', 'field', 'level', 'paperIntake', 'reason'] as const;
const REQUIRED_COLUMNS = ['procedureCode', 'action'];

export interface ParsedAnnex {
  items: DecisionItem[];
  /** The 1-based line of the file each item starts on (the header is line 1). */
  lines: number[];
}

/**
 * A decision's annex as `text/csv`: UTF-8 with or without a BOM, comma-separated, RFC 4180 quoting,
 * a header row, one item per record; an empty cell is an absent field.
 *
 * @throws InvalidCommand (field `body`) naming the line (and column) of the first problem: bytes that are not
 *   UTF-8, an unknown or missing column, a quote left open, a row of the wrong width, no items.
 * @throws DecisionTooLarge at the first row over DECISION_LIMITS.items (100,000), counted as csv-parse
 *   reads them: an oversized annex is refused there, its rest never parsed, before anything else is done.
 */
export function parseAnnexCsv(body: Buffer): ParsedAnnex {
  const text = decodeUtf8(body);
  let records: { record: Record<string, string>; line: number }[];
  try {
    records = parse(text, {
      bom: true,
      columns: (header: string[]) => checkHeader(header),
      skip_empty_lines: true,
      trim: true,
      relax_column_count: false,
      // ctx.lines is the line a record ends on; a record spans as many lines as its quoted newlines.
      on_record: (record: Record<string, string>, ctx: { records: number; lines: number }) => {
        if (ctx.records > DECISION_LIMITS.items) throw new DecisionTooLarge(undefined, ctx.lines - newlines(record));
        return { record, line: ctx.lines - newlines(record) };
      },
    }) as typeof records;
  } catch (error) {
    if (error instanceof InvalidCommand || error instanceof DecisionTooLarge) throw error;
    if (error instanceof CsvError) throw new InvalidCommand([{ field: 'body', message: `line ${(error as CsvError & { lines?: number }).lines ?? '?'}: ${csvMessage(error)}` }]);
    throw error;
  }
  if (records.length === 0) throw new InvalidCommand([{ field: 'body', message: 'the annex lists no items (a header row, then one row per item)' }]);
  const items = records.map(({ record }) => {
    const item: Record<string, string> = {};
    for (const [key, value] of Object.entries(record)) if (value !== '') item[key] = value;
    return item as unknown as DecisionItem;
  });
  return { items, lines: records.map((r) => r.line) };
}

function checkHeader(header: string[]): string[] {
  const columns = header.map((h) => h.trim());
  const unknown = columns.filter((c) => !(ANNEX_COLUMNS as readonly string[]).includes(c));
  const missing = REQUIRED_COLUMNS.filter((c) => !columns.includes(c));
  const repeated = columns.filter((c, i) => columns.indexOf(c) !== i);
  const errors = [
    ...unknown.map((c) => ({ field: 'body', message: `line 1: unknown column '${c}' (the columns are ${ANNEX_COLUMNS.join(', ')})` })),
    ...missing.map((c) => ({ field: 'body', message: `line 1: the column '${c}' is missing` })),
    ...repeated.map((c) => ({ field: 'body', message: `line 1: the column '${c}' appears twice` })),
  ];
  if (errors.length > 0) throw new InvalidCommand(errors);
  return columns;
}

/** Strict UTF-8; the line of the first byte sequence that is not UTF-8 (a file saved in another encoding, or mixed). */
function decodeUtf8(body: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    let line = 1;
    let start = 0;
    for (let i = 0; i <= body.length; i++) {
      if (i === body.length || body[i] === 0x0a) {
        try {
          new TextDecoder('utf-8', { fatal: true }).decode(body.subarray(start, i));
        } catch {
          break;
        }
        line++;
        start = i + 1;
      }
    }
    throw new InvalidCommand([{ field: 'body', message: `line ${line}: not UTF-8 (save the annex as UTF-8, with or without a BOM)` }]);
  }
}

function csvMessage(error: CsvError): string {
  switch (error.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return 'a quoted field is never closed';
    case 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH':
    case 'CSV_RECORD_INCONSISTENT_COLUMNS':
      return 'this row has a different number of fields than the header';
    case 'CSV_INVALID_CLOSING_QUOTE':
      return 'a quote inside a quoted field must be doubled';
    default:
      return error.message;
  }
}

function newlines(record: Record<string, string>): number {
  return Object.values(record).reduce((n, v) => n + (v.match(/\n/g)?.length ?? 0), 0);
}
