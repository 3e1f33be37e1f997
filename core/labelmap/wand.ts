/**
 * Magic wand: fills the 4-connected region of pixels whose colour is close to the clicked pixel's.
 * A pixel joins when max(|R - R0|, |G - G0|, |B - B0|) <= tolerance (R0, G0, B0: the clicked pixel)
 * and it may be written: painted pixels are never changed by the wand and stop the region (only the user's
 * brush, eraser, fill or polygon changes them), and with `protectLabels` only unlabeled pixels join.
 * Scanline fill with a visited bitmap: O(region + perimeter) time, w*h bytes of scratch.
 */
import type { EditEntry } from './patch';
import { EditRecorder } from './recorder';
import { paintProvenance, Provenance, UNLABELED } from './types';
import type { LabelMap } from './types';

export interface WandOptions {
  /** Class 0..254, or UNLABELED (255) to erase the region. */
  value: number;
  /** Largest per-channel difference from the clicked pixel's colour, 0..255. */
  tolerance: number;
  protectLabels?: boolean;
}

/** Whether a region tool (wand, superpixel brush) may write pixel i: never a painted pixel. */
function regionWritable(map: LabelMap, i: number, protectLabels: boolean): boolean {
  if (map.provenance[i] === Provenance.Painted) return false;
  return !protectLabels || map.classes[i] === UNLABELED;
}

/**
 * The wand's region from image point (x, y) as a 0/1 mask, or null when that pixel is outside the
 * image or may not be written. `rgba` is the photo, row-major, 4 bytes per pixel.
 */
function wandRegion(
  map: LabelMap,
  rgba: ArrayLike<number>,
  x: number,
  y: number,
  tolerance: number,
  protectLabels = false,
): Uint8Array | null {
  const { width: w, height: h } = map;
  const sx = Math.floor(x);
  const sy = Math.floor(y);
  if (!(sx >= 0 && sy >= 0 && sx < w && sy < h)) return null;
  if (rgba.length < w * h * 4) throw new RangeError('wand: the photo does not match the label map');
  const seed = sy * w + sx;
  if (!regionWritable(map, seed, protectLabels)) return null;
  const t = Math.max(0, tolerance);
  const r0 = rgba[seed * 4]!;
  const g0 = rgba[seed * 4 + 1]!;
  const b0 = rgba[seed * 4 + 2]!;
  const inside = new Uint8Array(w * h);
  const joins = (i: number): boolean =>
    inside[i] === 0 &&
    Math.abs(rgba[i * 4]! - r0) <= t &&
    Math.abs(rgba[i * 4 + 1]! - g0) <= t &&
    Math.abs(rgba[i * 4 + 2]! - b0) <= t &&
    regionWritable(map, i, protectLabels);

  const stack = [seed];
  while (stack.length > 0) {
    const i = stack.pop()!;
    if (!joins(i)) continue;
    const base = i - (i % w);
    let xl = i - base;
    let xr = xl;
    while (xl > 0 && joins(base + xl - 1)) xl--;
    while (xr < w - 1 && joins(base + xr + 1)) xr++;
    inside.fill(1, base + xl, base + xr + 1);
    for (const nb of [base - w, base + w]) {
      if (nb < 0 || nb >= w * h) continue;
      let inRun = false;
      for (let cx = xl; cx <= xr; cx++) {
        if (joins(nb + cx)) {
          if (!inRun) stack.push(nb + cx);
          inRun = true;
        } else inRun = false;
      }
    }
  }
  return inside;
}

/** Writes `value` into every pixel of the wand's region; the undo entry, or null when nothing changed. */
export function magicWand(
  map: LabelMap,
  rgba: ArrayLike<number>,
  x: number,
  y: number,
  options: WandOptions,
): EditEntry | null {
  paintProvenance(options.value);
  const region = wandRegion(map, rgba, x, y, options.tolerance, options.protectLabels);
  if (!region) return null;
  const rec = new EditRecorder(map);
  writeMask(rec, region, map.width, options.value);
  return rec.finish();
}

/** Writes `value` into the pixels where `mask` is 1, one span per row run. */
function writeMask(rec: EditRecorder, mask: Uint8Array, width: number, value: number): void {
  for (let y = 0, base = 0; base < mask.length; y++, base += width) {
    for (let x = 0; x < width; x++) {
      if (mask[base + x] === 0) continue;
      let end = x;
      while (end + 1 < width && mask[base + end + 1] === 1) end++;
      rec.writeSpan(y, x, end, value);
      x = end;
    }
  }
}
