/**
 * Training-mode batch normalisation (and the ReLU gradient) for the wasm backend as fused one-pass
 * WebAssembly SIMD kernels (`../simd/kernels.wat`), registered as three TensorFlow.js kernels
 * (`./BatchNormTrain.ts`, `./BatchNormTrainGrad.ts`, `./ReluGrad.ts`); this file binds the module to
 * the backend's heap and holds what the three share:
 *
 * - `MaskwrightBatchNormTrain(x, gamma, beta; epsilon)` -> `[y, mean, variance]`: per-channel mean and
 *   (biased) variance in one pass (sums of x - s and its square, s = the mean of the first 1024 rows, so
 *   a large mean does not cancel), then y = (x - mean) * (gamma * r) + beta, r = 1/sqrt(variance +
 *   epsilon), in a second.
 * - `MaskwrightBatchNormTrainGrad(dy, x, mean, variance, gamma; epsilon)` -> `[dx, dgamma, dbeta]`:
 *   dbeta = sum(dy), dgamma = r * sum(dy * (x - mean)) in one pass, then
 *   dx = k*dy + a*(x - mean) + c with k = gamma*r, a = -k*r*dgamma/N, c = -k*dbeta/N in a second
 *   (the formula of `../batch-norm.ts`).
 * - `MaskwrightReluGrad(dy, y)` -> dy * step(y): dy where y > 0, 0 where y <= 0, NaN where y is NaN, as
 *   the stock gradient (one pass instead of Step + Cast + Multiply);
 *   the `Relu` gradient is re-registered to use it on wasm (with y = the ReLU's input: same sign test).
 *
 * The stock ops need about twelve full passes over the activation for the same batch-norm forward and
 * backward. The kernels run on the calling thread; the SIMD loops accumulate float32 partial sums over
 * chunks of rows, which are summed here in float64. They need the channel count to be a multiple of 4
 * (`fusedBatchNormSupported`); otherwise `../batch-norm.ts` uses the composite ops. Checked against the
 * composite ops on the cpu backend in `tests/trainer/wasm-kernels.test.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNELS_PLAIN_MEMORY, KERNELS_SHARED_MEMORY } from '../simd/kernels.wasm';
import type { TensorInfo, WasmMemory } from './util';
import { heapMemory, internals } from './util';

export type Ptr = number;

export interface SimdExports {
  bn_stats(x: Ptr, rows: number, cb: number, shift: Ptr, sum: Ptr, sq: Ptr): void;
  bn_apply(x: Ptr, y: Ptr, rows: number, cb: number, mean: Ptr, scale: Ptr, beta: Ptr): void;
  bn_grad_sums(dy: Ptr, x: Ptr, rows: number, cb: number, mean: Ptr, sdy: Ptr, sdyx: Ptr): void;
  bn_grad_apply(dy: Ptr, x: Ptr, dx: Ptr, rows: number, cb: number, mean: Ptr, k: Ptr, a: Ptr, b: Ptr): void;
  relu_grad(dy: Ptr, y: Ptr, dx: Ptr, n: number): void;
}

/** The parts of the WebAssembly API used here (the project's TypeScript libs do not declare it). */
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}
const WA = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

export const BATCH_NORM_TRAIN = 'MaskwrightBatchNormTrain';
export const BATCH_NORM_TRAIN_GRAD = 'MaskwrightBatchNormTrainGrad';
export const RELU_GRAD = 'MaskwrightReluGrad';

/** Rows per float32 partial sum (the chunks are then summed in float64). */
export const CHUNK_ROWS = 1024;

const instances = new WeakMap<WasmMemory, SimdExports | null>();

/** The SIMD kernels bound to the backend's heap, or null where they cannot be instantiated. */
export function simd(backend: BackendWasm): SimdExports | null {
  const memory = heapMemory(backend);
  if (!memory) return null;
  if (instances.has(memory)) return instances.get(memory)!;
  let exports: SimdExports | null;
  try {
    const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = Buffer.from(shared ? KERNELS_SHARED_MEMORY : KERNELS_PLAIN_MEMORY, 'base64');
    const instance = new WA.Instance(new WA.Module(bytes), { env: { memory } });
    exports = instance.exports as SimdExports;
  } catch {
    exports = null; // no SIMD support, or a memory the module cannot import: composite ops instead
  }
  instances.set(memory, exports);
  return exports;
}

/** True when the fused kernels can run for `channels` channels on the active backend. */
export function fusedBatchNormSupported(channels: number): boolean {
  if (channels % 4 !== 0 || tf.getBackend() !== 'wasm') return false;
  if (tf.getKernel(BATCH_NORM_TRAIN, 'wasm') == null) return false;
  return simd(tf.backend() as BackendWasm) != null;
}

/** A scratch area of `n` float32 vectors of C values on the heap. */
export class Scratch {
  readonly base: Ptr;
  constructor(
    private readonly backend: BackendWasm,
    readonly C: number,
    n: number,
  ) {
    this.base = internals(backend).wasm._malloc(n * C * 4) >>> 0;
    if (!this.base) throw new Error('wasm heap exhausted');
  }
  at(i: number): Ptr {
    return this.base + i * this.C * 4;
  }
  /** A view made after the allocation: the heap may have grown (a new buffer) since. */
  view(i: number): Float32Array {
    return new Float32Array(heapMemory(this.backend)!.buffer, this.at(i), this.C);
  }
  free(): void {
    internals(this.backend).wasm._free(this.base);
  }
}

export function checkFloat(...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`batch norm kernels need float32, got ${t.dtype}`);
}
