/** Messages between a training process and its parent (the app's main process or the CLI). */
import type { BackendStatus } from './backends';
import type { ApiErrorPayload } from '../ipc/errors';
import type { TrainMessage } from './messages';
import type { LabelNextScore } from './rank';
import type { TrainSettingsInput } from './settings';

export type ToWorker =
  | { type: 'start'; projectPath: string; runId: number; settings: TrainSettingsInput; nativeBinding?: string }
  | { type: 'stop' }
  | {
      type: 'predict';
      projectPath: string;
      imageIds: number[];
      checkpointId?: number;
      nativeBinding?: string;
      /** Send a `predictionScore` per image (for "Label next") instead of the per-pixel prediction. */
      scoresOnly?: boolean;
    }
  /** The parent has every message it waited for: leave now (a worker never exits on its own after
   *  predicting, since leaving right after posting a large message can lose it). */
  | { type: 'exit' }
  /** List the backends (answered with a `backends` message; then the parent sends `exit`). */
  | { type: 'backends' };

/** One image's prediction: project label values and confidence (0..255 = probability x 255) per pixel. */
export interface PredictionMessage {
  type: 'prediction';
  imageId: number;
  width: number;
  height: number;
  values: Uint8Array;
  confidence: Uint8Array;
  meanConfidence: number;
}

/** One image's "Label next" score (see core/training/rank.ts). */
export interface PredictionScoreMessage extends LabelNextScore {
  type: 'predictionScore';
  imageId: number;
}

/** One image that could not be predicted; the others still are. */
export interface PredictionFailedMessage {
  type: 'predictionFailed';
  imageId: number;
  error: ApiErrorPayload;
}

export type PredictMessage =
  | PredictionMessage
  | PredictionScoreMessage
  | PredictionFailedMessage
  /** The last message of a prediction; `error` when nothing could be predicted (e.g. no trained model). */
  | { type: 'predictDone'; checkpointId: number | null; backend: string; error: ApiErrorPayload | null };

export type FromWorker = TrainMessage | PredictMessage | { type: 'backends'; list: BackendStatus[] };
