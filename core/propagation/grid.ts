/**
 * The 4-connected pixel graph of one pyramid level, stored on a padded grid.
 *
 * Padding: a level of `w x h` pixels lives on a `(w + 2) x (h + 2)` grid (`pw = w + 2`) whose border cells
 * are inert (weight 0, never free), so stencils need no bounds checks. Padded index of pixel (x, y) is
 * `(y + 1) * pw + x + 1`. Memory: about `n * 17` bytes for `n = pw * (h + 2)` cells.
 */
import { UNLABELED } from '../labelmap/types';

/** `seed` value of a border cell. */
const BORDER = 254;

export interface GridLevel {
  readonly w: number;
  readonly h: number;
  /** Padded width `w + 2`. */
  readonly pw: number;
  /** Padded cell count `(w + 2) * (h + 2)`. */
  readonly n: number;
  /** `wR[p]`: weight of the edge p -- p+1; `wD[p]`: weight of p -- p+pw. 0 on and towards the border. */
  readonly wR: Float32Array;
  readonly wD: Float32Array;
  /** Weighted degree of each cell (sum of its four edge weights). */
  readonly deg: Float32Array;
  /** Compact class index of a painted cell, {@link UNLABELED} for a free cell, {@link BORDER} for padding. */
  readonly seed: Uint8Array;
}

/** Padded index of pixel (x, y). */
export function padIndex(pw: number, x: number, y: number): number {
  return (y + 1) * pw + x + 1;
}

/**
 * Builds the graph of a `w x h` level from its features (`Float32Array(w * h * c)`, interleaved) and its
 * seeds (`Uint8Array(w * h)`, compact class or 255).
 *
 * Weights are Gaussian in feature distance, computed so that nothing underflows to an all-zero node:
 * `d2` = squared feature distance of an edge, `s2` = mean `d2` over the level (the per-image scale; 1 if
 * the image is flat), `m(p)` = smallest `d2` among p's edges (its nearest neighbour), and
 * `w(p, q) = exp(-beta * (d2 - max(m(p), m(q))) / s2)`. The exponent is never positive, and for p's
 * nearest neighbour q it is exactly 0 (since m(q) <= d2(p, q) = m(p)), so every node with a neighbour has
 * an edge of weight 1 and a degree >= 1, for any finite beta >= 0. Cost O(w * h * c).
 */
export function buildGridLevel(
  feat: Float32Array,
  c: number,
  seeds: Uint8Array,
  w: number,
  h: number,
  beta: number,
): GridLevel {
  const pw = w + 2;
  const n = pw * (h + 2);
  const dR = new Float32Array(n);
  const dD = new Float32Array(n);
  const m = new Float32Array(n).fill(Infinity);
  let sum = 0;
  let edges = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const p = padIndex(pw, x, y);
      if (x + 1 < w) {
        let d = 0;
        for (let k = 0; k < c; k++) {
          const t = feat[i * c + k]! - feat[(i + 1) * c + k]!;
          d += t * t;
        }
        dR[p] = d;
        sum += d;
        edges++;
        if (d < m[p]!) m[p] = d;
        if (d < m[p + 1]!) m[p + 1] = d;
      }
      if (y + 1 < h) {
        let d = 0;
        for (let k = 0; k < c; k++) {
          const t = feat[i * c + k]! - feat[(i + w) * c + k]!;
          d += t * t;
        }
        dD[p] = d;
        sum += d;
        edges++;
        if (d < m[p]!) m[p] = d;
        if (d < m[p + pw]!) m[p + pw] = d;
      }
    }
  }
  const s2 = edges > 0 && sum > 0 && Number.isFinite(sum) ? sum / edges : 1;
  const scale = beta / s2;
  const wR = new Float32Array(n);
  const wD = new Float32Array(n);
  const deg = new Float32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const p = padIndex(pw, x, y);
      if (x + 1 < w) {
        const e = dR[p]! - Math.max(m[p]!, m[p + 1]!);
        const v = Math.exp(-scale * (e > 0 ? e : 0));
        wR[p] = v;
        deg[p] += v;
        deg[p + 1] += v;
      }
      if (y + 1 < h) {
        const e = dD[p]! - Math.max(m[p]!, m[p + pw]!);
        const v = Math.exp(-scale * (e > 0 ? e : 0));
        wD[p] = v;
        deg[p] += v;
        deg[p + pw] += v;
      }
    }
  }
  const seed = new Uint8Array(n).fill(BORDER);
  for (let y = 0; y < h; y++) {
    const row = padIndex(pw, 0, y);
    seed.set(seeds.subarray(y * w, y * w + w), row);
  }
  return { w, h, pw, n, wR, wD, deg, seed };
}

/**
 * Downsamples a label map by an integer factor: a coarse pixel takes the class of its painted children
 * when they all agree, and stays 255 when none is painted or they disagree. Output
 * `Uint8Array(ceil(width/f) * ceil(height/f))`. Cost O(width * height).
 */
export function downsampleSeeds(labels: Uint8Array, width: number, height: number, factor: number): Uint8Array {
  const w = Math.ceil(width / factor);
  const h = Math.ceil(height / factor);
  const CONFLICT = 254;
  const out = new Uint8Array(w * h).fill(UNLABELED);
  for (let y = 0; y < height; y++) {
    const row = ((y / factor) | 0) * w;
    for (let x = 0; x < width; x++) {
      const v = labels[y * width + x]!;
      if (v === UNLABELED) continue;
      const o = row + ((x / factor) | 0);
      const cur = out[o]!;
      if (cur === UNLABELED) out[o] = v;
      else if (cur !== v) out[o] = CONFLICT;
    }
  }
  for (let i = 0; i < out.length; i++) if (out[i] === CONFLICT) out[i] = UNLABELED;
  return out;
}
