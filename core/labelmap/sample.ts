/**
 * A label map's pixels sampled on a grid: those of `rect` every `step` pixels, (x + i * step,
 * y + j * step), row-major (the grid of core/propagation's `region`). The preview of a large image's
 * part on screen plans and draws on these (accept.ts's rule is per pixel, so its plan there is the
 * whole plan's at those pixels).
 */
import type { LabelMap, Rect } from './types';

export function sampleMap(map: LabelMap, rect: Rect, step: number): LabelMap {
  const cols = Math.ceil(rect.width / step);
  const rows = Math.ceil(rect.height / step);
  const classes = new Uint8Array(cols * rows);
  const provenance = new Uint8Array(cols * rows);
  for (let j = 0, o = 0; j < rows; j++) {
    const row = (rect.y + j * step) * map.width + rect.x;
    for (let i = 0; i < cols; i++, o++) {
      classes[o] = map.classes[row + i * step]!;
      provenance[o] = map.provenance[row + i * step]!;
    }
  }
  return { width: cols, height: rows, classes, provenance };
}
