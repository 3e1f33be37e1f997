/**
 * Class-weighted pixelwise softmax cross-entropy.
 *
 * For logits `z[b,h,w,:]` (C classes), integer labels `y[b,h,w]` (255 = unlabeled), class weights `w_c`
 * and optional per-image sample weights `s_b`:
 *
 *   m[b,h,w,0] = s_b * w_{y[b,h,w]}        (0 where y is unlabeled or outside 0..C-1)
 *   ce[b,h,w]  = -sum_c m[b,h,w,0] * onehot(y)[b,h,w,c] * log_softmax(z)[b,h,w,c]
 *
 * The weight mask `m` has shape [B,H,W,1] and is broadcast over the class axis. It depends only on the
 * GROUND-TRUTH label of each pixel — never on the prediction — and never scales the logits, so the
 * gradient with respect to the logits is `m * (softmax(z) - onehot(y))`: exactly zero for unlabeled
 * pixels and for pixels of weight-0 classes.
 *
 * Reductions:
 * - `sumPerImageMeanOverBatch`: sum of `ce` over the pixels of each image, mean over the B images
 *   (the loss grows with the labeled area of an image; its scale depends on the crop size).
 * - `weightedMean`: sum(ce) / sum(m), i.e. the mean cross-entropy per unit of weight; 0 (not NaN) when
 *   sum(m) = 0 (a batch with no weighted pixel), with a zero gradient.
 */
import * as tf from '@tensorflow/tfjs';

export type LossReduction = 'sumPerImageMeanOverBatch' | 'weightedMean';

export interface WeightedLossOptions {
  reduction?: LossReduction;
  /** Per-image weights [B] that multiply the pixel weights. */
  sampleWeights?: tf.Tensor1D | ArrayLike<number>;
  /** Label value of unlabeled pixels (default 255); any label outside 0..C-1 also weighs 0. */
  ignoreLabel?: number;
}

function asTensor1d(v: tf.Tensor1D | ArrayLike<number>): tf.Tensor1D {
  return v instanceof tf.Tensor ? v : tf.tensor1d(Array.from(v), 'float32');
}

/**
 * One-hot float32 [B,H,W,C]; a label outside 0..C-1 (255) gives the zero vector. Built as int32 and cast:
 * the wasm OneHot kernel of tfjs 4.22 writes int32 bit patterns into a float32 output (1 -> 1.4e-45).
 */
function oneHotFloat(labels: tf.Tensor3D, C: number): tf.Tensor4D {
  return tf.cast(tf.oneHot(tf.cast(labels, 'int32'), C), 'float32') as tf.Tensor4D;
}

/**
 * The weight mask [B,H,W,1]: the weight of each pixel's ground-truth class, times its image's sample
 * weight; 0 for unlabeled pixels. `labels` is int32 [B,H,W].
 */
export function pixelWeightMask(
  labels: tf.Tensor3D,
  classWeights: tf.Tensor1D | ArrayLike<number>,
  sampleWeights?: tf.Tensor1D | ArrayLike<number>,
): tf.Tensor4D {
  return tf.tidy(() => {
    const w = asTensor1d(classWeights);
    const C = w.shape[0];
    // oneHot of a label outside 0..C-1 (255) is the zero vector, so such pixels get weight 0.
    const oh = oneHotFloat(labels, C);
    let m = tf.sum(tf.mul(oh, w), -1, true) as tf.Tensor4D;
    if (sampleWeights !== undefined) {
      const s = asTensor1d(sampleWeights);
      if (s.shape[0] !== labels.shape[0]) {
        throw new RangeError(`${s.shape[0]} sample weights for a batch of ${labels.shape[0]}`);
      }
      m = tf.mul(m, tf.reshape(s, [-1, 1, 1, 1]));
    }
    return m;
  });
}

/** Weighted softmax cross-entropy of `logits` [B,H,W,C] against `labels` [B,H,W] (see the file comment). */
export function weightedSoftmaxCrossEntropy(
  logits: tf.Tensor4D,
  labels: tf.Tensor3D,
  classWeights: tf.Tensor1D | ArrayLike<number>,
  options: WeightedLossOptions = {},
): tf.Scalar {
  const reduction = options.reduction ?? 'sumPerImageMeanOverBatch';
  return tf.tidy(() => {
    const C = logits.shape[3];
    const w = asTensor1d(classWeights);
    if (w.shape[0] !== C) throw new RangeError(`${w.shape[0]} class weights for ${C} classes`);
    let lab = tf.cast(labels, 'int32');
    if (options.ignoreLabel !== undefined && options.ignoreLabel !== 255) {
      lab = tf.where(tf.equal(lab, options.ignoreLabel), tf.fill(lab.shape, 255, 'int32'), lab);
    }
    const mask = pixelWeightMask(lab as tf.Tensor3D, w, options.sampleWeights); // [B,H,W,1]
    const oh = oneHotFloat(lab as tf.Tensor3D, C); // [B,H,W,C]
    const ce = tf.neg(tf.sum(tf.mul(tf.mul(mask, oh), tf.logSoftmax(logits, -1)), -1)); // [B,H,W]
    const total = tf.sum(ce);
    if (reduction === 'sumPerImageMeanOverBatch') return tf.div(total, logits.shape[0]) as tf.Scalar;
    if (reduction === 'weightedMean') {
      const denom = tf.sum(mask);
      // Weights are >= 0, so sum(mask) = 0 means every term of `total` is 0: divide by 1 instead.
      const safe = tf.where(tf.greater(denom, 0), denom, tf.onesLike(denom));
      return tf.div(total, safe) as tf.Scalar;
    }
    throw new RangeError(`unknown reduction ${String(reduction)}`);
  });
}
