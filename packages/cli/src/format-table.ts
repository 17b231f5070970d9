/** A table cell: text or a number (integers print with thousands separators). */
export type Cell = string | number;

/**
 * Renders rows as a plain-text table with aligned columns; numbers are right-aligned.
 *
 * @param rows - one object per row; the columns are the union of the keys, in first-seen order
 * @returns the table, header and rule included, without a trailing newline
 * @example
 * ```ts
 * formatTable([{ name: 'conv1', bits: 301056 }]);
 * // name   bits
 * // -----  -------
 * // conv1  301,056
 * ```
 */
export function formatTable(rows: readonly Record<string, Cell>[]): string {
  if (rows.length === 0) return '(no rows)';
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const text = (v: Cell | undefined): string =>
    v === undefined ? '' : typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-US') : v.toPrecision(4)) : v;
  const numeric = columns.map((c) => rows.every((r) => r[c] === undefined || typeof r[c] === 'number'));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => text(r[c]).length)));
  const line = (cells: string[]): string =>
    cells.map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(columns), line(widths.map((w) => '-'.repeat(w))), ...rows.map((r) => line(columns.map((c) => text(r[c]))))].join('\n');
}
