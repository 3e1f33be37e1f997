import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildUNet } from '../../trainer/model';
import { decays, ScheduledAdam } from '../../trainer/optimizer';

describe('scheduled Adam with decoupled weight decay', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('decays the convolution kernels only: w * (1 - lr * wd), besides the Adam step', () => {
    const kernel = tf.variable(tf.tensor1d([2, -4]), true, 'wdtest/kernel');
    const bias = tf.variable(tf.tensor1d([2, -4]), true, 'wdtest/bias');
    const opt = new ScheduledAdam(0.1, 0.5);
    opt.rate = 0.2;
    // Zero gradients: Adam's own step is 0 / (0 + eps) = 0, so only the decay moves the weights.
    opt.applyGradients([
      { name: 'wdtest/kernel', tensor: tf.zeros([2]) },
      { name: 'wdtest/bias', tensor: tf.zeros([2]) },
    ]);
    expect([...kernel.dataSync()]).toEqual([2 * (1 - 0.2 * 0.5), -4 * (1 - 0.2 * 0.5)].map(Math.fround));
    expect([...bias.dataSync()]).toEqual([2, -4]);
    // A first Adam step with a gradient moves each weight by the rate (m^ / sqrt(v^) = sign(g)).
    const plain = new ScheduledAdam(0.1);
    plain.rate = 0.05;
    plain.applyGradients([{ name: 'wdtest/bias', tensor: tf.tensor1d([3, -0.5]) }]);
    const b = bias.dataSync();
    expect(b[0]).toBeCloseTo(2 - 0.05, 6);
    expect(b[1]).toBeCloseTo(-4 + 0.05, 6);
    tf.dispose([kernel, bias]);
    opt.dispose();
    plain.dispose();
  });

  it('picks exactly the U-Net’s convolution kernels (rank 4), not biases or batch-norm weights', () => {
    const m = buildUNet({ numClasses: 3, baseFilters: 4, depth: 2 });
    const weights = m.trainableWeights.map((w) => ({ name: w.name, rank: w.shape.length }));
    m.dispose();
    const kernels = weights.filter((w) => decays(w.name)).map((w) => w.name);
    expect(kernels.length).toBeGreaterThan(0);
    expect(kernels).toEqual(weights.filter((w) => w.rank === 4).map((w) => w.name));
  });
});
