/** Messages between a training process and its parent (the app's main process or the CLI). */
import type { TrainSettingsInput } from '../../core/training/settings';
import type { EpochResult, StepProgress } from './loop';

export type ToWorker =
  | { type: 'start'; projectPath: string; runId: number; settings: TrainSettingsInput; nativeBinding?: string }
  | { type: 'stop' };

export type FromWorker =
  | {
      type: 'started';
      runId: number;
      backend: string;
      skipped: { name: string; reason: string }[];
      train: number;
      val: number;
      classWeights: number[];
      size: [number, number];
    }
  | ({ type: 'step'; runId: number } & StepProgress)
  | { type: 'epoch'; runId: number; result: EpochResult; checkpointId: number | null }
  | { type: 'done'; runId: number; status: 'completed' | 'stopped' | 'failed'; message: string };
