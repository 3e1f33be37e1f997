/** Finding and reading the files of a label folder, with the size limits every import keeps. */
import { readdir } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { decode } from 'fast-png';
import { AppError } from '../../core/ipc/errors';
import { checkPixelLimit } from '../decode';
import { MAX_CLASS_FILE_BYTES, MAX_MASK_FILE_BYTES, readRegularFile } from '../fs-guard';

/** Files under `dir` (recursively, hidden ones skipped) whose name matches `pattern`, sorted; '/'-separated. */
export async function findFiles(dir: string, pattern: RegExp): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() || e.isSymbolicLink())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .filter((p) => !p.split('/').some((part) => part.startsWith('.')) && pattern.test(p))
    .sort();
}

export const readLabelFile = (dir: string, rel: string) =>
  readRegularFile(join(dir, ...rel.split('/')), MAX_MASK_FILE_BYTES);
export const readSmallFile = (dir: string, rel: string) =>
  readRegularFile(join(dir, ...rel.split('/')), MAX_CLASS_FILE_BYTES).then((b) => b.toString('utf8'));

/** A PNG's pixels (palette kept), after checking its size against the image's. */
export function decodePng(bytes: Uint8Array, width: number, height: number): ReturnType<typeof decode> {
  if (bytes.length >= 24) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, 24);
    // the IHDR chunk's size, before fast-png allocates the pixels: a small file may claim billions
    if (view.getUint32(12) === 0x49484452) checkPixelLimit(view.getUint32(16), view.getUint32(20));
  }
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (err) {
    throw new AppError('UNSUPPORTED', `not a readable PNG (${(err as Error).message})`);
  }
  if (png.width !== width || png.height !== height)
    throw new AppError('INVALID_INPUT', `is ${png.width}x${png.height} but its image is ${width}x${height}`);
  if (png.depth !== 8) throw new AppError('UNSUPPORTED', `has ${png.depth}-bit samples; expected 8-bit`);
  return png;
}

/** Gray or indexed 8-bit PNG values as they are (palette indices, not colors). */
export function pngValues(png: ReturnType<typeof decode>): Uint8Array {
  const { channels, data } = png;
  if (channels > 2) throw new AppError('UNSUPPORTED', 'is a color PNG; expected gray or indexed values');
  return Uint8Array.from({ length: png.width * png.height }, (_, i) => data[i * channels]!);
}
