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
