/**
 * Augmentation at the working size, on typed arrays (no tensors). A training sample is kept at up to
 * twice the working size (services/dataset.ts), so zooming in shows real detail. Each crop:
 *
 * - a scale s, log-uniform in `scale` (default 0.5..2) relative to the working scale: at s = 1 the whole
 *   image fills the working size, at s = 2 a quarter of it does, at s = 0.5 the image fills a quarter of
 *   the crop and the rest is padding: labels 255 (unlabeled, so it adds no error), RGB mid-grey (128,
 *   about 0 after the model's normalisation);
 * - a window of the working size at that scale, placed uniformly, or (with probability `balanced`) so that
 *   it contains a pixel of a class drawn among the sample's classes with probability inversely
 *   proportional to that class's pixel frequency in the training set: thin rare classes (pole, sign,
 *   pedestrian) are seen far more often than their area alone would show them;
 * - images resampled with a triangle filter (bilinear when enlarging, widened to the reduction when
 *   reducing, so a reduced crop is not aliased), labels by nearest neighbour (never a value that is not
 *   in the sample);
 * - a horizontal flip with probability 1/2;
 * - photometric jitter: brightness, contrast and saturation factors uniform in [1 - a, 1 + a], as
 *   torchvision's ColorJitter defines them (brightness scales, contrast blends with the mean grey,
 *   saturation blends each pixel with its grey), applied in that order to the whole crop (padding
 *   too: it is unlabeled either way), clamped to 0..255. Labels are untouched.
 *
 * All randomness comes from the caller's seeded generator, so a run repeats exactly.
 */
import type { Sample } from './data';

export interface AugmentOptions {
  /** Range of the random scale relative to the working scale (log-uniform). */
  scale: readonly [number, number];
  flip: boolean;
  /** Largest relative change of each photometric factor (0 = off). */
  brightness: number;
  contrast: number;
  saturation: number;
  /** Probability that a crop is placed to contain a pixel of a rare class (class-balanced sampling). */
  balanced: number;
}

export const DEFAULT_AUGMENT: AugmentOptions = {
  scale: [0.5, 2],
  flip: true,
  brightness: 0.25,
  contrast: 0.25,
  saturation: 0.25,
  balanced: 0.5,
};

export interface Size {
  width: number;
  height: number;
}

/** Where a crop comes from: the geometric part of an augmentation. */
export interface CropPlan {
  /** Scale relative to the working scale (1: the whole image fills the working size). */
  scale: number;
  /** Top-left corner of the window in the sample's pixels (negative or past the end: padding). */
  x0: number;
  y0: number;
  flip: boolean;
}

/** RGB value of padding: mid-grey, about 0 after the model's normalisation. */
export const PAD_RGB = 128;
const UNLABELED = 255;

interface AxisTaps {
  /** Whether output position j's centre lies on the image. */
  inside: Uint8Array;
  /** The source pixel under output position j's centre (labels). */
  nearest: Int32Array;
  /** Taps of position j: `index`/`weight` from `start[j]` to `start[j + 1]`; weights sum to 1. */
  start: Int32Array;
  index: Int32Array;
  weight: Float32Array;
}

/**
 * Resampling taps along one axis: `out` positions whose centres are at x0 + (j + 0.5) * ratio in source
 * coordinates (pixel i spans [i, i + 1)). Triangle filter of half-width max(1, ratio), source pixels off
 * the image dropped and the weights renormalised.
 */
function axisTaps(out: number, src: number, x0: number, ratio: number): AxisTaps {
  const support = Math.max(1, ratio);
  const inside = new Uint8Array(out);
  const nearest = new Int32Array(out);
  const start = new Int32Array(out + 1);
  const index: number[] = [];
  const weight: number[] = [];
  for (let j = 0; j < out; j++) {
    const u = x0 + (j + 0.5) * ratio;
    nearest[j] = Math.floor(u);
    inside[j] = u >= 0 && u < src ? 1 : 0;
    if (inside[j]) {
      const first = index.length;
      let sum = 0;
      const lo = Math.max(0, Math.floor(u - 0.5 - support));
      const hi = Math.min(src - 1, Math.ceil(u - 0.5 + support));
      for (let i = lo; i <= hi; i++) {
        const w = 1 - Math.abs(i + 0.5 - u) / support;
        if (w <= 0) continue;
        index.push(i);
        weight.push(w);
        sum += w;
      }
      for (let k = first; k < weight.length; k++) weight[k]! /= sum;
    }
    start[j + 1] = index.length;
  }
  return { inside, nearest, start, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/**
 * The crop `plan` of `sample` at the working `size`: RGB resampled, labels nearest, padding outside the
 * image. O(size * taps): separable, rows first.
 */
export function cropSample(sample: Sample, size: Size, plan: CropPlan): Sample {
  const { width: W, height: H } = size;
  const { width: sw, height: sh } = sample;
  const tx = axisTaps(W, sw, plan.x0, sw / (W * plan.scale));
  const ty = axisTaps(H, sh, plan.y0, sh / (H * plan.scale));
  // Horizontal pass over the source rows the vertical taps read.
  let rowLo = sh;
  let rowHi = -1;
  for (let k = 0; k < ty.index.length; k++) {
    rowLo = Math.min(rowLo, ty.index[k]!);
    rowHi = Math.max(rowHi, ty.index[k]!);
  }
  const rows = new Float32Array(Math.max(0, rowHi - rowLo + 1) * W * 3);
  const src = sample.rgb;
  for (let r = rowLo; r <= rowHi; r++) {
    const s = r * sw * 3;
    const d = (r - rowLo) * W * 3;
    for (let x = 0; x < W; x++) {
      if (!tx.inside[x]) continue; // padding
      let a = 0;
      let b = 0;
      let c = 0;
      for (let k = tx.start[x]!; k < tx.start[x + 1]!; k++) {
        const w = tx.weight[k]!;
        const i = s + tx.index[k]! * 3;
        a += w * src[i]!;
        b += w * src[i + 1]!;
        c += w * src[i + 2]!;
      }
      rows[d + x * 3] = a;
      rows[d + x * 3 + 1] = b;
      rows[d + x * 3 + 2] = c;
    }
  }
  const rgb = new Uint8Array(W * H * 3).fill(PAD_RGB);
  const labels = sample.labels ? new Uint8Array(W * H).fill(UNLABELED) : null;
  for (let y = 0; y < H; y++) {
    if (!ty.inside[y]) continue;
    const labelRow = ty.nearest[y]! * sw;
    for (let x = 0; x < W; x++) {
      if (!tx.inside[x]) continue;
      const o = y * W + (plan.flip ? W - 1 - x : x);
      let a = 0;
      let b = 0;
      let c = 0;
      for (let k = ty.start[y]!; k < ty.start[y + 1]!; k++) {
        const w = ty.weight[k]!;
        const i = ((ty.index[k]! - rowLo) * W + x) * 3;
        a += w * rows[i]!;
        b += w * rows[i + 1]!;
        c += w * rows[i + 2]!;
      }
      // Weights sum to 1, so the values stay within 0..255; rounding is all that is left.
      rgb[o * 3] = Math.round(a);
      rgb[o * 3 + 1] = Math.round(b);
      rgb[o * 3 + 2] = Math.round(c);
      if (labels) labels[o] = sample.labels![labelRow + tx.nearest[x]!]!;
    }
  }
  return { width: W, height: H, rgb, labels, sampleWeight: sample.sampleWeight };
}

/** `sample` at the working size (the whole image, no flip): itself when it already is. */
export function atWorkingSize(sample: Sample, size: Size): Sample {
  if (sample.width === size.width && sample.height === size.height) return sample;
  return cropSample(sample, size, { scale: 1, x0: 0, y0: 0, flip: false });
}

export interface JitterFactors {
  brightness: number;
  contrast: number;
  saturation: number;
}

/** Applies the photometric factors to interleaved RGB in place (see the module comment). O(pixels). */
export function jitter(rgb: Uint8Array, f: JitterFactors): Uint8Array {
  const n = rgb.length / 3;
  let grey = 0;
  for (let i = 0; i < rgb.length; i += 3) grey += 0.299 * rgb[i]! + 0.587 * rgb[i + 1]! + 0.114 * rgb[i + 2]!;
  const mean = n ? (grey / n) * f.brightness : 0;
  const clamp = (v: number) => (v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v));
  for (let i = 0; i < rgb.length; i += 3) {
    const r = mean + f.contrast * (rgb[i]! * f.brightness - mean);
    const g = mean + f.contrast * (rgb[i + 1]! * f.brightness - mean);
    const b = mean + f.contrast * (rgb[i + 2]! * f.brightness - mean);
    const y = 0.299 * r + 0.587 * g + 0.114 * b;
    rgb[i] = clamp(y + f.saturation * (r - y));
    rgb[i + 1] = clamp(y + f.saturation * (g - y));
    rgb[i + 2] = clamp(y + f.saturation * (b - y));
  }
  return rgb;
}

/**
 * Class frequencies of a training set, for class-balanced crops: per sample, its pixels per class (counted
 * once, on first use), and over the whole set, the inverse of each class's pixel frequency.
 */
export class ClassBalance {
  readonly inverseFrequency: Float64Array;
  private readonly counts = new Map<Sample, Float64Array>();

  constructor(
    samples: readonly Sample[],
    readonly numClasses: number,
  ) {
    const total = new Float64Array(numClasses);
    for (const s of samples) {
      const c = this.countsOf(s);
      for (let k = 0; k < numClasses; k++) total[k]! += c[k]!;
    }
    const sum = total.reduce((a, b) => a + b, 0);
    this.inverseFrequency = total.map((t) => (t > 0 ? sum / t : 0));
  }

  countsOf(sample: Sample): Float64Array {
    let c = this.counts.get(sample);
    if (!c) {
      c = new Float64Array(this.numClasses);
      const labels = sample.labels ?? new Uint8Array(0);
      for (let i = 0; i < labels.length; i++) if (labels[i]! < this.numClasses) c[labels[i]!]!++;
      this.counts.set(sample, c);
    }
    return c;
  }

  /**
   * A pixel of `sample` of a class drawn among its classes with probability proportional to the inverse
   * frequency, uniform among that class's pixels; null when the sample has no labeled pixel. O(pixels).
   */
  pickPixel(sample: Sample, random: () => number): { x: number; y: number } | null {
    const counts = this.countsOf(sample);
    let sum = 0;
    for (let k = 0; k < this.numClasses; k++) if (counts[k]! > 0) sum += this.inverseFrequency[k]!;
    if (sum <= 0 || !sample.labels) return null;
    let t = random() * sum;
    let cls = -1;
    for (let k = 0; k < this.numClasses && cls < 0; k++) {
      if (counts[k]! <= 0) continue;
      t -= this.inverseFrequency[k]!;
      if (t < 0) cls = k;
    }
    // Rounding can leave t at >= 0 after the last class: it is that class.
    for (let k = this.numClasses - 1; k >= 0 && cls < 0; k--) if (counts[k]! > 0) cls = k;
    let n = Math.floor(random() * counts[cls]!);
    const labels = sample.labels;
    for (let i = 0; i < labels.length; i++) {
      if (labels[i] === cls && n-- === 0) return { x: i % sample.width, y: Math.floor(i / sample.width) };
    }
    return null; // unreachable: the counts came from these labels
  }
}

/**
 * Window start along one axis, uniform over the starts that keep the window on the image (scale >= 1)
 * or the image in the window (scale < 1).
 */
function uniformStart(src: number, windowLength: number, random: () => number): number {
  const lo = Math.min(0, src - windowLength);
  const hi = Math.max(0, src - windowLength);
  return lo + random() * (hi - lo);
}

/**
 * Window start along one axis such that output position j's centre falls on the centre of source pixel
 * `p` (so nearest-neighbour labels certainly show it), j uniform among the positions that keep the window
 * within the uniform range; when none does (a window about the image's size), the nearest one.
 */
function startThrough(p: number, out: number, src: number, windowLength: number, random: () => number): number {
  const ratio = windowLength / out;
  const lo = Math.min(0, src - windowLength);
  const hi = Math.max(0, src - windowLength);
  const jMin = (p + 0.5 - hi) / ratio - 0.5;
  const jMax = (p + 0.5 - lo) / ratio - 0.5;
  const a = Math.max(0, Math.ceil(jMin));
  const b = Math.min(out - 1, Math.floor(jMax));
  const j =
    a <= b ? a + Math.floor(random() * (b - a + 1)) : Math.min(out - 1, Math.max(0, Math.round((jMin + jMax) / 2)));
  return p + 0.5 - (j + 0.5) * ratio;
}

/** Draws a crop plan (see the module comment); `balance` enables class-balanced placement. */
function planCrop(
  sample: Sample,
  size: Size,
  random: () => number,
  options: AugmentOptions,
  balance?: ClassBalance,
): CropPlan {
  const [lo, hi] = options.scale;
  const scale = Math.exp(Math.log(lo) + random() * (Math.log(hi) - Math.log(lo)));
  const ww = sample.width / scale;
  const wh = sample.height / scale;
  const target =
    balance && options.balanced > 0 && random() < options.balanced ? balance.pickPixel(sample, random) : null;
  const x0 = target
    ? startThrough(target.x, size.width, sample.width, ww, random)
    : uniformStart(sample.width, ww, random);
  const y0 = target
    ? startThrough(target.y, size.height, sample.height, wh, random)
    : uniformStart(sample.height, wh, random);
  return { scale, x0, y0, flip: options.flip && random() < 0.5 };
}

/** Draws photometric factors uniform in [1 - a, 1 + a]. */
function drawJitter(random: () => number, options: AugmentOptions): JitterFactors {
  const draw = (a: number) => (a > 0 ? 1 - a + 2 * a * random() : 1);
  return {
    brightness: draw(options.brightness),
    contrast: draw(options.contrast),
    saturation: draw(options.saturation),
  };
}

/** One augmented crop of `sample` at the working size. */
export function augmentSample(
  sample: Sample,
  size: Size,
  random: () => number,
  options: AugmentOptions,
  balance?: ClassBalance,
): Sample {
  const crop = cropSample(sample, size, planCrop(sample, size, random, options, balance));
  if (options.brightness > 0 || options.contrast > 0 || options.saturation > 0)
    jitter(crop.rgb, drawJitter(random, options));
  return crop;
}
