/**
 * Flood fill: the 4-connected region of pixels whose class equals the start pixel's class.
 * Iterative scanline fill with an explicit seed stack (no recursion): each pop expands one row run,
 * then pushes one seed per run of fillable pixels directly above and below it.
 * Cost: O(region pixels + region perimeter) time; stack up to O(region) entries; plus a w*h visited
 * bitmap only when filling a region with its own class (which just marks it Painted).
 */
import type { EditEntry } from './patch';
import { EditRecorder } from './recorder';
import { paintProvenance, UNLABELED } from './types';
import type { LabelMap } from './types';

export interface FillOptions {
  /** Class 0..254, or UNLABELED (255) to erase the region. */
  value: number;
  /** Only fill when the start pixel is unlabeled (then the region is unlabeled pixels only). */
  protectLabels?: boolean;
}

/**
 * Fills the region containing image point (x, y) (floored to a pixel). Returns the undo entry, or
 * null if nothing changed (outside the image, protected, or already that value and provenance).
 */
export function floodFill(map: LabelMap, x: number, y: number, options: FillOptions): EditEntry | null {
  const { value } = options;
  paintProvenance(value);
  const { width: w, height: h, classes } = map;
  const sx = Math.floor(x);
  const sy = Math.floor(y);
  if (!(sx >= 0 && sy >= 0 && sx < w && sy < h)) return null;
  const target = classes[sy * w + sx]!;
  if (options.protectLabels && target !== UNLABELED) return null;
  if (value === target && value === UNLABELED) return null;
  // When value !== target, written pixels stop matching `target`, so they are not revisited.
  const visited = value === target ? new Uint8Array(w * h) : null;
  const fillable = visited
    ? (i: number): boolean => classes[i] === target && visited[i] === 0
    : (i: number): boolean => classes[i] === target;

  const rec = new EditRecorder(map);
  const stack: number[] = [sy * w + sx];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (!fillable(i)) continue;
    const row = Math.floor(i / w);
    const base = row * w;
    let xl = i - base;
    let xr = xl;
    while (xl > 0 && fillable(base + xl - 1)) xl--;
    while (xr < w - 1 && fillable(base + xr + 1)) xr++;
    if (visited) visited.fill(1, base + xl, base + xr + 1);
    rec.writeSpan(row, xl, xr, value);
    for (let ny = row - 1; ny <= row + 1; ny += 2) {
      if (ny < 0 || ny >= h) continue;
      const nb = ny * w;
      let inRun = false;
      for (let cx = xl; cx <= xr; cx++) {
        if (fillable(nb + cx)) {
          if (!inRun) stack.push(nb + cx);
          inRun = true;
        } else inRun = false;
      }
    }
  }
  return rec.finish();
}
