/**
 * Training data from a project: images decoded to RGB at a working size, label maps reduced to the pixel
 * sources the user trusts (others become unlabeled), class values mapped to contiguous indices 0..C-1.
 * Training images may be kept larger than the working size (up to `maxScale` times: random-scale
 * augmentation zooms in on real detail, trainer/run/augment.ts); validation images also keep their labels
 * at the image's own size, where their metrics are computed.
 */
import type { Sample } from '../core/training/sample';
import sharp from 'sharp';
import type { Split } from '../core/ipc/contract';
import { AppError } from '../core/ipc/errors';
import { UNLABELED } from '../core/labelmap/types';
import { trustedProvenances, type PixelSource } from '../core/training/settings';
import { listClasses } from '../db/classes';
import { getOriginal, listImages, sampleWeights } from '../db/images';
import { loadLabelMap } from '../db/labelmaps';
import type { ProjectDb } from '../db/open';
import { decodeStored, workingRgb } from './decode';

/** Class order of a training run: `values[i]` is the project label value of class index i. */
export interface ClassMapping {
  values: number[];
  names: string[];
  colors: string[];
  /** label value -> class index (255 for values that are not classes). */
  lookup: Uint8Array;
}

export function classMapping(db: ProjectDb): ClassMapping {
  const classes = listClasses(db);
  if (classes.length < 2) throw new AppError('INVALID_INPUT', 'Training needs at least two classes');
  const lookup = new Uint8Array(256).fill(UNLABELED);
  classes.forEach((c, i) => (lookup[c.value] = i));
  return {
    values: classes.map((c) => c.value),
    names: classes.map((c) => c.name),
    colors: classes.map((c) => c.color),
    lookup,
  };
}

/** A sample with the image it comes from. */
export interface TrainingSample extends Sample {
  id: number;
  name: string;
  split: Split;
}

/** Validation labels above this many pixels are reduced (nearest) to it: 4 MP is 4 MB per image. */
const MAX_FULL_LABEL_PIXELS = 4_000_000;

export interface DatasetOptions {
  /** Working size every image is resized to (labels with nearest neighbour). */
  width: number;
  height: number;
  sources: readonly PixelSource[];
  /** Which splits to load; images of other splits are skipped. */
  splits: readonly Split[];
  /** Also load images without any trusted label (for the reconstruction head; kept at the working size). */
  includeUnlabeled?: boolean;
  /**
   * Labeled images not in `fullSize` are kept at up to this multiple of the working size (never above
   * their own size, never below the working size); default 1. A 24 MP image at 2x a 256x192 working
   * size is 512x384: the memory stays bounded by the working size, not the originals.
   */
  maxScale?: number;
  /** Ids of images (validation) that keep their labels at their own size too, in `full`. */
  fullSize?: ReadonlySet<number>;
  /** Cap of `full` labels, in pixels (default MAX_FULL_LABEL_PIXELS). */
  maxFullPixels?: number;
  /**
   * The provenance codes whose labels an image keeps (validation images keep labels a person made:
   * services/split.ts); default: those of `sources`, for every image.
   */
  provenancesFor?: (image: { id: number; status: string }) => ReadonlySet<number>;
}

/** Keeps the labels whose provenance is trusted, mapped to class indices; O(w*h). */
export function trustedLabels(
  classes: Uint8Array,
  provenance: Uint8Array,
  trusted: ReadonlySet<number>,
  lookup: Uint8Array,
): { labels: Uint8Array; count: number } {
  const labels = new Uint8Array(classes.length);
  let count = 0;
  for (let i = 0; i < classes.length; i++) {
    const v = trusted.has(provenance[i]!) ? lookup[classes[i]!]! : UNLABELED;
    labels[i] = v;
    if (v !== UNLABELED) count++;
  }
  return { labels, count };
}

/** Class indices resized to `width` x `height` by nearest neighbour (never a value that was not there). */
async function nearestLabels(
  labels: Uint8Array,
  from: { width: number; height: number },
  width: number,
  height: number,
): Promise<Uint8Array> {
  if (from.width === width && from.height === height) return labels;
  return new Uint8Array(
    await sharp(labels, { raw: { width: from.width, height: from.height, channels: 1 } })
      .resize(width, height, { fit: 'fill', kernel: 'nearest' })
      .extractChannel(0) // sharp widens one-channel input to sRGB; keep the values
      .raw()
      .toBuffer(),
  );
}

export async function loadSamples(
  db: ProjectDb,
  options: DatasetOptions,
): Promise<{ samples: TrainingSample[]; mapping: ClassMapping; unreadable: { name: string; message: string }[] }> {
  const mapping = classMapping(db);
  const trusted = trustedProvenances(options.sources);
  const weightOf = sampleWeights(db);
  const { width, height } = options;
  const samples: TrainingSample[] = [];
  // Images that cannot be decoded (stored before import decoded in full, or damaged since) are left out
  // and named, so that one bad file never stops every training run.
  const unreadable: { name: string; message: string }[] = [];
  for (const img of listImages(db)) {
    if (!options.splits.includes(img.split)) continue;
    const map = loadLabelMap(db, img.id);
    const keep = options.provenancesFor?.(img) ?? trusted;
    const t = map && trustedLabels(map.classes, map.provenance, keep, mapping.lookup);
    const own = t && t.count > 0 ? t.labels : null;
    if (!own && !options.includeUnlabeled) continue;
    const full = own !== null && options.fullSize?.has(img.id) === true;
    const k = own && !full ? Math.max(1, Math.min(options.maxScale ?? 1, img.width / width, img.height / height)) : 1;
    const [sw, sh] = [Math.round(width * k), Math.round(height * k)];
    const labels = own && (await nearestLabels(own, map!, sw, sh));
    let rgb;
    try {
      rgb = await decodeStored(img.name, workingRgb(getOriginal(db, img.id)!, sw, sh));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      unreadable.push({ name: img.name, message: e.message });
      continue;
    }
    const sample: TrainingSample = {
      id: img.id,
      name: img.name,
      split: img.split,
      width: sw,
      height: sh,
      rgb: rgb.data,
      labels,
      sampleWeight: weightOf.get(img.id) ?? 1,
    };
    if (full) {
      const f = Math.min(1, Math.sqrt((options.maxFullPixels ?? MAX_FULL_LABEL_PIXELS) / (map!.width * map!.height)));
      const [fw, fh] = [Math.max(1, Math.floor(map!.width * f)), Math.max(1, Math.floor(map!.height * f))];
      sample.full = { width: fw, height: fh, labels: await nearestLabels(own, map!, fw, fh) };
    }
    samples.push(sample);
  }
  return { samples, mapping, unreadable };
}
