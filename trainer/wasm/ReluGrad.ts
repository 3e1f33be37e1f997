/**
 * `MaskwrightReluGrad(dy, y)` -> dy * step(y): dy where y > 0, 0 where y <= 0, NaN where y is NaN, as the
 * stock gradient (one SIMD pass instead of Step + Cast + Multiply; see `./simd.ts`). The `Relu` gradient
 * is re-registered to use it on wasm (with y = the ReLU's input: same sign test).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { checkFloat, RELU_GRAD, simd } from './simd';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, memoryOffset } from './util';

export type ReluGradInputs = Pick<tf.NamedTensorInfoMap, 'dy' | 'y'>;

function reluGrad(backend: BackendWasm, dy: TensorInfo, y: TensorInfo): TensorInfo {
  checkFloat(dy, y);
  const n = tf.util.sizeFromShape(y.shape);
  const dx = backend.makeOutput(y.shape, 'float32');
  const whole = n - (n % 4);
  simd(backend)!.relu_grad(memoryOffset(backend, dy), memoryOffset(backend, y), memoryOffset(backend, dx), whole);
  if (whole < n) {
    const d = backend.typedArrayFromHeap(dy) as Float32Array;
    const v = backend.typedArrayFromHeap(y) as Float32Array;
    const o = backend.typedArrayFromHeap(dx) as Float32Array;
    for (let i = whole; i < n; i++) o[i] = d[i]! * (v[i]! > 0 ? 1 : Number.isNaN(v[i]!) ? NaN : 0);
  }
  return dx;
}

export const reluGradConfig: WasmKernelConfig<ReluGradInputs> = {
  kernelName: RELU_GRAD,
  backendName: BACKEND,
  kernelFunc: ({ inputs, backend }) => reluGrad(backend, inputs.dy!, inputs.y!),
};

/**
 * The ReLU gradient through the kernel above on wasm (x > 0 exactly where relu(x) > 0); the stock
 * gradient (dy * step(x)) everywhere else.
 */
export function registerReluGradient(): void {
  const stock = tf.getGradient('Relu');
  if (stock == null) return;
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || simd(tf.backend() as BackendWasm) == null) {
        return stock.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, y: x }) as tf.Tensor };
    },
  });
}
