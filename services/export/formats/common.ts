/** Pieces several formats share: class-index PNGs, color PNGs, images converted for a format. */
import { extname } from 'node:path';
import sharp from 'sharp';
import { UNLABELED } from '../../../core/labelmap/types';
import { encodeIndexedMask } from '../../masks';
import type { ExportClass, ExportImage } from '../types';

/** VOC's color for 255 (void): the palette entry CVAT and the VOC devkit use. */
export const VOID_RGB: [number, number, number] = [224, 224, 192];

/** An 8-bit indexed PNG of class indices whose palette holds the class colors (255: `voidRgb`). */
export function indexPng(
  width: number,
  height: number,
  indices: Uint8Array,
  classes: readonly ExportClass[],
  voidRgb = VOID_RGB,
) {
  const colors = new Map<number, string>(classes.map((c) => [c.index, c.color]));
  const voidHex = `#${voidRgb.map((v) => v.toString(16).padStart(2, '0')).join('')}`;
  let used255 = false;
  for (let i = 0; i < indices.length && !used255; i++) used255 = indices[i] === UNLABELED;
  if (used255) colors.set(UNLABELED, voidHex);
  return encodeIndexedMask(width, height, indices, colors);
}

/** RGB PNG in the class colors; unlabeled pixels `unlabeledRgb`. */
export async function colorPng(
  width: number,
  height: number,
  indices: Uint8Array,
  classes: readonly ExportClass[],
  unlabeledRgb: [number, number, number] = [0, 0, 0],
): Promise<Buffer> {
  const lut = new Uint8Array(256 * 3);
  for (let v = 0; v < 256; v++) lut.set(unlabeledRgb, v * 3);
  for (const c of classes) lut.set(c.rgb, c.index * 3);
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < indices.length; i++) rgb.set(lut.subarray(indices[i]! * 3, indices[i]! * 3 + 3), i * 3);
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/**
 * The image as `format` ('jpeg' or 'png'): the original bytes when already so and upright, else re-encoded
 * upright (an EXIF orientation turned into pixels: VOC and Cityscapes loaders ignore it, and the masks
 * have the upright size).
 */
export async function imageAs(img: ExportImage, format: 'jpeg' | 'png'): Promise<Buffer> {
  const original = img.original();
  if (img.format === format && ((await sharp(original).metadata()).orientation ?? 1) === 1) return original;
  const s = sharp(original).rotate();
  return format === 'png' ? s.png().toBuffer() : s.jpeg({ quality: 95 }).toBuffer();
}

/** The original's file name in the export: unique stem, lower-case extension. */
export const originalName = (img: ExportImage) => `${img.name}${extname(img.fileName).toLowerCase() || '.png'}`;

/** A class name as a folder name: characters no file system takes become '_'; the index keeps it unique. */
export const classFolder = (c: ExportClass) => {
  const safe = [...c.name].map((ch) => (ch < ' ' || '\\/:*?"<>|'.includes(ch) ? '_' : ch)).join('');
  return `${String(c.index).padStart(2, '0')}_${safe.replace(/[. ]+$/, '_')}`;
};

/** Names per split, in export order. */
export function splitLists() {
  const lists = { train: [] as string[], val: [] as string[] };
  return {
    add: (img: ExportImage, name = img.name) => lists[img.split].push(name),
    lists,
    text: (split: 'train' | 'val') => lists[split].map((n) => `${n}\n`).join(''),
  };
}
