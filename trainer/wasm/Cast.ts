/** `Cast` for wasm: to the same dtype it shares the buffer, as `./Identity.ts`; otherwise the stock kernel. */
import type * as tf from '@tensorflow/tfjs';
import type { WasmKernelConfig } from './util';
import { BACKEND, shareBuffer } from './util';

export const castConfig: WasmKernelConfig<tf.CastInputs, tf.CastAttrs> = {
  kernelName: 'Cast',
  backendName: BACKEND,
  kernelFunc: ({ inputs, attrs, backend }) => {
    const x = inputs.x!;
    return attrs.dtype === x.dtype && x.dtype !== 'string' ? shareBuffer(backend, x) : null;
  },
};
