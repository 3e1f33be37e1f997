/**
 * The photo: the original bytes decoded by the browser for the photo layer, and its RGBA bytes (what
 * propagation, the magic wand and the superpixels read).
 */
import { call } from '../lib/api';

export async function loadPhoto(imageId: number): Promise<ImageBitmap> {
  const img = await call('images.original', { id: imageId });
  const blob = new Blob([img.data as Uint8Array<ArrayBuffer>], { type: img.mime });
  return createImageBitmap(blob);
}

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
