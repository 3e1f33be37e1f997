/**
 * `MaxPoolGrad` for wasm (float32; other dtypes go to the stock kernel). The stock kernel is a
 * per-input-pixel search over every window that could contain it. Here each output window finds its
 * maximum once (the first strict maximum in row-major window order, exactly as the cpu backend's
 * `maxPoolPositions`) and adds its gradient there.
 *
 * Typed-array views of the heap are taken only after a kernel's last allocation: an allocation may grow
 * the heap, which detaches the old buffer of the single-threaded build's (non-shared) memory. Checked
 * against the cpu backend in `tests/trainer/wasm-kernels.test.ts`, also with a heap that moves on every
 * allocation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, heap } from './util';

/** dx of `maxPool(x)`: each window's gradient goes to its first strict maximum (cpu backend semantics). */
function maxPoolGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  x: TensorInfo,
  attrs: tf.MaxPoolGradAttrs,
): TensorInfo | null {
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') return null;
  const info = tf.backend_util.computePool2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const out = backend.makeOutput(x.shape, 'float32');
  const xs = heap(backend, x) as Float32Array;
  const dys = heap(backend, dy) as Float32Array;
  const dx = heap(backend, out) as Float32Array;
  dx.fill(0);
  const tiles2x2 =
    info.effectiveFilterHeight === 2 &&
    info.effectiveFilterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    info.padInfo.top === 0 &&
    info.padInfo.left === 0 &&
    info.outHeight * 2 <= info.inHeight &&
    info.outWidth * 2 <= info.inWidth;
  if (tiles2x2) maxPoolGrad2x2(info, xs, dys, dx);
  else maxPoolGradGeneral(info, xs, dys, dx);
  return out;
}

/** The 2x2 / stride-2 / unpadded case of a U-Net: windows do not overlap, each gets one assignment. */
function maxPoolGrad2x2(info: tf.backend_util.Conv2DInfo, xs: Float32Array, dys: Float32Array, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth } = info;
  const row = inWidth * C;
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let yr = 0; yr < outHeight; yr++) {
      let p = (b * inHeight + 2 * yr) * row;
      for (let yc = 0; yc < outWidth; yc++, o += C, p += 2 * C) {
        for (let d = 0; d < C; d++) {
          // Row-major window order with strict '>' keeps the first maximum; NaN never wins.
          const p00 = p + d;
          const p01 = p00 + C;
          const p10 = p00 + row;
          const p11 = p10 + C;
          let at = -1;
          let best = Number.NEGATIVE_INFINITY;
          let v = xs[p00]!;
          if (v > best) {
            best = v;
            at = p00;
          }
          v = xs[p01]!;
          if (v > best) {
            best = v;
            at = p01;
          }
          v = xs[p10]!;
          if (v > best) {
            best = v;
            at = p10;
          }
          v = xs[p11]!;
          if (v > best) at = p11;
          if (at >= 0) dx[at] = dys[o + d]!;
        }
      }
    }
  }
}

function maxPoolGradGeneral(
  info: tf.backend_util.Conv2DInfo,
  xs: Float32Array,
  dys: Float32Array,
  dx: Float32Array,
): void {
  const { batchSize, inHeight, inWidth, inChannels: C, outHeight, outWidth } = info;
  const fh = info.effectiveFilterHeight;
  const fw = info.effectiveFilterWidth;
  const best = new Float64Array(C);
  const at = new Int32Array(C);
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const xb = b * inHeight * inWidth * C;
    for (let yr = 0; yr < outHeight; yr++) {
      const r0 = yr * info.strideHeight - info.padInfo.top;
      const rLo = Math.max(r0, 0);
      const rHi = Math.min(r0 + fh, inHeight);
      for (let yc = 0; yc < outWidth; yc++, o += C) {
        const c0 = yc * info.strideWidth - info.padInfo.left;
        const cLo = Math.max(c0, 0);
        const cHi = Math.min(c0 + fw, inWidth);
        best.fill(Number.NEGATIVE_INFINITY);
        at.fill(-1);
        for (let r = rLo; r < rHi; r++) {
          for (let c = cLo; c < cHi; c++) {
            const p = xb + (r * inWidth + c) * C;
            for (let d = 0; d < C; d++) {
              const v = xs[p + d]!;
              if (v > best[d]!) {
                best[d] = v;
                at[d] = p + d;
              }
            }
          }
        }
        for (let d = 0; d < C; d++) {
          const i = at[d]!;
          if (i >= 0) dx[i] = dx[i]! + dys[o + d]!;
        }
      }
    }
  }
}

export const maxPoolGradConfig: WasmKernelConfig<tf.MaxPoolGradInputs, tf.MaxPoolGradAttrs> = {
  kernelName: 'MaxPoolGrad',
  backendName: BACKEND,
  kernelFunc: ({ inputs, attrs, backend }) => maxPoolGrad(backend, inputs.dy!, inputs.input!, attrs),
};
