// The project's wasm training kernels against the cpu backend's reference kernels on random inputs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';

function rand(n: number, seed: number): Float32Array {
  // xorshift32, values in [-1, 1)
  let s = seed >>> 0 || 1;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = (s >>> 0) / 2 ** 31 - 1;
  }
  return out;
}

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function onBackend(name: string, f: () => tf.Tensor): Promise<Float32Array> {
  await tf.setBackend(name);
  const t = f();
  const v = (await t.data()) as Float32Array;
  t.dispose();
  return v;
}

function expectClose(got: Float32Array, want: Float32Array, rel = 1e-4): void {
  expect(got.length).toBe(want.length);
  let scale = 0;
  for (const v of want) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
  expect(worst).toBeLessThanOrEqual(rel * Math.max(scale, 1e-6));
}

type Pad = 'same' | 'valid' | number;
interface Case {
  x: [number, number, number, number];
  k: [number, number];
  co: number;
  stride: number;
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 8, 8, 3], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { x: [1, 9, 7, 2], k: [3, 3], co: 5, stride: 2, pad: 'same' },
  { x: [3, 9, 9, 4], k: [3, 3], co: 2, stride: 2, pad: 'valid' },
  { x: [2, 10, 10, 3], k: [3, 3], co: 3, stride: 2, pad: 'valid' },
  { x: [2, 8, 6, 3], k: [2, 2], co: 4, stride: 2, pad: 'valid' },
  { x: [1, 7, 7, 3], k: [5, 5], co: 2, stride: 1, pad: 'valid' },
  { x: [2, 6, 6, 5], k: [1, 1], co: 3, stride: 1, pad: 'same' },
  { x: [1, 8, 8, 2], k: [2, 3], co: 3, stride: 1, pad: 'same' },
  { x: [2, 7, 7, 2], k: [3, 3], co: 2, stride: 1, pad: 1 },
  { x: [1, 12, 12, 3], k: [4, 4], co: 2, stride: 3, pad: 'same' },
  // Larger and non-square shapes.
  { x: [2, 16, 16, 3], k: [3, 3], co: 4, stride: 1, pad: 'same' },
  { x: [1, 18, 20, 2], k: [3, 3], co: 3, stride: 1, pad: 'valid' },
  { x: [3, 32, 16, 4], k: [5, 3], co: 2, stride: 1, pad: 'same' },
  { x: [1, 17, 16, 2], k: [2, 2], co: 2, stride: 1, pad: 'valid' },
];

describe('wasm training kernels', () => {
  beforeAll(async () => {
    const report = await initBackend({ backend: 'wasm', threads: 1 });
    expect(report.name).toBe('wasm');
  });

  for (const c of cases) {
    const label = `x ${c.x.join('x')}, k ${c.k.join('x')}, stride ${c.stride}, pad ${c.pad}`;
    const wShape: [number, number, number, number] = [c.k[0], c.k[1], c.x[3], c.co];
    it(`Conv2DBackpropFilter and Conv2DBackpropInput match cpu: ${label}`, async () => {
      const xv = rand(size(c.x), 1);
      const wv = rand(size(wShape), 2);
      // Output shape from a forward pass on cpu.
      await tf.setBackend('cpu');
      const yShape = tf.tidy(() => tf.conv2d(tf.tensor4d(xv, c.x), tf.tensor4d(wv, wShape), c.stride, c.pad).shape);
      const dyv = rand(size(yShape), 3);
      const dW = () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: tf.tensor4d(xv, c.x), dy: tf.tensor4d(dyv, yShape) },
            { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', filterShape: wShape },
          );
      const dX = () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: tf.tensor4d(dyv, yShape), filter: tf.tensor4d(wv, wShape) },
            { strides: [c.stride, c.stride], pad: c.pad, dataFormat: 'NHWC', inputShape: c.x },
          );
      const wantW = await onBackend('cpu', () => tf.tidy(() => dW() as tf.Tensor));
      const gotW = await onBackend('wasm', () => tf.tidy(() => dW() as tf.Tensor));
      expectClose(gotW, wantW);
      const wantX = await onBackend('cpu', () => tf.tidy(() => dX() as tf.Tensor));
      const gotX = await onBackend('wasm', () => tf.tidy(() => dX() as tf.Tensor));
      expectClose(gotX, wantX);
    });
  }

  it('gradients of a conv / transposed-conv / max-pool chain match cpu', async () => {
    const xShape: [number, number, number, number] = [2, 8, 8, 3];
    const xv = rand(size(xShape), 4);
    const w1v = rand(3 * 3 * 3 * 4, 5);
    const w2v = rand(2 * 2 * 6 * 4, 6);
    const f = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, xShape);
        const w1 = tf.tensor4d(w1v, [3, 3, 3, 4]);
        const w2 = tf.tensor4d(w2v, [2, 2, 6, 4]);
        const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
          const h = tf.relu(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'));
          const p = tf.maxPool(h, 2, 2, 'valid');
          const u = tf.conv2dTranspose(p, c as tf.Tensor4D, [2, 8, 8, 6], 2, 'valid');
          return tf.sum(tf.square(u));
        });
        const [ga, gb, gc] = g([x, w1, w2]);
        return tf.concat([ga!.flatten(), gb!.flatten(), gc!.flatten()]);
      });
    const want = await onBackend('cpu', f);
    const got = await onBackend('wasm', f);
    expectClose(got, want);
  });

  it('Sum and Mean over leading axes (average-pooling path) and other axes (stock path) match cpu', async () => {
    const xv = rand(3 * 5 * 7 * 4, 9);
    const ops: [string, () => tf.Tensor][] = [
      ['sum 012', () => tf.sum(tf.tensor4d(xv, [3, 5, 7, 4]), [0, 1, 2])],
      ['sum 012 keepDims', () => tf.sum(tf.tensor4d(xv, [3, 5, 7, 4]), [2, 0, 1], true)],
      ['mean 01', () => tf.mean(tf.tensor4d(xv, [3, 5, 7, 4]), [0, 1])],
      ['sum 0 of 2-D (prime rows)', () => tf.sum(tf.tensor2d(xv.slice(0, 7 * 60), [7, 60]), 0)],
      ['sum last (stock)', () => tf.sum(tf.tensor4d(xv, [3, 5, 7, 4]), -1)],
      ['mean all (stock)', () => tf.mean(tf.tensor4d(xv, [3, 5, 7, 4]))],
      ['sum 1 (stock)', () => tf.sum(tf.tensor4d(xv, [3, 5, 7, 4]), 1)],
    ];
    for (const [, f] of ops) {
      const g = () => tf.tidy(() => tf.reshape(f(), [-1]));
      expectClose(await onBackend('wasm', g), await onBackend('cpu', g), 1e-5);
    }
  });

  it('leaks no tensors and no wasm memory handles', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor4d(rand(2 * 9 * 9 * 3, 7), [2, 9, 9, 3]);
    const w = tf.tensor4d(rand(3 * 3 * 3 * 4, 8), [3, 3, 3, 4]);
    const step = () =>
      tf.tidy(() => {
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
          tf.sum(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 2, 'same')),
        )([x, w]);
        return tf.add(tf.sum(gx!), tf.sum(gw!));
      });
    step().dispose();
    const before = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) step().dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
    x.dispose();
    w.dispose();
  });
});
