/**
 * The photo: the original bytes decoded by the browser for the photo layer, and its RGBA bytes (what
 * propagation, the magic wand and the superpixels read); for a large image, a reduced preview shown first.
 */
import { call } from '../lib/api';

export async function loadPhoto(imageId: number): Promise<ImageBitmap> {
  return decoded(await call('images.original', { id: imageId }));
}

/**
 * The image reduced to fit `maxSide` (main's libvips shrinks while decoding), for the first view of a
 * large image while its original decodes: a 24 MP original takes seconds to reach the screen.
 */
export async function loadPreview(imageId: number, maxSide: number): Promise<ImageBitmap> {
  return decoded(await call('images.preview', { id: imageId, maxSide }));
}

function decoded(img: { data: Uint8Array; mime: string }): Promise<ImageBitmap> {
  return createImageBitmap(new Blob([img.data as Uint8Array<ArrayBuffer>], { type: img.mime }));
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
