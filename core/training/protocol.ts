/**
 * Messages between a training or prediction process (worker/index.ts) and its parent (the app's main
 * process or the CLI), as zod schemas: each side parses what it receives (`parseToWorker`,
 * `parseFromWorker`), so a message the other side did not mean never passes as typed.
 */
import { z } from 'zod';
import type { BackendStatus } from './backends';
import { ERROR_CODES, type ApiErrorPayload } from '../ipc/errors';
import type { ContinueOn, EpochResult, TrainMessage, ValidationBasis } from './messages';
import type { LabelNextScore } from './rank';
import {
  BACKEND_DEFAULTS,
  trainSettingsSchema,
  VALIDATION_LABELS,
  type ResolvedTrainSettings,
  type TrainSettingsInput,
} from './settings';

/** Any number, NaN and infinities included (a diverging loss is NaN, and it must still arrive). */
const num = z.custom<number>((v) => typeof v === 'number');
const int = z.number().int();
const nonNegativeInt = int.nonnegative();
const errorPayload = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  issues: z.array(z.object({ path: z.array(z.union([z.string(), z.number()])), message: z.string() })).optional(),
}) satisfies z.ZodType<ApiErrorPayload>;
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

const toWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('start'),
    projectPath: z.string(),
    runId: nonNegativeInt,
    settings: settingsInput,
    nativeBinding: z.string().optional(),
  }),
  z.object({ type: z.literal('stop') }),
  z.object({
    type: z.literal('predict'),
    /** Set by a long-lived prediction worker's parent (main/services/prediction-worker.ts): every answer
     *  carries it, and `cancel` names it. */
    requestId: nonNegativeInt.optional(),
    projectPath: z.string(),
    imageIds: z.array(nonNegativeInt),
    checkpointId: nonNegativeInt.optional(),
    nativeBinding: z.string().optional(),
    /** Send a `predictionScore` per image (for "Label next") instead of the per-pixel prediction. */
    scoresOnly: z.boolean().optional(),
  }),
  /** The parent has every message it waited for: leave now (a worker never exits on its own after
   *  predicting, since leaving right after posting a large message can lose it). */
  z.object({ type: z.literal('exit') }),
  /** Stop the prediction `requestId` before its next image (answered by its `predictDone`, code CANCELLED). */
  z.object({ type: z.literal('cancel'), requestId: nonNegativeInt }),
  /** List the backends (answered with a `backends` message; then the parent sends `exit`). */
  z.object({ type: z.literal('backends') }),
]);

export type ToWorker = z.infer<typeof toWorkerSchema>;

/** One image's prediction at its own size. */
export interface ImagePrediction {
  imageId: number;
  width: number;
  height: number;
  /** Project label values per pixel. */
  values: Uint8Array;
  /** Probability of the predicted class per pixel, 0..255 = 0..1. */
  confidence: Uint8Array;
  meanConfidence: number;
}

/** One image's prediction, as the worker sends it. */
export interface PredictionMessage extends ImagePrediction {
  type: 'prediction';
  requestId?: number;
}

/** One image's "Label next" score (see core/training/rank.ts). */
export interface PredictionScoreMessage extends LabelNextScore {
  type: 'predictionScore';
  requestId?: number;
  imageId: number;
}

/** One image that could not be predicted; the others still are. */
export interface PredictionFailedMessage {
  type: 'predictionFailed';
  requestId?: number;
  imageId: number;
  error: ApiErrorPayload;
}

type PredictMessage =
  | PredictionMessage
  | PredictionScoreMessage
  | PredictionFailedMessage
  /** The last message of a prediction; `error` when nothing could be predicted (e.g. no trained model). */
  | {
      type: 'predictDone';
      requestId?: number;
      checkpointId: number | null;
      backend: string;
      error: ApiErrorPayload | null;
    };

export type FromWorker = TrainMessage | PredictMessage | { type: 'backends'; list: BackendStatus[] };

const epochResult = z.object({
  epoch: nonNegativeInt,
  trainLoss: num,
  valLoss: num.nullable(),
  // Per-class lists and the confusion matrix: checked as an object here, read through
  // core/training/epoch-metrics.ts where they are shown.
  metrics: z.custom<EpochResult['metrics']>((v) => typeof v === 'object' && v !== null),
  seconds: num,
});
const continueOn = z.object({
  backend: z.enum(['tensorflow', 'wasm', 'cpu']),
  resumeFrom: nonNegativeInt.nullable(),
  settings: settingsInput,
}) satisfies z.ZodType<ContinueOn>;
const bytes = z.instanceof(Uint8Array);

export const validationBasisSchema = z.object({
  labels: z.enum(VALIDATION_LABELS),
  basis: z.enum(['default', 'chosen', 'fallback']),
  note: z.string().nullable(),
}) satisfies z.ZodType<ValidationBasis>;

const fromWorkerSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('started'),
    runId: nonNegativeInt,
    backend: z.string(),
    skipped: z.array(z.object({ name: z.string(), reason: z.string() })),
    train: nonNegativeInt,
    val: nonNegativeInt,
    heldOut: nonNegativeInt.optional(),
    validation: validationBasisSchema.optional(),
    classWeights: z.array(num),
    size: z.tuple([int, int]),
    firstEpoch: nonNegativeInt.optional(),
    settings: resolvedSettings.optional(),
  }),
  z.object({
    type: z.literal('step'),
    runId: nonNegativeInt,
    epoch: nonNegativeInt,
    step: nonNegativeInt,
    stepsPerEpoch: nonNegativeInt,
    loss: num,
    etaSeconds: num,
    learningRate: num,
  }),
  z.object({
    type: z.literal('epoch'),
    runId: nonNegativeInt,
    result: epochResult,
    checkpointId: nonNegativeInt.nullable(),
  }),
  z.object({ type: z.literal('notice'), runId: nonNegativeInt, message: z.string() }),
  z.object({
    type: z.literal('done'),
    runId: nonNegativeInt,
    status: z.enum(['completed', 'stopped', 'failed', 'interrupted']),
    message: z.string(),
    cpuSeconds: num.optional(),
    continueOn: continueOn.optional(),
  }),
  z.object({
    type: z.literal('prediction'),
    requestId: nonNegativeInt.optional(),
    imageId: nonNegativeInt,
    width: int.positive(),
    height: int.positive(),
    values: bytes,
    confidence: bytes,
    meanConfidence: num,
  }),
  z.object({
    type: z.literal('predictionScore'),
    requestId: nonNegativeInt.optional(),
    imageId: nonNegativeInt,
    labeledFraction: num,
    meanConfidence: num,
    gain: num,
  }),
  z.object({
    type: z.literal('predictionFailed'),
    requestId: nonNegativeInt.optional(),
    imageId: nonNegativeInt,
    error: errorPayload,
  }),
  z.object({
    type: z.literal('predictDone'),
    requestId: nonNegativeInt.optional(),
    checkpointId: nonNegativeInt.nullable(),
    backend: z.string(),
    error: errorPayload.nullable(),
  }),
  z.object({
    type: z.literal('backends'),
    list: z.array(z.custom<BackendStatus>((v) => typeof v === 'object' && v !== null)),
  }),
]) satisfies z.ZodType<FromWorker>;

/** Why a message failed its schema, in one line. */
function why(error: z.ZodError): string {
  const i = error.issues[0]!;
  return `${i.path.join('.') || 'message'}: ${i.message}`;
}

/** A message from the parent, or an Error saying what was wrong with it. */
export function parseToWorker(raw: unknown): ToWorker {
  const r = toWorkerSchema.safeParse(raw);
  if (!r.success) throw new Error(`Unexpected message from the parent (${why(r.error)})`);
  return r.data;
}

/** A message from the worker process, or an Error saying what was wrong with it. */
export function parseFromWorker(raw: unknown): FromWorker {
  const r = fromWorkerSchema.safeParse(raw);
  if (!r.success) throw new Error(`Unexpected message from the worker process (${why(r.error)})`);
  return r.data as FromWorker;
}
