/** Parts of what a training process reports to its parent (core/jobs/train.ts), and what the app forwards to the window. */
import type { EvaluationMetrics } from './metrics';
import type { TrainSettingsInput, ValidationLabels } from './settings';

/** Which labels a run validates on and why (core/training/split.ts); `note` says it when not labels a person made. */
export interface ValidationBasis {
  labels: ValidationLabels;
  basis: 'default' | 'chosen' | 'fallback';
  note: string | null;
}

export interface StepProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
  /** Seconds left by the epoch limit or the time budget, whichever ends first. */
  etaSeconds: number;
  /** The learning rate this step used (core/training/schedule.ts). */
  learningRate: number;
}

export interface EpochResult {
  epoch: number;
  trainLoss: number;
  /** Null when there is no validation data. */
  valLoss: number | null;
  metrics: Omit<EvaluationMetrics, 'confusion'> & {
    confusion: number[];
    /** Val mIoU against the labels resized to the working size (how earlier reports measured it). */
    workingSizeMeanIoU?: number;
  };
  seconds: number;
}

export interface ContinueOn {
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** The checkpoint it resumes from; null: no epoch was saved, it starts over. */
  resumeFrom: number | null;
  settings: TrainSettingsInput;
}
