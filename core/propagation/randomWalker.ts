/**
 * Multilabel random walker (Grady 2006) with a color prior (Grady 2005), solved coarse to fine.
 *
 * Pipeline for a `W x H` image with K painted classes:
 * 1. Working resolution: box-downsample by the integer factor `f = ceil(sqrt(W * H / maxWorkingPixels))`
 *    (f = 1 for ordinary images); seeds are downsampled by agreement ({@link downsampleSeeds}).
 * 2. Pyramid of 2x2 averages down to about `coarsestPixels`; one Gaussian-weighted 4-connected graph per
 *    level ({@link buildGridLevel}).
 * 3. Coarsest level (a few thousand pixels): banded Cholesky, exact. Each finer level starts from the
 *    coarser solution (nearest-neighbour prolongation) and runs block CG: a small fixed budget on the
 *    intermediate levels, `tol` / `maxIter` on the working level. Errors left after prolongation are
 *    local (near edges), which CG removes in a few sweeps.
 * 4. Appearance: the working-level probabilities are multiplied by a per-tile color likelihood of the
 *    painted classes ({@link applyAppearance}) and renormalised.
 * 5. Back at full resolution (f > 1): joint bilateral upsampling of the class probabilities.
 *
 * Classes are solved in chunks of at most `chunk` so that memory stays O(n * chunk).
 */
import { buildGridLevel, downsampleSeeds, type GridLevel } from './grid';
import { downsampleRgb, halveFeatures, rgbToLab } from './features';
import { buildColorPrior, priorOnGrid } from './prior';
import { buildRhs, solveBlockCg } from './solver';
import { solveDirect } from './direct';
import { applyAppearance } from './appearance';
import { PropagationCancelled } from './errors';
import { UNLABELED } from '../labelmap/types';
import type { PropagationImage } from './types';

export interface RandomWalkerTuning {
  readonly beta: number;
  readonly priorWeight: number;
  readonly priorBins: number;
  /** CG iteration cap on the working (finest solved) level. */
  readonly maxIter: number;
  /** Relative residual at which the working-level CG stops. */
  readonly tol: number;
  readonly maxWorkingPixels: number;
  /** The pyramid stops halving once a level has at most this many pixels; that level is solved directly. */
  readonly coarsestPixels: number;
  /** CG budget of the intermediate levels, finest intermediate first (the last value repeats). */
  readonly levelIters: readonly number[];
  /** Range sigma (RGB units) of the joint bilateral upsampling. */
  readonly upsampleSigma: number;
  /** Classes solved together (memory O(n * chunk)). */
  readonly chunk: number;
  /** Exponent of the appearance likelihood (0 = plain random walker); see {@link applyAppearance}. */
  readonly appearancePower: number;
  /** Lab bins per axis, tiles per image axis, and image-wide weight of the appearance model. */
  readonly appearanceBins: number;
  readonly appearanceTiles: number;
  readonly appearanceGlobalMix: number;
  /** Pseudo-count of the appearance model (`AppearanceParams.floor`). */
  readonly appearanceFloor: number;
}

export const DEFAULT_TUNING: RandomWalkerTuning = {
  beta: 10,
  priorWeight: 0,
  priorBins: 12,
  maxIter: 25,
  tol: 5e-2,
  maxWorkingPixels: 50_000,
  coarsestPixels: 12_000,
  levelIters: [10],
  upsampleSigma: 12,
  chunk: 16,
  appearancePower: 0.8,
  appearanceBins: 20,
  appearanceTiles: 5,
  appearanceGlobalMix: 0.2,
  appearanceFloor: 1,
};

export interface WalkerOutput {
  /** Compact class per pixel (index into the caller's class list), `Uint8Array(W * H)`. */
  readonly best: Uint8Array;
  /** Probability of that class, `Float32Array(W * H)`, clamped to [0, 1]. */
  readonly prob: Float32Array;
  readonly converged: boolean;
  /** CG iterations on the working level (summed over class chunks). */
  readonly iterations: number;
  /** Relative residual of the working-level solve (largest over class chunks). */
  readonly residual: number;
}

interface Level {
  readonly grid: GridLevel;
  readonly feat: Float32Array;
}

/** The walker solved at the working level: what {@link walkerRegion} reads to give any full-size pixel. */
export interface SolvedWalker {
  readonly image: PropagationImage;
  /** Working-level downsampling factor (1: the image itself). */
  readonly f: number;
  /** Working level: its size, box-averaged RGB (3 per cell) and class probabilities (K per cell). */
  readonly w: number;
  readonly h: number;
  readonly rgb: Float32Array;
  readonly probs: Float32Array;
  readonly K: number;
  readonly sigma: number;
  readonly converged: boolean;
  readonly iterations: number;
  readonly residual: number;
}

/** A rectangle of full-size pixels sampled every `step` pixels: (x + i * step, y + j * step). */
export interface SampledRect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Columns and rows of `rect` sampled every `step` pixels. */
export function sampledSize(rect: SampledRect, step: number): { cols: number; rows: number } {
  return { cols: Math.ceil(rect.width / step), rows: Math.ceil(rect.height / step) };
}

/**
 * Steps 1-4 of the pipeline (everything at the working level). Each full-size pixel's result then
 * depends on that pixel's colour and the working level only, so {@link walkerRegion} gives any part of
 * the image (the part on screen first) exactly as the whole image would have it.
 */
export function solveWalker(
  image: PropagationImage,
  compactSeeds: Uint8Array,
  K: number,
  t: RandomWalkerTuning,
  progress: (fraction: number) => void,
  shouldCancel: (() => boolean) | undefined,
): SolvedWalker {
  const { width, height } = image;
  const f = Math.max(1, Math.ceil(Math.sqrt((width * height) / Math.max(1, t.maxWorkingPixels))));
  const { rgb, w, h } = downsampleRgb(image, f);
  const lab = rgbToLab(rgb);
  const seeds0 = f === 1 ? compactSeeds : downsampleSeeds(compactSeeds, width, height, f);
  const prior = t.priorWeight > 0 ? buildColorPrior(lab, seeds0, K, t.priorBins) : null;
  const lambda = Math.max(t.priorWeight, 1e-6);

  // Pyramid, finest first.
  const levels: Level[] = [];
  let feat = lab;
  let seeds = seeds0;
  let lw = w;
  let lh = h;
  for (;;) {
    levels.push({ grid: buildGridLevel(feat, 3, seeds, lw, lh, t.beta), feat });
    if (lw * lh <= t.coarsestPixels || lw < 4 || lh < 4) break;
    const next = halveFeatures(feat, lw, lh, 3);
    seeds = downsampleSeeds(seeds, lw, lh, 2);
    feat = next.feat;
    lw = next.w;
    lh = next.h;
  }
  if (shouldCancel?.()) throw new PropagationCancelled();
  progress(0.1);

  const g0 = levels[0]!.grid;
  const nw = w * h;
  // Working-level probabilities of all classes, unpadded cell-major: Float32Array(nw * K).
  const probs = new Float32Array(nw * K);
  let converged = true;
  let iterations = 0;
  let residual = 0;
  const chunks = Math.ceil(K / t.chunk);
  for (let k0 = 0, ci = 0; k0 < K; k0 += t.chunk, ci++) {
    const kc = Math.min(t.chunk, K - k0);
    let x: Float32Array | null = null;
    for (let li = levels.length - 1; li >= 0; li--) {
      const { grid, feat: lf } = levels[li]!;
      const pr = prior ? priorOnGrid(prior, lf, grid.w, grid.h, k0, kc) : null;
      const b = buildRhs(grid, k0, kc, K, lambda, pr);
      if (x === null) {
        x = new Float32Array(grid.n * kc);
        solveDirect(grid, kc, lambda, b, x);
        continue;
      }
      x = prolong(x, levels[li + 1]!.grid, grid, k0, kc);
      const finest = li === 0;
      const rep = solveBlockCg(grid, kc, lambda, b, x, {
        maxIter: finest ? t.maxIter : t.levelIters[Math.min(li - 1, t.levelIters.length - 1)]!,
        tol: t.tol,
        shouldCancel,
      });
      if (finest) {
        iterations += rep.iterations;
        residual = Math.max(residual, rep.residual);
        if (!rep.converged) converged = false;
      }
    }
    const xs = x!;
    for (let y = 0; y < h; y++) {
      for (let xx = 0; xx < w; xx++) {
        const p = (y + 1) * g0.pw + xx + 1;
        const s = g0.seed[p]!;
        const o = (y * w + xx) * K + k0;
        if (s === UNLABELED) for (let k = 0; k < kc; k++) probs[o + k] = xs[p * kc + k]!;
        else for (let k = 0; k < kc; k++) probs[o + k] = s === k0 + k ? 1 : 0;
      }
    }
    progress(0.1 + (0.8 * (ci + 1)) / chunks);
  }
  if (shouldCancel?.()) throw new PropagationCancelled();
  applyAppearance(probs, lab, w, h, K, image, compactSeeds, f, {
    power: t.appearancePower,
    bins: t.appearanceBins,
    tiles: t.appearanceTiles,
    globalMix: t.appearanceGlobalMix,
    floor: t.appearanceFloor,
  });

  return { image, f, w, h, rgb, probs, K, sigma: t.upsampleSigma, converged, iterations, residual };
}

/**
 * Step 5 for the pixels of `rect` sampled every `step` pixels (row-major, `sampledSize` of them): the
 * class and its probability, clamped to [0, 1]. The whole image at step 1 is the walker's output.
 */
export function walkerRegion(s: SolvedWalker, rect: SampledRect, step: number): WalkerOutput {
  const { cols, rows } = sampledSize(rect, step);
  const best = new Uint8Array(cols * rows);
  const prob = new Float32Array(cols * rows);
  if (s.f === 1) {
    const row = new Float32Array(cols * s.K);
    for (let j = 0; j < rows; j++) {
      const y = rect.y + j * step;
      for (let i = 0; i < cols; i++) {
        const c = (y * s.w + rect.x + i * step) * s.K;
        row.set(s.probs.subarray(c, c + s.K), i * s.K);
      }
      argmaxRows(row, s.K, best.subarray(j * cols, (j + 1) * cols), prob.subarray(j * cols, (j + 1) * cols));
    }
  } else {
    upsampleBest(s.image, s.f, s.rgb, s.w, s.h, s.probs, s.K, s.sigma, rect, step, best, prob);
  }
  for (let i = 0; i < prob.length; i++) {
    const v = prob[i]!;
    prob[i] = v > 1 ? 1 : v > 0 ? v : 0;
  }
  return { best, prob, converged: s.converged, iterations: s.iterations, residual: s.residual };
}

/**
 * Bilinear prolongation of the class probabilities of classes `[k0, k0 + kc)` from a coarse level to the
 * next finer one (painted coarse cells count as 1 for their class, 0 otherwise). Cost O(n_fine * kc).
 */
function prolong(xc: Float32Array, gc: GridLevel, gf: GridLevel, k0: number, kc: number): Float32Array {
  const xf = new Float32Array(gf.n * kc);
  const val = (cx: number, cy: number, k: number): number => {
    const pc = (cy + 1) * gc.pw + cx + 1;
    const s = gc.seed[pc]!;
    return s === UNLABELED ? xc[pc * kc + k]! : s === k0 + k ? 1 : 0;
  };
  for (let y = 0; y < gf.h; y++) {
    const v = (y - 0.5) / 2;
    const y0 = Math.floor(v);
    const fy = v - y0;
    const ya = Math.max(0, Math.min(gc.h - 1, y0));
    const yb = Math.max(0, Math.min(gc.h - 1, y0 + 1));
    for (let x = 0; x < gf.w; x++) {
      const u = (x - 0.5) / 2;
      const x0 = Math.floor(u);
      const fx = u - x0;
      const xa = Math.max(0, Math.min(gc.w - 1, x0));
      const xb = Math.max(0, Math.min(gc.w - 1, x0 + 1));
      const pf = ((y + 1) * gf.pw + x + 1) * kc;
      for (let k = 0; k < kc; k++) {
        xf[pf + k] =
          (1 - fy) * ((1 - fx) * val(xa, ya, k) + fx * val(xb, ya, k)) +
          fy * ((1 - fx) * val(xa, yb, k) + fx * val(xb, yb, k));
      }
    }
  }
  return xf;
}

/**
 * Joint bilateral upsampling (Kopf et al. 2007) of working-resolution probabilities
 * (`probs`: `Float32Array(w * h * K)`) to full resolution: each full pixel mixes its four nearest working
 * pixels with bilinear weights times `exp(-|rgb_full - rgb_work|^2 / (2 sigma^2))`. Where the four share
 * their most likely class the result's argmax is that class (a convex combination keeps it), so only the
 * probability is mixed; elsewhere all K are. Cost O(W * H) plus O(K) per pixel near class boundaries.
 */
function upsampleBest(
  image: PropagationImage,
  f: number,
  rgbW: Float32Array,
  w: number,
  h: number,
  probs: Float32Array,
  K: number,
  sigma: number,
  rect: SampledRect,
  step: number,
  best: Uint8Array,
  prob: Float32Array,
): void {
  const { data, width, channels } = image;
  const { cols, rows } = sampledSize(rect, step);
  const inv2s2 = 1 / (2 * sigma * sigma);
  const nw = w * h;
  const cb = new Uint8Array(nw);
  const cp = new Float32Array(nw);
  argmaxRows(probs, K, cb, cp);
  // Per sampled column: the two source columns and the bilinear fraction.
  const xs0 = new Int32Array(cols);
  const xs1 = new Int32Array(cols);
  const fxs = new Float64Array(cols);
  for (let c = 0; c < cols; c++) {
    const u = (rect.x + c * step + 0.5) / f - 0.5;
    const x0 = Math.floor(u);
    fxs[c] = Math.min(Math.max(u - x0, 0), 1);
    xs0[c] = Math.min(Math.max(x0, 0), w - 1);
    xs1[c] = Math.min(Math.max(x0 + 1, 0), w - 1);
  }
  for (let row = 0; row < rows; row++) {
    const Y = rect.y + row * step;
    const v = (Y + 0.5) / f - 0.5;
    const y0f = Math.floor(v);
    const fy = Math.min(Math.max(v - y0f, 0), 1);
    const r0 = Math.min(Math.max(y0f, 0), h - 1) * w;
    const r1 = Math.min(Math.max(y0f + 1, 0), h - 1) * w;
    for (let col = 0; col < cols; col++) {
      const fx = fxs[col]!;
      const c0 = r0 + xs0[col]!;
      const c1 = r0 + xs1[col]!;
      const c2 = r1 + xs0[col]!;
      const c3 = r1 + xs1[col]!;
      const s = (Y * width + rect.x + col * step) * channels;
      const r = data[s]!;
      const gg = channels === 1 ? r : data[s + 1]!;
      const bb = channels === 1 ? r : data[s + 2]!;
      const w0 = (1 - fx) * (1 - fy) * (rangeW(rgbW, c0, r, gg, bb, inv2s2) + 1e-6);
      const w1 = fx * (1 - fy) * (rangeW(rgbW, c1, r, gg, bb, inv2s2) + 1e-6);
      const w2 = (1 - fx) * fy * (rangeW(rgbW, c2, r, gg, bb, inv2s2) + 1e-6);
      const w3 = fx * fy * (rangeW(rgbW, c3, r, gg, bb, inv2s2) + 1e-6);
      const inv = 1 / (w0 + w1 + w2 + w3);
      const i = row * cols + col;
      const k = cb[c0]!;
      if (cb[c1] === k && cb[c2] === k && cb[c3] === k) {
        best[i] = k;
        prob[i] = (w0 * cp[c0]! + w1 * cp[c1]! + w2 * cp[c2]! + w3 * cp[c3]!) * inv;
        continue;
      }
      const o0 = c0 * K;
      const o1 = c1 * K;
      const o2 = c2 * K;
      const o3 = c3 * K;
      let bk = 0;
      let bp = -Infinity;
      for (let kk = 0; kk < K; kk++) {
        const val = w0 * probs[o0 + kk]! + w1 * probs[o1 + kk]! + w2 * probs[o2 + kk]! + w3 * probs[o3 + kk]!;
        if (val > bp) {
          bp = val;
          bk = kk;
        }
      }
      best[i] = bk;
      prob[i] = bp * inv;
    }
  }
}

function rangeW(rgb: Float32Array, c: number, r: number, g: number, b: number, inv2s2: number): number {
  const dr = r - rgb[3 * c]!;
  const dg = g - rgb[3 * c + 1]!;
  const db = b - rgb[3 * c + 2]!;
  return Math.exp(-(dr * dr + dg * dg + db * db) * inv2s2);
}

/**
 * Per row of `probs` (`best.length` rows of K probabilities, row-major): the index of the largest
 * value into `best` and the value into `prob`. First maximum wins on ties. Cost O(rows * K).
 */
function argmaxRows(probs: ArrayLike<number>, K: number, best: Uint8Array, prob: Float32Array): void {
  for (let i = 0; i < best.length; i++) {
    let bk = 0;
    let bp = -Infinity;
    for (let k = 0; k < K; k++) {
      const v = probs[i * K + k]!;
      if (v > bp) {
        bp = v;
        bk = k;
      }
    }
    best[i] = bk;
    prob[i] = bp;
  }
}
