/**
 * Polygon / lasso fill by scanline over pixel centres, pixel-exact, no anti-aliasing.
 *
 * Pixel (x, y) is filled iff its centre (x + 0.5, y + 0.5) is inside the closed polygon under the
 * chosen rule, where "inside" counts the edges crossing the horizontal ray to the right of the
 * centre. An edge crosses row yc iff min(y0, y1) <= yc < max(y0, y1) (half-open, so horizontal edges
 * never count), at x = xLow + (yc - yLow) * (xHigh - xLow) / (yHigh - yLow) (endpoints ordered by y,
 * so a shared edge gives the same crossing for both neighbours), and counts iff centre x < crossing.
 * - 'nonzero' (default, like canvas fill()): inside iff the signed crossing count is not zero.
 * - 'evenodd': inside iff the crossing count is odd.
 * So a centre exactly on an edge belongs to the side to its right / below: two polygons sharing an
 * edge cover every centre along it exactly once.
 *
 * Cost: O(E log E + rows * active edges + filled pixels), E = vertex count.
 */
import type { EditEntry } from './patch';
import { EditRecorder } from './recorder';
import { paintProvenance } from './types';
import type { LabelMap } from './types';

export type FillRule = 'nonzero' | 'evenodd';

export interface PolygonOptions {
  /** Class 0..254, or UNLABELED (255) to erase. */
  value: number;
  /** Only write pixels that are currently unlabeled. */
  protectLabels?: boolean;
  rule?: FillRule;
}

interface Edge {
  x0: number; // endpoint with the smaller y
  y0: number;
  x1: number;
  y1: number;
  dir: number; // +1 if the polygon runs towards +y along this edge, else -1
  rowEnd: number; // last row whose centre it crosses
}

/** Smallest integer x with x + 0.5 >= c, for c clamped to [-1, limit + 1]. */
function firstCentreAtOrAfter(c: number, limit: number): number {
  const v = c < -1 ? -1 : c > limit + 1 ? limit + 1 : c;
  let x = Math.ceil(v - 0.5);
  while (x + 0.5 < v) x++;
  while (x - 0.5 >= v) x--;
  return x;
}

/**
 * Fills the polygon with vertices `points` = [x0, y0, x1, y1, ...] (image coordinates, closed
 * implicitly). Returns the undo entry, or null if nothing changed.
 */
export function fillPolygon(map: LabelMap, points: ArrayLike<number>, options: PolygonOptions): EditEntry | null {
  const { value } = options;
  paintProvenance(value);
  if (points.length % 2 !== 0) throw new RangeError('Polygon points must be x, y pairs');
  for (let i = 0; i < points.length; i++) {
    if (!Number.isFinite(points[i])) throw new RangeError(`Polygon point ${i} is not finite`);
  }
  const n = points.length / 2;
  if (n < 3) return null;
  const { width: w, height: h } = map;
  const edges: (Edge & { rowStart: number })[] = [];
  for (let i = 0; i < n; i++) {
    const j = (i + 1) % n;
    const xi = points[2 * i]!,
      yi = points[2 * i + 1]!;
    const xj = points[2 * j]!,
      yj = points[2 * j + 1]!;
    if (yi === yj) continue;
    const down = yj > yi;
    const e = down ? { x0: xi, y0: yi, x1: xj, y1: yj, dir: 1 } : { x0: xj, y0: yj, x1: xi, y1: yi, dir: -1 };
    const rowStart = Math.max(0, firstCentreAtOrAfter(e.y0, h));
    const rowEnd = Math.min(h - 1, firstCentreAtOrAfter(e.y1, h) - 1);
    if (rowStart <= rowEnd) edges.push({ ...e, rowStart, rowEnd });
  }
  if (edges.length === 0) return null;
  edges.sort((a, b) => a.rowStart - b.rowStart);

  const nonzero = (options.rule ?? 'nonzero') === 'nonzero';
  const rec = new EditRecorder(map);
  let active: Edge[] = [];
  const xs: { x: number; dir: number }[] = [];
  let next = 0;
  for (let y = edges[0]!.rowStart; y < h && (next < edges.length || active.length > 0); y++) {
    while (next < edges.length && edges[next]!.rowStart === y) active.push(edges[next++]!);
    active = active.filter((e) => e.rowEnd >= y);
    const yc = y + 0.5;
    xs.length = 0;
    for (const e of active) xs.push({ x: e.x0 + ((yc - e.y0) * (e.x1 - e.x0)) / (e.y1 - e.y0), dir: e.dir });
    xs.sort((a, b) => a.x - b.x);
    // Crossings right of a centre between xs[i-1] and xs[i] are xs[i..]; their count is
    // xs.length - i and their signed sum is -(sum of dirs before i), since all dirs sum to zero.
    let sum = 0;
    for (let i = 1; i < xs.length; i++) {
      sum += xs[i - 1]!.dir;
      const inside = nonzero ? sum !== 0 : (xs.length - i) % 2 === 1;
      if (!inside) continue;
      const x0 = Math.max(0, firstCentreAtOrAfter(xs[i - 1]!.x, w));
      const x1 = Math.min(w - 1, firstCentreAtOrAfter(xs[i]!.x, w) - 1);
      if (x0 <= x1) rec.writeSpan(y, x0, x1, value, options.protectLabels ?? false);
    }
  }
  return rec.finish();
}
