/** A plain-text table: a title, a header row, aligned columns (numbers right, text left), optional notes. */
export function table(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly unknown[])[],
  notes: readonly string[] = [],
): string {
  const cells = rows.map((row) => row.map(cell));
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => (r[i] ?? '').length)));
  const numeric = headers.map(
    (_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number' || r[i] === undefined),
  );
  const line = (values: readonly string[]) =>
    values
      .map((v, i) => (numeric[i] ? v.padStart(widths[i]!) : v.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [
    `## ${title}`,
    line(headers),
    line(widths.map((w) => '-'.repeat(w))),
    ...cells.map(line),
    ...notes.map((n) => `  ${n}`),
    '',
  ].join('\n');
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1);
  return String(value);
}
