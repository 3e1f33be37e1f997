// The weighted cross-entropy against values computed independently in plain JavaScript.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';
import { pixelWeightMask, weightedSoftmaxCrossEntropy } from '../../trainer/loss';

// B=2, H=1, W=3, C=3
const logits = [
  [2.0, 0.5, -1.0],
  [0.1, 1.5, 0.3],
  [-0.5, 0.2, 2.5],
  [1.0, 1.0, 1.0],
  [3.0, -2.0, 0.0],
  [0.0, 0.4, 0.2],
];
const labels = [0, 2, 255, 1, 1, 2]; // image 0: [0, 2, unlabeled]; image 1: [1, 1, 2]
const classWeights = [1.0, 2.0, 0.5];
const shape: [number, number, number, number] = [2, 1, 3, 3];

function logSoftmax(z: number[]): number[] {
  const m = Math.max(...z);
  const lse = m + Math.log(z.reduce((s, v) => s + Math.exp(v - m), 0));
  return z.map((v) => v - lse);
}
function argmax(z: number[]): number {
  return z.indexOf(Math.max(...z));
}

/** Per-pixel weight and cross-entropy computed in plain JS; `weightOf` picks the class whose weight applies. */
function reference(weightOf: (pixel: number) => number, sample = [1, 1]) {
  const w: number[] = [];
  const ce: number[] = [];
  logits.forEach((z, i) => {
    const y = labels[i]!;
    if (y === 255) {
      w.push(0);
      ce.push(0);
      return;
    }
    const wi = classWeights[weightOf(i)]! * sample[Math.floor(i / 3)]!;
    w.push(wi);
    ce.push(-wi * logSoftmax(z)[y]!);
  });
  const total = ce.reduce((a, b) => a + b, 0);
  const wsum = w.reduce((a, b) => a + b, 0);
  return { sumPerImage: total / 2, weightedMean: total / wsum };
}

const truthWeights = (i: number) => labels[i]!;
const predictedWeights = (i: number) => argmax(logits[i]!);

function loss(
  reduction: 'sumPerImageMeanOverBatch' | 'weightedMean',
  weights = classWeights,
  sampleWeights?: number[],
  lab = labels,
): number {
  return tf.tidy(
    () =>
      weightedSoftmaxCrossEntropy(tf.tensor4d(logits.flat(), shape), tf.tensor3d(lab, [2, 1, 3], 'int32'), weights, {
        reduction,
        sampleWeights,
      }).dataSync()[0]!,
  );
}

describe.each(['cpu', 'wasm'] as const)('weighted softmax cross-entropy on %s', (backend) => {
  beforeAll(async () => {
    await initBackend({ backend, threads: 1 });
  });

  it('sum per image, mean over batch equals the JS reference', () => {
    expect(loss('sumPerImageMeanOverBatch')).toBeCloseTo(reference(truthWeights).sumPerImage, 5);
  });

  it('weighted mean equals the JS reference', () => {
    expect(loss('weightedMean')).toBeCloseTo(reference(truthWeights).weightedMean, 5);
  });

  it('uses the ground-truth class weight: weights taken from the predictions give a different value', () => {
    const truth = reference(truthWeights);
    const pred = reference(predictedWeights);
    // The fixture has pixels whose predicted class differs from the truth (pixel 1: predicts 1, truth 2).
    expect(Math.abs(truth.sumPerImage - pred.sumPerImage)).toBeGreaterThan(0.1);
    expect(loss('sumPerImageMeanOverBatch')).toBeCloseTo(truth.sumPerImage, 5);
    expect(Math.abs(loss('sumPerImageMeanOverBatch') - pred.sumPerImage)).toBeGreaterThan(0.1);
  });

  it('multiplies per-image sample weights in', () => {
    const s = [0.25, 3];
    expect(loss('sumPerImageMeanOverBatch', classWeights, s)).toBeCloseTo(reference(truthWeights, s).sumPerImage, 5);
    expect(loss('weightedMean', classWeights, s)).toBeCloseTo(reference(truthWeights, s).weightedMean, 5);
  });

  it('builds the [B,H,W,1] mask from the ground truth, 0 for unlabeled pixels', () => {
    const m = tf.tidy(() => pixelWeightMask(tf.tensor3d(labels, [2, 1, 3], 'int32'), classWeights, [1, 2]));
    expect(m.shape).toEqual([2, 1, 3, 1]);
    expect(Array.from(m.dataSync())).toEqual([1, 0.5, 0, 4, 4, 1]);
    m.dispose();
  });

  it('gives exactly zero gradient to unlabeled pixels and weight-0 classes', () => {
    const weights = [1.0, 0.0, 0.5]; // class 1 ignored
    for (const reduction of ['sumPerImageMeanOverBatch', 'weightedMean'] as const) {
      const g = tf.tidy(() => {
        const lab = tf.tensor3d(labels, [2, 1, 3], 'int32');
        const f = (z: tf.Tensor) => weightedSoftmaxCrossEntropy(z as tf.Tensor4D, lab, weights, { reduction });
        return tf.grad(f)(tf.tensor4d(logits.flat(), shape));
      });
      const v = g.dataSync();
      g.dispose();
      labels.forEach((y, i) => {
        const row = Array.from(v.slice(i * 3, i * 3 + 3));
        if (y === 255 || weights[y] === 0)
          expect(row.every((x) => x === 0)).toBe(true); // exactly ±0
        else expect(row.some((x) => Math.abs(x) > 1e-3)).toBe(true);
      });
    }
  });

  it('weighted mean of a batch without weighted pixels is 0 with a zero (not NaN) gradient', () => {
    const none = [255, 255, 1, 255, 1, 1];
    expect(loss('weightedMean', [1, 0, 1], undefined, none)).toBe(0);
    const g = tf.tidy(() => {
      const lab = tf.tensor3d(none, [2, 1, 3], 'int32');
      return tf.grad((z: tf.Tensor) =>
        weightedSoftmaxCrossEntropy(z as tf.Tensor4D, lab, [1, 0, 1], { reduction: 'weightedMean' }),
      )(tf.tensor4d(logits.flat(), shape));
    });
    expect(Array.from(g.dataSync()).every((x) => x === 0)).toBe(true);
    g.dispose();
  });

  it('rejects class weights of the wrong length and sample weights of the wrong batch', () => {
    expect(() => loss('weightedMean', [1, 1])).toThrow(/2 class weights for 3 classes/);
    expect(() => loss('weightedMean', classWeights, [1, 1, 1])).toThrow(/3 sample weights/);
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    loss('weightedMean');
    loss('sumPerImageMeanOverBatch', classWeights, [1, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
