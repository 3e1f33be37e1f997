/**
 * Color prior for the random walker: per class color histograms of the painted pixels.
 *
 * The Lab cube spanned by the image is cut into `bins^3` cells; each class gets a histogram of its painted
 * pixels, blurred by a 3x3x3 box and normalised per class (so a class painted with few pixels is not
 * outvoted by a big one), and the prior of a pixel is `P(k | bin) = h_k(bin) / sum_j h_j(bin)` after
 * adding a small floor. Memory `bins^3 * K` floats; cost O(n * K).
 */
import { UNLABELED } from '../labelmap/types';

export interface ColorPrior {
  readonly K: number;
  readonly bins: number;
  /** Per channel: lowest value and bins per unit. */
  readonly lo: Float64Array;
  readonly scale: Float64Array;
  /** `Float32Array(bins^3 * K)`: P(k | bin), rows summing to 1. */
  readonly table: Float32Array;
}

function binOf(prior: ColorPrior, feat: Float32Array, i: number): number {
  const { bins, lo, scale } = prior;
  let idx = 0;
  for (let c = 0; c < 3; c++) {
    let b = Math.floor((feat[3 * i + c]! - lo[c]!) * scale[c]!);
    if (!(b >= 0)) b = 0;
    if (b >= bins) b = bins - 1;
    idx = idx * bins + b;
  }
  return idx;
}

/**
 * Builds the prior from Lab features (`Float32Array(count * 3)`) and compact seeds (`Uint8Array(count)`,
 * class 0..K-1 or 255).
 */
export function buildColorPrior(feat: Float32Array, seeds: Uint8Array, K: number, bins: number): ColorPrior {
  const count = seeds.length;
  const lo = new Float64Array(3).fill(Infinity);
  const hi = new Float64Array(3).fill(-Infinity);
  for (let i = 0; i < count; i++) {
    for (let c = 0; c < 3; c++) {
      const v = feat[3 * i + c]!;
      if (v < lo[c]!) lo[c] = v;
      if (v > hi[c]!) hi[c] = v;
    }
  }
  const scale = new Float64Array(3);
  for (let c = 0; c < 3; c++) {
    const span = hi[c]! - lo[c]!;
    scale[c] = span > 1e-9 ? (bins - 1e-6) / span : 0;
    if (!Number.isFinite(lo[c]!)) lo[c] = 0;
  }
  const cells = bins * bins * bins;
  const prior: ColorPrior = { K, bins, lo, scale, table: new Float32Array(cells * K) };
  const hist = new Float32Array(cells * K);
  const perClass = new Float64Array(K);
  for (let i = 0; i < count; i++) {
    const s = seeds[i]!;
    if (s === UNLABELED || s >= K) continue;
    hist[binOf(prior, feat, i) * K + s] += 1;
    perClass[s] += 1;
  }
  // 3x3x3 box blur, separable.
  let src = hist;
  let dst = new Float32Array(cells * K);
  const strides = [bins * bins, bins, 1];
  for (const stride of strides) {
    dst.fill(0);
    for (let cell = 0; cell < cells; cell++) {
      const coord = Math.floor(cell / stride) % bins;
      for (let d = -1; d <= 1; d++) {
        const cc = coord + d;
        if (cc < 0 || cc >= bins) continue;
        const other = (cell + d * stride) * K;
        for (let k = 0; k < K; k++) dst[cell * K + k] += src[other + k]!;
      }
    }
    const t = src;
    src = dst;
    dst = t;
  }
  const table = prior.table;
  for (let cell = 0; cell < cells; cell++) {
    let sum = 0;
    for (let k = 0; k < K; k++) {
      const v = src[cell * K + k]! / (27 * Math.max(perClass[k]!, 1)) + 1e-4 / cells;
      table[cell * K + k] = v;
      sum += v;
    }
    for (let k = 0; k < K; k++) table[cell * K + k] /= sum;
  }
  return prior;
}

/**
 * Prior of classes `[k0, k0 + kc)` for every pixel of a `w x h` level, on the padded cell-major layout
 * of the solver (`Float32Array(pw * (h + 2) * kc)`).
 */
export function priorOnGrid(
  prior: ColorPrior,
  feat: Float32Array,
  w: number,
  h: number,
  k0: number,
  kc: number,
): Float32Array {
  const pw = w + 2;
  const out = new Float32Array(pw * (h + 2) * kc);
  const { K, table } = prior;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const t = binOf(prior, feat, i) * K + k0;
      const o = ((y + 1) * pw + x + 1) * kc;
      for (let k = 0; k < kc; k++) out[o + k] = table[t + k]!;
    }
  }
  return out;
}
