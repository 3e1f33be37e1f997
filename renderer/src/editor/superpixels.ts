/** Each photo's SLIC superpixels, computed once (a second or so for a large photo) and kept with the photo. */
import { computeSuperpixels } from '../../../core/labelmap';
import type { Superpixels } from '../../../core/labelmap';
import { photoRgba } from './photo';

// One entry per decoded photo; collected with it when the editor moves on.
const cache = new WeakMap<ImageBitmap, Superpixels>();

export function superpixelsOf(photo: ImageBitmap): Superpixels {
  let sp = cache.get(photo);
  if (!sp) {
    sp = computeSuperpixels(photoRgba(photo), photo.width, photo.height);
    cache.set(photo, sp);
  }
  return sp;
}

/** Whether the photo's superpixels are computed already. */
export function hasSuperpixels(photo: ImageBitmap): boolean {
  return cache.has(photo);
}

/** The outline canvas stays under this many pixels (it is drawn over the photo every frame). */
const EDGE_CANVAS_PIXELS = 4_000_000;
/** White at about a third: the outlines show the superpixels without hiding the photo. */
const EDGE_ALPHA = 84;

/**
 * The superpixel outlines as RGBA pixels at `scale` times the superpixel grid: along each boundary
 * only the last row or column of the finer pixels is marked, so an outline is 1/scale of a grid pixel
 * wide (a grid pixel is up to several image pixels, and the view zooms in on them: issue 25, outlines
 * hid the image). `scale` is the largest up to 8 that keeps the canvas under EDGE_CANVAS_PIXELS.
 */
export function superpixelOutline(sp: Superpixels): {
  width: number;
  height: number;
  rgba: Uint8ClampedArray<ArrayBuffer>;
} {
  const { gridWidth: gw, gridHeight: gh, labels } = sp;
  const scale = Math.max(1, Math.min(8, Math.floor(Math.sqrt(EDGE_CANVAS_PIXELS / (gw * gh)))));
  const width = gw * scale;
  const height = gh * scale;
  const rgba = new Uint8ClampedArray(width * height * 4);
  const mark = (x: number, y: number) => rgba.set([255, 255, 255, EDGE_ALPHA], (y * width + x) * 4);
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const i = gy * gw + gx;
      if (gx < gw - 1 && labels[i + 1] !== labels[i]) {
        for (let k = 0; k < scale; k++) mark(gx * scale + scale - 1, gy * scale + k);
      }
      if (gy < gh - 1 && labels[i + gw] !== labels[i]) {
        for (let k = 0; k < scale; k++) mark(gx * scale + k, gy * scale + scale - 1);
      }
    }
  }
  return { width, height, rgba };
}
