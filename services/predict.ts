/**
 * Predictions and the project: which checkpoint predicts, and accepting a prediction into the labels.
 * Running the model is worker/predict.ts's (TensorFlow.js stays out of the main process).
 */
import { AppError } from '../core/ipc/errors';
import { acceptInto, predictionProposal } from '../core/labelmap';
import { mergeIntoLabelMap } from '../db/labelmaps';
import type { ProjectDb } from '../db/open';
import type { ImagePrediction } from '../core/jobs/predict';
import { activeCheckpoint, getCheckpoint, type CheckpointRow } from '../db/runs';

export function findCheckpoint(db: ProjectDb, id?: number): CheckpointRow {
  const c = id !== undefined ? getCheckpoint(db, id) : activeCheckpoint(db);
  if (!c) throw new AppError('NOT_FOUND', 'The project has no trained model yet: run maskwright train first');
  return c;
}

export type { ImagePrediction };

/**
 * Accepts a prediction into the labels by the editor's rule: only unlabeled pixels change (provenance
 * "predicted"), and only where the confidence reaches `minConfidence` (0..1). Returns the pixels written.
 */
export function acceptPrediction(db: ProjectDb, p: ImagePrediction, minConfidence = 0): number {
  // Merged into the map as it is at commit time: labels saved while the model ran are kept.
  return mergeIntoLabelMap(db, p.imageId, (map) => {
    if (map.width !== p.width || map.height !== p.height) {
      throw new AppError('IO', `Prediction is ${p.width}x${p.height} but the labels are ${map.width}x${map.height}`);
    }
    return acceptInto(map, predictionProposal(p.values, p.confidence), minConfidence);
  }).changed;
}
