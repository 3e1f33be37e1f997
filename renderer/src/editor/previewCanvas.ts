/** The preview canvas of "Fill unlabeled" and "Predict": what the accept would write, shaded by confidence. */
import { UNLABELED } from '../../../core/labelmap';
import type { AcceptPlan, LabelMap, Proposal } from '../../../core/labelmap';

/** Rows per rendering band: keeps the scratch ImageData at 4 Mpx (16 MiB) or less. */
const BAND_PIXELS = 4 * 1024 * 1024;
/** Alpha of a pixel the fill would make unlabeled (an earlier propagated label being removed). */
const CLEARED_RGBA = [16, 18, 22, 150] as const;

/**
 * Draws the accept `plan` into `canvas` (image-sized): every writable pixel the accept gives a class,
 * in its class colour with alpha from the confidence, from 0.1 (at `floor`, or less) to 0.75 (at the
 * confidence's `top`: fully sure; a proposal without confidence is drawn sure); writable pixels it
 * would turn unlabeled (an earlier fill below the minimum now) dark; everything else (labels it may
 * not change, pixels that stay unlabeled, hidden classes) transparent. O(w * h).
 */
export function drawPreview(
  canvas: HTMLCanvasElement,
  map: LabelMap,
  plan: AcceptPlan,
  confidence: Proposal['confidence'],
  floor: number,
  palette: Uint32Array,
  hidden: readonly number[],
): void {
  const { labels, writable } = plan;
  const { width: w, height: h, classes, provenance } = map;
  if (canvas.width !== w || canvas.height !== h) {
    canvas.width = w;
    canvas.height = h;
  }
  const ctx = canvas.getContext('2d')!;
  const values = confidence?.values;
  const span = (confidence?.top ?? 1) - floor;
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
  const rows = Math.max(1, Math.min(h, Math.floor(BAND_PIXELS / w)));
  const image = new ImageData(w, rows);
  const out = image.data;
  for (let y0 = 0; y0 < h; y0 += rows) {
    const n = Math.min(rows, h - y0);
    out.fill(0);
    for (let k = 0, i = y0 * w; k < n * w; k++, i++) {
      if (!writable[provenance[i]!]) continue;
      const v = labels[i]!;
      const o = 4 * k;
      if (v === UNLABELED) {
        if (classes[i] === UNLABELED) continue;
        out[o] = CLEARED_RGBA[0];
        out[o + 1] = CLEARED_RGBA[1];
        out[o + 2] = CLEARED_RGBA[2];
        out[o + 3] = CLEARED_RGBA[3];
        continue;
      }
      if (!visible[v]) continue;
      const t = values && span > 0 ? Math.min(1, Math.max(0, (values[i]! - floor) / span)) : 1;
      out[o] = rgb[3 * v]!;
      out[o + 1] = rgb[3 * v + 1]!;
      out[o + 2] = rgb[3 * v + 2]!;
      out[o + 3] = Math.round(255 * (0.1 + 0.65 * t));
    }
    ctx.putImageData(image, 0, y0, 0, 0, w, n);
  }
}
