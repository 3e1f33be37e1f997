/**
 * `Conv2DBackpropInput(dy, W)` for wasm (dx of a convolution; also the forward pass of
 * `conv2dTranspose`). The stock kernel is a naive C++ loop; this one runs on XNNPACK:
 *
 * - patch convolutions (`isPatchConv`): one matrix product `dy · W^T` plus a transpose, with no
 *   zero-upsampled intermediate (the wasm BatchMatMul is used without transposed operands: with
 *   `transposeA`/`transposeB` it is about 20x slower);
 * - otherwise a forward convolution of `dy` (zero-upsampled by the stride when it is above 1) with the
 *   spatially flipped filter `W[KH-1-kh, KW-1-kw, co, ci]`, padded by `K-1-pad`.
 */
import type * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { ConvAttrs, ConvGeometry } from './conv';
import { conv, geometry, isPatchConv, matMul, slice4 } from './conv';
import type { TensorInfo, WasmKernelConfig } from './util';
import { BACKEND, free, reshape, run, transpose } from './util';

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
function conv2DBackpropInputWasm(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  attrs: ConvAttrs,
): TensorInfo {
  const g = geometry(inputShape, filter.shape, attrs);
  const [, dyH, dyW] = dy.shape as [number, number, number, number];
  if (dyH === g.outH && dyW === g.outW) return backpropInput(backend, dy, filter, inputShape, g);
  // A dy larger than the forward output (conv2dTranspose accepts any x for its output shape): only its
  // first outH x outW positions take part, as in the cpu backend (which indexes dy by its own strides).
  if (dyH < g.outH || dyW < g.outW) {
    throw new Error(`Conv2DBackpropInput: dy ${dy.shape} is smaller than the output ${g.outH}x${g.outW}`);
  }
  const crop = slice4(backend, dy, [g.batch, g.outH, g.outW, g.outC]);
  try {
    return backpropInput(backend, crop, filter, inputShape, g);
  } finally {
    free(backend, crop);
  }
}

function backpropInput(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  inputShape: number[],
  g: ConvGeometry,
): TensorInfo {
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

export const conv2DBackpropInputConfig: WasmKernelConfig<tf.Conv2DBackpropInputInputs, tf.Conv2DBackpropInputAttrs> = {
  kernelName: 'Conv2DBackpropInput',
  backendName: BACKEND,
  kernelFunc: ({ inputs, attrs, backend }) =>
    conv2DBackpropInputWasm(backend, inputs.dy!, inputs.filter!, attrs.inputShape, attrs),
};
