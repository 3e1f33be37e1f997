/** `MaskwrightBatchNormTrain(x, gamma, beta; epsilon)` -> `[y, mean, variance]` (see `./simd.ts`). */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BATCH_NORM_TRAIN, CHUNK_ROWS, checkFloat, Scratch, simd } from './simd';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, memoryOffset } from './util';

export type BatchNormTrainInputs = Pick<tf.NamedTensorInfoMap, 'x' | 'gamma' | 'beta'>;
export interface BatchNormTrainAttrs {
  epsilon: number;
}

function batchNormTrain(backend: BackendWasm, x: TensorInfo, gamma: TensorInfo, beta: TensorInfo, eps: number) {
  checkFloat(x, gamma, beta);
  const k = simd(backend)!;
  const C = x.shape[x.shape.length - 1]!;
  const N = tf.util.sizeFromShape(x.shape) / C;
  const cb = C * 4;
  const xp = memoryOffset(backend, x);
  const s = new Scratch(backend, C, 5); // 0 shift, 1 sum, 2 sum of squares then scale, 3 beta, 4 mean
  const mean = new Float32Array(C);
  const variance = new Float32Array(C);
  try {
    // Shift = the mean of the first chunk of rows: sums of x - shift then stay small next to the spread,
    // so the variance E[(x-s)^2] - E[x-s]^2 does not cancel.
    const first = Math.min(CHUNK_ROWS, N);
    const xs = backend.typedArrayFromHeap(x) as Float32Array;
    const shift = new Float64Array(C);
    for (let r = 0; r < first; r++) for (let c = 0; c < C; c++) shift[c] = shift[c]! + xs[r * C + c]!;
    const shift32 = s.view(0);
    for (let c = 0; c < C; c++) shift32[c] = shift[c]! / first;
    const S = new Float64Array(C);
    const Q = new Float64Array(C);
    for (let r = 0; r < N; r += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, N - r);
      s.view(1).fill(0);
      s.view(2).fill(0);
      k.bn_stats(xp + r * cb, rows, cb, s.at(0), s.at(1), s.at(2));
      const sum = s.view(1);
      const sq = s.view(2);
      for (let c = 0; c < C; c++) {
        S[c] = S[c]! + sum[c]!;
        Q[c] = Q[c]! + sq[c]!;
      }
    }
    const g = backend.typedArrayFromHeap(gamma) as Float32Array;
    const b = backend.typedArrayFromHeap(beta) as Float32Array;
    const sh = s.view(0);
    const meanV = s.view(4);
    const scale = s.view(2);
    const betaV = s.view(3);
    for (let c = 0; c < C; c++) {
      const d = S[c]! / N;
      const v = Math.max(Q[c]! / N - d * d, 0);
      mean[c] = sh[c]! + d;
      variance[c] = v;
      meanV[c] = mean[c]!;
      scale[c] = g[c]! / Math.sqrt(v + eps);
      betaV[c] = b[c]!;
    }
    const y = backend.makeOutput(x.shape, 'float32');
    k.bn_apply(xp, memoryOffset(backend, y), N, cb, s.at(4), s.at(2), s.at(3));
    return [
      y,
      backend.makeOutput([C], 'float32', undefined, mean),
      backend.makeOutput([C], 'float32', undefined, variance),
    ];
  } finally {
    s.free();
  }
}

export const batchNormTrainConfig: WasmKernelConfig<BatchNormTrainInputs, BatchNormTrainAttrs> = {
  kernelName: BATCH_NORM_TRAIN,
  backendName: BACKEND,
  kernelFunc: ({ inputs, attrs, backend }) =>
    batchNormTrain(backend, inputs.x!, inputs.gamma!, inputs.beta!, attrs.epsilon),
};
