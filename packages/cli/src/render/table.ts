/**
 * Columns aligned as docker's tabwriter.NewWriter(out, 10, 1, 3, ' ', 0) aligns them:
 * every cell but a line's last is padded to max(widest + 3, 10) characters.
 */
function width(text: string): number {
  return [...text].length;
}

/** Aligns lines whose cells are separated by tabs. */
export function alignTabs(lines: readonly string[]): string {
  const rows = lines.map((l) => l.split('\t'));
  const widths: number[] = [];
  for (const row of rows) {
    row.slice(0, -1).forEach((cell, i) => { widths[i] = Math.max(widths[i] ?? 0, width(cell)); });
  }
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell + ' '.repeat(Math.max(widths[i]! + 3, 10) - width(cell)))).join('').trimEnd()).map((l) => `${l}\n`).join('');
}

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return alignTabs([header, ...rows].map((r) => r.join('\t')));
}
