/** Predicting label maps for project images with a stored checkpoint (CLI; the app uses the same code). */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../core/ipc/errors';
import { Provenance, UNLABELED } from '../../core/labelmap/types';
import { getImage, getOriginal } from '../../db/images';
import { mergeIntoLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';
import { activeCheckpoint, getCheckpoint, type CheckpointRow } from '../../db/runs';
import { deserializeModel } from '../../trainer/run/checkpoint';
import { predictTiled } from '../../trainer/predict';
import { workingRgb } from './decode';

export interface CheckpointMeta {
  weightSpecs: tf.io.WeightsManifestEntry[];
  classValues: number[];
  classNames: string[];
  classColors: string[];
  inputSize: [number, number];
}

export function findCheckpoint(db: ProjectDb, id?: number): CheckpointRow {
  const c = id !== undefined ? getCheckpoint(db, id) : activeCheckpoint(db);
  if (!c) throw new AppError('NOT_FOUND', 'The project has no trained model yet: run maskwright train first');
  return c;
}

export async function loadModel(c: CheckpointRow): Promise<{ model: tf.LayersModel; meta: CheckpointMeta }> {
  const meta = c.metadata as unknown as CheckpointMeta;
  const model = await deserializeModel({
    modelTopology: c.modelTopology,
    weightSpecs: meta.weightSpecs,
    weightData: c.weights,
  });
  return { model, meta };
}

export interface ImagePrediction {
  imageId: number;
  width: number;
  height: number;
  /** Project label values per pixel. */
  values: Uint8Array;
  /** Probability of the predicted class per pixel, 0..255 = 0..1. */
  confidence: Uint8Array;
  meanConfidence: number;
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
  const working = await workingRgb(bytes, w, h);
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

/**
 * Accepts a prediction into the labels: only unlabeled pixels change (provenance "predicted"), and only
 * where the confidence reaches `minConfidence`. Returns the pixels written.
 */
export function acceptPrediction(db: ProjectDb, p: ImagePrediction, minConfidence = 0): number {
  const min = Math.round(minConfidence * 255); // confidence is quantized to 0..255
  // Merged into the map as it is at commit time: labels saved while the model ran are kept.
  return mergeIntoLabelMap(db, p.imageId, (map) => {
    if (map.width !== p.width || map.height !== p.height) {
      throw new AppError('IO', `Prediction is ${p.width}x${p.height} but the labels are ${map.width}x${map.height}`);
    }
    let written = 0;
    for (let i = 0; i < p.values.length; i++) {
      if (map.classes[i] !== UNLABELED || p.confidence[i]! < min) continue;
      map.classes[i] = p.values[i]!;
      map.provenance[i] = Provenance.Predicted;
      written++;
    }
    return written;
  }).changed;
}
