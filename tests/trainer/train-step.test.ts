import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';
import { buildUNet } from '../../trainer/model';
import { trainStep } from '../../trainer/train-step';

function batch(b = 2, size = 16) {
  return tf.tidy(() => {
    const images = tf.randomUniform([b, size, size, 3], -1, 1, 'float32', 3) as tf.Tensor4D;
    // Label = 1 where the red channel is positive, else 0; a stripe is unlabeled.
    const red = tf.slice(images, [0, 0, 0, 0], [b, size, size, 1]).reshape([b, size, size]);
    let labels = tf.cast(tf.greater(red, 0), 'int32');
    const stripe = tf.concat([tf.fill([b, 2, size], 255, 'int32'), tf.zeros([b, size - 2, size], 'int32')], 1);
    labels = tf.where(tf.equal(stripe, 255), stripe, labels);
    return { images, labels: labels as tf.Tensor3D };
  });
}

describe('trainStep', () => {
  beforeAll(async () => {
    tf.env().set('PROD', true);
    const r = await initBackend({ backend: 'wasm', threads: 1 });
    expect(r.name).toBe('wasm');
  });

  it('lowers the loss on a fixed batch and leaks no tensors', () => {
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, seed: 1 });
    const opt = tf.train.adam(1e-2);
    const data = batch();
    const losses: number[] = [];
    losses.push(trainStep(model, opt, data, [1, 1]).loss);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 15; i++) losses.push(trainStep(model, opt, data, [1, 1], [1, 0.5]).loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([data.images, data.labels]);
    model.dispose();
    opt.dispose();
  });

  it('trains the reconstruction head jointly on labeled and unlabeled images without leaks', () => {
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, reconstruction: true });
    const opt = tf.train.adam(1e-2);
    const data = batch();
    const unlabeled = tf.randomUniform([2, 16, 16, 3], -1, 1) as tf.Tensor4D;
    const opts = { reconstructionWeight: 0.5, unlabeledImages: unlabeled, reduction: 'weightedMean' as const };
    const first = trainStep(model, opt, data, [1, 2], undefined, opts);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 8; i++) last = trainStep(model, opt, data, [1, 2], undefined, opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(first.reconstructionLoss).toBeGreaterThan(0);
    expect(last.loss).toBeCloseTo(last.segmentationLoss + 0.5 * last.reconstructionLoss, 4);
    expect(last.reconstructionLoss).toBeLessThan(first.reconstructionLoss);
    tf.dispose([data.images, data.labels, unlabeled]);
    model.dispose();
    opt.dispose();
  });

  it('keeps the unlabeled images out of the labeled batch: its loss and batch-norm statistics are its own', () => {
    // Two identical models (same seed, no dropout), one step each, with and without extra images: the
    // segmentation loss depends on the labeled batch only, and the reconstruction loss averages the
    // squared error over both passes' pixels.
    const make = () => buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, reconstruction: true, dropout: 0 });
    const a = make();
    const b = make();
    const data = batch();
    const unlabeled = tf.randomUniform([3, 16, 16, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const opts = { reconstructionWeight: 0.5, reduction: 'weightedMean' as const };
    const recOf = (m: tf.LayersModel, x: tf.Tensor4D) =>
      tf.tidy(() => {
        const out = m.apply(x, { training: true }) as tf.Tensor[];
        return tf.sum(tf.squaredDifference(out[1]!, x)).dataSync()[0]!;
      });
    // Before the step, with the same weights: the expected reconstruction loss by hand.
    const want = (recOf(b, data.images) + recOf(b, unlabeled)) / ((2 + 3) * 16 * 16 * 3);
    const c = make();
    const alone = trainStep(a, tf.train.sgd(0), data, [1, 2], undefined, opts);
    const withExtra = trainStep(c, tf.train.sgd(0), data, [1, 2], undefined, { ...opts, unlabeledImages: unlabeled });
    expect(withExtra.segmentationLoss).toBe(alone.segmentationLoss);
    expect(withExtra.reconstructionLoss).toBeCloseTo(want, 5);
    tf.dispose([data.images, data.labels, unlabeled]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('skips the update on a non-finite loss and keeps the weights', () => {
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 1, dropout: 0 });
    const opt = tf.train.sgd(0.1);
    const data = batch(1, 8);
    const bad = { images: tf.fill([1, 8, 8, 3], NaN) as tf.Tensor4D, labels: data.labels };
    const w0 = model.getWeights().map((t) => Array.from(t.dataSync()));
    const r = trainStep(model, opt, bad, [1, 1]);
    expect(r.applied).toBe(false);
    expect(Number.isNaN(r.loss)).toBe(true);
    const w1 = model
      .getWeights()
      .filter((_, i) => model.weights[i]!.trainable)
      .map((t) => Array.from(t.dataSync()));
    const trainable0 = w0.filter((_, i) => model.weights[i]!.trainable);
    expect(w1).toEqual(trainable0);
    tf.dispose([data.images, data.labels, bad.images]);
    model.dispose();
  });

  it('rejects labels that are not class ids or 255, and inconsistent class weights', () => {
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 1 });
    const opt = tf.train.sgd(0.1);
    const images = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    const labels = tf.tensor3d([...Array(15).fill(0), 7], [1, 4, 4], 'int32');
    expect(() => trainStep(model, opt, { images, labels }, [1, 1])).toThrow(/label 7/);
    const ok = tf.zeros([1, 4, 4], 'int32') as tf.Tensor3D;
    expect(() => trainStep(model, opt, { images, labels: ok }, [1, 1, 1])).toThrow(/3 class weights for 2 classes/);
    tf.dispose([images, labels, ok]);
    model.dispose();
  });
});
