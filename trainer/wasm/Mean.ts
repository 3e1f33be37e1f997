/** `Mean` for wasm: over leading axes of float32 tensors via `./leading-axes-reduce.ts`, else the stock kernel. */
import type * as tf from '@tensorflow/tfjs';
import { leadingAxesReduce } from './leading-axes-reduce';
import type { WasmKernelConfig } from './util';
import { BACKEND } from './util';

export const meanConfig: WasmKernelConfig<tf.MeanInputs, tf.MeanAttrs> = {
  kernelName: 'Mean',
  backendName: BACKEND,
  kernelFunc: ({ inputs, attrs, backend }) => leadingAxesReduce(backend, inputs.x!, attrs.axis, attrs.keepDims, 'mean'),
};
