/**
 * Semantic-segmentation metrics from a confusion matrix: pixel accuracy, mean class accuracy, per-class
 * IoU and mIoU (the PASCAL VOC / Cityscapes definitions, one matrix accumulated over a whole data set).
 */

/**
 * `counts[g * numClasses + p]`: pixels of ground-truth class g predicted as p (`Float64Array(C * C)`).
 * `invalid[g]`: pixels of class g whose prediction is outside 0..C-1 (counted as wrong).
 */
export interface ConfusionMatrix {
  readonly numClasses: number;
  readonly counts: Float64Array;
  readonly invalid: Float64Array;
}

export interface SegmentationMetrics {
  /** Correct / counted pixels; NaN when no pixel was counted. */
  readonly pixelAccuracy: number;
  /** Recall averaged over classes present in the ground truth; NaN when none is. */
  readonly meanClassAccuracy: number;
  /** Recall per class, null when the class is absent from the ground truth. */
  readonly classAccuracy: (number | null)[];
  /** IoU per class, null when the class is neither in the ground truth nor predicted. */
  readonly iou: (number | null)[];
  /** Mean of the non-null IoUs; NaN when all are null. */
  readonly meanIoU: number;
  /** Pixels counted (ground truth in 0..C-1, not ignored, inside the mask). */
  readonly pixels: number;
}

/** An empty matrix for `numClasses` classes. */
export function emptyConfusion(numClasses: number): ConfusionMatrix {
  if (!Number.isInteger(numClasses) || numClasses < 1 || numClasses > 65536) {
    throw new RangeError(`numClasses must be an integer in [1, 65536], got ${numClasses}.`);
  }
  return {
    numClasses,
    counts: new Float64Array(numClasses * numClasses),
    invalid: new Float64Array(numClasses),
  };
}

/**
 * Adds one image to `cm`. Pixels whose ground truth equals `ignoreValue` or lies outside 0..C-1 are skipped,
 * as are pixels with `mask[i] === 0` when a mask is given. `pred`, `gt` (and `mask`) have the same length.
 * Cost O(pixels).
 */
export function accumulateConfusion(
  cm: ConfusionMatrix,
  pred: ArrayLike<number>,
  gt: ArrayLike<number>,
  ignoreValue: number | null = null,
  mask?: ArrayLike<number>,
): ConfusionMatrix {
  if (pred.length !== gt.length || (mask && mask.length !== gt.length)) {
    throw new RangeError(`Length mismatch: pred ${pred.length}, gt ${gt.length}, mask ${mask?.length ?? '-'}.`);
  }
  const C = cm.numClasses;
  const { counts, invalid } = cm;
  for (let i = 0; i < gt.length; i++) {
    const g = gt[i]!;
    if (g === ignoreValue || !(g >= 0 && g < C) || (mask && mask[i] === 0)) continue;
    const p = pred[i]!;
    if (p >= 0 && p < C && Number.isInteger(p)) counts[g * C + p] += 1;
    else invalid[g] += 1;
  }
  return cm;
}

/** Confusion matrix of one prediction against its ground truth (see {@link accumulateConfusion}). */
export function confusionMatrix(
  pred: ArrayLike<number>,
  gt: ArrayLike<number>,
  numClasses: number,
  ignoreValue: number | null = null,
  mask?: ArrayLike<number>,
): ConfusionMatrix {
  return accumulateConfusion(emptyConfusion(numClasses), pred, gt, ignoreValue, mask);
}

/** Metrics of a confusion matrix. Cost O(C^2). */
export function segmentationMetrics(cm: ConfusionMatrix): SegmentationMetrics {
  const C = cm.numClasses;
  const { counts, invalid } = cm;
  const rowSum = new Float64Array(C);
  const colSum = new Float64Array(C);
  let correct = 0;
  let total = 0;
  for (let g = 0; g < C; g++) {
    rowSum[g] = invalid[g]!;
    for (let p = 0; p < C; p++) {
      const v = counts[g * C + p]!;
      rowSum[g] += v;
      colSum[p] += v;
    }
    correct += counts[g * C + g]!;
    total += rowSum[g]!;
  }
  const classAccuracy: (number | null)[] = [];
  const iou: (number | null)[] = [];
  let accSum = 0;
  let accN = 0;
  let iouSum = 0;
  let iouN = 0;
  for (let c = 0; c < C; c++) {
    const tp = counts[c * C + c]!;
    if (rowSum[c]! > 0) {
      const a = tp / rowSum[c]!;
      classAccuracy.push(a);
      accSum += a;
      accN++;
    } else {
      classAccuracy.push(null);
    }
    const union = rowSum[c]! + colSum[c]! - tp;
    if (union > 0) {
      const v = tp / union;
      iou.push(v);
      iouSum += v;
      iouN++;
    } else {
      iou.push(null);
    }
  }
  return {
    pixelAccuracy: total > 0 ? correct / total : NaN,
    meanClassAccuracy: accN > 0 ? accSum / accN : NaN,
    classAccuracy,
    iou,
    meanIoU: iouN > 0 ? iouSum / iouN : NaN,
    pixels: total,
  };
}
