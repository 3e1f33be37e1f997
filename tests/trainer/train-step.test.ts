import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';
import { buildUNet } from '../../trainer/model';
import { readQueuedLosses, trainStep, trainStepQueued } from '../../trainer/train-step';
import { webGpuAdapter } from '../helpers/webgpu';

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

const read = async (t: tf.Tensor) => Array.from(await t.data());

// The same tests on wasm and on webgpu (a software adapter in CI: tiny shapes).
describe.each(['wasm', 'webgpu'] as const)('trainStep on %s', (backend) => {
  let skip = false;
  beforeAll(async () => {
    tf.env().set('PROD', true);
    if (backend === 'webgpu' && !(await webGpuAdapter())) {
      skip = true;
      return;
    }
    const r = await initBackend({ backend, threads: 1 });
    expect(r.name).toBe(backend);
  });

  it('lowers the loss on a fixed batch and leaks no tensors', async ({ skip: skipTest }) => {
    if (skip) return skipTest();
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, seed: 1 });
    const opt = tf.train.adam(1e-2);
    const data = batch();
    const losses: number[] = [];
    losses.push((await trainStep(model, opt, data, [1, 1])).loss);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 15; i++) losses.push((await trainStep(model, opt, data, [1, 1], [1, 0.5])).loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([data.images, data.labels]);
    model.dispose();
    opt.dispose();
  });

  it('trains the reconstruction head jointly on labeled and unlabeled images without leaks', async ({
    skip: skipTest,
  }) => {
    if (skip) return skipTest();
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, reconstruction: true });
    const opt = tf.train.adam(1e-2);
    const data = batch();
    const unlabeled = tf.randomUniform([2, 16, 16, 3], -1, 1) as tf.Tensor4D;
    const opts = { reconstructionWeight: 0.5, unlabeledImages: unlabeled, reduction: 'weightedMean' as const };
    const first = await trainStep(model, opt, data, [1, 2], undefined, opts);
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 8; i++) last = await trainStep(model, opt, data, [1, 2], undefined, opts);
    expect(tf.memory().numTensors).toBe(before);
    expect(first.reconstructionLoss).toBeGreaterThan(0);
    expect(last.loss).toBeCloseTo(last.segmentationLoss + 0.5 * last.reconstructionLoss, 4);
    expect(last.reconstructionLoss).toBeLessThan(first.reconstructionLoss);
    tf.dispose([data.images, data.labels, unlabeled]);
    model.dispose();
    opt.dispose();
  });

  it('keeps the unlabeled images out of the labeled batch: its loss and batch-norm statistics are its own', async ({
    skip: skipTest,
  }) => {
    if (skip) return skipTest();
    // Two identical models (same seed, no dropout), one step each, with and without extra images: the
    // segmentation loss depends on the labeled batch only, and the reconstruction loss averages the
    // squared error over both passes' pixels.
    const make = () => buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, reconstruction: true, dropout: 0 });
    const a = make();
    const b = make();
    const data = batch();
    const unlabeled = tf.randomUniform([3, 16, 16, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
    const opts = { reconstructionWeight: 0.5, reduction: 'weightedMean' as const };
    const recOf = async (m: tf.LayersModel, x: tf.Tensor4D) => {
      const t = tf.tidy(() => {
        const out = m.apply(x, { training: true }) as tf.Tensor[];
        return tf.sum(tf.squaredDifference(out[1]!, x));
      });
      const [v] = await read(t);
      t.dispose();
      return v!;
    };
    // Before the step, with the same weights: the expected reconstruction loss by hand.
    const want = ((await recOf(b, data.images)) + (await recOf(b, unlabeled))) / ((2 + 3) * 16 * 16 * 3);
    const c = make();
    const alone = await trainStep(a, tf.train.sgd(0), data, [1, 2], undefined, opts);
    const withExtra = await trainStep(c, tf.train.sgd(0), data, [1, 2], undefined, {
      ...opts,
      unlabeledImages: unlabeled,
    });
    expect(withExtra.segmentationLoss).toBe(alone.segmentationLoss);
    expect(withExtra.reconstructionLoss).toBeCloseTo(want, 5);
    tf.dispose([data.images, data.labels, unlabeled]);
    [a, b, c].forEach((m) => m.dispose());
  });

  it('queued steps (losses read later, in one transfer) give the losses of steps read one by one', async ({
    skip: skipTest,
  }) => {
    if (skip) return skipTest();
    const make = () => buildUNet({ numClasses: 2, baseFilters: 4, depth: 2, dropout: 0, seed: 3 });
    const [a, b] = [make(), make()];
    const [oa, ob] = [tf.train.adam(1e-2), tf.train.adam(1e-2)];
    const data = batch(2, 8);
    const one: number[] = [];
    for (let i = 0; i < 4; i++) one.push((await trainStep(a, oa, data, [1, 2])).loss);
    // The first step creates Adam's moments: count tensors after it.
    const read4 = await readQueuedLosses([trainStepQueued(b, ob, data, [1, 2])]);
    const before = tf.memory().numTensors;
    const queued = [];
    for (let i = 1; i < 4; i++) queued.push(trainStepQueued(b, ob, data, [1, 2]));
    read4.push(...(await readQueuedLosses(queued)));
    expect(tf.memory().numTensors).toBe(before);
    expect(read4.every((r) => r.applied)).toBe(true);
    read4.forEach((r, i) => expect(r.loss).toBeCloseTo(one[i]!, 4));
    // A NaN step is reported as not applied when its loss is read.
    const nan = { images: tf.fill([2, 8, 8, 3], NaN) as tf.Tensor4D, labels: data.labels };
    const [bad] = await readQueuedLosses([trainStepQueued(b, ob, nan, [1, 2])]);
    expect(bad!.applied).toBe(false);
    tf.dispose([data.images, data.labels, nan.images]);
    [a, b, oa, ob].forEach((m) => m.dispose());
  });

  it('skips the update on a non-finite loss and keeps the weights', async ({ skip: skipTest }) => {
    if (skip) return skipTest();
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 1, dropout: 0 });
    const opt = tf.train.sgd(0.1);
    const data = batch(1, 8);
    const bad = { images: tf.fill([1, 8, 8, 3], NaN) as tf.Tensor4D, labels: data.labels };
    const w0 = await Promise.all(model.getWeights().map(read));
    const r = await trainStep(model, opt, bad, [1, 1]);
    expect(r.applied).toBe(false);
    expect(Number.isNaN(r.loss)).toBe(true);
    const w1 = await Promise.all(
      model
        .getWeights()
        .filter((_, i) => model.weights[i]!.trainable)
        .map(read),
    );
    const trainable0 = w0.filter((_, i) => model.weights[i]!.trainable);
    expect(w1).toEqual(trainable0);
    tf.dispose([data.images, data.labels, bad.images]);
    model.dispose();
  });

  it('rejects labels that are not class ids or 255, and inconsistent class weights', async ({ skip: skipTest }) => {
    if (skip) return skipTest();
    const model = buildUNet({ numClasses: 2, baseFilters: 4, depth: 1 });
    const opt = tf.train.sgd(0.1);
    const images = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
    const labels = tf.tensor3d([...Array(15).fill(0), 7], [1, 4, 4], 'int32');
    await expect(trainStep(model, opt, { images, labels }, [1, 1])).rejects.toThrow(/label 7/);
    const ok = tf.zeros([1, 4, 4], 'int32') as tf.Tensor3D;
    await expect(trainStep(model, opt, { images, labels: ok }, [1, 1, 1])).rejects.toThrow(
      /3 class weights for 2 classes/,
    );
    tf.dispose([images, labels, ok]);
    model.dispose();
  });
});
