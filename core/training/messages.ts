/** What a training process reports to its parent, and what the app forwards to the window. */
import type { EvaluationMetrics } from './metrics';
import type { ResolvedTrainSettings, TrainSettingsInput, ValidationLabels } from './settings';

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

export type TrainMessage =
  | {
      type: 'started';
      runId: number;
      backend: string;
      skipped: { name: string; reason: string }[];
      train: number;
      val: number;
      /** Of `val`, images held out automatically (the user chose no validation images). */
      heldOut?: number;
      validation?: ValidationBasis;
      classWeights: number[];
      size: [number, number];
      /** The first epoch's index: 0, or the one after the checkpoint a resumed run starts from. */
      firstEpoch?: number;
      /** The settings the run uses: the user's, with the backend's defaults for what they left unset. */
      settings?: ResolvedTrainSettings;
    }
  | ({ type: 'step'; runId: number } & StepProgress)
  | { type: 'epoch'; runId: number; result: EpochResult; checkpointId: number | null }
  /** Something the user should know while the run goes on (e.g. it waits for a lock on the project file). */
  | { type: 'notice'; runId: number; message: string }
  | {
      type: 'done';
      runId: number;
      status: 'completed' | 'stopped' | 'failed' | 'interrupted';
      message: string;
      /** CPU time the training process used, all its threads, user + system (seconds). */
      cpuSeconds?: number;
      /**
       * After a GPU failure: the next backend, and the settings that go on with it from the last good
       * checkpoint (`resumeFrom`; none when no epoch was saved: then it starts over) for the remaining epochs.
       */
      continueOn?: ContinueOn;
    };

export interface ContinueOn {
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** The checkpoint it resumes from; null: no epoch was saved, it starts over. */
  resumeFrom: number | null;
  settings: TrainSettingsInput;
}
