/**
 * Reading and writing label masks as PNG: value = class index (indexed or grayscale), 255 = unlabeled.
 * Indexed PNGs keep their palette indices (they are not expanded to colors).
 */
import { decode, encode } from 'fast-png';
import { AppError } from '../core/ipc/errors';
import { hexToRgb } from '../core/palette';

import { UNLABELED } from '../core/labelmap/types';
import { checkPixelLimit } from './decode';

export interface DecodedMask {
  width: number;
  height: number;
  /** width*height class values; `voidValue` already mapped to 255. */
  values: Uint8Array;
}

/** A PNG's signature and first chunk type, 'IHDR' (-1: the chunk length, any). */
const PNG_IHDR = [137, 80, 78, 71, 13, 10, 26, 10, -1, -1, -1, -1, 73, 72, 68, 82];

/** Decodes a mask PNG. RGB(A) masks are accepted only when gray (R = G = B). */
export function decodeMask(bytes: Uint8Array, voidValue?: number): DecodedMask {
  // The images' pixel limit, from the header (IHDR: width and height at bytes 16..23), before fast-png
  // allocates the pixels: a small file may claim billions.
  if (bytes.length >= 24 && PNG_IHDR.every((b, i) => b < 0 || bytes[i] === b)) {
    const header = new DataView(bytes.buffer, bytes.byteOffset, 24);
    checkPixelLimit(header.getUint32(16), header.getUint32(20));
  }
  let png: ReturnType<typeof decode>;
  try {
    png = decode(bytes);
  } catch (err) {
    throw new AppError('UNSUPPORTED', `Not a readable PNG mask (${(err as Error).message})`);
  }
  const { width, height, channels, data } = png;
  const n = width * height;
  const values = new Uint8Array(n);
  const gray = channels === 1 || channels === 2; // gray or gray+alpha
  if (!gray && !(channels === 3 || channels === 4))
    throw new AppError('UNSUPPORTED', `Unsupported mask with ${channels} channels`);
  for (let i = 0; i < n; i++) {
    const v = data[i * channels]!;
    if (!gray && (data[i * channels + 1] !== v || data[i * channels + 2] !== v)) {
      throw new AppError(
        'UNSUPPORTED',
        'Color mask: expected an indexed or grayscale PNG whose value is the class index',
      );
    }
    if (v > UNLABELED) throw new AppError('UNSUPPORTED', `Mask value ${v} is above 255`);
    values[i] = v === voidValue ? UNLABELED : v;
  }
  return { width, height, values };
}

/** Encodes class values as an indexed PNG whose palette holds the class colors (index 255: black). */
export function encodeIndexedMask(
  width: number,
  height: number,
  values: Uint8Array,
  colors: ReadonlyMap<number, string>,
): Uint8Array {
  let maxValue = 0;
  for (const v of colors.keys()) maxValue = Math.max(maxValue, v);
  for (let i = 0; i < values.length; i++) if (values[i]! > maxValue) maxValue = values[i]!;
  const palette: [number, number, number][] = [];
  for (let v = 0; v <= maxValue; v++) palette.push(colors.has(v) ? hexToRgb(colors.get(v)!) : [0, 0, 0]);
  return encode({ width, height, data: values, depth: 8, channels: 1, palette });
}

/** Encodes class values as an 8-bit grayscale PNG (value = class index). */
export function encodeGrayMask(width: number, height: number, values: Uint8Array): Uint8Array {
  return encode({ width, height, data: values, depth: 8, channels: 1 });
}
