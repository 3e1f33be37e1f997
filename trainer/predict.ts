/**
 * Inference at any image size with bounded memory, the same on every backend.
 *
 * The network runs at the working scale: the caller hands over the image already resized the way
 * training resized it (`working`), plus the size of the output (the image's own size). When the working
 * image is larger than the network's tile, it is cut into tiles that overlap; each tile's class
 * probabilities count only from `margin` pixels inside its inner edges and then fade in linearly across
 * the rest of the overlap, and the weighted sum is divided by the weight sum, so neighbouring tiles blend
 * without a seam. (With a margin at least the network's receptive field radius, and tile offsets on the
 * network's down-sampling grid, the blended result equals running the network on the whole working
 * image at once.)
 *
 * The probabilities, not the labels, are upsampled (bilinear, pixel centres aligned as in a `fill`
 * resize) to the output size. That happens row by row, in plain JavaScript, as soon as the working rows
 * a band of output rows needs are final, so the memory used is the output (one byte of class and one of
 * confidence per pixel) plus one band of tiles at the working scale; the accelerator only ever holds one
 * tile, so GPU memory never decides whether a large image can be predicted.
 */
import * as tf from '@tensorflow/tfjs';
import { normalizeImages } from './model';

export interface Prediction {
  /** width*height class indices 0..C-1. */
  classes: Uint8Array;
  /** width*height probability of the chosen class, quantized: round(255 * p). */
  confidence: Uint8Array;
}

/** Interleaved RGB bytes, width*height*3. */
export interface RgbImage {
  data: Uint8Array;
  width: number;
  height: number;
}

export interface TileOptions {
  /** Network input [height, width] of one tile (the training size); a smaller image is one padded tile. */
  tile: [number, number];
  /** Least number of pixels consecutive tiles share (default a quarter of the tile, at least 4 * margin). */
  overlap?: number;
  /** Pixels along a tile's inner edges whose output is not used (default an eighth of the tile). */
  margin?: number;
  /** Tile sizes and offsets are multiples of this (default 2^(max-pooling layers of the model)). */
  multiple?: number;
  /**
   * Receives each output row's upsampled class probabilities (`width * C`, pixel-major) before its
   * argmax; the array is reused for the next row. For metrics at the image's own size.
   */
  onProbabilities?: (y: number, probabilities: Float32Array) => void;
}

/** What prediction needs of a model; a `tf.LayersModel` (tests pass stand-ins). */
export type Net = Pick<tf.LayersModel, 'predict'> & { layers?: tf.LayersModel['layers'] };

/**
 * The product of the model's down-sampling steps (2 per 2x2 max-pooling, the stride of a strided
 * convolution such as a stem): network inputs must be a multiple of it.
 */
export function sizeMultiple(model: Net): number {
  let m = 1;
  for (const l of model.layers ?? []) {
    if (l.getClassName() === 'MaxPooling2D') m *= 2;
    else if (l.getClassName() === 'Conv2D') m *= (l.getConfig().strides as number[] | undefined)?.[0] ?? 1;
  }
  return m;
}

const roundUp = (n: number, m: number) => Math.ceil(n / m) * m;

/**
 * Tiles along one axis of `n` pixels: offsets and the tile length. Offsets are multiples of `multiple`
 * except the last, which ends at `n`; consecutive tiles overlap by at least `overlap`.
 */
export function planAxis(
  n: number,
  tile: number,
  overlap: number,
  multiple: number,
): { offsets: number[]; size: number } {
  if (n <= tile) return { offsets: [0], size: roundUp(n, multiple) };
  const step = tile - overlap - (multiple - 1);
  if (step < 1) throw new RangeError(`overlap ${overlap} leaves no room in a tile of ${tile}`);
  const count = Math.ceil((n - tile) / step) + 1;
  const offsets: number[] = [];
  for (let i = 0; i < count - 1; i++) offsets.push(Math.floor((i * (n - tile)) / (count - 1) / multiple) * multiple);
  offsets.push(n - tile);
  return { offsets: [...new Set(offsets)], size: tile };
}

/**
 * Blending weight of each of a tile's `size` positions along one axis: 0 within `margin` of an inner
 * edge, then a linear ramp to 1 over `ramp` pixels. Edges on the image border are not inner edges.
 */
function axisWeights(size: number, innerLow: boolean, innerHigh: boolean, margin: number, ramp: number): Float32Array {
  const w = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const d = Math.min(innerLow ? i : Infinity, innerHigh ? size - 1 - i : Infinity);
    w[i] = Math.min(1, Math.max(0, (d - margin + 0.5) / ramp));
  }
  return w;
}

/** Source index pairs and fractions of a bilinear resize from `n` to `out` pixels, pixel centres aligned. */
function bilinearTaps(n: number, out: number): { i0: Int32Array; i1: Int32Array; f: Float32Array } {
  const i0 = new Int32Array(out);
  const i1 = new Int32Array(out);
  const f = new Float32Array(out);
  const scale = n / out;
  for (let x = 0; x < out; x++) {
    const s = Math.max(0, (x + 0.5) * scale - 0.5);
    const lo = Math.min(Math.floor(s), n - 1);
    i0[x] = lo;
    i1[x] = Math.min(lo + 1, n - 1);
    f[x] = s - lo;
  }
  return { i0, i1, f };
}

/** Softmax probabilities [th*tw*C] of one tile cut from `img` at (x0, y0), edge pixels repeated past the border. */
async function tileProbabilities(
  model: Net,
  img: RgbImage,
  x0: number,
  y0: number,
  tw: number,
  th: number,
): Promise<{ probs: Float32Array; classes: number }> {
  const rgb = new Float32Array(tw * th * 3);
  for (let y = 0; y < th; y++) {
    const sy = Math.min(y0 + y, img.height - 1);
    for (let x = 0; x < tw; x++) {
      const s = (sy * img.width + Math.min(x0 + x, img.width - 1)) * 3;
      const d = (y * tw + x) * 3;
      rgb[d] = img.data[s]!;
      rgb[d + 1] = img.data[s + 1]!;
      rgb[d + 2] = img.data[s + 2]!;
    }
  }
  const probs = tf.tidy(() => {
    const out = model.predict(normalizeImages(tf.tensor4d(rgb, [1, th, tw, 3]))) as tf.Tensor | tf.Tensor[];
    return tf.softmax(Array.isArray(out) ? out[0]! : out, -1);
  });
  try {
    return { probs: (await probs.data()) as Float32Array, classes: probs.shape[3]! };
  } finally {
    probs.dispose();
  }
}

/**
 * Predicts class and confidence for every pixel of a `width` x `height` output from the image at the
 * working scale. See the module comment for the method and its memory bound.
 */
export async function predictTiled(
  model: Net,
  working: RgbImage,
  width: number,
  height: number,
  options: TileOptions,
): Promise<Prediction> {
  const { width: rw, height: rh } = working;
  if (rw < 1 || rh < 1 || width < 1 || height < 1) throw new RangeError('empty image');
  const multiple = options.multiple ?? sizeMultiple(model);
  const [tileH, tileW] = options.tile;
  const margin = options.margin ?? Math.floor(Math.min(tileH, tileW) / 8);
  const overlap = options.overlap ?? Math.max(Math.floor(Math.min(tileH, tileW) / 4), 4 * margin);
  if (overlap < 2 * margin + 1) throw new RangeError(`overlap ${overlap} must exceed twice the margin ${margin}`);
  const ramp = overlap - 2 * margin;
  const cols = planAxis(rw, tileW, overlap, multiple);
  const rows = planAxis(rh, tileH, overlap, multiple);
  const wx = cols.offsets.map((_, i) => axisWeights(cols.size, i > 0, i < cols.offsets.length - 1, margin, ramp));
  const wy = rows.offsets.map((_, i) => axisWeights(rows.size, i > 0, i < rows.offsets.length - 1, margin, ramp));

  const classes = new Uint8Array(width * height);
  const confidence = new Uint8Array(width * height);
  const tx = bilinearTaps(rw, width);
  const ty = bilinearTaps(rh, height);
  let C = 0;
  // Working rows being accumulated (weighted sums and weight sums), and rows already final (probabilities).
  const open = new Map<number, { sum: Float32Array; weight: Float32Array }>();
  const final = new Map<number, Float32Array>();
  let finalUpTo = 0; // working rows < finalUpTo are final
  let nextOut = 0; // next output row to write
  let column = new Float32Array(0); // one output row's vertical interpolation at the working width
  const onProbabilities = options.onProbabilities;
  let rowProbabilities = new Float32Array(0);

  const emitRows = (done: boolean) => {
    while (nextOut < height && (done || ty.i1[nextOut]! < finalUpTo)) {
      const y = nextOut++;
      const a = final.get(ty.i0[y]!)!;
      const b = final.get(ty.i1[y]!)!;
      const fy = ty.f[y]!;
      for (let i = 0; i < column.length; i++) column[i] = a[i]! + (b[i]! - a[i]!) * fy;
      const base = y * width;
      for (let x = 0; x < width; x++) {
        const p0 = tx.i0[x]! * C;
        const p1 = tx.i1[x]! * C;
        const fx = tx.f[x]!;
        let best = 0;
        let bestP = -1;
        for (let k = 0; k < C; k++) {
          const p = column[p0 + k]! + (column[p1 + k]! - column[p0 + k]!) * fx;
          if (onProbabilities) rowProbabilities[x * C + k] = p;
          if (p > bestP) {
            bestP = p;
            best = k;
          }
        }
        classes[base + x] = best;
        confidence[base + x] = Math.min(255, Math.max(0, Math.round(255 * bestP)));
      }
      onProbabilities?.(y, rowProbabilities);
      // Working rows above this output row's upper tap are no longer needed.
      for (const r of final.keys()) if (r < ty.i0[y]!) final.delete(r);
    }
  };

  for (let r = 0; r < rows.offsets.length; r++) {
    const y0 = rows.offsets[r]!;
    for (let c = 0; c < cols.offsets.length; c++) {
      const x0 = cols.offsets[c]!;
      const t = await tileProbabilities(model, working, x0, y0, cols.size, rows.size);
      if (C === 0) {
        C = t.classes;
        if (C > 256) throw new RangeError('more than 256 classes');
        column = new Float32Array(rw * C);
        if (onProbabilities) rowProbabilities = new Float32Array(width * C);
      }
      const wr = wy[r]!;
      const wc = wx[c]!;
      for (let y = 0; y < rows.size && y0 + y < rh; y++) {
        if (wr[y] === 0) continue;
        let row = open.get(y0 + y);
        if (!row) open.set(y0 + y, (row = { sum: new Float32Array(rw * C), weight: new Float32Array(rw) }));
        for (let x = 0; x < cols.size && x0 + x < rw; x++) {
          const w = wr[y]! * wc[x]!;
          if (w === 0) continue;
          row.weight[x0 + x] += w;
          const s = (x0 + x) * C;
          const p = (y * cols.size + x) * C;
          for (let k = 0; k < C; k++) row.sum[s + k] += w * t.probs[p + k]!;
        }
      }
    }
    // Rows above the next tile row get nothing more: normalise them and write the output rows they complete.
    const upTo = r + 1 < rows.offsets.length ? rows.offsets[r + 1]! : rh;
    for (let y = finalUpTo; y < upTo; y++) {
      const row = open.get(y);
      if (!row) throw new Error(`working row ${y} got no tile`); // the tile plan guarantees coverage
      open.delete(y);
      for (let x = 0; x < rw; x++) for (let k = 0; k < C; k++) row.sum[x * C + k] /= row.weight[x]!;
      final.set(y, row.sum);
    }
    finalUpTo = upTo;
    emitRows(r === rows.offsets.length - 1);
  }
  return { classes, confidence };
}

/**
 * Whole-image convenience for small images held in memory (tests, the exported-model check): resizes
 * `rgb` to the training size with TensorFlow.js (bilinear) and predicts at the image's own size.
 */
export async function predictImage(
  model: Net,
  rgb: Uint8Array,
  width: number,
  height: number,
  inputSize: [number, number],
): Promise<Prediction> {
  const resized = tf.tidy(() =>
    tf.image
      .resizeBilinear(tf.tensor4d(rgb, [1, height, width, 3], 'float32'), inputSize, false, true)
      .round()
      .clipByValue(0, 255),
  );
  const data = Uint8Array.from(await resized.data());
  resized.dispose();
  return predictTiled(model, { data, width: inputSize[1], height: inputSize[0] }, width, height, { tile: inputSize });
}
