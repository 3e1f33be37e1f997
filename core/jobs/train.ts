/**
 * The training job: the parent starts one run (and may ask it to stop); the process reports the run's
 * progress, one `done` last.
 */
import { z } from 'zod';
import type { EvaluationMetrics } from '../training/metrics';
import {
  BACKEND_DEFAULTS,
  trainSettingsSchema,
  VALIDATION_LABELS,
  type ResolvedTrainSettings,
  type TrainSettingsInput,
} from '../training/settings';
import { exitRequest, int, nonNegativeInt, num, type JobProtocol } from './job';

const settingsInput = z.custom<TrainSettingsInput>((v) => typeof v === 'object' && v !== null);
/** Parsed in full: the renderer and the CLI show these as what the run uses. */
const resolvedSettings = z.custom<ResolvedTrainSettings>((v) => {
  if (typeof v !== 'object' || v === null) return false;
  const r = v as Record<string, unknown>;
  return (
    trainSettingsSchema.safeParse(v).success &&
    // Each setting with a per-backend default, and the long side: resolved by the training process.
    Object.keys(BACKEND_DEFAULTS.cpu).every((k) => typeof r[k] === 'number' && Number.isInteger(r[k]))
  );
});

const request = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    projectPath: z.string(),
    runId: nonNegativeInt,
    settings: settingsInput,
    nativeBinding: z.string().optional(),
  }),
  z.object({ type: z.literal('stop') }),
  exitRequest,
]);

/** An epoch's metrics as sent: the confusion matrix flattened. */
type EpochMetricsSent = Omit<EvaluationMetrics, 'confusion'> & {
  confusion: number[];
  /** Val mIoU against the labels resized to the working size (how earlier reports measured it). */
  workingSizeMeanIoU?: number;
};
const epochResult = z.object({
  epoch: nonNegativeInt,
  trainLoss: num,
  /** Null when there is no validation data. */
  valLoss: num.nullable(),
  // Per-class lists and the confusion matrix: checked as an object here, read through
  // core/training/epoch-metrics.ts where they are shown.
  metrics: z.custom<EpochMetricsSent>((v) => typeof v === 'object' && v !== null),
  seconds: num,
});
const continueOn = z.object({
  backend: z.enum(['tensorflow', 'wasm', 'cpu']),
  /** The checkpoint it resumes from; null: no epoch was saved, it starts over. */
  resumeFrom: nonNegativeInt.nullable(),
  settings: settingsInput,
});
/** Which labels a run validates on and why (core/training/split.ts); `note` says it when not labels a person made. */
export const validationBasisSchema = z.object({
  labels: z.enum(VALIDATION_LABELS),
  basis: z.enum(['default', 'chosen', 'fallback']),
  note: z.string().nullable(),
});
const stepProgress = z.object({
  epoch: nonNegativeInt,
  step: nonNegativeInt,
  stepsPerEpoch: nonNegativeInt,
  loss: num,
  /** Seconds left by the epoch limit or the time budget, whichever ends first. */
  etaSeconds: num,
  /** The learning rate this step used (core/training/schedule.ts). */
  learningRate: num,
});

const message = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    runId: nonNegativeInt,
    backend: z.string(),
    skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
    train: nonNegativeInt,
    val: nonNegativeInt,
    /** Of `val`, images held out automatically (the user chose no validation images). */
    heldOut: nonNegativeInt.optional(),
    validation: validationBasisSchema.optional(),
    classWeights: z.array(num),
    size: z.tuple([int, int]),
    /** The first epoch's index: 0, or the one after the checkpoint a resumed run starts from. */
    firstEpoch: nonNegativeInt.optional(),
    /** The settings the run uses: the user's, with the backend's defaults for what they left unset. */
    settings: resolvedSettings.optional(),
  }),
  stepProgress.extend({ type: z.literal('step'), runId: nonNegativeInt }),
  z.object({
    type: z.literal('epoch'),
    runId: nonNegativeInt,
    result: epochResult,
    checkpointId: nonNegativeInt.nullable(),
  }),
  /** Something the user should know while the run goes on (e.g. it waits for a lock on the project file). */
  z.object({ type: z.literal('notice'), runId: nonNegativeInt, message: z.string() }),
  z.object({
    type: z.literal('done'),
    runId: nonNegativeInt,
    status: z.enum(['completed', 'stopped', 'failed', 'interrupted']),
    message: z.string(),
    /** CPU time the training process used, all its threads, user + system (seconds). */
    cpuSeconds: num.optional(),
    /**
     * After a GPU failure: the next backend, and the settings that go on with it from the last good
     * checkpoint (`resumeFrom`; none when no epoch was saved: then it starts over) for the remaining epochs.
     */
    continueOn: continueOn.optional(),
  }),
]);

export const trainJob = { name: 'training', request, message } satisfies JobProtocol;
export type TrainRequest = z.infer<typeof request>;
/** What a training process reports to its parent, and what the app forwards to the window. */
export type TrainMessage = z.infer<typeof message>;
export type StepProgress = z.infer<typeof stepProgress>;
export type EpochResult = z.infer<typeof epochResult>;
export type ValidationBasis = z.infer<typeof validationBasisSchema>;
/**
 * After a GPU failure: the next backend, and the settings that go on with it from the last good checkpoint
 * (`resumeFrom`) for the remaining epochs.
 */
export type ContinueOn = z.infer<typeof continueOn>;
