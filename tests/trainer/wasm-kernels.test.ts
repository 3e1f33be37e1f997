// The project's wasm training kernels against the cpu backend's reference kernels on random inputs.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';
import { batchNormTrain, batchNormTrainComposite } from '../../trainer/batch-norm';
import { fusedBatchNormSupported } from '../../trainer/wasm';
import { flipFilter } from '../../trainer/wasm/Conv2DBackpropInput';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

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

/**
 * A stand-in for the wasm backend's heap that MOVES on every allocation: the old buffer is detached, as
 * growing the single-threaded build's (non-shared) memory does. A kernel that keeps a heap view across
 * an allocation reads undefined (NaN) or throws here.
 */
class MovingHeap {
  private buffer = new ArrayBuffer(0);
  private readonly at = new Map<object, { offset: number; bytes: number }>();
  private used = 0;
  makeOutput(shape: number[], dtype: 'float32' | 'int32', _offset?: number, values?: ArrayLike<number>) {
    const bytes = size(shape) * 4;
    const next = new ArrayBuffer(this.used + bytes);
    new Uint8Array(next).set(new Uint8Array(this.buffer));
    structuredClone(this.buffer, { transfer: [this.buffer] }); // detaches the old buffer
    this.buffer = next;
    const dataId = {};
    this.at.set(dataId, { offset: this.used, bytes });
    this.used += bytes;
    const info = { dataId, shape, dtype };
    if (values) (this.typedArrayFromHeap(info) as Float32Array).set(values);
    return info;
  }
  typedArrayFromHeap(t: { dataId: object; shape: number[]; dtype: string }) {
    const { offset } = this.at.get(t.dataId)!;
    const Ctor = t.dtype === 'int32' ? Int32Array : Float32Array;
    return new Ctor(this.buffer, offset, size(t.shape));
  }
  disposeData(): void {}
  incRef(): void {}
  read(t: tf.TensorInfo): number[] {
    return Array.from(this.typedArrayFromHeap(t));
  }
}

function onMovingHeap(kernel: string, inputs: Record<string, tf.TensorInfo>, attrs: object, heap: MovingHeap) {
  const out = tf.getKernel(kernel, 'wasm')!.kernelFunc({
    inputs,
    attrs: attrs as tf.NamedAttrMap,
    backend: heap as unknown as tf.KernelBackend,
  });
  return (Array.isArray(out) ? out : [out]).map((t) => heap.read(t));
}

/** The training-mode batch norm of `FastBatchNormalization` (fused kernels where supported). */
const fusedPath = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTrain(x, g, b, 1e-3);

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

  it('Identity and same-dtype Cast share the buffer; the copy outlives the original', async () => {
    await tf.setBackend('wasm');
    const before = tf.engine().backend.numDataIds();
    const x = tf.tensor1d([1, -2, 3]);
    const c = tf.clone(x);
    const k = tf.cast(x, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(before + 1); // one buffer, three tensors
    x.dispose();
    expect(Array.from(await c.data())).toEqual([1, -2, 3]);
    c.dispose();
    expect(Array.from(await k.data())).toEqual([1, -2, 3]);
    k.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(before);
    // A cast to another dtype still converts.
    const i = tf.cast(tf.tensor1d([1.7, -2.2]), 'int32');
    expect(Array.from(await i.data())).toEqual([1, -2]);
  });

  it('Concat and SplitV match cpu on every axis, equal and unequal parts, float32 and int32', async () => {
    const a = rand(4 * 5 * 6 * 8, 11);
    const b = rand(4 * 5 * 6 * 8, 12);
    const c = rand(4 * 5 * 6 * 3, 13);
    const ops: [string, () => tf.Tensor][] = [];
    for (const axis of [0, 1, 2, 3]) {
      ops.push([
        `concat equal axis ${axis}`,
        () => tf.concat([tf.tensor4d(a, [4, 5, 6, 8]), tf.tensor4d(b, [4, 5, 6, 8])], axis),
      ]);
      ops.push([
        `split equal axis ${axis}`,
        () => {
          const x = tf.tensor4d(a, [4, 5, 6, 8]);
          const n = x.shape[axis]!;
          const parts = n % 2 === 0 ? tf.split(x, 2, axis) : tf.split(x, [1, n - 1], axis);
          return tf.concat(parts.map((p) => p.flatten().mul(parts.indexOf(p) + 1)));
        },
      ]);
    }
    ops.push([
      'concat unequal last axis (three parts)',
      () => tf.concat([tf.tensor4d(a, [4, 5, 6, 8]), tf.tensor4d(c, [4, 5, 6, 3]), tf.tensor4d(b, [4, 5, 6, 8])], 3),
    ]);
    ops.push([
      'split unequal last axis',
      () => tf.concat(tf.split(tf.tensor4d(a, [4, 5, 6, 8]), [3, 1, 4], 3).map((p, i) => p.flatten().mul(i + 1))),
    ]);
    ops.push([
      'concat and split int32',
      () => {
        const x = tf.tensor2d(
          Int32Array.from({ length: 60 }, (_, i) => i * 7 - 100),
          [10, 6],
          'int32',
        );
        const [p, q] = tf.split(x, 2, 1);
        return tf.cast(tf.concat([q!, p!, q!], 1), 'float32');
      },
    ]);
    ops.push([
      'concat with an empty part',
      () => tf.concat([tf.tensor2d(a.slice(0, 12), [3, 4]), tf.zeros([3, 0])], 1),
    ]);
    for (const [name, f] of ops) {
      const g = () => tf.tidy(() => tf.reshape(f(), [-1]));
      const want = await onBackend('cpu', g);
      const got = await onBackend('wasm', g);
      expect(Array.from(got), name).toEqual(Array.from(want));
    }
  });

  it('MaxPoolGrad matches cpu: 2x2/2 with ties, odd sizes, and overlapping padded windows', async () => {
    const xv = rand(2 * 9 * 10 * 4, 21);
    // Ties: every other pixel repeats its left neighbour's value (same channel; C = 4), and some rows
    // repeat the row above, so windows hold equal maxima and the first one must win.
    for (let i = 4; i < xv.length; i += 8) for (let c = 0; c < 4; c++) xv[i + c] = xv[i + c - 4]!;
    for (let i = 2 * 10 * 4; i < xv.length; i += 3 * 10 * 4)
      for (let j = 0; j < 10 * 4; j++) xv[i + j] = xv[i + j - 40]!;
    const cases: [number[], number, number, 'valid' | 'same'][] = [
      [[2, 8, 10, 4], 2, 2, 'valid'],
      [[2, 9, 10, 4], 2, 2, 'valid'],
      [[2, 9, 10, 4], 3, 2, 'same'],
      [[2, 9, 10, 4], 3, 1, 'same'],
      [[1, 8, 8, 2], 2, 2, 'same'],
    ];
    for (const [shape, k, s, pad] of cases) {
      const n = size(shape);
      const f = () =>
        tf.tidy(() =>
          tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(x as tf.Tensor4D, k, s, pad), 1.5)))(
            tf.tensor4d(xv.slice(0, n), shape as [number, number, number, number]),
          ),
        );
      const constant = () =>
        tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, k, s, pad)))(tf.ones(shape)));
      expect(Array.from(await onBackend('wasm', f)), `${shape} k${k} s${s} ${pad}`).toEqual(
        Array.from(await onBackend('cpu', f)),
      );
      expect(Array.from(await onBackend('wasm', constant))).toEqual(Array.from(await onBackend('cpu', constant)));
    }
  });

  it('the TypeScript kernels take heap views after their allocations (a heap that moves on each one)', async () => {
    const heap = new MovingHeap();
    const xv = rand(2 * 6 * 7 * 4, 41);
    const dyv = rand(2 * 3 * 3 * 4, 42);
    const x = heap.makeOutput([2, 6, 7, 4], 'float32', undefined, xv);
    const dy = heap.makeOutput([2, 3, 3, 4], 'float32', undefined, dyv);
    const pool = { filterSize: 2, strides: 2, pad: 'valid', dimRoundingMode: undefined };
    const [gotPool] = onMovingHeap('MaxPoolGrad', { dy, input: x, output: dy }, pool, heap);
    await tf.setBackend('cpu');
    const wantPool = tf.tidy(
      () =>
        tf.engine().runKernel(
          'MaxPoolGrad',
          {
            dy: tf.tensor4d(dyv, [2, 3, 3, 4]),
            input: tf.tensor4d(xv, [2, 6, 7, 4]),
            output: tf.zeros([2, 3, 3, 4]),
          },
          pool as unknown as tf.NamedAttrMap,
        ) as tf.Tensor,
    );
    expect(gotPool).toEqual(Array.from(wantPool.dataSync()));
    wantPool.dispose();
    // Unequal parts: the TypeScript loops (the equal-part paths call the wasm Transpose, not mocked here).
    const parts = onMovingHeap('SplitV', { x }, { numOrSizeSplits: [1, 3], axis: 3 }, heap);
    const wantParts = tf.tidy(() =>
      tf.split(tf.tensor4d(xv, [2, 6, 7, 4]), [1, 3], 3).map((t) => Array.from(t.dataSync())),
    );
    expect(parts).toEqual(wantParts);
    const a = heap.makeOutput([3, 2], 'float32', undefined, [1, 2, 3, 4, 5, 6]);
    const b = heap.makeOutput([3, 1], 'float32', undefined, [7, 8, 9]);
    expect(onMovingHeap('Concat', [a, b] as unknown as Record<string, tf.TensorInfo>, { axis: 1 }, heap)).toEqual([
      [1, 2, 7, 3, 4, 8, 5, 6, 9],
    ]);
    const w = heap.makeOutput([2, 1, 2, 3], 'float32', undefined, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    // wf[kh, kw, co, ci] = w[1 - kh, 0, ci, co]
    expect(heap.read(flipFilter(heap as unknown as BackendWasm, w))).toEqual([7, 10, 8, 11, 9, 12, 1, 4, 2, 5, 3, 6]);
  });

  it('the ReLU gradient on wasm keeps the stock semantics for 0, -0, Inf and NaN (any length)', async () => {
    const xs = [1, -1, 0, -0, Infinity, -Infinity, NaN, 2.5, -3, 1e-30, -1e-30];
    const ws = [2, 3, 4, 5, 6, 7, 8, 9, NaN, 11, Infinity];
    const f = () =>
      tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), tf.tensor1d(ws))))(tf.tensor1d(xs)));
    expect(Array.from(await onBackend('wasm', f))).toEqual(Array.from(await onBackend('cpu', f)));
  });

  it('fused batch norm (wasm SIMD) equals the composite ops on cpu: outputs, statistics and gradients', async () => {
    await tf.setBackend('wasm');
    expect(fusedBatchNormSupported(8)).toBe(true);
    expect(fusedBatchNormSupported(6)).toBe(false); // not a multiple of 4: composite ops
    const shape: [number, number, number, number] = [3, 37, 29, 8]; // 3219 rows: several SIMD chunks
    // A large common offset: the variance must not cancel away.
    const xv = rand(size(shape), 31).map((v, i) => v * (1 + (i % 8)) + 100);
    const dyv = rand(size(shape), 32);
    const gv = rand(8, 33).map((v) => v + 1.5);
    const bv = rand(8, 34);
    const run = (fused: boolean, part: number) => () =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, shape);
        const g = tf.tensor1d(gv);
        const b = tf.tensor1d(bv);
        const dy = tf.tensor4d(dyv, shape);
        const f = fused
          ? fusedPath
          : (xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => batchNormTrainComposite(xi, gi, bi, 1e-3);
        const grads = tf.grads((xi: tf.Tensor, gi: tf.Tensor, bi: tf.Tensor) => {
          const r = f(xi, gi, bi);
          tf.dispose([r.mean, r.variance]);
          return tf.sum(tf.mul(tf.relu(r.y), dy));
        })([x, g, b]);
        const { y, mean, variance } = f(x, g, b);
        const out = [y, mean, variance, ...grads][part]!.flatten();
        tf.dispose([mean, variance]);
        return out;
      });
    for (const [part, name] of ['y', 'mean', 'variance', 'dx', 'dgamma', 'dbeta'].entries()) {
      const want = await onBackend('cpu', run(false, part));
      const got = await onBackend('wasm', run(true, part));
      expect(got.every(Number.isFinite), name).toBe(true);
      expectClose(got, want, 1e-4);
    }
  });

  it('fused batch norm leaks no tensors and no wasm memory handles', async () => {
    await tf.setBackend('wasm');
    const xb = tf.tensor4d(rand(2 * 6 * 6 * 8, 17), [2, 6, 6, 8]);
    const bn = () =>
      tf.tidy(() => {
        const g = tf.ones([8]);
        const [gx] = tf.grads((a: tf.Tensor) => {
          const r = fusedPath(a, g, tf.zeros([8]));
          tf.dispose([r.mean, r.variance]);
          return tf.sum(tf.relu(r.y));
        })([xb]);
        return tf.sum(gx!);
      });
    bn().dispose();
    const t0 = tf.memory().numTensors;
    const d0 = tf.engine().backend.numDataIds();
    for (let i = 0; i < 3; i++) bn().dispose();
    expect(tf.memory().numTensors).toBe(t0);
    expect(tf.engine().backend.numDataIds()).toBe(d0);
    xb.dispose();
  });

  it('conv gradients leak no tensors and no wasm memory handles', async () => {
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
