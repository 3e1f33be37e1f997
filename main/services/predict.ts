/**
 * Predictions and the project: which checkpoint predicts, and accepting a prediction into the labels.
 * Running the model is worker/predict.ts's (TensorFlow.js stays out of the main process).
 */
import { AppError } from '../../core/ipc/errors';
import { Provenance, UNLABELED } from '../../core/labelmap/types';
import { mergeIntoLabelMap } from '../../db/labelmaps';
import type { ProjectDb } from '../../db/open';
export type { CheckpointMeta } from '../../core/training/checkpoint';
import type { ImagePrediction } from '../../core/training/protocol';
import { activeCheckpoint, getCheckpoint, type CheckpointRow } from '../../db/runs';

export function findCheckpoint(db: ProjectDb, id?: number): CheckpointRow {
  const c = id !== undefined ? getCheckpoint(db, id) : activeCheckpoint(db);
  if (!c) throw new AppError('NOT_FOUND', 'The project has no trained model yet: run maskwright train first');
  return c;
}

export type { ImagePrediction };

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
