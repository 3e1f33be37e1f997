/**
 * Label propagation on project images and on plain files (CLI). The algorithm is core/propagation;
 * this adds decoding; the choice of seeds and the merge back into a label map are the shared rules of
 * core/propagation/merge.ts (the editor's "Fill unlabeled" uses them too).
 */
import sharp from 'sharp';
import {
  NoLabelsError,
  PropagationInputError,
  mergePropagation,
  propagateLabels,
  seedsOf,
} from '../../core/propagation';
import type { PropagationImage, PropagationOptions, PropagationResult } from '../../core/propagation/types';
import { AppError } from '../../core/ipc/errors';
import { getImage, getOriginal } from '../../db/images';
import { loadLabelMap, mergeIntoLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';

/** Decodes any supported image to 8-bit RGB, EXIF orientation applied (the size label maps have). */
export async function decodeRgb(bytes: Uint8Array): Promise<PropagationImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: 100_000_000 })
      .rotate()
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      channels: 3,
    };
  } catch (err) {
    throw new AppError('UNSUPPORTED', `Cannot decode image (${(err as Error).message})`);
  }
}

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
  // Merged into the map as it is at commit time: strokes saved while this ran are kept.
  const { changed: changedPixels } = mergeIntoLabelMap(db, imageId, (now) =>
    mergePropagation(now.classes, now.provenance, result.labels),
  );
  const { labels: _l, confidence: _c, ...summary } = result;
  return { imageId, changedPixels, result: summary };
}
