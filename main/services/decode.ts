/**
 * Reading image files: format detection, size limit, full decode check (a truncated or corrupt file
 * fails here, not later), EXIF orientation, and a thumbnail. Uses sharp (libvips), which reads
 * PNG, JPEG, TIFF and WebP.
 */
import sharp from 'sharp';
import { LIMITS, type ImageData } from '../../core/ipc/contract';
import { getImage, getOriginal } from '../../db/images';
import type { ProjectDb } from '../../db/open';
import { AppError } from '../../core/ipc/errors';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.jpe', '.jfif', '.tif', '.tiff', '.webp'] as const;
const FORMATS = new Set(['png', 'jpeg', 'tiff', 'webp']);
export const THUMBNAIL_SIZE = 256;

export interface InspectedImage {
  format: string;
  /** Size as displayed, after EXIF orientation. Label maps have this size. */
  width: number;
  height: number;
  orientation: number;
  thumbnail: Buffer;
  thumbnailMime: string;
}

export async function inspectImage(bytes: Uint8Array): Promise<InspectedImage> {
  let meta: Awaited<ReturnType<ReturnType<typeof sharp>['metadata']>>;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('UNSUPPORTED', 'Not a readable image (PNG, JPEG, TIFF or WebP expected)');
  }
  if (!meta.format || !FORMATS.has(meta.format)) {
    throw new AppError(
      'UNSUPPORTED',
      `Unsupported image format${meta.format ? ` "${meta.format}"` : ''} (PNG, JPEG, TIFF or WebP expected)`,
    );
  }
  const orientation = meta.orientation ?? 1;
  const swap = orientation >= 5;
  const width = swap ? meta.height : meta.width;
  const height = swap ? meta.width : meta.height;
  if (!width || !height) throw new AppError('UNSUPPORTED', 'Image has no size');
  const mp = (width * height) / 1e6;
  if (width * height > LIMITS.maxImagePixels) {
    throw new AppError(
      'TOO_LARGE',
      `Image is ${width}x${height} (${mp.toFixed(0)} megapixels); Maskwright accepts at most ${LIMITS.maxImagePixels / 1e6} megapixels`,
    );
  }
  let thumbnail: Buffer;
  try {
    // Decoding every pixel for the thumbnail also proves the file is complete ('truncated' fails).
    thumbnail = await sharp(bytes, { failOn: 'truncated', limitInputPixels: LIMITS.maxImagePixels })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch (err) {
    throw new AppError(
      'UNSUPPORTED',
      `Corrupt or truncated ${meta.format.toUpperCase()} file (${(err as Error).message})`,
    );
  }
  return { format: meta.format, width, height, orientation, thumbnail, thumbnailMime: 'image/jpeg' };
}

/** Formats Chromium decodes natively; others are converted to PNG for display. */
const BROWSER_MIME: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

/** An image's bytes for the renderer: originals as stored, TIFF converted (EXIF orientation applied). */
export async function browserImage(db: ProjectDb, id: number): Promise<ImageData> {
  const img = getImage(db, id);
  const bytes = img && getOriginal(db, id);
  if (!img || !bytes) throw new AppError('NOT_FOUND', `No image with id ${id}`);
  const mime = BROWSER_MIME[img.format];
  const data = mime
    ? new Uint8Array(bytes)
    : await sharp(bytes, { limitInputPixels: false }).rotate().png({ compressionLevel: 1 }).toBuffer();
  return { id, mime: mime ?? 'image/png', data: new Uint8Array(data), width: img.width, height: img.height };
}

/**
 * An image resized to `width` x `height` (EXIF orientation applied, alpha dropped, sRGB, Lanczos),
 * as interleaved RGB bytes: the working scale training sees, and prediction therefore uses. libvips
 * streams the decode, so a 100 MP original never sits in memory at full size.
 */
export async function workingRgb(
  bytes: Uint8Array,
  width: number,
  height: number,
): Promise<{ data: Uint8Array; width: number; height: number }> {
  try {
    const rgb = await sharp(bytes, { limitInputPixels: LIMITS.maxImagePixels })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
      .raw()
      .toBuffer();
    return { data: new Uint8Array(rgb.buffer, rgb.byteOffset, rgb.byteLength), width, height };
  } catch (err) {
    throw new AppError('UNSUPPORTED', `Cannot decode image (${(err as Error).message})`);
  }
}
