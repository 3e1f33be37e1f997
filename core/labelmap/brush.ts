/**
 * Round brush strokes, applied incrementally (one call per pointer move).
 *
 * Coverage (pixel-exact, no anti-aliasing): with r = diameter / 2, pixel (x, y) is covered by the
 * segment A-B iff the Euclidean distance from its centre (x + 0.5, y + 0.5) to the closed segment
 * A-B is <= r. A stroke is the polyline through its points; the first point alone covers the disc
 * of radius r around it. Points are image coordinates (floats). For a symmetric footprint at small
 * sizes, snap points with `snapBrushPoint` first.
 *
 * Cost per move: O(rows of the segment's bounding box + covered pixels), independent of the image.
 */
import type { EditEntry } from './patch';
import { EditRecorder } from './recorder';
import { paintProvenance } from './types';
import type { LabelMap, Rect } from './types';

export interface BrushOptions {
  /** Brush diameter in pixels, > 0. */
  diameter: number;
  /** Class 0..254, or UNLABELED (255) to erase (provenance None). Painting writes provenance Painted. */
  value: number;
  /** Only write pixels that are currently unlabeled (keeps existing labels). */
  protectLabels?: boolean;
}

/**
 * Centre a brush on a pixel centre (odd diameters) or pixel corner (even diameters), so that a click
 * covers a symmetric footprint: diameter 1 -> 1 pixel, 2 -> 2x2, 3 -> 3x3.
 */
export function snapBrushPoint(x: number, y: number, diameter: number): { x: number; y: number } {
  const odd = Math.round(diameter) % 2 === 1;
  return odd ? { x: Math.floor(x) + 0.5, y: Math.floor(y) + 0.5 } : { x: Math.round(x), y: Math.round(y) };
}

/**
 * One stroke, pointer-down to pointer-up. `addPoint` paints and returns the changed rectangle for
 * the renderer; `commit` returns the stroke's single undo entry; `cancel` restores the map.
 */
export class StrokeSession {
  private readonly recorder: EditRecorder;
  private readonly r: number;
  private readonly value: number;
  private readonly protect: boolean;
  private px = NaN;
  private py = NaN;

  constructor(
    readonly map: LabelMap,
    options: BrushOptions,
  ) {
    if (!(options.diameter > 0 && Number.isFinite(options.diameter))) {
      throw new RangeError(`Brush diameter must be > 0, got ${options.diameter}`);
    }
    paintProvenance(options.value); // validates the value
    this.r = options.diameter / 2;
    this.value = options.value;
    this.protect = options.protectLabels ?? false;
    this.recorder = new EditRecorder(map);
  }

  /**
   * Paints from the previous point to (x, y) (the first call paints a disc). Returns the bounding
   * box of the pixels that changed, or null if none did.
   */
  addPoint(x: number, y: number): Rect | null {
    if (!Number.isFinite(x) || !Number.isFinite(y)) throw new RangeError(`Bad point ${x},${y}`);
    const ax = Number.isNaN(this.px) ? x : this.px;
    const ay = Number.isNaN(this.py) ? y : this.py;
    this.px = x;
    this.py = y;
    this.paintSegment(ax, ay, x, y);
    return this.recorder.takeDirty();
  }

  /** Ends the stroke: one undo entry for all its moves (null if nothing changed). */
  commit(): EditEntry | null {
    return this.recorder.finish();
  }

  /** Abandons the stroke: restores every pixel it changed; returns the rectangle to redraw. */
  cancel(): Rect | null {
    return this.recorder.revert();
  }

  private paintSegment(ax: number, ay: number, bx: number, by: number): void {
    const { width, height } = this.map;
    const r = this.r;
    const r2 = r * r;
    const dx = bx - ax;
    const dy = by - ay;
    const l2 = dx * dx + dy * dy;
    const covered = (x: number, yc: number): boolean => {
      const cx = x + 0.5 - ax;
      const cy = yc - ay;
      let t = l2 > 0 ? (cx * dx + cy * dy) / l2 : 0;
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      const ex = cx - t * dx;
      const ey = cy - t * dy;
      return ex * ex + ey * ey <= r2;
    };
    // Candidate rows and per-row intervals use radius r + 1 (a strict superset of the exact cover);
    // the exact predicate then trims each interval's ends.
    const R = r + 1;
    const yStart = Math.max(0, Math.floor(Math.min(ay, by) - R));
    const yEnd = Math.min(height - 1, Math.ceil(Math.max(ay, by) + R));
    for (let y = yStart; y <= yEnd; y++) {
      const yc = y + 0.5;
      if (!rowInterval(ax, ay, bx, by, R, yc)) continue;
      let x0 = Math.max(0, Math.floor(span[0] - 0.5));
      let x1 = Math.min(width - 1, Math.ceil(span[1] - 0.5));
      while (x0 <= x1 && !covered(x0, yc)) x0++;
      if (x0 > x1) continue;
      while (!covered(x1, yc)) x1--;
      this.recorder.writeSpan(y, x0, x1, this.value, this.protect);
    }
  }
}

const span = new Float64Array(2);

/**
 * Interval of x (written to `span`) where the horizontal line at height yc meets the capsule of
 * radius R around segment A-B: the union of the two end discs and the swept rectangle, which is
 * one interval because the capsule is convex. Returns false if the line misses it.
 */
function rowInterval(ax: number, ay: number, bx: number, by: number, R: number, yc: number): boolean {
  const R2 = R * R;
  let lo = Infinity;
  let hi = -Infinity;
  for (let e = 0; e < 2; e++) {
    const px = e === 0 ? ax : bx;
    const d = yc - (e === 0 ? ay : by);
    if (d * d <= R2) {
      const h = Math.sqrt(R2 - d * d);
      lo = Math.min(lo, px - h);
      hi = Math.max(hi, px + h);
    }
  }
  const dx = bx - ax;
  const dy = by - ay;
  const l2 = dx * dx + dy * dy;
  if (l2 > 0) {
    // projection 0 <= (x-ax)dx + (yc-ay)dy <= l2, and |(x-ax)dy - (yc-ay)dx| <= R*L
    const k = (yc - ay) * dy;
    const m = (yc - ay) * dx;
    const rl = R * Math.sqrt(l2);
    let tlo = -Infinity;
    let thi = Infinity;
    let ok = true;
    if (dx !== 0) {
      const p = ax - k / dx;
      const q = ax + (l2 - k) / dx;
      tlo = Math.min(p, q);
      thi = Math.max(p, q);
    } else if (k < 0 || k > l2) ok = false;
    if (dy !== 0) {
      const p = ax + (m - rl) / dy;
      const q = ax + (m + rl) / dy;
      tlo = Math.max(tlo, Math.min(p, q));
      thi = Math.min(thi, Math.max(p, q));
    } else if (Math.abs(m) > rl) ok = false;
    if (ok && tlo <= thi) {
      lo = Math.min(lo, tlo);
      hi = Math.max(hi, thi);
    }
  }
  span[0] = lo;
  span[1] = hi;
  return lo <= hi;
}
