/**
 * Pixels for "Fill unlabeled" and "Show prediction": the photo's RGBA bytes (what the propagation
 * worker reads) and the preview canvas (what the result would write, shaded by confidence).
 */
import { isReplaceable } from '../../../core/propagation/merge';
import { UNLABELED } from '../../../core/labelmap';
import type { LabelMap } from '../../../core/labelmap';

// Read once per decoded photo; the photo is closed (and this entry collected) when the editor moves on.
const rgbaCache = new WeakMap<ImageBitmap, Uint8ClampedArray>();

/** The photo's RGBA pixels, row-major, as a canvas reads them back. Cached per bitmap. */
export function photoRgba(photo: ImageBitmap): Uint8ClampedArray {
  const cached = rgbaCache.get(photo);
  if (cached) return cached;
  const canvas = new OffscreenCanvas(photo.width, photo.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(photo, 0, 0);
  const data = ctx.getImageData(0, 0, photo.width, photo.height).data;
  rgbaCache.set(photo, data);
  return data;
}

/** Rows per rendering band: keeps the scratch ImageData at 4 Mpx (16 MiB) or less. */
const BAND_PIXELS = 4 * 1024 * 1024;
/** Alpha of a pixel the fill would make unlabeled (an earlier propagated label being removed). */
const CLEARED_RGBA = [16, 18, 22, 150] as const;

export interface PreviewCounts {
  /** Pixels whose class or provenance the fill would change. */
  changed: number;
  /** Replaceable pixels the fill leaves (or makes) unlabeled: confidence below the threshold. */
  unlabeled: number;
}

/** What a preview shows: a label per pixel, its confidence, and which pixels it may write. */
export interface PreviewSource {
  /** Label value per pixel; UNLABELED where the result leaves the pixel unlabeled. */
  labels: Uint8Array;
  /** Confidence per pixel, in the units of `floor` and `top`. */
  confidence: Float32Array | Uint8Array;
  /** Confidence drawn faintest (alpha 0.1) and confidence drawn surest (alpha 0.75). */
  floor: number;
  top: number;
  /** Whether the result may write a pixel of this provenance (others are never drawn nor counted). */
  writable: (provenance: number) => boolean;
}

/**
 * Draws the fill preview into `canvas` (image-sized): every pixel the fill writes a class to, in its
 * class colour with alpha from the confidence; pixels it would turn unlabeled (earlier propagation
 * below the threshold now) dark; painted, imported and predicted pixels, and pixels that stay
 * unlabeled, transparent. Alpha goes from 0.1 (least sure) to 0.75 (sure). Confidence is rescaled from its floor 1/K (K painted classes: the random
 * walker's least certain value) to 1, so uncertain borders look faint. O(w * h).
 */
export function renderFillPreview(
  canvas: HTMLCanvasElement,
  map: LabelMap,
  labels: Uint8Array,
  confidence: Float32Array,
  classCount: number,
  palette: Uint32Array,
  hidden: readonly number[],
): PreviewCounts {
  const floor = classCount > 1 ? 1 / classCount : 0;
  return renderPreview(canvas, map, { labels, confidence, floor, top: 1, writable: isReplaceable }, palette, hidden);
}

/**
 * Draws a label preview into `canvas` (image-sized), for "Fill unlabeled" and "Show prediction": every
 * writable pixel the result gives a class, in its class colour with alpha from the confidence
 * (rescaled from `floor` to `top`); writable pixels it would turn unlabeled dark; everything else
 * transparent. O(w * h).
 */
export function renderPreview(
  canvas: HTMLCanvasElement,
  map: LabelMap,
  source: PreviewSource,
  palette: Uint32Array,
  hidden: readonly number[],
): PreviewCounts {
  const { labels, confidence, floor, top, writable } = source;
  const { width: w, height: h, classes, provenance } = map;
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d')!;
  const span = top - floor;
  const canWrite = new Uint8Array(256);
  for (let p = 0; p < 256; p++) canWrite[p] = writable(p) ? 1 : 0;
  const rgb = new Uint8Array(256 * 3);
  const visible = new Uint8Array(256);
  for (let v = 0; v < 256; v++) {
    const c = palette[v] ?? 0;
    rgb[3 * v] = c >>> 24;
    rgb[3 * v + 1] = (c >>> 16) & 255;
    rgb[3 * v + 2] = (c >>> 8) & 255;
    visible[v] = v !== UNLABELED && (c & 255) > 0 ? 1 : 0;
  }
  for (const v of hidden) visible[v & 255] = 0;
  const counts: PreviewCounts = { changed: 0, unlabeled: 0 };
  const rows = Math.max(1, Math.min(h, Math.floor(BAND_PIXELS / w)));
  const image = new ImageData(w, rows);
  const out = image.data;
  for (let y0 = 0; y0 < h; y0 += rows) {
    const n = Math.min(rows, h - y0);
    out.fill(0);
    for (let k = 0, i = y0 * w; k < n * w; k++, i++) {
      const p = provenance[i]!;
      if (!canWrite[p]) continue;
      const v = labels[i]!;
      const o = 4 * k;
      if (v === UNLABELED) {
        counts.unlabeled++;
        if (classes[i] === UNLABELED) continue;
        counts.changed++;
        out[o] = CLEARED_RGBA[0];
        out[o + 1] = CLEARED_RGBA[1];
        out[o + 2] = CLEARED_RGBA[2];
        out[o + 3] = CLEARED_RGBA[3];
        continue;
      }
      if (classes[i] !== v || p === 0) counts.changed++;
      if (!visible[v]) continue;
      const t = span > 0 ? Math.min(1, Math.max(0, (confidence[i]! - floor) / span)) : 1;
      out[o] = rgb[3 * v]!;
      out[o + 1] = rgb[3 * v + 1]!;
      out[o + 2] = rgb[3 * v + 2]!;
      out[o + 3] = Math.round(255 * (0.1 + 0.65 * t));
    }
    ctx.putImageData(image, 0, y0, 0, 0, w, n);
  }
  return counts;
}
