/**
 * What the convolution gradient kernels (`./Conv2DBackpropFilter.ts`, `./Conv2DBackpropInput.ts`) share:
 * the geometry of the forward convolution, the patch-convolution test (kernel = stride, no padding, exact
 * tiling: the 2x2/stride-2 transposed convolution of a U-Net decoder, which takes a single matrix product
 * plus a transpose in both directions), and small wrappers over stock wasm kernels.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from './util';
import { free, internals, memoryOffset, reshape, run, transpose } from './util';

export function slice4(backend: BackendWasm, x: TensorInfo, size: number[]): TensorInfo {
  return run(backend, 'Slice', { x }, { begin: [0, 0, 0, 0], size });
}

export type Pad = [number, number];

/** Forward convolution with explicit padding (may be asymmetric), NHWC. */
export function conv(
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

export interface ConvGeometry {
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

/** The attributes Conv2DBackpropFilter and Conv2DBackpropInput share. */
export type ConvAttrs = Pick<tf.Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>;

export function geometry(xShape: number[], filterShape: number[], attrs: ConvAttrs): ConvGeometry {
  const dataFormat = attrs.dataFormat ?? 'NHWC';
  if (dataFormat !== 'NHWC') throw new Error(`wasm training kernels support NHWC only, got ${dataFormat}`);
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
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
export function isPatchConv(g: ConvGeometry): boolean {
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
export function toPatches(backend: BackendWasm, x: TensorInfo, g: ConvGeometry): TensorInfo {
  const r = reshape(backend, x, [g.batch, g.outH, g.kH, g.outW, g.kW, g.inC]);
  const t = transpose(backend, r, [0, 1, 3, 2, 4, 5]);
  free(backend, r);
  const out = reshape(backend, t, [g.batch * g.outH * g.outW, g.kH * g.kW * g.inC]);
  free(backend, t);
  return out;
}

/** `a · b` for 2-D `a`, `b` (no transposed operands: the wasm kernel is slow with them). */
export function matMul(backend: BackendWasm, a: TensorInfo, b: TensorInfo) {
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
export function withView<T>(
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
