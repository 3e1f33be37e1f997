/**
 * Training data from a project: images decoded to RGB at a working size, label maps reduced to the pixel
 * sources the user trusts (others become unlabeled), class values mapped to contiguous indices 0..C-1.
 */
import sharp from 'sharp';
import type { Split } from '../../core/ipc/contract';
import { AppError } from '../../core/ipc/errors';
import { UNLABELED } from '../../core/labelmap/types';
import { trustedProvenances, type PixelSource } from '../../core/training/settings';
import { listClasses } from '../../db/classes';
import { getOriginal, listImages, sampleWeights } from '../../db/images';
import { loadLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';
import { workingRgb } from './decode';

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

export interface TrainingSample {
  id: number;
  name: string;
  split: Split;
  /** Working size. */
  width: number;
  height: number;
  /** width*height*3 RGB bytes. */
  rgb: Uint8Array;
  /** width*height class indices 0..C-1, 255 = unlabeled or an untrusted source; null = no labels at all. */
  labels: Uint8Array | null;
  sampleWeight: number;
}

export interface DatasetOptions {
  /** Working size every image is resized to (labels with nearest neighbour). */
  width: number;
  height: number;
  sources: readonly PixelSource[];
  /** Which splits to load; images of other splits are skipped. */
  splits: readonly Split[];
  /** Also load images without any trusted label (for the reconstruction head). */
  includeUnlabeled?: boolean;
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

export async function loadSamples(
  db: ProjectDb,
  options: DatasetOptions,
): Promise<{ samples: TrainingSample[]; mapping: ClassMapping }> {
  const mapping = classMapping(db);
  const trusted = trustedProvenances(options.sources);
  const weightOf = sampleWeights(db);
  const { width, height } = options;
  const samples: TrainingSample[] = [];
  for (const img of listImages(db)) {
    if (!options.splits.includes(img.split)) continue;
    const map = loadLabelMap(db, img.id);
    let labels: Uint8Array | null = null;
    if (map) {
      const t = trustedLabels(map.classes, map.provenance, trusted, mapping.lookup);
      if (t.count > 0) {
        labels = new Uint8Array(
          await sharp(t.labels, { raw: { width: map.width, height: map.height, channels: 1 } })
            .resize(width, height, { fit: 'fill', kernel: 'nearest' })
            .extractChannel(0) // sharp widens one-channel input to sRGB; keep the values
            .raw()
            .toBuffer(),
        );
      }
    }
    if (!labels && !options.includeUnlabeled) continue;
    const rgb = await workingRgb(getOriginal(db, img.id)!, width, height);
    samples.push({
      id: img.id,
      name: img.name,
      split: img.split,
      width,
      height,
      rgb: rgb.data,
      labels,
      sampleWeight: weightOf.get(img.id) ?? 1,
    });
  }
  return { samples, mapping };
}
