/** Predicting label maps for project images with a stored checkpoint (CLI; the app uses the same code). */
import type * as tf from '@tensorflow/tfjs';
import { AppError } from '../../core/ipc/errors';
import { Provenance, UNLABELED } from '../../core/labelmap/types';
import { getImage, getOriginal } from '../../db/images';
import { mergeIntoLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';
import { activeCheckpoint, getCheckpoint, type CheckpointRow } from '../../db/runs';
import { deserializeModel } from '../../trainer/run/checkpoint';
import { predictImage } from '../../trainer/predict';
import { decodeRgb } from './propagate';

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
  confidence: Float32Array;
  meanConfidence: number;
}

export async function predictProjectImage(
  db: ProjectDb,
  model: tf.LayersModel,
  meta: CheckpointMeta,
  imageId: number,
): Promise<ImagePrediction> {
  const img = getImage(db, imageId);
  const bytes = img && getOriginal(db, imageId);
  if (!img || !bytes) throw new AppError('NOT_FOUND', `No image with id ${imageId}`);
  const rgb = await decodeRgb(bytes);
  const p = predictImage(model, rgb.data as Uint8Array, rgb.width, rgb.height, meta.inputSize);
  const values = new Uint8Array(p.classes.length);
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    values[i] = meta.classValues[p.classes[i]!]!;
    sum += p.confidence[i]!;
  }
  return {
    imageId,
    width: rgb.width,
    height: rgb.height,
    values,
    confidence: p.confidence,
    meanConfidence: sum / values.length,
  };
}

/**
 * Accepts a prediction into the labels: only unlabeled pixels change (provenance "predicted"), and only
 * where the confidence reaches `minConfidence`. Returns the pixels written.
 */
export function acceptPrediction(db: ProjectDb, p: ImagePrediction, minConfidence = 0): number {
  // Merged into the map as it is at commit time: labels saved while the model ran are kept.
  return mergeIntoLabelMap(db, p.imageId, (map) => {
    if (map.width !== p.width || map.height !== p.height) {
      throw new AppError('IO', `Prediction is ${p.width}x${p.height} but the labels are ${map.width}x${map.height}`);
    }
    let written = 0;
    for (let i = 0; i < p.values.length; i++) {
      if (map.classes[i] !== UNLABELED || p.confidence[i]! < minConfidence) continue;
      map.classes[i] = p.values[i]!;
      map.provenance[i] = Provenance.Predicted;
      written++;
    }
    return written;
  }).changed;
}
