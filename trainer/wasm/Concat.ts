/**
 * `Concat` for wasm (float32 and int32; other dtypes go to the stock kernel). The stock kernel copies one
 * `subarray` per row: with the 16..64 channels of a U-Net skip connection that is a call per pixel. Here
 * equal short parts are interleaved by one wasm Transpose, and other rows are a plain loop (long rows
 * still use `set`).
 *
 * Typed-array views of the heap are taken only after a kernel's last allocation: an allocation may grow
 * the heap, which detaches the old buffer of the single-threaded build's (non-shared) memory. Checked
 * against the cpu backend in `tests/trainer/wasm-kernels.test.ts`, also with a heap that moves on every
 * allocation.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, copyRun, heap, NUMERIC, shareBuffer, transpose } from './util';

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

export const concatConfig: WasmKernelConfig<tf.ConcatInputs, tf.ConcatAttrs> = {
  kernelName: 'Concat',
  backendName: BACKEND,
  // The engine passes Concat's inputs as a map keyed by position.
  kernelFunc: ({ inputs, attrs, backend }) => concat(backend, Object.values(inputs), attrs.axis),
};
