import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../trainer/backend';
import { filterGradSplit } from '../../trainer/webgpu-kernels';
import { webGpuAdapter } from '../helpers/webgpu';

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return s / 2 ** 30 - 1;
  });
}

// The U-Net's filter gradients: 3x3 'same' convolutions, the 2x2 stride-2 transposed convolutions
// (their filter gradient is a Conv2DBackpropFilter with x and dy swapped), the 1x1 logits; plus odd
// sizes, a stride with 'same' padding, and one sum too small to split (the stock program).
const cases = [
  { x: [2, 64, 48, 3], filter: [3, 3, 3, 8], strides: 1, pad: 'same' },
  { x: [2, 64, 48, 8], filter: [3, 3, 8, 16], strides: 1, pad: 'same' },
  { x: [3, 67, 53, 5], filter: [3, 3, 5, 4], strides: 1, pad: 'same' },
  { x: [2, 128, 96, 8], filter: [2, 2, 8, 4], strides: 2, pad: 'valid' },
  { x: [2, 131, 97, 6], filter: [3, 3, 6, 5], strides: 2, pad: 'same' },
  { x: [4, 32, 32, 16], filter: [1, 1, 16, 12], strides: 1, pad: 'valid' },
  { x: [1, 16, 16, 4], filter: [3, 3, 4, 4], strides: 1, pad: 'same' },
] as const;

function filterGrad(c: (typeof cases)[number]) {
  const x = tf.tensor4d(
    values(
      c.x.reduce((a: number, b: number) => a * b, 1),
      7,
    ),
    c.x as unknown as [number, number, number, number],
  );
  const info = tf.backend_util.computeConv2DInfo(
    c.x as unknown as [number, number, number, number],
    c.filter as unknown as [number, number, number, number],
    c.strides,
    1,
    c.pad,
  );
  const dy = tf.tensor4d(values(info.batchSize * info.outHeight * info.outWidth * info.outChannels, 11), [
    info.batchSize,
    info.outHeight,
    info.outWidth,
    info.outChannels,
  ]);
  const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, {
    strides: c.strides,
    pad: c.pad,
    dataFormat: 'NHWC',
    filterShape: c.filter,
  } as unknown as tf.NamedAttrMap) as tf.Tensor;
  tf.dispose([x, dy]);
  return { dw, split: filterGradSplit(info) };
}

describe('webgpu Conv2DBackpropFilter (split over output rows) against cpu', () => {
  let skip = false;
  beforeAll(async () => {
    tf.env().set('PROD', true);
    skip = !(await webGpuAdapter());
  });

  it('splits the sums that are large enough, and bounds the partial buffer', () => {
    expect(filterGradSplit({ batchSize: 1, outHeight: 8, outWidth: 8, filterShape: [3, 3, 4, 4] })).toBeNull();
    expect(filterGradSplit({ batchSize: 8, outHeight: 256, outWidth: 256, filterShape: [3, 3, 16, 16] })).toEqual({
      rowsPerSplit: 1,
      splits: 2048,
    });
    // 3x3x128x128 = 147456 weights: at most 8 Mi partial sums -> 56 partials of 5 rows.
    const deep = filterGradSplit({ batchSize: 8, outHeight: 32, outWidth: 32, filterShape: [3, 3, 128, 128] })!;
    expect(deep.splits * 147456).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(deep.splits * deep.rowsPerSplit).toBeGreaterThanOrEqual(8 * 32);
  });

  for (const c of cases) {
    it(`x ${c.x.join('x')}, filter ${c.filter.join('x')}, stride ${c.strides}, ${c.pad}`, async ({
      skip: skipTest,
    }) => {
      if (skip) return skipTest();
      await tf.setBackend('cpu');
      const ref = filterGrad(c);
      const want = await ref.dw.data();
      ref.dw.dispose();
      await initBackend({ backend: 'webgpu' });
      const got = filterGrad(c);
      expect(got.dw.shape).toEqual([...c.filter]);
      const have = await got.dw.data();
      got.dw.dispose();
      const scale = Math.max(...Array.from(want, Math.abs));
      for (let i = 0; i < want.length; i++) expect(Math.abs(have[i]! - want[i]!)).toBeLessThanOrEqual(1e-4 * scale);
      expect(got.split === null).toBe(c === cases.at(-1));
    });
  }

  it('runs the split program for a case that splits (not the stock one)', async ({ skip: skipTest }) => {
    if (skip) return skipTest();
    await initBackend({ backend: 'webgpu' });
    const c = cases[1];
    const info = await tf.profile(() => filterGrad(c).dw.dispose());
    const k = info.kernels.find((e) => e.name === 'Conv2DBackpropFilter')!;
    expect(String(k.extraInfo)).toMatch(/SplitConv2DDerFilterProgram/);
    expect(String(k.extraInfo)).not.toMatch(/^Conv2DDerFilterProgram/);
  });
});
