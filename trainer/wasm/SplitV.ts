/**
 * `SplitV` for wasm (float32 and int32; other dtypes go to the stock kernel): equal short parts by one
 * wasm Transpose, other rows by a plain loop instead of a `subarray` per row (see `./Concat.ts`).
 *
 * Typed-array views of the heap are taken only after a kernel's last allocation: an allocation may grow
 * the heap, which detaches the old buffer of the single-threaded build's (non-shared) memory. Checked
 * against the cpu backend in `tests/trainer/wasm-kernels.test.ts`, also with a heap that moves on every
 * allocation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, copyRun, heap, NUMERIC, transpose } from './util';

function splitV(
  backend: BackendWasm,
  x: TensorInfo,
  numOrSizeSplits: number | number[],
  axisAttr: number,
): TensorInfo[] | null {
  if (!NUMERIC.has(x.dtype)) return null;
  const axis = tf.util.parseAxisParam(axisAttr, x.shape)[0]!;
  const sizes = tf.backend_util.prepareSplitSize(x, numOrSizeSplits, axis);
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

export const splitVConfig: WasmKernelConfig<tf.SplitVInputs, tf.SplitVAttrs> = {
  kernelName: 'SplitV',
  backendName: BACKEND,
  kernelFunc: ({ inputs, attrs, backend }) => splitV(backend, inputs.x!, attrs.numOrSizeSplits, attrs.axis),
};
