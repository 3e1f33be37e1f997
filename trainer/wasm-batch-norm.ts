/**
 * Training-mode batch normalisation (and the ReLU gradient) for the wasm backend as fused one-pass
 * WebAssembly SIMD kernels (`./simd/kernels.wat`), registered as two TensorFlow.js kernels:
 *
 * - `MaskwrightBatchNormTrain(x, gamma, beta; epsilon)` -> `[y, mean, variance]`: per-channel mean and
 *   (biased) variance in one pass (sums of x - s and its square, s = the mean of the first 1024 rows, so
 *   a large mean does not cancel), then y = (x - mean) * (gamma * r) + beta, r = 1/sqrt(variance +
 *   epsilon), in a second.
 * - `MaskwrightBatchNormTrainGrad(dy, x, mean, variance, gamma; epsilon)` -> `[dx, dgamma, dbeta]`:
 *   dbeta = sum(dy), dgamma = r * sum(dy * (x - mean)) in one pass, then
 *   dx = k*dy + a*(x - mean) + c with k = gamma*r, a = -k*r*dgamma/N, c = -k*dbeta/N in a second
 *   (the formula of `./batch-norm.ts`).
 * - `MaskwrightReluGrad(dy, y)` -> dy * step(y): dy where y > 0, 0 where y <= 0, NaN where y is NaN, as
 *   the stock gradient (one pass instead of Step + Cast + Multiply);
 *   the `Relu` gradient is re-registered to use it on wasm (with y = the ReLU's input: same sign test).
 *
 * The stock ops need about twelve full passes over the activation for the same batch-norm forward and
 * backward. The kernels run on the calling thread; the SIMD loops accumulate float32 partial sums over
 * chunks of rows, which are summed here in float64. They need the channel count to be a multiple of 4
 * (`fusedBatchNormSupported`); otherwise `./batch-norm.ts` uses the composite ops. Checked against the
 * composite ops on the cpu backend in `tests/trainer/wasm-kernels.test.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KERNELS_PLAIN_MEMORY, KERNELS_SHARED_MEMORY } from './simd/kernels.wasm';
import type { TensorInfo, WasmMemory } from './wasm-util';
import { heapMemory, internals, memoryOffset } from './wasm-util';

type Ptr = number;

interface SimdExports {
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
const CHUNK_ROWS = 1024;

const instances = new WeakMap<WasmMemory, SimdExports | null>();

/** The SIMD kernels bound to the backend's heap, or null where they cannot be instantiated. */
function simd(backend: BackendWasm): SimdExports | null {
  const memory = heapMemory(backend);
  if (!memory) return null;
  if (instances.has(memory)) return instances.get(memory)!;
  let exports: SimdExports | null;
  try {
    const shared = typeof SharedArrayBuffer === 'function' && memory.buffer instanceof SharedArrayBuffer;
    const bytes = Buffer.from(shared ? KERNELS_SHARED_MEMORY : KERNELS_PLAIN_MEMORY, 'base64');
    const instance = new WA.Instance(new WA.Module(bytes), { env: { memory } });
    exports = instance.exports as unknown as SimdExports;
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
  return simd(tf.backend() as unknown as BackendWasm) != null;
}

/** A scratch area of `n` float32 vectors of C values on the heap. */
class Scratch {
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

function checkFloat(...ts: TensorInfo[]): void {
  for (const t of ts) if (t.dtype !== 'float32') throw new Error(`batch norm kernels need float32, got ${t.dtype}`);
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

let registered = false;

/** Registers (once) the fused kernels for the wasm backend. */
export function registerWasmBatchNormKernels(): void {
  if (registered) return;
  registered = true;
  const be = (b: unknown) => b as BackendWasm;
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAIN,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      batchNormTrain(be(backend), inputs.x!, inputs.gamma!, inputs.beta!, (attrs as { epsilon: number }).epsilon),
  });
  tf.registerKernel({
    kernelName: BATCH_NORM_TRAIN_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, attrs, backend }) =>
      batchNormTrainGrad(
        be(backend),
        inputs.dy!,
        inputs.x!,
        inputs.mean!,
        inputs.variance!,
        inputs.gamma!,
        (attrs as { epsilon: number }).epsilon,
      ),
  });
  tf.registerKernel({
    kernelName: RELU_GRAD,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend }) => reluGrad(be(backend), inputs.dy!, inputs.y!),
  });
  // The ReLU gradient through the kernel above on wasm (x > 0 exactly where relu(x) > 0); the stock
  // gradient (dy * step(x)) everywhere else.
  const stock = tf.getGradient('Relu');
  if (stock == null) return;
  tf.registerGradient({
    ...stock,
    gradFunc: (dy, saved, attrs) => {
      const x = saved[0]!;
      if (tf.getBackend() !== 'wasm' || x.dtype !== 'float32' || simd(tf.backend() as unknown as BackendWasm) == null) {
        return stock.gradFunc(dy, saved, attrs);
      }
      return { x: () => tf.engine().runKernel(RELU_GRAD, { dy: dy as tf.Tensor, y: x }) as tf.Tensor };
    },
  });
}
