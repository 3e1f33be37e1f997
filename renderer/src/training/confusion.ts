/** Row-normalized confusion matrix cells, rounded so that every row with pixels shows exactly 100.0 %. */

interface ConfusionCell {
  count: number;
  /** Percent of the row's pixels, to one decimal; null for a row without pixels. */
  percent: number | null;
  /** count / row total, 0..1, for the shade. */
  share: number;
}

export interface ConfusionRow {
  total: number;
  cells: ConfusionCell[];
}

/**
 * Tenths of a percent by largest remainder: floor each share, then hand the missing tenths to the cells
 * with the largest remainders, so the rounded row sums to 100.0 exactly.
 */
function tenths(counts: number[], total: number): number[] {
  const exact = counts.map((c) => (c * 1000) / total);
  const out = exact.map(Math.floor);
  let missing = 1000 - out.reduce((a, b) => a + b, 0);
  const order = exact.map((v, i) => [v - Math.floor(v), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (missing <= 0) break;
    out[i]! += 1;
    missing--;
  }
  return out;
}

/** Rows of a flat C*C matrix (`counts[g * C + p]`); [] when the length is not a square. */
export function confusionRows(counts: number[]): ConfusionRow[] {
  const n = Math.round(Math.sqrt(counts.length));
  if (n === 0 || n * n !== counts.length) return [];
  return Array.from({ length: n }, (_, g) => {
    const row = counts.slice(g * n, g * n + n);
    const total = row.reduce((a, b) => a + b, 0);
    const t = total > 0 ? tenths(row, total) : null;
    return {
      total,
      cells: row.map((count, p) => ({
        count,
        percent: t ? t[p]! / 10 : null,
        share: total > 0 ? count / total : 0,
      })),
    };
  });
}
