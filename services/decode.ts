/**
 * The one image decode module: format detection, the pixel limit, full decode check (a truncated or
 * corrupt file fails here, not later), EXIF orientation, a thumbnail, and decoding to RGB at full or
 * working size. Import, propagation (project and CLI), training data and prediction all decode here, so
 * an image is accepted or refused the same way (and with the same message) on every path. Uses sharp
 * (libvips), which reads PNG, JPEG, TIFF and WebP.
 */
import sharp from 'sharp';
import { LIMITS, type ImageData } from '../core/ipc/contract';
import { getImage, getOriginal } from '../db/images';
import type { ProjectDb } from '../db/open';
import { AppError } from '../core/ipc/errors';

export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.jpe', '.jfif', '.tif', '.tiff', '.webp'] as const;
const FORMATS = new Set(['png', 'jpeg', 'tiff', 'webp']);
const THUMBNAIL_SIZE = 256;
/**
 * What stops a decode: a warning too (a TIFF strip or JPEG data cut short is only a warning to libvips).
 * Import checks with the same setting that training and prediction decode with, so an image that
 * imports always decodes later.
 */
const FAIL_ON = 'warning';

export interface InspectedImage {
  format: string;
  /** Size as displayed, after EXIF orientation. Label maps have this size. */
  width: number;
  height: number;
  orientation: number;
  thumbnail: Buffer;
  thumbnailMime: string;
}

/**
 * The pixel-limit policy: an image of more than `LIMITS.maxImagePixels` pixels is refused (TOO_LARGE),
 * before any pixel is decoded.
 */
export function checkPixelLimit(width: number, height: number): void {
  if (width * height <= LIMITS.maxImagePixels) return;
  const mp = (width * height) / 1e6;
  throw new AppError(
    'TOO_LARGE',
    `Image is ${width}x${height} (${mp < 1000 ? mp.toFixed(1) : mp.toFixed(0)} megapixels); Maskwright accepts at most ${LIMITS.maxImagePixels / 1e6} megapixels`,
  );
}

/** Interleaved 8-bit RGB, row-major (a `PropagationImage`, and what training and prediction read). */
export interface DecodedRgb {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 3;
}

interface Header {
  format: string;
  width: number;
  height: number;
  orientation: number;
}

/** Reads the header only: a supported format, its displayed size, within the pixel limit. */
async function readHeader(bytes: Uint8Array): Promise<Header> {
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
  checkPixelLimit(width, height);
  return { format: meta.format, width, height, orientation };
}

export async function inspectImage(bytes: Uint8Array): Promise<InspectedImage> {
  const { format, width, height, orientation } = await readHeader(bytes);
  let thumbnail: Buffer;
  try {
    // Decoding every pixel for the thumbnail also proves the file is complete, as training will decode it.
    thumbnail = await sharp(bytes, { failOn: FAIL_ON, limitInputPixels: LIMITS.maxImagePixels })
      .rotate()
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true })
      .flatten({ background: '#ffffff' })
      .jpeg({ quality: 80 })
      .toBuffer();
  } catch (err) {
    throw new AppError('UNSUPPORTED', `Corrupt or truncated ${format.toUpperCase()} file (${(err as Error).message})`);
  }
  return { format, width, height, orientation, thumbnail, thumbnailMime: 'image/jpeg' };
}

/**
 * A stored image's decode, its failure naming the image (`NAME: why`), so that the user can find it: an
 * image imported before import decoded in full, or damaged since.
 */
export async function decodeStored<T>(name: string, decoding: Promise<T>): Promise<T> {
  try {
    return await decoding;
  } catch (e) {
    if (e instanceof AppError) throw new AppError(e.code, `${name}: ${e.message}`);
    throw e;
  }
}

/** Formats Chromium decodes natively; others are converted to PNG for display. */
const BROWSER_MIME: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', webp: 'image/webp' };

function decodeFailed(err: unknown): AppError {
  return new AppError('UNSUPPORTED', `Cannot decode image (${(err as Error).message})`);
}

/** A stored original the browser cannot show (TIFF), as PNG: checked and decoded as everywhere else. */
async function toPng(bytes: Uint8Array): Promise<Buffer> {
  await readHeader(bytes);
  try {
    return await sharp(bytes, { failOn: FAIL_ON, limitInputPixels: LIMITS.maxImagePixels })
      .rotate()
      .png({ compressionLevel: 1 })
      .toBuffer();
  } catch (err) {
    throw decodeFailed(err);
  }
}

/** An image's bytes for the renderer: originals as stored, TIFF converted (EXIF orientation applied). */
export async function browserImage(db: ProjectDb, id: number): Promise<ImageData> {
  const img = getImage(db, id);
  const bytes = img && getOriginal(db, id);
  if (!img || !bytes) throw new AppError('NOT_FOUND', `No image with id ${id}`);
  const mime = BROWSER_MIME[img.format];
  const data = mime ? new Uint8Array(bytes) : await toPng(bytes);
  return { id, mime: mime ?? 'image/png', data: new Uint8Array(data), width: img.width, height: img.height };
}

/**
 * The image reduced to fit `maxSide` x `maxSide` (never enlarged; EXIF orientation applied), for the
 * editor's first view of a large image: JPEG (PNG where the image has alpha), `width` and `height` the
 * original's. libvips shrinks a JPEG while decoding it, so a 24 MP original takes a fraction of its
 * full decode.
 */
export async function previewImage(db: ProjectDb, id: number, maxSide: number): Promise<ImageData> {
  const img = getImage(db, id);
  const bytes = img && getOriginal(db, id);
  if (!img || !bytes) throw new AppError('NOT_FOUND', `No image with id ${id}`);
  const { width, height } = img;
  const { hasAlpha } = await sharp(bytes, { limitInputPixels: false })
    .metadata()
    .catch(() => ({ hasAlpha: false }));
  try {
    const resized = sharp(bytes, { limitInputPixels: LIMITS.maxImagePixels })
      .rotate()
      .resize(maxSide, maxSide, { fit: 'inside', withoutEnlargement: true });
    const data = hasAlpha
      ? await resized.png({ compressionLevel: 1 }).toBuffer()
      : await resized.jpeg({ quality: 90 }).toBuffer();
    return { id, mime: hasAlpha ? 'image/png' : 'image/jpeg', data: new Uint8Array(data), width, height };
  } catch (err) {
    throw decodeFailed(err);
  }
}

/**
 * Decodes an image to interleaved 8-bit RGB (EXIF orientation applied, alpha dropped, sRGB): at its
 * displayed size (the size label maps have), or resized to `size` (Lanczos). The header is checked
 * first (format, pixel limit: the same refusals as import); libvips then streams the decode, so a resize
 * of a 100 MP original never holds it in memory at full size.
 */
export async function decodeRgb(bytes: Uint8Array, size?: { width: number; height: number }): Promise<DecodedRgb> {
  await readHeader(bytes);
  try {
    let pipeline = sharp(bytes, { failOn: FAIL_ON, limitInputPixels: LIMITS.maxImagePixels })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb');
    if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' });
    const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
    };
  } catch (err) {
    throw decodeFailed(err);
  }
}

/** An image resized to `width` x `height` as RGB: the working scale training sees, and prediction uses. */
export function workingRgb(bytes: Uint8Array, width: number, height: number): Promise<DecodedRgb> {
  return decodeRgb(bytes, { width, height });
}
