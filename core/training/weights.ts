/**
 * Class weights by median frequency balancing (Eigen & Fergus 2015), computed from per-image histograms of
 * LABELED pixels only:
 *
 *   freq_c = (pixels of class c over the images where c appears)
 *          / (labeled pixels of those same images)
 *   w_c    = median over present classes of freq / freq_c
 *
 * "Labeled pixels" of an image are its pixels whose label is a class id in 0..C-1; unlabeled pixels (255)
 * and any other value count nowhere, neither in the numerator nor in the denominator. An image "contains"
 * class c when it has at least one labeled pixel of class c. The median is taken over the classes that
 * appear at least once; with an even number of them it is the mean of the two middle values. Classes that
 * appear nowhere get weight 0 (they cannot be learned; a weight would be meaningless) and are listed in
 * `absent`. User overrides replace computed weights; a weight of 0 removes a class from the loss.
 */

/** Labeled pixels per class of one label image (`ignoreValue` and values outside 0..C-1 are skipped). */
export function classHistogram(labels: ArrayLike<number>, numClasses: number, ignoreValue = 255): Float64Array {
  const counts = new Float64Array(numClasses);
  for (let i = 0; i < labels.length; i++) {
    const v = labels[i]!;
    if (v === ignoreValue || !(v >= 0 && v < numClasses)) continue;
    counts[v] += 1;
  }
  return counts;
}

export interface MedianFrequencyWeights {
  /** w_c per class; 0 for absent classes. */
  readonly weights: Float64Array;
  /** freq_c per class; NaN for absent classes. */
  readonly frequency: Float64Array;
  /** Median of the frequencies of the present classes; NaN when no class is present. */
  readonly median: number;
  /** Class ids with no labeled pixel in any image. */
  readonly absent: number[];
  /** Labeled pixels per class over all images. */
  readonly pixels: Float64Array;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Median frequency weights from per-image class histograms (each of length `numClasses`, counting
 * labeled pixels only, as `classHistogram` returns them). Cost O(images * C).
 */
export function medianFrequencyWeights(
  histograms: readonly ArrayLike<number>[],
  numClasses: number,
): MedianFrequencyWeights {
  if (!Number.isInteger(numClasses) || numClasses < 1)
    throw new RangeError(`numClasses must be >= 1, got ${numClasses}`);
  const classPixels = new Float64Array(numClasses);
  const imagePixels = new Float64Array(numClasses);
  for (const h of histograms) {
    if (h.length !== numClasses) {
      throw new RangeError(`histogram has ${h.length} entries, expected ${numClasses}`);
    }
    let total = 0;
    for (let c = 0; c < numClasses; c++) {
      const v = h[c]!;
      if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`histogram count must be finite and >= 0, got ${v}`);
      total += v;
    }
    for (let c = 0; c < numClasses; c++) {
      if (h[c]! > 0) {
        classPixels[c] += h[c]!;
        imagePixels[c] += total;
      }
    }
  }
  const frequency = new Float64Array(numClasses).fill(NaN);
  const present: number[] = [];
  const absent: number[] = [];
  for (let c = 0; c < numClasses; c++) {
    if (classPixels[c]! > 0) {
      frequency[c] = classPixels[c]! / imagePixels[c]!;
      present.push(frequency[c]!);
    } else {
      absent.push(c);
    }
  }
  const med = median(present);
  const weights = new Float64Array(numClasses);
  for (let c = 0; c < numClasses; c++) weights[c] = classPixels[c]! > 0 ? med / frequency[c]! : 0;
  return { weights, frequency, median: med, absent, pixels: classPixels };
}

/** Per-class user overrides: an array (null/undefined entries keep the computed weight) or a map. */
export type ClassWeightOverrides = readonly (number | null | undefined)[] | ReadonlyMap<number, number>;

/**
 * Computed weights with the user's overrides merged in. Overrides must be finite and >= 0 (0 ignores the
 * class) and name class ids in 0..C-1; anything else throws, so a typo cannot silently reweight training.
 */
export function mergeClassWeights(computed: ArrayLike<number>, overrides?: ClassWeightOverrides): Float64Array {
  const out = Float64Array.from(computed);
  if (!overrides) return out;
  const entries: [number, number | null | undefined][] =
    overrides instanceof Map
      ? [...overrides.entries()]
      : (overrides as readonly (number | null | undefined)[]).map((v, i) => [i, v]);
  for (const [c, v] of entries) {
    if (v == null) continue;
    if (!Number.isInteger(c) || c < 0 || c >= out.length) {
      throw new RangeError(`class weight override for class ${c}, but there are ${out.length} classes`);
    }
    if (!Number.isFinite(v) || v < 0)
      throw new RangeError(`class weight for class ${c} must be finite and >= 0, got ${v}`);
    out[c] = v;
  }
  return out;
}

/** Throws unless `weights` has one finite, non-negative entry per class and at least one is positive. */
export function assertClassWeights(weights: ArrayLike<number>, numClasses: number): void {
  if (weights.length !== numClasses) {
    throw new RangeError(`${weights.length} class weights for ${numClasses} classes`);
  }
  let positive = false;
  for (let c = 0; c < numClasses; c++) {
    const v = weights[c]!;
    if (!Number.isFinite(v) || v < 0) throw new RangeError(`class weight ${c} must be finite and >= 0, got ${v}`);
    if (v > 0) positive = true;
  }
  if (!positive) throw new RangeError('every class weight is 0: nothing would be trained');
}
