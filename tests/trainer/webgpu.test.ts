/**
 * The webgpu backend against the cpu backend (kernels, forward and gradients) and against wasm (a few
 * training steps), its memory over a longer run, and its failures (a lost device). On a machine without
 * a GPU this runs on Mesa's lavapipe (a software Vulkan driver), which is slow: tiny shapes only.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';
import { batchNormTrain } from '../../trainer/batch-norm';
import { weightedSoftmaxCrossEntropy } from '../../trainer/loss';
import { buildUNet } from '../../trainer/model';
import { predictImage } from '../../trainer/predict';
import type { Sample } from '../../trainer/run/data';
import { trainLoop, type EpochResult } from '../../trainer/run/loop';
import { GpuFailure, settleWebGpu, webGpuBufferCounts, webGpuDevice } from '../../trainer/webgpu';
import { tinyLoopSettings as settings } from '../helpers/training';
import { webGpuSuite } from '../helpers/webgpu';

/** Deterministic values in [-1, 1) (a small LCG), the same on every backend. */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

type Case = () => tf.Tensor[];

/** Forward outputs and the gradients of sum(output * fixed weights) with respect to every input. */
function withGrads(f: (...xs: tf.Tensor[]) => tf.Tensor, inputs: () => tf.Tensor[]): Case {
  return () => {
    const xs = inputs();
    const y = f(...xs);
    const w = tf.tensor(values(y.size, 99), y.shape);
    const grads = tf.grads((...a: tf.Tensor[]) => tf.sum(tf.mul(f(...a), w)))(xs);
    return [y, ...grads];
  };
}

const t4 = (shape: [number, number, number, number], seed: number) =>
  tf.tensor4d(
    values(
      shape.reduce((a, b) => a * b),
      seed,
    ),
    shape,
  );

/** Every kernel the U-Net's training step (and the predictor) runs, on tiny shapes. */
const CASES: Record<string, Case> = {
  'conv2d same (Conv2D, Conv2DBackpropInput, Conv2DBackpropFilter)': withGrads(
    (x, k) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'),
    () => [t4([2, 6, 5, 3], 1), t4([3, 3, 3, 4], 2)],
  ),
  'conv2d 1x1 (the logits layer)': withGrads(
    (x, k) => tf.conv2d(x as tf.Tensor4D, k as tf.Tensor4D, 1, 'same'),
    () => [t4([2, 4, 4, 5], 3), t4([1, 1, 5, 3], 4)],
  ),
  'conv2d 2x2 and 4x4 with their stride, valid (the stems)': withGrads(
    (x, k2, k4) =>
      tf.concat([
        tf.conv2d(x as tf.Tensor4D, k2 as tf.Tensor4D, 2, 'valid').flatten(),
        tf.conv2d(x as tf.Tensor4D, k4 as tf.Tensor4D, 4, 'valid').flatten(),
      ]),
    () => [t4([2, 8, 12, 3], 24), t4([2, 2, 3, 4], 25), t4([4, 4, 3, 4], 26)],
  ),
  'conv2dTranspose stride 2 (and its gradients)': withGrads(
    (x, k) => tf.conv2dTranspose(x as tf.Tensor4D, k as tf.Tensor4D, [2, 6, 8, 3], 2, 'same'),
    () => [t4([2, 3, 4, 5], 5), t4([2, 2, 3, 5], 6)],
  ),
  'maxPool 2x2 (MaxPool, MaxPoolGrad)': withGrads(
    (x) => tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid'),
    () => [t4([2, 6, 4, 3], 7)],
  ),
  'batch norm, training mode (moments, the custom gradient)': withGrads(
    (x, g, b) => {
      const r = batchNormTrain(x!, g!, b!, 1e-3);
      return tf.concat([r.y.flatten(), r.mean, r.variance]);
    },
    () => [t4([2, 3, 4, 5], 8), tf.tensor1d(values(5, 9)).add(1.5), tf.tensor1d(values(5, 10))],
  ),
  'batch norm, inference (FusedBatchNorm)': withGrads(
    (x, m, v, g, b) => tf.batchNorm(x as tf.Tensor4D, m!, v!, b!, g!, 1e-3),
    () => [
      t4([2, 3, 4, 5], 11),
      tf.tensor1d(values(5, 12)),
      tf.tensor1d(values(5, 13)).abs().add(0.5),
      tf.tensor1d(values(5, 14)),
      tf.tensor1d(values(5, 15)),
    ],
  ),
  'relu and its gradient': withGrads(
    (x) => tf.relu(x!),
    () => [t4([2, 3, 3, 4], 16)],
  ),
  'concat on channels and its gradient': withGrads(
    (a, b) => tf.concat([a!, b!], -1),
    () => [t4([2, 3, 3, 2], 17), t4([2, 3, 3, 3], 18)],
  ),
  'weighted softmax cross-entropy (oneHot, logSoftmax, where) and its gradient': withGrads(
    (z) =>
      tf.stack([
        weightedSoftmaxCrossEntropy(
          z as tf.Tensor4D,
          tf.tensor3d([0, 1, 2, 255, 1, 0, 2, 2, 1, 0, 255, 1, 2, 0, 1, 2, 0, 1], [2, 3, 3], 'int32'),
          [0.5, 1, 2],
          { reduction: 'weightedMean', sampleWeights: [1, 0.5] },
        ),
        weightedSoftmaxCrossEntropy(
          z as tf.Tensor4D,
          tf.tensor3d([2, 1, 0, 1, 255, 0, 2, 1, 1, 0, 0, 1, 2, 2, 1, 255, 0, 1], [2, 3, 3], 'int32'),
          [1, 0, 3],
          { reduction: 'sumPerImageMeanOverBatch' },
        ),
      ]),
    () => [t4([2, 3, 3, 3], 19).mul(4)],
  ),
  'softmax, argMax, max (prediction)': () => {
    const z = t4([1, 4, 4, 3], 20).mul(3);
    const p = tf.softmax(z, -1);
    return [p, tf.argMax(p, -1).cast('float32'), tf.max(p, -1)];
  },
  'resizeBilinear (align corners) and its gradient': withGrads(
    (x) => tf.image.resizeBilinear(x as tf.Tensor4D, [7, 5], true),
    () => [t4([1, 4, 4, 2], 21)],
  ),
  'squared difference, mean (reconstruction loss) and its gradient': withGrads(
    (a, b) => tf.div(tf.sum(tf.squaredDifference(a!, b!)), 18),
    () => [t4([1, 3, 3, 2], 22), t4([1, 3, 3, 2], 23)],
  ),
};

async function run(c: Case): Promise<{ shape: number[]; data: Float32Array }[]> {
  const out = tf.tidy(c);
  const res = await Promise.all(out.map(async (t) => ({ shape: t.shape, data: Float32Array.from(await t.data()) })));
  tf.dispose(out);
  return res;
}

const S = 16;
function samples(n: number): Sample[] {
  return Array.from({ length: n }, (_, k) => {
    const rgb = new Uint8Array(S * S * 3);
    const labels = new Uint8Array(S * S);
    const v = values(S * S * 3, 40 + k);
    for (let i = 0; i < S * S; i++) {
      const top = i < (S * S) / 2;
      for (let c = 0; c < 3; c++) rgb[3 * i + c] = Math.round((top ? 60 : 190) + 40 * v[3 * i + c]!);
      labels[i] = top ? 0 : i % S < S / 2 ? 1 : 2;
    }
    labels[0] = 255;
    return { width: S, height: S, rgb, labels, sampleWeight: 1 };
  });
}
const unet = () => buildUNet({ numClasses: 3, baseFilters: 4, depth: 2, dropout: 0.2, seed: 3 });

describe('webgpu backend', () => {
  const suite = webGpuSuite();

  it('computes every training kernel (forward and gradients) as the cpu backend does', async ({ skip: skipTest }) => {
    if (suite.skipped()) return skipTest();
    await initBackend({ backend: 'cpu' });
    const want: Record<string, Awaited<ReturnType<typeof run>>> = {};
    for (const [name, c] of Object.entries(CASES)) want[name] = await run(c);
    await initBackend({ backend: 'webgpu' });
    for (const [name, c] of Object.entries(CASES)) {
      const got = await run(c);
      expect(
        got.map((g) => g.shape),
        name,
      ).toEqual(want[name]!.map((w) => w.shape));
      got.forEach((g, k) => {
        const w = want[name]![k]!.data;
        const scale = Math.max(1, ...Array.from(w, Math.abs));
        let worst = 0;
        for (let i = 0; i < w.length; i++) worst = Math.max(worst, Math.abs(g.data[i]! - w[i]!));
        // float32 on both, sums in another order: relative to the output's scale (measured: at most 3e-7).
        expect(worst / scale, `${name}, output ${k}`).toBeLessThan(1e-5);
      });
    }
  });

  it('trains the U-Net with the losses of wasm (same seed), and predicts the same labels', async ({
    skip: skipTest,
  }) => {
    if (suite.skipped()) return skipTest();
    const train = async (backend: 'wasm' | 'webgpu') => {
      await initBackend({ backend, threads: 1 });
      const m = unet();
      const losses: number[] = [];
      const outcome = await trainLoop(
        m,
        { train: samples(4), val: samples(2) },
        [1, 2, 1.5],
        { ...settings, epochs: 2 },
        {
          onStep: (p) => losses.push(p.loss),
        },
      );
      expect(outcome.status).toBe('completed');
      const img = samples(1)[0]!;
      const p = await predictImage(m, img.rgb, S, S, [S, S]);
      m.dispose();
      return { losses, p };
    };
    const wasm = await train('wasm');
    const gpu = await train('webgpu');
    expect(gpu.losses).toHaveLength(4);
    // Tolerance 1e-4 relative (measured: 8e-7); webgpu reads its losses queued, wasm one by one.
    gpu.losses.forEach((l, i) => expect(Math.abs(l - wasm.losses[i]!) / wasm.losses[i]!).toBeLessThan(1e-4));
    let differ = 0;
    for (let i = 0; i < S * S; i++) if (gpu.p.classes[i] !== wasm.p.classes[i]) differ++;
    expect(differ).toBeLessThanOrEqual(2);
  });

  it('keeps the tensor and GPU buffer counts flat from step to step', async ({ skip: skipTest }) => {
    if (suite.skipped()) return skipTest();
    await initBackend({ backend: 'webgpu' });
    const m = unet();
    const counts: { tensors: number; used: number; free: number }[] = [];
    const outcome = await trainLoop(
      m,
      { train: samples(2), val: [] },
      [1, 1, 1],
      { ...settings, batchSize: 1, epochs: 16 },
      {
        onEpoch: () => {
          counts.push({ tensors: tf.memory().numTensors, ...webGpuBufferCounts()! });
        },
      },
    );
    m.dispose();
    expect(outcome.status).toBe('completed');
    expect(counts).toHaveLength(16);
    // After two epochs of warm-up (Adam's moments, the buffer pool), nothing grows.
    const settled = counts.slice(2);
    expect(new Set(settled.map((c) => c.tensors)).size).toBe(1);
    expect(new Set(settled.map((c) => c.used)).size).toBe(1);
    expect(Math.max(...settled.map((c) => c.free))).toBeLessThanOrEqual(settled[0]!.free);
  });

  it('finds a non-finite loss among queued steps and names its step', async ({ skip: skipTest }) => {
    if (suite.skipped()) return skipTest();
    await initBackend({ backend: 'webgpu' });
    const m = unet();
    const saved: number[] = [];
    const outcome = await trainLoop(
      m,
      { train: samples(4), val: [] },
      [1, 1, 1],
      { ...settings, batchSize: 1, epochs: 3, lossReadInterval: 4 },
      {
        onEpoch(e, mm) {
          saved.push(e.epoch);
          const layer = mm.getLayer('logits');
          layer.setWeights(layer.getWeights().map((w) => tf.fill(w.shape, NaN)));
        },
      },
    );
    m.dispose();
    expect(outcome.status).toBe('failed');
    expect(outcome.message).toMatch(/loss became NaN at epoch 2, step 1\./);
    expect(saved).toEqual([0]);
  });

  it('stops on a lost device with a message naming what to lower, keeping the epochs saved', async ({
    skip: skipTest,
  }) => {
    if (suite.skipped()) return skipTest();
    await initBackend({ backend: 'webgpu' });
    const m = unet();
    const saved: EpochResult[] = [];
    let steps = 0;
    const outcome = await trainLoop(
      m,
      { train: samples(4), val: samples(1) },
      [1, 1, 1],
      { ...settings, epochs: 4, lossReadInterval: 1 },
      {
        onEpoch: (e) => void saved.push(e),
        onStep: () => {
          // The GPU goes away in the middle of the second epoch.
          if (++steps === 3) webGpuDevice()!.destroy();
        },
      },
    );
    expect(outcome.status).toBe('failed');
    expect(outcome).toMatchObject({ gpuFailure: 'device-lost' });
    expect(outcome.message).toMatch(/^Training stopped at epoch 2, step \d: the GPU device was lost/);
    expect(outcome.message).toMatch(/batch size \(now 2\)/);
    expect(outcome.message).toMatch(/working size \(now 16x16\)/);
    expect(saved.map((e) => e.epoch)).toEqual([0]);
    m.dispose();
    // The next run gets a new device.
    await initBackend({ backend: 'webgpu' });
    const t = tf.tidy(() => tf.sum(tf.ones([4, 4])));
    expect((await t.data())[0]).toBe(16);
    t.dispose();
  });

  it('stops a run that asks for more GPU memory than the device allows, naming the settings to lower', async ({
    skip: skipTest,
  }) => {
    if (suite.skipped()) return skipTest();
    await initBackend({ backend: 'webgpu' });
    const m = unet();
    const saved: number[] = [];
    let steps = 0;
    let big: tf.Tensor | null = null;
    const outcome = await trainLoop(
      m,
      { train: samples(4), val: [] },
      [1, 1, 1],
      { ...settings, epochs: 3 },
      {
        onEpoch: (e) => void saved.push(e.epoch),
        onStep: () => {
          // In the second epoch something asks for a buffer larger than the device allows (nothing is allocated).
          if (++steps === 3) big = tf.fill([Math.floor(webGpuDevice()!.limits.maxBufferSize / 4) + 64], 1);
        },
      },
    );
    tf.dispose(big ?? []);
    m.dispose();
    expect(outcome).toMatchObject({ status: 'failed', gpuFailure: 'out-of-memory' });
    expect(outcome.message).toMatch(
      /^Training stopped at (epoch 2, step \d|the end of epoch 2): the GPU ran out of memory/,
    );
    expect(outcome.message).toMatch(
      /does not fit in the GPU's memory: lower the batch size \(now 2\) or the working size \(now 16x16\)/,
    );
    expect(saved).toEqual([0]);
    await initBackend({ backend: 'webgpu' });
  });

  it('reports a buffer larger than the GPU allows as running out of memory', async ({ skip: skipTest }) => {
    if (suite.skipped()) return skipTest();
    await initBackend({ backend: 'webgpu' });
    const limit = webGpuDevice()!.limits.maxBufferSize;
    // No memory is allocated: the device refuses the buffer.
    const big = tf.fill([Math.floor(limit / 4) + 64], 1);
    const err = await settleWebGpu().then(
      () => null,
      (e: unknown) => e,
    );
    big.dispose();
    expect(err).toBeInstanceOf(GpuFailure);
    expect((err as GpuFailure).kind).toBe('out-of-memory');
    await initBackend({ backend: 'webgpu' });
  });
});
