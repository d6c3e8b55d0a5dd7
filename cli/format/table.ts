import { visibleWidth } from './style';

export interface Column {
  header: string;
  /** Default left; numbers and durations read better right-aligned. */
  align?: 'left' | 'right';
}

/**
 * Lines of a plain-text table: a header row, then one line per row, columns padded to their widest cell (colour
 * codes do not count) and separated by two spaces. No borders, so the output stays easy to grep and paste; trailing
 * spaces are trimmed.
 */
export function renderTable(
  columns: Column[],
  rows: string[][],
  header: (text: string) => string = (t) => t,
): string[] {
  const widths = columns.map((c, i) => Math.max(visibleWidth(c.header), ...rows.map((r) => visibleWidth(r[i] ?? ''))));
  const line = (cells: string[], style: (text: string) => string = (t) => t) =>
    cells
      .map((cell, i) => {
        const pad = ' '.repeat(Math.max(0, widths[i] - visibleWidth(cell)));
        const last = i === columns.length - 1;
        if (columns[i].align === 'right') return pad + style(cell);
        return style(cell) + (last ? '' : pad);
      })
      .join('  ')
      .replace(/\s+$/, '');
  return [
    line(
      columns.map((c) => c.header),
      header,
    ),
    ...rows.map((r) => line(columns.map((_, i) => r[i] ?? ''))),
  ];
}
