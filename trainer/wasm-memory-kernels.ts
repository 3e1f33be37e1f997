/**
 * Data-movement kernels for the TensorFlow.js wasm backend, written in TypeScript on the wasm heap.
 *
 * Profiling a U-Net training step (`bench/train/profile.ts`) showed about a fifth of the step in kernels
 * that only move data, where the stock wasm kernels are slow:
 *
 * - `Identity` (and `Cast` to the same dtype) copies the whole tensor; the engine calls it for every
 *   tensor it keeps for the backward pass (`clone`), about 300 times per step. Here it shares the
 *   buffer and counts a reference, as the cpu backend and the stock wasm `Reshape` do (wasm kernels never
 *   write into their inputs, so a shared buffer is never modified).
 * - `Concat` and `SplitV` copy one `subarray` per row: with the 16..64 channels of a U-Net skip
 *   connection that is a call per pixel. Here each row is a plain loop (long rows still use `set`).
 * - `MaxPoolGrad` is a per-input-pixel search over every window that could contain it. Here each output
 *   window finds its maximum once (the first strict maximum in row-major window order, exactly as the cpu
 *   backend's `maxPoolPositions`) and adds its gradient there.
 *
 * Concat and SplitV handle float32 and int32, MaxPoolGrad float32; Identity and Cast share any non-string
 * buffer. Anything else goes to the stock kernel. Typed-array views of the heap are taken only after a
 * kernel's last allocation: an allocation may grow the heap, which detaches the old buffer of the
 * single-threaded build's (non-shared) memory. Every kernel here is checked against the cpu backend in
 * `tests/trainer/wasm-kernels.test.ts`, also with a heap that moves on every allocation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from './wasm-util';
import { replaceKernel, transpose } from './wasm-util';

type Heap = Float32Array | Int32Array | Uint8Array;

const NUMERIC = new Set(['float32', 'int32']);

function heap(backend: BackendWasm, t: TensorInfo): Heap {
  return backend.typedArrayFromHeap(t) as Heap;
}

function shareBuffer(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/** Copies `n` values; `set` for long runs, a loop for short ones (no subarray object per call). */
function copyRun(src: Heap, s: number, dst: Heap, d: number, n: number): void {
  if (n >= 64) {
    dst.set(src.subarray(s, s + n), d);
    return;
  }
  for (let i = 0; i < n; i++) dst[d + i] = src[s + i]!;
}

function concat(backend: BackendWasm, inputs: TensorInfo[], axisAttr: number | number[]): TensorInfo | null {
  const dtype = inputs[0]!.dtype;
  if (!NUMERIC.has(dtype) || inputs.some((t) => t.dtype !== dtype)) return null;
  const rank = inputs[0]!.shape.length;
  const axis = tf.util.parseAxisParam(axisAttr, inputs[0]!.shape)[0]!;
  tf.backend_util.assertParamsConsistent(
    inputs.map((t) => t.shape),
    axis,
  );
  const live = inputs.filter((t) => tf.util.sizeFromShape(t.shape) > 0);
  const outShape = tf.backend_util.computeOutShape(
    inputs.map((t) => t.shape),
    axis,
  );
  if (live.length === 1) return shareBuffer(backend, { ...live[0]!, shape: outShape });
  if (rank === 0 || tf.util.sizeFromShape(outShape) === 0) return backend.makeOutput(outShape, dtype);
  const rows = tf.util.sizeFromShape(outShape.slice(0, axis));
  const inner = live.map((t) => tf.util.sizeFromShape(t.shape.slice(axis)));
  const total = inner.reduce((a, b) => a + b, 0);
  if (inner.every((n) => n === inner[0]) && inner[0]! < 256 && rows > 1) {
    // Equal parts (a U-Net skip connection): stack them as [k, rows, n] (one copy each) and interleave with
    // one wasm Transpose to [rows, k, n], which is the concatenation.
    const n = inner[0]!;
    const stacked = backend.makeOutput([live.length, rows, n], dtype);
    const st = heap(backend, stacked);
    live.forEach((t, i) => st.set(heap(backend, t), i * rows * n));
    const t = transpose(backend, stacked, [1, 0, 2]);
    backend.disposeData(stacked.dataId);
    return { ...t, shape: outShape };
  }
  const out = backend.makeOutput(outShape, dtype);
  const dst = heap(backend, out);
  let offset = 0;
  live.forEach((t, i) => {
    const src = heap(backend, t);
    const n = inner[i]!;
    for (let r = 0; r < rows; r++) copyRun(src, r * n, dst, r * total + offset, n);
    offset += n;
  });
  return out;
}

function splitV(
  backend: BackendWasm,
  x: TensorInfo,
  numOrSizeSplits: number | number[],
  axisAttr: number,
): TensorInfo[] | null {
  if (!NUMERIC.has(x.dtype)) return null;
  const axis = tf.util.parseAxisParam(axisAttr, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, numOrSizeSplits, axis);
  const rows = tf.util.sizeFromShape(x.shape.slice(0, axis));
  const after = tf.util.sizeFromShape(x.shape.slice(axis + 1));
  const total = x.shape[axis]! * after;
  if (sizes.length > 1 && sizes.every((n) => n === sizes[0]) && sizes[0]! * after < 256 && sizes[0]! > 0 && rows > 1) {
    // Equal parts: one wasm Transpose [rows, k, n] -> [k, rows, n] makes each part contiguous.
    const k = sizes.length;
    const n = sizes[0]! * after;
    const view = { ...x, shape: [rows, k, n] };
    const t = transpose(backend, view, [1, 0, 2]);
    const outs = sizes.map((s) => {
      const shape = x.shape.slice();
      shape[axis] = s;
      return backend.makeOutput(shape, x.dtype);
    });
    // Views only after the last allocation: an allocation may grow the heap, which detaches a
    // non-shared heap's old buffer (and every view on it).
    const tv = heap(backend, t);
    outs.forEach((out, i) => heap(backend, out).set(tv.subarray(i * rows * n, (i + 1) * rows * n)));
    backend.disposeData(t.dataId);
    return outs;
  }
  const outs = sizes.map((s) => {
    const shape = x.shape.slice();
    shape[axis] = s;
    return backend.makeOutput(shape, x.dtype);
  });
  const src = heap(backend, x);
  let offset = 0;
  sizes.forEach((s, i) => {
    const n = s * after;
    if (n > 0) {
      const dst = heap(backend, outs[i]!);
      for (let r = 0; r < rows; r++) copyRun(src, r * total + offset, dst, r * n, n);
    }
    offset += n;
  });
  return outs;
}

interface PoolAttrs {
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx of `maxPool(x)`: each window's gradient goes to its first strict maximum (cpu backend semantics). */
function maxPoolGrad(backend: BackendWasm, dy: TensorInfo, x: TensorInfo, attrs: PoolAttrs): TensorInfo | null {
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

let registered = false;

/** Registers (once) the data-movement kernels above in place of the stock wasm ones. */
export function registerWasmMemoryKernels(): void {
  if (registered) return;
  registered = true;
  const wasm = (args: { backend: unknown }) => args.backend as BackendWasm;
  replaceKernel('Identity', (args, stock) =>
    args.inputs.x!.dtype === 'string' ? stock.kernelFunc(args) : shareBuffer(wasm(args), args.inputs.x!),
  );
  replaceKernel('Cast', (args, stock) => {
    const x = args.inputs.x!;
    return (args.attrs as { dtype: string }).dtype === x.dtype && x.dtype !== 'string'
      ? shareBuffer(wasm(args), x)
      : stock.kernelFunc(args);
  });
  replaceKernel(
    'Concat',
    (args, stock) =>
      concat(wasm(args), Object.values(args.inputs) as TensorInfo[], (args.attrs as { axis: number }).axis) ??
      stock.kernelFunc(args),
  );
  replaceKernel('SplitV', (args, stock) => {
    const { numOrSizeSplits, axis } = args.attrs as { numOrSizeSplits: number | number[]; axis: number };
    return splitV(wasm(args), args.inputs.x!, numOrSizeSplits, axis) ?? stock.kernelFunc(args);
  });
  replaceKernel(
    'MaxPoolGrad',
    (args, stock) =>
      maxPoolGrad(wasm(args), args.inputs.dy!, args.inputs.input!, args.attrs as unknown as PoolAttrs) ??
      stock.kernelFunc(args),
  );
}
