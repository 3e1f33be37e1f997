import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';
import { batchNormTrain, batchNormTrainComposite } from '../../trainer/batch-norm';
import { fusedBatchNormSupported } from '../../trainer/wasm-batch-norm';
import { webGpuAdapter } from '../helpers/webgpu';

describe('backend selection', () => {
  it('falls through the native packages to wasm on every core, and reports why', async () => {
    const r = await initBackend({ threads: 2 });
    expect(r.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const names = r.skipped.map((s) => s.name);
    // Neither native package installs here (no libtensorflow download): both are reported with a reason.
    expect(names).toContain('@tensorflow/tfjs-node-gpu');
    expect(names).toContain('@tensorflow/tfjs-node');
    expect(r.skipped.every((s) => s.reason.length > 0)).toBe(true);
    // Auto's order: the GPU package, webgpu, the CPU package, wasm.
    expect(names.indexOf('@tensorflow/tfjs-node-gpu')).toBeLessThan(names.indexOf('webgpu'));
    expect(names.indexOf('webgpu')).toBeLessThan(names.indexOf('@tensorflow/tfjs-node'));
    const adapter = await webGpuAdapter();
    // Here the only adapter is a software one (lavapipe): auto skips it and says why.
    if (adapter?.software) expect(r.skipped.find((s) => s.name === 'webgpu')!.reason).toMatch(/software adapter/);
    expect(r.detail).toMatch(/threaded SIMD build, 2 threads/);
    expect(r.threads).toBe(2);
    // It computes, with the project's training kernels in place.
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const s = tf.tidy(
      () =>
        tf
          .sum(tf.conv2d(tf.ones([1, 8, 8, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 2]) as tf.Tensor4D, 1, 'valid'))
          .dataSync()[0],
    );
    expect(s).toBe(2 * 36 * 18);
    // The fused batch-norm kernels load against the threaded build's shared memory too: two rows of four
    // channels, x = m +- sqrt(v), so y = +-1 / sqrt(1 + eps / v) by hand.
    expect(fusedBatchNormSupported(4)).toBe(true);
    const m = [2, 4, 6, 8];
    const v = [1, 4, 9, 16];
    const x = tf.tensor4d(
      [...m.map((a, i) => a - Math.sqrt(v[i]!)), ...m.map((a, i) => a + Math.sqrt(v[i]!))],
      [2, 1, 1, 4],
    );
    const bn = batchNormTrain(x, tf.ones([4]), tf.zeros([4]), 1e-3);
    const y = Array.from(bn.y.dataSync());
    const want = [...v.map((vi) => -1 / Math.sqrt(1 + 1e-3 / vi)), ...v.map((vi) => 1 / Math.sqrt(1 + 1e-3 / vi))];
    y.forEach((yi, i) => expect(yi).toBeCloseTo(want[i]!, 5));
    Array.from(bn.mean.dataSync()).forEach((mi, i) => expect(mi).toBeCloseTo(m[i]!, 5));
    Array.from(bn.variance.dataSync()).forEach((vi, i) => expect(vi).toBeCloseTo(v[i]!, 4));
    tf.dispose([x, bn.y, bn.mean, bn.variance]);
    // And its gradients on this (shared) heap equal the composite ops' on cpu.
    const xv = Array.from({ length: 2 * 5 * 7 * 8 }, (_, i) => Math.sin(i * 1.7) * 3 + 2);
    const grads = () =>
      tf.tidy(() => {
        const [gx, gg, gb] = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const r = tf.getBackend() === 'wasm' ? batchNormTrain(a, g, b, 1e-3) : batchNormTrainComposite(a, g, b, 1e-3);
          tf.dispose([r.mean, r.variance]);
          return tf.sum(tf.mul(tf.relu(r.y), tf.range(0, a.size).reshape(a.shape).sin()));
        })([tf.tensor4d(xv, [2, 5, 7, 8]), tf.linspace(0.5, 2, 8), tf.linspace(-1, 1, 8)]);
        return tf.concat([gx!.flatten(), gg!, gb!]);
      });
    const got = Array.from(grads().dataSync());
    await tf.setBackend('cpu');
    const ref = grads();
    const wantV = Array.from(ref.dataSync());
    ref.dispose();
    await tf.setBackend('wasm');
    got.forEach((v, i) => expect(v).toBeCloseTo(wantV[i]!, 4));
  });

  it('uses webgpu when forced, even on a software adapter, and reports the adapter', async ({ skip }) => {
    const adapter = await webGpuAdapter();
    if (!adapter) return skip();
    const r = await initBackend({ backend: 'webgpu' });
    expect(r.name).toBe('webgpu');
    expect(tf.getBackend()).toBe('webgpu');
    expect(r.adapter).toEqual(adapter);
    expect(r.detail).toContain(adapter.software ? 'software adapter' : 'hardware adapter');
    if (adapter.architecture === 'software') expect(adapter.software).toBe(true);
    // It computes: sum of a valid 3x3 convolution of ones, by hand.
    const t = tf.tidy(() =>
      tf.sum(tf.conv2d(tf.ones([1, 8, 8, 2]) as tf.Tensor4D, tf.ones([3, 3, 2, 2]) as tf.Tensor4D, 1, 'valid')),
    );
    expect((await t.data())[0]).toBe(2 * 36 * 18);
    t.dispose();
  });

  it('honours an override, and fails loudly on an unavailable forced backend', async () => {
    const cpu = await initBackend({ backend: 'cpu' });
    expect(cpu.name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
    await expect(initBackend({ backend: 'tensorflow' })).rejects.toThrow(/backend tensorflow is not available/);
    const wasm = await initBackend({ backend: 'wasm' });
    expect(wasm.name).toBe('wasm');
  });
});
