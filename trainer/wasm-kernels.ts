/**
 * Training kernels for the TensorFlow.js wasm backend.
 *
 * The stock `@tensorflow/tfjs-backend-wasm@4.22` registers no `Conv2DBackpropFilter` (a conv net cannot
 * train at all) and its `Conv2DBackpropInput` (also the forward pass of a transposed convolution) is a
 * naive C++ loop. Both are rewritten here in terms of kernels that run on XNNPACK (and on its thread pool):
 *
 * - `Conv2DBackpropFilter(x, dy)`: the weight gradient `dW[kh,kw,ci,co] = sum_{b,oh,ow} x[b, oh*s+kh-pt,
 *   ow*s+kw-pl, ci] * dy[b,oh,ow,co]`. With stride 1 (every 3x3 convolution of the U-Net) it is one
 *   matrix product per filter tap, all sharing one packed operand, the other read in place
 *   (`filterGradStride1`, 1.5-2x faster than the convolution below, whose full-size "filter" XNNPACK
 *   transposes and packs on every call). Otherwise it is an ordinary forward convolution of `x` transposed to
 *   `[Ci, H, W, B]` (the input channels become the batch, the batch becomes the channels) with `dy`
 *   transposed to `[OH, OW, B, Co]` used as the filter, with dilation = the original stride and the
 *   original padding. Its output `[Ci, KH, KW, Co]` is transposed back to `[KH, KW, Ci, Co]`.
 * - `Conv2DBackpropInput(dy, W)`: a forward convolution of `dy` (zero-upsampled by the stride when it is
 *   above 1) with the spatially flipped filter `W[KH-1-kh, KW-1-kw, co, ci]`, padded by `K-1-pad`.
 * - Patch convolutions (kernel = stride, no padding, exact tiling: the 2x2/stride-2 transposed convolution
 *   of a U-Net decoder) take a faster path in both directions: a single matrix product plus a transpose,
 *   with no zero-upsampled intermediate. (The wasm BatchMatMul is used without transposed operands:
 *   with `transposeA`/`transposeB` it is about 20x slower.)
 * - `Sum` and `Mean` over the leading axes of a float32 tensor (per-channel reductions of NHWC
 *   activations: bias and batch-norm gradients) run as one XNNPACK average pooling over a
 *   `[1, a, b, C]` view instead of the stock transpose-then-reduce (about 15x faster at 4x128x128x16);
 *   any other reduction goes to the stock kernel.
 *
 * Data-movement kernels (Identity, Cast, Concat, SplitV, MaxPoolGrad) are in `./wasm-memory-kernels.ts`,
 * the fused batch-norm and ReLU-gradient kernels (WebAssembly SIMD) in `./wasm-batch-norm.ts`;
 * `bench/train/profile.ts` shows where a training step spends its time.
 *
 * Every intermediate is released through `backend.disposeData`; each registered kernel returns one
 * tensor the engine owns. `registerWasmTrainingKernels()` is idempotent; it replaces the stock kernels
 * in the kernel registry and registers the other files' (call it before `tf.setBackend('wasm')`;
 * `trainer/backend.ts` does).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { registerWasmBatchNormKernels } from './wasm-batch-norm';
import { registerWasmMemoryKernels } from './wasm-memory-kernels';

import type { Attrs, TensorInfo } from './wasm-util';
import { BACKEND, free, internals, memoryOffset, replaceKernel, reshape, run, transpose } from './wasm-util';

function slice4(backend: BackendWasm, x: TensorInfo, size: number[]): TensorInfo {
  return run(backend, 'Slice', { x }, { begin: [0, 0, 0, 0], size });
}

type Pad = [number, number];

/** Forward convolution with explicit padding (may be asymmetric), NHWC. */
function conv(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  strides: [number, number],
  dilations: [number, number],
  padH: Pad,
  padW: Pad,
): TensorInfo {
  return run(
    backend,
    'Conv2D',
    { x, filter },
    {
      strides,
      dilations,
      pad: [[0, 0], padH, padW, [0, 0]],
      dataFormat: 'NHWC',
      dimRoundingMode: undefined,
    },
  );
}

interface ConvGeometry {
  batch: number;
  inH: number;
  inW: number;
  inC: number;
  outH: number;
  outW: number;
  outC: number;
  kH: number;
  kW: number;
  sH: number;
  sW: number;
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
}

function geometry(xShape: number[], filterShape: number[], attrs: Attrs): ConvGeometry {
  const dataFormat = (attrs.dataFormat as string | undefined) ?? 'NHWC';
  if (dataFormat !== 'NHWC') throw new Error(`wasm training kernels support NHWC only, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides as [number, number] | number,
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
    false,
    'channelsLast',
  );
  return {
    batch: info.batchSize,
    inH: info.inHeight,
    inW: info.inWidth,
    inC: info.inChannels,
    outH: info.outHeight,
    outW: info.outWidth,
    outC: info.outChannels,
    kH: info.filterHeight,
    kW: info.filterWidth,
    sH: info.strideHeight,
    sW: info.strideWidth,
    padTop: info.padInfo.top,
    padBottom: info.padInfo.bottom,
    padLeft: info.padInfo.left,
    padRight: info.padInfo.right,
  };
}

/** Kernel = stride, no padding, the output tiles the input exactly: each output pixel owns one patch. */
function isPatchConv(g: ConvGeometry): boolean {
  return (
    g.kH === g.sH &&
    g.kW === g.sW &&
    g.padTop === 0 &&
    g.padBottom === 0 &&
    g.padLeft === 0 &&
    g.padRight === 0 &&
    g.outH * g.sH === g.inH &&
    g.outW * g.sW === g.inW
  );
}

/** `[B, OH*KH, OW*KW, C]` -> `[B*OH*OW, KH*KW*C]` (one row per patch). */
function toPatches(backend: BackendWasm, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const r = reshape(backend, x, [g.batch, g.outH, g.kH, g.outW, g.kW, g.inC]);
  const t = transpose(backend, r, [0, 1, 3, 2, 4, 5]);
  free(backend, r);
  const out = reshape(backend, t, [g.batch * g.outH * g.outW, g.kH * g.kW * g.inC]);
  free(backend, t);
  return out;
}

/** `a · b` for 2-D `a`, `b` (no transposed operands: the wasm kernel is slow with them). */
function matMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo) {
  const a3 = reshape(backend, a, [1, ...a.shape]);
  const b3 = reshape(backend, b, [1, ...b.shape]);
  const out = run(backend, 'BatchMatMul', { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  free(backend, a3, b3);
  const out2 = reshape(backend, out, out.shape.slice(1));
  free(backend, out);
  return out2;
}

/**
 * Runs `f` on a float32 tensor that VIEWS `size` elements of `base`'s memory from element `offset` on
 * (no copy), then unregisters the view without freeing the memory (it belongs to `base`).
 */
function withView<T>(
  backend: BackendWasm,
  base: TensorInfo,
  offset: number,
  shape: number[],
  f: (v: TensorInfo) => T,
): T {
  const view = backend.makeOutput(shape, 'float32', memoryOffset(backend, base) + offset * 4);
  try {
    return f(view);
  } finally {
    const { dataIdMap, wasm } = internals(backend);
    wasm.tfjs.disposeData(dataIdMap.get(view.dataId).id);
    dataIdMap.delete(view.dataId);
  }
}

/**
 * dW of a stride-1 convolution with a kernel larger than 1x1, as one small matrix product per filter tap
 * that shares one packed operand and reads its other operand in place:
 *
 * - `xt` = x zero-padded to `[B, Hp, Wp]` per channel and laid out channel-major, `[Ci, Q]` with
 *   Q = B*Hp*Wp, plus one zero channel (a pad and a 2-D transpose, both fast wasm kernels);
 * - `dyp` = dy placed at the top-left of the same `[B, Hp, Wp]` grid, zeros elsewhere, as `[Q, Co]`;
 * - for tap (kh, kw) with offset o = kh*Wp + kw: `dW[kh,kw] = xt[:, o : o+Q] · dyp`. Rows of `xt` are
 *   Q apart, so this operand is simply `[Ci, Q]` starting at element o: a view, no copy. The columns it
 *   reads past a row's end (the next channel's first values; the zero channel after the last) only ever
 *   meet the zero rows of `dyp` (outputs beyond OH x OW).
 *
 * Every product has the same right operand, which the wasm BatchMatMul packs once and caches by tensor:
 * the stock path packed (and transposed) a full-size filter per call, most of its cost.
 */
function filterGradStride1(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, g: ConvGeometry): TensorInfo {
  const Hp = g.inH + g.padTop + g.padBottom;
  const Wp = g.inW + g.padLeft + g.padRight;
  const Q = g.batch * Hp * Wp;
  // x padded (one extra zero channel: the last row's reads past its end land there) and transposed.
  const xp = run(
    backend,
    'PadV2',
    { x },
    {
      paddings: [
        [0, 0],
        [g.padTop, g.padBottom],
        [g.padLeft, g.padRight],
        [0, 1],
      ],
      constantValue: 0,
    },
  );
  const xp2 = reshape(backend, xp, [Q, g.inC + 1]);
  free(backend, xp);
  const xt = transpose(backend, xp2, [1, 0]);
  free(backend, xp2);
  const dyp = run(
    backend,
    'PadV2',
    { x: dy },
    {
      paddings: [
        [0, 0],
        [0, Hp - g.outH],
        [0, Wp - g.outW],
        [0, 0],
      ],
      constantValue: 0,
    },
  );
  const dy3 = reshape(backend, dyp, [1, Q, g.outC]);
  free(backend, dyp);
  const out = backend.makeOutput([g.kH, g.kW, g.inC, g.outC], 'float32');
  try {
    for (let kh = 0; kh < g.kH; kh++) {
      for (let kw = 0; kw < g.kW; kw++) {
        const tap = withView(backend, xt, kh * Wp + kw, [1, g.inC, Q], (a) =>
          run(backend, 'BatchMatMul', { a, b: dy3 }, { transposeA: false, transposeB: false }),
        );
        const dW = backend.typedArrayFromHeap(out) as Float32Array;
        dW.set(backend.typedArrayFromHeap(tap) as Float32Array, (kh * g.kW + kw) * g.inC * g.outC);
        free(backend, tap);
      }
    }
  } catch (e) {
    free(backend, out);
    throw e;
  } finally {
    free(backend, xt, dy3);
  }
  return out;
}

/** dW for `y = conv2d(x, W)`. */
export function conv2DBackpropFilterWasm(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  attrs: Attrs,
): TensorInfo {
  const g = geometry(x.shape, filterShape, attrs);
  if (isPatchConv(g)) {
    // dW[(kh,kw,ci), co] = patches(x)^T · dy, computed as (dy^T · patches)^T: the wasm BatchMatMul is
    // ~20x slower with a transposed operand than with explicitly transposed inputs.
    const p = toPatches(backend, x, g);
    const d = reshape(backend, dy, [g.batch * g.outH * g.outW, g.outC]);
    const dt = transpose(backend, d, [1, 0]);
    free(backend, d);
    const wt = matMul(backend, dt, p);
    free(backend, p, dt);
    const w = transpose(backend, wt, [1, 0]);
    free(backend, wt);
    const out = reshape(backend, w, filterShape);
    free(backend, w);
    return out;
  }
  if (
    g.sH === 1 &&
    g.sW === 1 &&
    g.kH * g.kW > 1 &&
    g.outH === g.inH + g.padTop + g.padBottom - g.kH + 1 &&
    g.outW === g.inW + g.padLeft + g.padRight - g.kW + 1
  ) {
    return filterGradStride1(backend, x, dy, g);
  }
  // Rows of x beyond the last one any filter tap reads (the stride leaves them out) are cropped, so the
  // bottom/right padding of the equivalent convolution is never negative.
  let padBottom = g.kH - 1 + (g.outH - 1) * g.sH + 1 - g.inH - g.padTop;
  let padRight = g.kW - 1 + (g.outW - 1) * g.sW + 1 - g.inW - g.padLeft;
  let xc = x;
  if (padBottom < 0 || padRight < 0) {
    xc = slice4(backend, x, [g.batch, g.inH + Math.min(padBottom, 0), g.inW + Math.min(padRight, 0), g.inC]);
    padBottom = Math.max(padBottom, 0);
    padRight = Math.max(padRight, 0);
  }
  const xt = transpose(backend, xc, [3, 1, 2, 0]); // [Ci, H, W, B]
  if (xc !== x) free(backend, xc);
  const dyt = transpose(backend, dy, [1, 2, 0, 3]); // [OH, OW, B, Co]
  const r = conv(backend, xt, dyt, [1, 1], [g.sH, g.sW], [g.padTop, padBottom], [g.padLeft, padRight]);
  free(backend, xt, dyt);
  if (r.shape[1] !== g.kH || r.shape[2] !== g.kW) {
    free(backend, r);
    throw new Error(`Conv2DBackpropFilter: internal shape ${r.shape} for filter ${filterShape}`);
  }
  const out = transpose(backend, r, [1, 2, 0, 3]); // [KH, KW, Ci, Co]
  free(backend, r);
  return out;
}

/**
 * `wf[kh, kw, co, ci] = W[KH-1-kh, KW-1-kw, ci, co]` in one pass (the stock Reverse then Transpose
 * kernels take several times longer on a 3x3x128x128 filter than the convolution's own set-up).
 */
export function flipFilter(backend: BackendWasm, filter: TensorInfo): TensorInfo {
  const [KH, KW, Ci, Co] = filter.shape as [number, number, number, number];
  const out = backend.makeOutput([KH, KW, Co, Ci], 'float32');
  const src = backend.typedArrayFromHeap(filter) as Float32Array; // after the allocation (heap growth)
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  let o = 0;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      const tap = ((KH - 1 - kh) * KW + (KW - 1 - kw)) * Ci * Co;
      for (let co = 0; co < Co; co++) {
        for (let ci = 0; ci < Ci; ci++) dst[o++] = src[tap + ci * Co + co]!;
      }
    }
  }
  return out;
}

/** dx for `y = conv2d(x, W)`; also the forward pass of `conv2dTranspose`. */
export function conv2DBackpropInputWasm(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  attrs: Attrs,
): TensorInfo {
  const g = geometry(inputShape, filter.shape, attrs);
  if (isPatchConv(g)) {
    // dx patches = dy · W^T, W viewed as [(kh,kw,ci), co] (transposed explicitly: it is small).
    const d = reshape(backend, dy, [g.batch * g.outH * g.outW, g.outC]);
    const w = reshape(backend, filter, [g.kH * g.kW * g.inC, g.outC]);
    const wt = transpose(backend, w, [1, 0]);
    free(backend, w);
    const p = matMul(backend, d, wt);
    free(backend, d, wt);
    const p6 = reshape(backend, p, [g.batch, g.outH, g.outW, g.kH, g.kW, g.inC]);
    free(backend, p);
    const t = transpose(backend, p6, [0, 1, 3, 2, 4, 5]);
    free(backend, p6);
    const out = reshape(backend, t, inputShape);
    free(backend, t);
    return out;
  }
  const wf = flipFilter(backend, filter);
  // Zero-upsample dy by the stride: [B, OH, 1, OW, 1, C] padded to [B, OH, sH, OW, sW, C].
  let up = dy;
  if (g.sH > 1 || g.sW > 1) {
    const r6 = reshape(backend, dy, [g.batch, g.outH, 1, g.outW, 1, g.outC]);
    const p6 = run(
      backend,
      'PadV2',
      { x: r6 },
      {
        paddings: [
          [0, 0],
          [0, 0],
          [0, g.sH - 1],
          [0, 0],
          [0, g.sW - 1],
          [0, 0],
        ],
        constantValue: 0,
      },
    );
    free(backend, r6);
    up = reshape(backend, p6, [g.batch, g.outH * g.sH, g.outW * g.sW, g.outC]);
    free(backend, p6);
  }
  // Rows left over by the stride at the bottom/right of the forward input.
  const remH = g.inH + g.padTop + g.padBottom - g.kH - (g.outH - 1) * g.sH;
  const remW = g.inW + g.padLeft + g.padRight - g.kW - (g.outW - 1) * g.sW;
  const padTop = g.kH - 1 - g.padTop;
  const padLeft = g.kW - 1 - g.padLeft;
  // The upsampled dy already carries sH-1 trailing zero rows.
  const padBottom = g.kH - 1 + remH - g.padBottom - (g.sH - 1);
  const padRight = g.kW - 1 + remW - g.padRight - (g.sW - 1);
  if (padTop < 0 || padLeft < 0) {
    free(backend, wf);
    if (up !== dy) free(backend, up);
    throw new Error('Conv2DBackpropInput: padding larger than the kernel is not supported');
  }
  const r = conv(backend, up, wf, [1, 1], [1, 1], [padTop, Math.max(padBottom, 0)], [padLeft, Math.max(padRight, 0)]);
  free(backend, wf);
  if (up !== dy) free(backend, up);
  if (r.shape[1] === g.inH && r.shape[2] === g.inW) return r;
  // A negative bottom/right padding crops the end: keep the first inH x inW outputs.
  const out = slice4(backend, r, [g.batch, g.inH, g.inW, g.inC]);
  free(backend, r);
  return out;
}

/** `a * b = n` with `a <= b`, `a` the largest divisor of n not above sqrt(n). */
function factorPair(n: number): [number, number] {
  for (let a = Math.floor(Math.sqrt(n)); a > 1; a--) if (n % a === 0) return [a, n / a];
  return [1, n];
}

/**
 * Mean or sum over leading axes via average pooling; null when the reduction is not over a prefix of the
 * axes of a float32 tensor (the caller then uses the stock kernel).
 */
function leadingAxesReduce(
  backend: BackendWasm,
  x: TensorInfo,
  axis: number | number[],
  keepDims: boolean,
  op: 'sum' | 'mean',
): TensorInfo | null {
  if (x.dtype !== 'float32') return null;
  const rank = x.shape.length;
  const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + rank : a)))].sort(
    (a, b) => a - b,
  );
  const k = axes.length;
  if (k === 0 || k === rank || axes.some((a, i) => a !== i)) return null;
  const n = x.shape.slice(0, k).reduce((p, q) => p * q, 1);
  const c = x.shape.slice(k).reduce((p, q) => p * q, 1);
  if (n < 2 || c === 0) return null;
  const [a, b] = factorPair(n);
  const view = reshape(backend, x, [1, a, b, c]);
  const pooled = run(
    backend,
    'AvgPool',
    { x: view },
    { filterSize: [a, b], strides: [a, b], pad: 'valid', dimRoundingMode: undefined },
  );
  free(backend, view);
  let r = pooled;
  if (op === 'sum') {
    const scale = backend.makeOutput([], 'float32', undefined, new Float32Array([n]));
    r = run(backend, 'Multiply', { a: pooled, b: scale });
    free(backend, pooled, scale);
  }
  const outShape = keepDims ? [...x.shape.map((d, i) => (i < k ? 1 : d))] : x.shape.slice(k);
  const out = reshape(backend, r, outShape);
  free(backend, r);
  return out;
}

let registered = false;

/**
 * Registers (once) the project's Conv2DBackpropFilter, Conv2DBackpropInput, Sum and Mean kernels for wasm,
 * the data-movement kernels of `./wasm-memory-kernels.ts` and the fused batch-norm / ReLU-gradient kernels
 * of `./wasm-batch-norm.ts`.
 */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  registerWasmMemoryKernels();
  registerWasmBatchNormKernels();
  for (const [name, op] of [
    ['Sum', 'sum'],
    ['Mean', 'mean'],
  ] as const) {
    replaceKernel(name, (args, stock) => {
      const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
      const fast = leadingAxesReduce(args.backend as unknown as BackendWasm, args.inputs.x!, axis, keepDims, op);
      return fast ?? stock.kernelFunc(args);
    });
  }
  for (const name of ['Conv2DBackpropFilter', 'Conv2DBackpropInput']) {
    if (tf.getKernel(name, BACKEND) != null) tf.unregisterKernel(name, BACKEND);
  }
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs, backend }) =>
      conv2DBackpropFilterWasm(
        backend as unknown as BackendWasm,
        inputs.x!,
        inputs.dy!,
        (attrs as Attrs).filterShape as number[],
        attrs as Attrs,
      ),
  });
  tf.registerKernel({
    kernelName: 'Conv2DBackpropInput',
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs, backend }) =>
      conv2DBackpropInputWasm(
        backend as unknown as BackendWasm,
        inputs.dy!,
        inputs.filter!,
        (attrs as Attrs).inputShape as number[],
        attrs as Attrs,
      ),
  });
}
