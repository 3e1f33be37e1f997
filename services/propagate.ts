/**
 * Label propagation on project images and on plain files (CLI). The algorithm is core/propagation;
 * this adds decoding; the choice of seeds (core/propagation/seeds.ts) and the merge back into a label
 * map (core/labelmap/accept.ts) are the rules the editor's "Fill unlabeled" follows too.
 */
import { acceptInto, Provenance } from '../core/labelmap';
import { NoLabelsError, PropagationInputError, propagateLabels, seedsOf } from '../core/propagation';
import type { PropagationImage, PropagationOptions, PropagationResult } from '../core/propagation/types';
import { AppError } from '../core/ipc/errors';
import { getImage, getOriginal } from '../db/images';
import { loadLabelMap, mergeIntoLabelMap } from '../db/labelmaps';
import type { ProjectDb } from '../db/open';
import { decodeRgb } from './decode';

/** Runs the engine, turning its input errors into errors the user can read. */
export function runPropagation(
  image: PropagationImage,
  seeds: Uint8Array,
  options: PropagationOptions = {},
): PropagationResult {
  try {
    return propagateLabels(image, seeds, options);
  } catch (err) {
    if (err instanceof NoLabelsError || err instanceof PropagationInputError) {
      throw new AppError('INVALID_INPUT', err.message);
    }
    throw err;
  }
}

export interface ProjectPropagation {
  imageId: number;
  changedPixels: number;
  result: Omit<PropagationResult, 'labels' | 'confidence'>;
}

export async function propagateProjectImage(
  db: ProjectDb,
  imageId: number,
  options: PropagationOptions = {},
): Promise<ProjectPropagation> {
  const img = getImage(db, imageId);
  const bytes = img && getOriginal(db, imageId);
  if (!img || !bytes) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
  const map = loadLabelMap(db, imageId);
  if (!map)
    throw new AppError('INVALID_INPUT', `${img.name} has no labels yet: paint a few strokes of each class first`);
  const image = await decodeRgb(bytes);
  if (image.width !== map.width || image.height !== map.height) {
    throw new AppError(
      'IO',
      `${img.name}: decoded ${image.width}x${image.height}, labels are ${map.width}x${map.height}`,
    );
  }
  const result = runPropagation(image, seedsOf(map.classes, map.provenance), options);
  // Merged into the map as it is at commit time: strokes saved while this ran are kept. The labels
  // are thresholded by the engine already (`options.confidenceThreshold`).
  const { changed: changedPixels } = mergeIntoLabelMap(db, imageId, (now) =>
    acceptInto(now, { provenance: Provenance.Propagated, labels: result.labels }, 0),
  );
  const { labels: _l, confidence: _c, ...summary } = result;
  return { imageId, changedPixels, result: summary };
}
