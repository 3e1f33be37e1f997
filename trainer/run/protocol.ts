/** Messages between a training process and its parent (the app's main process or the CLI). */
import type { BackendStatus } from '../../core/training/backends';
import type { TrainMessage } from '../../core/training/messages';
import type { TrainSettingsInput } from '../../core/training/settings';

export type ToWorker =
  | { type: 'start'; projectPath: string; runId: number; settings: TrainSettingsInput; nativeBinding?: string }
  | { type: 'stop' }
  | { type: 'predict'; projectPath: string; imageIds: number[]; checkpointId?: number; nativeBinding?: string }
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

export type PredictMessage =
  PredictionMessage | { type: 'predictDone'; checkpointId: number | null; backend: string; error: string | null };

export type FromWorker = TrainMessage | PredictMessage | { type: 'backends'; list: BackendStatus[] };
