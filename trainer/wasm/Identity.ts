/**
 * `Identity` for wasm: the stock kernel copies the whole tensor, and the engine calls it for every tensor
 * it keeps for the backward pass (`clone`), about 300 times per U-Net training step. Here it shares the
 * buffer and counts a reference, as the cpu backend and the stock wasm `Reshape` do (wasm kernels never
 * write into their inputs, so a shared buffer is never modified). Strings go to the stock kernel.
 */
import type * as tf from '@tensorflow/tfjs';
import type { WasmKernelConfig } from './util';
import { BACKEND, shareBuffer } from './util';

export const identityConfig: WasmKernelConfig<tf.IdentityInputs> = {
  kernelName: 'Identity',
  backendName: BACKEND,
  kernelFunc: ({ inputs, backend }) => (inputs.x!.dtype === 'string' ? null : shareBuffer(backend, inputs.x!)),
};
