/**
 * Project kernels for tfjs-backend-webgpu, where its own are slow on the training step.
 *
 * Conv2DBackpropFilter (the filter gradient of every convolution): tfjs's program runs one GPU thread per
 * filter weight, each summing over the whole batch (B * outHeight * outWidth products): a 3x3x16x16
 * filter is 2304 threads for millions of products each, a few percent of a GPU's threads busy. It was
 * 47% of the step's GPU time (`bench/train/profile.ts --backend webgpu`). Here the sum is split over the
 * rows (b, y) of the output: a first program writes a partial filter per group of rows (up to
 * `MAX_PARTIAL` floats in all, so memory stays bounded), and tfjs's Sum reduces the partials. Same
 * arithmetic per product; only the order of the additions differs. NCHW inputs, and sums too small to
 * gain from a split, keep tfjs's own program.
 */
import * as tf from '@tensorflow/tfjs';

/** At most this many partial sums (floats) in the intermediate buffer: 32 MB. */
const MAX_PARTIAL = 8 * 1024 * 1024;
/** Below this many products per weight the stock program is used. */
const MIN_SPLIT_WORK = 4096;

interface WebGpuBackendLike extends tf.KernelBackend {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms: object[]): tf.TensorInfo;
}

interface WebGpuUtil {
  flatDispatchLayout(shape: number[]): { x: number[] };
  computeDispatch(layout: { x: number[] }, shape: number[], workgroupSize: [number, number, number]): number[];
}

class SplitConv2DDerFilterProgram {
  readonly variableNames = ['x', 'dy'];
  readonly uniforms =
    'pads : vec2<i32>, strides : vec2<i32>, rows : i32, rowsPerSplit : i32, outHeight : i32, outWidth : i32, inHeight : i32, inWidth : i32,';
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly size = true;
  readonly shaderKey = 'maskwrightConv2DDerFilterSplit';
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: number[];

  constructor(
    readonly outputShape: number[],
    util: WebGpuUtil,
  ) {
    this.dispatchLayout = util.flatDispatchLayout(outputShape);
    this.dispatch = util.computeDispatch(this.dispatchLayout, outputShape, this.workgroupSize);
  }

  getUserCode(): string {
    return `
    fn main(index : i32) {
      if (index < uniforms.size) {
        let coords = getCoordsFromIndex(index);
        let split = coords.x;
        let wR = coords.y;
        let wC = coords.z;
        let d1 = coords.w;
        let d2 = coords.u;
        let first = split * uniforms.rowsPerSplit;
        let last = min(first + uniforms.rowsPerSplit, uniforms.rows);
        var dotProd = 0.0;
        for (var r = first; r < last; r = r + 1) {
          let b = r / uniforms.outHeight;
          let yR = r - b * uniforms.outHeight;
          let xR = wR + yR * uniforms.strides[0] - uniforms.pads[0];
          if (xR < 0 || xR >= uniforms.inHeight) {
            continue;
          }
          for (var yC = 0; yC < uniforms.outWidth; yC = yC + 1) {
            let xC = wC + yC * uniforms.strides[1] - uniforms.pads[1];
            if (xC < 0 || xC >= uniforms.inWidth) {
              continue;
            }
            dotProd = dotProd + getX(b, xR, xC, d1) * getDy(b, yR, yC, d2);
          }
        }
        setOutputAtIndex(index, dotProd);
      }
    }
  `;
  }
}

/** How the filter gradient is split: rows of the output per partial, and the number of partials. */
export function filterGradSplit(convInfo: {
  batchSize: number;
  outHeight: number;
  outWidth: number;
  filterShape: number[] | readonly number[];
}): { rowsPerSplit: number; splits: number } | null {
  const rows = convInfo.batchSize * convInfo.outHeight;
  if (rows * convInfo.outWidth < MIN_SPLIT_WORK) return null;
  const filterSize = convInfo.filterShape.reduce((a, b) => a * b, 1);
  const maxSplits = Math.max(1, Math.min(rows, Math.floor(MAX_PARTIAL / filterSize)));
  if (maxSplits < 2) return null;
  const rowsPerSplit = Math.ceil(rows / maxSplits);
  return { rowsPerSplit, splits: Math.ceil(rows / rowsPerSplit) };
}

let registered = false;
let enabled = true;

/** Benchmarks compare with tfjs's own kernels in the same process: false routes every call to them. */
export function setWebGpuKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** Replaces tfjs-backend-webgpu's Conv2DBackpropFilter (call after the package is loaded). */
export function registerWebGpuTrainingKernels(util: WebGpuUtil): void {
  if (registered) return;
  const stock = tf.getKernel('Conv2DBackpropFilter', 'webgpu');
  if (!stock) throw new Error('webgpu kernel Conv2DBackpropFilter is not registered');
  const sum = tf.getKernel('Sum', 'webgpu');
  if (!sum) throw new Error('webgpu kernel Sum is not registered');
  tf.unregisterKernel('Conv2DBackpropFilter', 'webgpu');
  tf.registerKernel({
    ...stock,
    kernelFunc: (args) => {
      const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
      const attrs = args.attrs as unknown as tf.Conv2DBackpropFilterAttrs;
      if (!enabled || attrs.dataFormat === 'NCHW') return stock.kernelFunc(args);
      const convInfo = tf.backend_util.computeConv2DInfo(
        x.shape as [number, number, number, number],
        attrs.filterShape,
        attrs.strides,
        1,
        attrs.pad,
        attrs.dimRoundingMode,
        false,
        'channelsLast',
      );
      const plan = filterGradSplit(convInfo);
      if (!plan) return stock.kernelFunc(args);
      const backend = args.backend as WebGpuBackendLike;
      const program = new SplitConv2DDerFilterProgram([plan.splits, ...convInfo.filterShape], util);
      const partial = backend.runWebGPUProgram(program, [x, dy], 'float32', [
        { type: 'int32', data: [convInfo.padInfo.top, convInfo.padInfo.left] },
        { type: 'int32', data: [convInfo.strideHeight, convInfo.strideWidth] },
        { type: 'int32', data: [convInfo.batchSize * convInfo.outHeight] },
        { type: 'int32', data: [plan.rowsPerSplit] },
        { type: 'int32', data: [convInfo.outHeight] },
        { type: 'int32', data: [convInfo.outWidth] },
        { type: 'int32', data: [convInfo.inHeight] },
        { type: 'int32', data: [convInfo.inWidth] },
      ]);
      try {
        return sum.kernelFunc({
          inputs: { x: partial },
          backend,
          attrs: { axis: [0], keepDims: false } as unknown as tf.NamedAttrMap,
        });
      } finally {
        backend.disposeData(partial.dataId);
      }
    },
  });
  registered = true;
}
