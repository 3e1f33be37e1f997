/**
 * `Conv2DBackpropFilter(x, dy)` for wasm: the weight gradient `dW[kh,kw,ci,co] = sum_{b,oh,ow}
 * x[b, oh*s+kh-pt, ow*s+kw-pl, ci] * dy[b,oh,ow,co]`. The stock `@tensorflow/tfjs-backend-wasm@4.22`
 * registers none (a conv net cannot train at all); this one runs on kernels that use XNNPACK (and its
 * thread pool):
 *
 * - patch convolutions (`isPatchConv`): one matrix product plus transposes;
 * - stride 1 (every 3x3 convolution of the U-Net): one matrix product per filter tap, all sharing one
 *   packed operand, the other read in place (`filterGradStride1`, 1.5-2x faster than the convolution
 *   below, whose full-size "filter" XNNPACK transposes and packs on every call);
 * - otherwise an ordinary forward convolution of `x` transposed to `[Ci, H, W, B]` (the input channels
 *   become the batch, the batch becomes the channels) with `dy` transposed to `[OH, OW, B, Co]` used as
 *   the filter, with dilation = the original stride and the original padding. Its output
 *   `[Ci, KH, KW, Co]` is transposed back to `[KH, KW, Ci, Co]`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ConvAttrs, ConvGeometry } from './conv';
import { conv, geometry, isPatchConv, matMul, slice4, toPatches, withView } from './conv';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, free, reshape, run, transpose } from './util';

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
function conv2DBackpropFilterWasm(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  filterShape: number[],
  attrs: ConvAttrs,
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

export const conv2DBackpropFilterConfig: WasmKernelConfig<tf.Conv2DBackpropFilterInputs, tf.Conv2DBackpropFilterAttrs> =
  {
    kernelName: 'Conv2DBackpropFilter',
    backendName: BACKEND,
    kernelFunc: ({ inputs, attrs, backend }) =>
      conv2DBackpropFilterWasm(backend, inputs.x!, inputs.dy!, attrs.filterShape, attrs),
  };
