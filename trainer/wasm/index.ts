/**
 * Training kernels for the TensorFlow.js wasm backend, one per file in this folder, each a typed
 * `WasmKernelConfig` (`./util.ts`; the kernel's Inputs and Attrs interfaces from tfjs-core), as
 * tfjs-backend-wasm's own `src/kernels/*.ts` are:
 *
 * - `Conv2DBackpropFilter`, `Conv2DBackpropInput`: the stock `@tensorflow/tfjs-backend-wasm@4.22` has no
 *   filter gradient (a conv net cannot train at all) and a naive C++ loop for the input gradient (also
 *   the forward pass of a transposed convolution); both are rewritten on kernels that run on XNNPACK
 *   (and on its thread pool).
 * - `Sum`, `Mean` over the leading axes of float32 tensors: one XNNPACK average pooling.
 * - Data movement: `Identity`, `Cast` (shared buffers), `Concat`, `SplitV`, `MaxPoolGrad`.
 * - Fused WebAssembly SIMD kernels: `MaskwrightBatchNormTrain`, `MaskwrightBatchNormTrainGrad`,
 *   `MaskwrightReluGrad` (`./simd.ts`), and the `Relu` gradient re-registered to use the last one.
 *
 * A kernel that replaces a stock one falls back to it for what it does not handle (`kernelFunc` returns
 * null). Every intermediate is released through `backend.disposeData`; each registered kernel returns
 * tensors the engine owns. `bench/train/profile.ts` shows where a training step spends its time.
 * `registerWasmTrainingKernels()` is idempotent; call it before `tf.setBackend('wasm')` (`../backend.ts`
 * does).
 */
import { batchNormTrainConfig } from './BatchNormTrain';
import { batchNormTrainGradConfig } from './BatchNormTrainGrad';
import { castConfig } from './Cast';
import { concatConfig } from './Concat';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { identityConfig } from './Identity';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { meanConfig } from './Mean';
import { registerReluGradient, reluGradConfig } from './ReluGrad';
import { splitVConfig } from './SplitV';
import { sumConfig } from './Sum';
import type { AnyWasmKernelConfig } from './util';
import { registerWasmKernel } from './util';

export { fusedBatchNormSupported, BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD } from './simd';

/** Every kernel the project registers for wasm. */
const WASM_TRAINING_KERNELS: readonly AnyWasmKernelConfig[] = [
  identityConfig,
  castConfig,
  concatConfig,
  splitVConfig,
  maxPoolGradConfig,
  batchNormTrainConfig,
  batchNormTrainGradConfig,
  reluGradConfig,
  sumConfig,
  meanConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
];

let registered = false;

/** Registers (once) every kernel of `WASM_TRAINING_KERNELS` and the wasm `Relu` gradient. */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  for (const config of WASM_TRAINING_KERNELS) registerWasmKernel(config);
  registerReluGradient();
}
