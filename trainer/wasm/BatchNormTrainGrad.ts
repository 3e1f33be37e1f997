/** `MaskwrightBatchNormTrainGrad(dy, x, mean, variance, gamma; epsilon)` -> `[dx, dgamma, dbeta]` (see `./simd.ts`). */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { BATCH_NORM_TRAIN_GRAD, CHUNK_ROWS, checkFloat, Scratch, simd } from './simd';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, memoryOffset } from './util';

export type BatchNormTrainGradInputs = Pick<tf.NamedTensorInfoMap, 'dy' | 'x' | 'mean' | 'variance' | 'gamma'>;
export interface BatchNormTrainGradAttrs {
  epsilon: number;
}

function batchNormTrainGrad(
  backend: BackendWasm,
  dy: TensorInfo,
  x: TensorInfo,
  meanT: TensorInfo,
  varianceT: TensorInfo,
  gammaT: TensorInfo,
  eps: number,
) {
  checkFloat(dy, x, meanT, varianceT, gammaT);
  const k = simd(backend)!;
  const C = x.shape[x.shape.length - 1]!;
  const N = tf.util.sizeFromShape(x.shape) / C;
  const cb = C * 4;
  const xp = memoryOffset(backend, x);
  const dyp = memoryOffset(backend, dy);
  const s = new Scratch(backend, C, 3); // 0 sdy / k, 1 sdyx / a, 2 bias
  const dgamma = new Float32Array(C);
  const dbeta = new Float32Array(C);
  try {
    const variance = backend.typedArrayFromHeap(varianceT) as Float32Array;
    const gamma = backend.typedArrayFromHeap(gammaT) as Float32Array;
    const SD = new Float64Array(C);
    const SX = new Float64Array(C);
    for (let r = 0; r < N; r += CHUNK_ROWS) {
      const rows = Math.min(CHUNK_ROWS, N - r);
      s.view(0).fill(0);
      s.view(1).fill(0);
      k.bn_grad_sums(dyp + r * cb, xp + r * cb, rows, cb, memoryOffset(backend, meanT), s.at(0), s.at(1));
      const sdy = s.view(0);
      const sdyx = s.view(1);
      for (let c = 0; c < C; c++) {
        SD[c] = SD[c]! + sdy[c]!;
        SX[c] = SX[c]! + sdyx[c]!;
      }
    }
    const kk = s.view(0);
    const aa = s.view(1);
    const bb = s.view(2);
    for (let c = 0; c < C; c++) {
      const r = 1 / Math.sqrt(variance[c]! + eps);
      const dg = SX[c]! * r;
      const kc = gamma[c]! * r;
      const a = (-kc * r * dg) / N;
      const cc = (-kc * SD[c]!) / N;
      dgamma[c] = dg;
      dbeta[c] = SD[c]!;
      kk[c] = kc;
      aa[c] = a;
      bb[c] = cc;
    }
    const dx = backend.makeOutput(x.shape, 'float32');
    k.bn_grad_apply(dyp, xp, memoryOffset(backend, dx), N, cb, memoryOffset(backend, meanT), s.at(0), s.at(1), s.at(2));
    return [
      dx,
      backend.makeOutput([C], 'float32', undefined, dgamma),
      backend.makeOutput([C], 'float32', undefined, dbeta),
    ];
  } finally {
    s.free();
  }
}

export const batchNormTrainGradConfig: WasmKernelConfig<BatchNormTrainGradInputs, BatchNormTrainGradAttrs> = {
  kernelName: BATCH_NORM_TRAIN_GRAD,
  backendName: BACKEND,
  kernelFunc: ({ inputs, attrs, backend }) =>
    batchNormTrainGrad(backend, inputs.dy!, inputs.x!, inputs.mean!, inputs.variance!, inputs.gamma!, attrs.epsilon),
};
