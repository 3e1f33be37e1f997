/** Loads an image's pixels for the photo layer: the original bytes, decoded by the browser. */
import { call } from '../lib/api';

export async function loadPhoto(imageId: number): Promise<ImageBitmap> {
  const img = await call('images.original', { id: imageId });
  const blob = new Blob([img.data as Uint8Array<ArrayBuffer>], { type: img.mime });
  return createImageBitmap(blob);
}
