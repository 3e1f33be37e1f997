/** Small generated inputs for tests: no test reads ../shared. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { encode } from 'fast-png';

export function tempDir(prefix = 'mw-test-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Deterministic RGB pixels: a gradient plus a seed-dependent pattern, so two seeds differ in content. */
export function rgbPixels(width: number, height: number, seed: number): Buffer {
  const px = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      px[i] = (x * 255) / Math.max(1, width - 1);
      px[i + 1] = (y * 255) / Math.max(1, height - 1);
      px[i + 2] = ((x + y) * 7 + seed * 53) & 255;
    }
  }
  return px;
}

export type Format = 'png' | 'jpeg' | 'tiff' | 'webp';

export async function makeImage(
  width: number,
  height: number,
  format: Format,
  seed = 0,
  orientation?: number,
): Promise<Buffer> {
  let s = sharp(rgbPixels(width, height, seed), { raw: { width, height, channels: 3 } });
  if (orientation) s = s.withMetadata({ orientation });
  return s.toFormat(format).toBuffer();
}

export async function writeImage(dir: string, name: string, width: number, height: number, seed = 0): Promise<string> {
  const ext = name.split('.').pop()!.toLowerCase();
  const format: Format =
    ext === 'jpg' || ext === 'jpeg' ? 'jpeg' : ext === 'tif' || ext === 'tiff' ? 'tiff' : (ext as Format);
  const path = join(dir, name);
  writeFileSync(path, await makeImage(width, height, format, seed));
  return path;
}

/** A grayscale (or, with `palette`, indexed) 8-bit mask PNG: value = class index. */
export function maskPng(
  width: number,
  height: number,
  values: Uint8Array,
  palette?: [number, number, number][],
): Uint8Array {
  return encode({ width, height, data: values, depth: 8, channels: 1, ...(palette ? { palette } : {}) });
}

/** A valid image cut to half its bytes: decoders must report it, not import it. */
export async function truncatedJpeg(width = 64, height = 48): Promise<Buffer> {
  const full = await makeImage(width, height, 'jpeg', 9);
  return full.subarray(0, Math.floor(full.length / 2));
}
