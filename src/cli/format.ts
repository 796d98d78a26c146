/** An ISO time without milliseconds, or `none`. */
export const when = (iso: string | null | undefined, none = '-') => (iso ? iso.replace(/\.\d{3}Z$/, 'Z') : none);

/** Rows as aligned columns (the first row is the header). */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
