/**
 * Validation metrics for segmentation training, on typed arrays. Pixel accuracy, mean class accuracy,
 * per-class IoU and mIoU come from the shared confusion matrix in `core/metrics` (reused, not duplicated);
 * this module adds the probabilistic scores and one accumulator for a whole validation pass.
 *
 * Definitions (unlabeled pixels — label `ignoreValue`, default 255, or outside 0..C-1 — are skipped
 * everywhere):
 * - `mse`: mean squared error between the softmax and the one-hot ground truth, averaged over labeled
 *   pixels AND classes: sum over pixels and classes of (p_c - y_c)^2, divided by (pixels * C). For the
 *   one-hot [[1,0,0],[0,0,1]] against [[0.9,0.2,0.2],[0.2,0.8,0.3]] it is (0.09 + 1.17) / 6 = 0.21.
 * - `brier`: the multi-class Brier score, the same squared errors summed over classes and averaged over
 *   pixels only (= C * mse; 0.63 in that example).
 */
import { accumulateConfusion, emptyConfusion, segmentationMetrics } from '../metrics';
import type { ConfusionMatrix, SegmentationMetrics } from '../metrics';

export interface EvaluationAccumulator {
  readonly numClasses: number;
  readonly ignoreValue: number;
  readonly confusion: ConfusionMatrix;
  /** Sum over labeled pixels and classes of (p - onehot)^2. */
  squaredError: number;
  /** Labeled pixels seen. */
  pixels: number;
}

export interface EvaluationMetrics extends SegmentationMetrics {
  /** Mean over labeled pixels and classes of (p_c - y_c)^2; NaN when no pixel was labeled. */
  readonly mse: number;
  /** Mean over labeled pixels of sum_c (p_c - y_c)^2 (= C * mse); NaN when no pixel was labeled. */
  readonly brier: number;
  /** The confusion matrix, `counts[g * C + p]`. */
  readonly confusion: ConfusionMatrix;
}

export function emptyEvaluation(numClasses: number, ignoreValue = 255): EvaluationAccumulator {
  return { numClasses, ignoreValue, confusion: emptyConfusion(numClasses), squaredError: 0, pixels: 0 };
}

/** Index of the largest of `probs[offset .. offset + C)` (first one on ties). */
function argmax(probs: ArrayLike<number>, offset: number, C: number): number {
  let best = 0;
  let bestValue = probs[offset]!;
  for (let c = 1; c < C; c++) {
    const v = probs[offset + c]!;
    if (v > bestValue) {
      bestValue = v;
      best = c;
    }
  }
  return best;
}

/** Sum over labeled pixels and classes of (p_c - y_c)^2, and the number of labeled pixels. */
function squaredErrorSum(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  ignoreValue = 255,
): { sum: number; pixels: number } {
  const C = numClasses;
  if (probs.length !== labels.length * C) {
    throw new RangeError(`probs has ${probs.length} values, expected ${labels.length} pixels x ${C} classes`);
  }
  let sum = 0;
  let pixels = 0;
  for (let i = 0; i < labels.length; i++) {
    const g = labels[i]!;
    if (g === ignoreValue || !(g >= 0 && g < C)) continue;
    pixels++;
    const o = i * C;
    for (let c = 0; c < C; c++) {
      const d = probs[o + c]! - (c === g ? 1 : 0);
      sum += d * d;
    }
  }
  return { sum, pixels };
}

/** MSE between softmax and one-hot as defined in the file comment (0.21 for the documented example). */
export function softmaxMse(
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
  numClasses: number,
  ignoreValue = 255,
): number {
  const { sum, pixels } = squaredErrorSum(probs, labels, numClasses, ignoreValue);
  return pixels > 0 ? sum / (pixels * numClasses) : NaN;
}

/**
 * Adds a batch: `probs` are softmax outputs, pixel-major `[pixels, C]` (NHWC flattened), `labels` one
 * per pixel. The prediction is the argmax of `probs`. Cost O(pixels * C).
 */
export function accumulateEvaluation(
  acc: EvaluationAccumulator,
  probs: ArrayLike<number>,
  labels: ArrayLike<number>,
): EvaluationAccumulator {
  const C = acc.numClasses;
  const { sum, pixels } = squaredErrorSum(probs, labels, C, acc.ignoreValue);
  const pred = new Int32Array(labels.length);
  for (let i = 0; i < labels.length; i++) pred[i] = argmax(probs, i * C, C);
  accumulateConfusion(acc.confusion, pred, labels, acc.ignoreValue);
  acc.squaredError += sum;
  acc.pixels += pixels;
  return acc;
}

export function evaluationMetrics(acc: EvaluationAccumulator): EvaluationMetrics {
  const seg = segmentationMetrics(acc.confusion);
  const n = acc.pixels;
  return {
    ...seg,
    mse: n > 0 ? acc.squaredError / (n * acc.numClasses) : NaN,
    brier: n > 0 ? acc.squaredError / n : NaN,
    confusion: acc.confusion,
  };
}
