/**
 * Draws a rectangle of a label map into an RGBA buffer (non-premultiplied, ImageData layout), so the
 * canvas only redraws dirty regions: `ctx.putImageData(image, 0, 0, r.x, r.y, r.width, r.height)`
 * for a full-size buffer, or a rect-sized buffer with `offsetX/offsetY = r.x/r.y`.
 * Cost: O(256) for the colour table + O(rect area), one 32-bit store per pixel.
 */
import { intersectRect } from './rect';
import { UNLABELED } from './types';
import type { LabelMap, Rect } from './types';

/**
 * Colours per class (or per provenance code): RGBA bytes, 4 per entry; or a Uint32Array of
 * 0xRRGGBBAA per entry. Entries missing from a short palette, and class 255, draw transparent.
 */
export type Palette = Uint8Array | Uint8ClampedArray | Uint32Array;

/** ImageData-compatible target. */
export interface RgbaBuffer {
  readonly data: Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
}

export interface RenderOptions {
  /** Multiplies every alpha, 0..1. Default 1. */
  opacity?: number;
  /** Classes drawn transparent (in both modes). */
  hiddenClasses?: Iterable<number>;
  /** 'class' colours by class; 'provenance' by provenance code. Default 'class'. */
  mode?: 'class' | 'provenance';
  /** Colours for provenance codes 0..4 in 'provenance' mode. Default PROVENANCE_PALETTE. */
  provenancePalette?: Palette;
  /** Image coordinates of the buffer's pixel (0, 0). Default 0, 0 (a full-image buffer). */
  offsetX?: number;
  offsetY?: number;
}

/** none (transparent), painted (blue), propagated (orange), predicted (magenta), imported (green). */
export const PROVENANCE_PALETTE: Uint32Array = Uint32Array.of(
  0x00000000,
  0x2f80edff,
  0xf2994aff,
  0xbb6bd9ff,
  0x27ae60ff,
);

/** 256-entry table of pixels (as the platform's 32-bit view of RGBA bytes), alpha scaled, hidden = 0. */
function colourTable(palette: Palette, opacity: number, hidden: Uint8Array | null): Uint32Array {
  const table = new Uint32Array(256);
  const bytes = new Uint8Array(table.buffer);
  const entries = palette instanceof Uint32Array ? palette.length : palette.length >> 2;
  for (let i = 0; i < Math.min(256, entries); i++) {
    if (hidden && hidden[i]) continue;
    let r: number, g: number, b: number, a: number;
    if (palette instanceof Uint32Array) {
      const v = palette[i]!;
      [r, g, b, a] = [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
    } else {
      [r, g, b, a] = [palette[4 * i]!, palette[4 * i + 1]!, palette[4 * i + 2]!, palette[4 * i + 3]!];
    }
    bytes.set([r, g, b, Math.round(a * opacity)], 4 * i);
  }
  return table;
}

/**
 * Writes the pixels of `rect` (clipped to the map) into `out`; nothing outside it is touched.
 * Throws if the clipped rect does not fit in `out` at the given offset.
 */
export function renderRect(
  map: LabelMap,
  rect: Rect,
  palette: Palette,
  out: RgbaBuffer,
  options: RenderOptions = {},
): void {
  const r = intersectRect(rect, { x: 0, y: 0, width: map.width, height: map.height });
  if (!r) return;
  const ox = options.offsetX ?? 0;
  const oy = options.offsetY ?? 0;
  if (out.data.length !== out.width * out.height * 4) throw new RangeError('RGBA buffer size mismatch');
  if (r.x - ox < 0 || r.y - oy < 0 || r.x + r.width - ox > out.width || r.y + r.height - oy > out.height) {
    throw new RangeError(`Rect ${JSON.stringify(r)} does not fit the ${out.width}x${out.height} buffer`);
  }
  if (out.data.byteOffset % 4 !== 0) throw new RangeError('RGBA buffer must be 4-byte aligned');
  const opacity = Math.min(1, Math.max(0, options.opacity ?? 1));
  const hidden = new Uint8Array(256);
  hidden[UNLABELED] = 1;
  for (const c of options.hiddenClasses ?? []) hidden[c & 255] = 1;
  const classLut = colourTable(palette, opacity, hidden);
  const provLut =
    options.mode === 'provenance' ? colourTable(options.provenancePalette ?? PROVENANCE_PALETTE, opacity, null) : null;
  const out32 = new Uint32Array(out.data.buffer, out.data.byteOffset, out.data.length >> 2);
  const { classes, provenance } = map;
  for (let row = r.y; row < r.y + r.height; row++) {
    let i = row * map.width + r.x;
    let o = (row - oy) * out.width + (r.x - ox);
    const end = i + r.width;
    if (provLut) {
      for (; i < end; i++, o++) out32[o] = hidden[classes[i]!] ? 0 : provLut[provenance[i]!]!;
    } else {
      for (; i < end; i++, o++) out32[o] = classLut[classes[i]!]!;
    }
  }
}
