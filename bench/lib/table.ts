import { round } from './stats.js';

/** A number as the tables print it: 3 significant digits, k and M for large ones, blank for none. */
export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return '';
  if (Math.abs(value) >= 1e6) return `${round(value / 1e6, 3)}M`;
  if (Math.abs(value) >= 1e4) return `${round(value / 1e3, 3)}k`;
  return String(round(value, 3));
}

/** Rows under a header, columns padded to their widest cell, with a rule below the header. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}
