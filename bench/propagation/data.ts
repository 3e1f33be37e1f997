/**
 * Loads the shared label-propagation benchmark (PNG decoding happens here, outside the timed region).
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { decode } from 'fast-png';
import type { PropagationImage } from '../../core/propagation';

export interface BenchCase {
  readonly name: string;
  readonly image: PropagationImage;
  /** `Uint8Array(w * h)`, 255 = unlabeled. */
  readonly scribbles: Uint8Array;
  /** `Uint8Array(w * h)`, 11 = void. */
  readonly gt: Uint8Array;
}

/** The shared material beside the checkout (`../shared` from the repository root), or MASKWRIGHT_SHARED. */
export const SHARED = resolve(process.env.MASKWRIGHT_SHARED ?? join(process.cwd(), '..', 'shared'));

function readGray(path: string): { data: Uint8Array; width: number; height: number } {
  const png = decode(readFileSync(path));
  if (png.depth !== 8) throw new Error(`${path}: expected 8-bit PNG, got depth ${png.depth}`);
  const c = png.channels;
  const data = new Uint8Array(png.width * png.height);
  for (let i = 0; i < data.length; i++) data[i] = png.data[i * c]!;
  return { data, width: png.width, height: png.height };
}

function readImage(path: string): PropagationImage {
  const png = decode(readFileSync(path));
  if (png.depth !== 8) throw new Error(`${path}: expected 8-bit PNG, got depth ${png.depth}`);
  const channels = png.channels === 2 ? 1 : png.channels;
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`${path}: ${png.channels} channels`);
  let data = png.data as Uint8Array;
  if (png.channels === 2) data = data.filter((_, i) => i % 2 === 0);
  return { data, width: png.width, height: png.height, channels };
}

/** The 101 CamVid val cases at 360x480, or the 10 upscaled ones (`x4`). */
export function loadCases(x4: boolean, limit = Infinity, every = 1): BenchCase[] {
  const scribDir = x4 ? join(SHARED, 'bench/camvid-val-x4/scribbles') : join(SHARED, 'bench/camvid-val-scribbles');
  const imgDir = x4 ? join(SHARED, 'bench/camvid-val-x4/images') : join(SHARED, 'datasets/camvid/val');
  const gtDir = x4 ? join(SHARED, 'bench/camvid-val-x4/annot') : join(SHARED, 'datasets/camvid/valannot');
  if (!existsSync(scribDir)) throw new Error(`benchmark inputs not found: ${scribDir}`);
  const names = readdirSync(scribDir)
    .filter((f) => f.endsWith('.png'))
    .sort()
    .filter((_, i) => i % every === 0)
    .slice(0, limit);
  return names.map((name) => {
    const image = readImage(join(imgDir, name));
    const s = readGray(join(scribDir, name));
    const g = readGray(join(gtDir, name));
    if (s.width !== image.width || g.width !== image.width || s.height !== image.height || g.height !== image.height) {
      throw new Error(`${name}: size mismatch between image, scribbles and annotation`);
    }
    return { name, image, scribbles: s.data, gt: g.data };
  });
}
