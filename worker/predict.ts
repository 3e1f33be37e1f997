/** Running a stored checkpoint on project images (the prediction process, and the CLI in its own process). */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../core/ipc/errors';
import { getImage, getOriginal } from '../db/images';
import type { ProjectDb } from '../db/open';
import type { CheckpointRow } from '../db/runs';
import { decodeStored, workingRgb } from '../services/decode';
import type { CheckpointMeta } from '../core/training/checkpoint';
import type { ImagePrediction } from '../services/predict';
import { deserializeModel } from '../trainer/run/checkpoint';
import { predictTiled } from '../trainer/predict';

export async function loadModel(c: CheckpointRow): Promise<{ model: tf.LayersModel; meta: CheckpointMeta }> {
  const meta = c.metadata;
  const model = await deserializeModel({
    modelTopology: c.modelTopology,
    // The schema checks name, shape and dtype; the rest of tf's entry (quantization) passes through.
    weightSpecs: meta.weightSpecs as tf.io.WeightsManifestEntry[],
    weightData: c.weights,
  });
  return { model, meta };
}

/**
 * Predicts one project image at its own size. The network sees the image at the working scale, resized
 * exactly as training resized it; tiles, upsampling and the memory bound are `predictTiled`'s.
 */
export async function predictProjectImage(
  db: ProjectDb,
  model: tf.LayersModel,
  meta: CheckpointMeta,
  imageId: number,
): Promise<ImagePrediction> {
  const img = getImage(db, imageId);
  const bytes = img && getOriginal(db, imageId);
  if (!img || !bytes) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
  const [h, w] = meta.inputSize;
  const working = await decodeStored(img.name, workingRgb(bytes, w, h));
  const p = await predictTiled(model, working, img.width, img.height, { tile: meta.inputSize });
  // Class indices become project values in place: no second width*height array.
  const values = p.classes;
  const lookup = Uint8Array.from(meta.classValues);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = lookup[values[i]!]!;
    sum += p.confidence[i]!;
  }
  return {
    imageId,
    width: img.width,
    height: img.height,
    values,
    confidence: p.confidence,
    meanConfidence: sum / 255 / values.length,
  };
}
