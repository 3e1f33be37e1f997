/**
 * The prediction job of the worker process (worker/index.ts; protocol core/jobs/predict.ts): one request
 * at a time, in order; the process keeps its backend and model for the next (until the parent says `exit`).
 */
import type * as tf from '@tensorflow/tfjs';
import { AppError, type ApiErrorPayload } from '../../core/ipc/errors';
import { predictJob, type PredictMessage, type PredictRequest } from '../../core/jobs/predict';
import type { CheckpointMeta } from '../../core/training/checkpoint';
import { labelNextScore } from '../../core/training/rank';
import { loadLabelMap } from '../../db/labelmaps';
import type { CheckpointRow } from '../../db/runs';
import { findCheckpoint } from '../../services/predict';
import { Project } from '../../services/project';
import { initBackend } from '../../trainer/backend';
import type { WorkerJob } from '../job';
import type { Channel } from '../job';
import { loadModel, predictProjectImage } from '../predict';

/** An error as a code and a message for the parent (AppError keeps its code; anything else is INTERNAL). */
function errorPayload(err: unknown): ApiErrorPayload {
  if (err instanceof AppError) return { code: err.code, message: err.message };
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}

/**
 * What a long-lived prediction process keeps between requests: the backend (initialised once) and the
 * last model loaded (reused while the requests name the same checkpoint).
 */
interface PredictionCache {
  backend: Promise<string> | null;
  model: { checkpointId: number; createdAt: string; model: tf.LayersModel; meta: CheckpointMeta } | null;
}
export const newPredictionCache = (): PredictionCache => ({ backend: null, model: null });

async function cachedModel(cache: PredictionCache, c: CheckpointRow) {
  const kept = cache.model;
  if (kept && kept.checkpointId === c.id && kept.createdAt === c.createdAt) return kept;
  kept?.model.dispose();
  cache.model = null;
  const { model, meta } = await loadModel(c);
  cache.model = { checkpointId: c.id, createdAt: c.createdAt, model, meta };
  return cache.model;
}

/**
 * Predicts `imageIds` with the active (or given) checkpoint, one message per image: the prediction
 * (label values and confidence as bytes, 2 bytes a pixel), or with `scoresOnly` its "Label next" score,
 * or why that image failed. Then `predictDone` (code CANCELLED when `cancelled()` turned true first).
 * Every answer carries the request's `requestId`.
 */
export async function runPrediction(
  msg: Extract<PredictRequest, { type: 'predict' }>,
  channel: Channel<PredictMessage>,
  cache: PredictionCache = newPredictionCache(),
  cancelled: () => boolean = () => false,
): Promise<void> {
  const requestId = msg.requestId !== undefined ? { requestId: msg.requestId } : {};
  const project = Project.open(msg.projectPath, msg.nativeBinding);
  let checkpointId: number | null = null;
  let backendName = '';
  const done = (error: ApiErrorPayload | null) =>
    channel.send({ type: 'predictDone', ...requestId, checkpointId, backend: backendName, error });
  try {
    cache.backend ??= initBackend({}).then((b) => `${b.name}: ${b.detail}`);
    backendName = await cache.backend.catch((err: unknown) => {
      cache.backend = null; // the next request tries again
      throw err;
    });
    const c = findCheckpoint(project.db, msg.checkpointId);
    checkpointId = c.id;
    const { model, meta } = await cachedModel(cache, c);
    for (const imageId of msg.imageIds) {
      if (cancelled()) return done({ code: 'CANCELLED', message: 'Prediction cancelled' });
      try {
        const p = await predictProjectImage(project.db, model, meta, imageId);
        if (msg.scoresOnly) {
          const score = labelNextScore(p.confidence, loadLabelMap(project.db, imageId)?.classes ?? null, 255);
          channel.send({ type: 'predictionScore', ...requestId, imageId, ...score });
          continue;
        }
        channel.send({
          type: 'prediction',
          ...requestId,
          imageId,
          width: p.width,
          height: p.height,
          values: p.values,
          confidence: p.confidence,
          meanConfidence: p.meanConfidence,
        });
      } catch (err) {
        channel.send({ type: 'predictionFailed', ...requestId, imageId, error: errorPayload(err) });
      }
    }
    done(null);
  } catch (err) {
    done(errorPayload(err));
  } finally {
    project.close();
  }
}

export const predictWorkerJob: WorkerJob<typeof predictJob> = {
  protocol: predictJob,
  start(channel) {
    const cache = newPredictionCache();
    const cancelledRequests = new Set<number>();
    let predictions: Promise<void> = Promise.resolve();
    return {
      receive(msg) {
        if (msg.type === 'cancel') cancelledRequests.add(msg.requestId);
        else {
          const id = msg.requestId;
          predictions = predictions.then(() =>
            runPrediction(msg, channel, cache, () => id !== undefined && cancelledRequests.has(id)).finally(
              () => id !== undefined && cancelledRequests.delete(id),
            ),
          );
        }
      },
    };
  },
};
