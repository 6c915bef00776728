export interface Column {
  header: string;
  align?: 'left' | 'right';
}

/** A plain-text table: a header, a rule, one line per row; columns two spaces apart, no trailing blanks. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = [columns.map((c) => c.header), ...rows].map((row) => row.map((cell) => oneLine(cell)));
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => width(row[i] ?? ''))));
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const pad = ' '.repeat(widths[i] - width(cell));
        return columns[i].align === 'right' ? pad + cell : cell + pad;
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].join('\n') + '\n';
}

/** Code points of the NFC form: right for Vietnamese (precomposed letters), close enough elsewhere. */
function width(text: string): number {
  return [...text.normalize('NFC')].length;
}

function oneLine(text: string): string {
  return text.normalize('NFC').replace(/\s+/g, ' ');
}
