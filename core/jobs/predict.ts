/**
 * The prediction job: predicts project images with a checkpoint, one message per image, then
 * `predictDone`. A long-lived prediction process (services/prediction-worker.ts) takes request after
 * request, each named by its `requestId`, and may cancel one.
 */
import { z } from 'zod';
import { errorPayload, exitRequest, int, nonNegativeInt, num, type JobProtocol } from './job';

const request = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('predict'),
    /** Set by a long-lived prediction worker's parent: every answer carries it, and `cancel` names it. */
    requestId: nonNegativeInt.optional(),
    projectPath: z.string(),
    imageIds: z.array(nonNegativeInt),
    checkpointId: nonNegativeInt.optional(),
    nativeBinding: z.string().optional(),
    /** Send a `predictionScore` per image (for "Label next") instead of the per-pixel prediction. */
    scoresOnly: z.boolean().optional(),
  }),
  /** Stop the prediction `requestId` before its next image (answered by its `predictDone`, code CANCELLED). */
  z.object({ type: z.literal('cancel'), requestId: nonNegativeInt }),
  exitRequest,
]);

const bytes = z.custom<Uint8Array>((v) => v instanceof Uint8Array);
/** One image's prediction at its own size. */
const imagePrediction = z.object({
  imageId: nonNegativeInt,
  width: int.positive(),
  height: int.positive(),
  /** Project label values per pixel. */
  values: bytes,
  /** Probability of the predicted class per pixel, 0..255 = 0..1. */
  confidence: bytes,
  meanConfidence: num,
});
const requestId = nonNegativeInt.optional();

const prediction = imagePrediction.extend({ type: z.literal('prediction'), requestId });
/** One image's "Label next" score (see core/training/rank.ts). */
const predictionScore = z.object({
  type: z.literal('predictionScore'),
  requestId,
  imageId: nonNegativeInt,
  labeledFraction: num,
  meanConfidence: num,
  gain: num,
});
/** One image that could not be predicted; the others still are. */
const predictionFailed = z.object({
  type: z.literal('predictionFailed'),
  requestId,
  imageId: nonNegativeInt,
  error: errorPayload,
});
const message = z.discriminatedUnion('type', [
  prediction,
  predictionScore,
  predictionFailed,
  /** The last message of a prediction; `error` when nothing could be predicted (e.g. no trained model). */
  z.object({
    type: z.literal('predictDone'),
    requestId,
    checkpointId: nonNegativeInt.nullable(),
    backend: z.string(),
    error: errorPayload.nullable(),
  }),
]);

export const predictJob = { name: 'prediction', request, message } satisfies JobProtocol;
export type PredictRequest = z.infer<typeof request>;
export type PredictMessage = z.infer<typeof message>;
export type ImagePrediction = z.infer<typeof imagePrediction>;
export type PredictionMessage = z.infer<typeof prediction>;
export type PredictionScoreMessage = z.infer<typeof predictionScore>;
export type PredictionFailedMessage = z.infer<typeof predictionFailed>;
