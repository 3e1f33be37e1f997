/**
 * Direct solve of the random-walker system on a small (coarsest) {@link GridLevel}: banded Cholesky.
 *
 * The `w x h` cells are numbered along the longer side so that the bandwidth is `bw = min(w, h)`.
 * Painted cells get identity rows (solution 0, ignored by callers). Cost O(w * h * bw^2 / 2) for the
 * factorisation plus O(w * h * bw * K) for the K solves; memory `w * h * (bw + 1)` doubles. Meant for
 * levels of a few thousand cells.
 */
import type { GridLevel } from './grid';
import { UNLABELED } from '../labelmap/types';

/**
 * Solves `(L_FF + lambda I) x = b` for the K right-hand sides in `b` (padded cell-major,
 * `Float32Array(g.n * K)`) and writes the free cells of `x` (same layout). Non-finite or non-positive
 * pivots (impossible in exact arithmetic since the matrix is SPD) fall back to the diagonal.
 */
export function solveDirect(g: GridLevel, K: number, lambda: number, b: Float32Array, x: Float32Array): void {
  const { w, h, pw, wR, wD, deg, seed } = g;
  const transposed = w > h;
  const bw = transposed ? h : w;
  const n = w * h;
  const stride = bw + 1;
  // Band: band[i * stride + (i - j)] = A[i][j] for i - bw <= j <= i.
  const band = new Float64Array(n * stride);
  const cellOf = new Int32Array(n);
  for (let y = 0; y < h; y++) {
    for (let x0 = 0; x0 < w; x0++) {
      const i = transposed ? x0 * h + y : y * w + x0;
      const p = (y + 1) * pw + x0 + 1;
      cellOf[i] = p;
      if (seed[p] !== UNLABELED) {
        band[i * stride] = 1;
        continue;
      }
      band[i * stride] = deg[p]! + lambda;
      // Lower-triangle entries: the left and upper neighbours in this numbering.
      const left = x0 > 0 && seed[p - 1] === UNLABELED ? -wR[p - 1]! : 0;
      const up = y > 0 && seed[p - pw] === UNLABELED ? -wD[p - pw]! : 0;
      if (transposed) {
        if (y > 0) band[i * stride + 1] = up;
        if (x0 > 0) band[i * stride + h] = left;
      } else {
        if (x0 > 0) band[i * stride + 1] = left;
        if (y > 0) band[i * stride + w] = up;
      }
    }
  }
  // In-place banded Cholesky: band becomes L.
  for (let i = 0; i < n; i++) {
    const jStart = Math.max(0, i - bw);
    for (let j = jStart; j <= i; j++) {
      let s = band[i * stride + (i - j)]!;
      const kStart = Math.max(jStart, j - bw);
      for (let k = kStart; k < j; k++) s -= band[i * stride + (i - k)]! * band[j * stride + (j - k)]!;
      if (j < i) {
        band[i * stride + (i - j)] = s / band[j * stride]!;
      } else {
        const diag = band[i * stride]!;
        band[i * stride] = Math.sqrt(s > 1e-12 * Math.abs(diag) && Number.isFinite(s) ? s : Math.abs(diag) || 1);
      }
    }
  }
  // Forward and backward substitution for each class.
  const y = new Float64Array(n);
  for (let k = 0; k < K; k++) {
    for (let i = 0; i < n; i++) {
      const p = cellOf[i]!;
      let s = seed[p] === UNLABELED ? b[p * K + k]! : 0;
      const jStart = Math.max(0, i - bw);
      for (let j = jStart; j < i; j++) s -= band[i * stride + (i - j)]! * y[j]!;
      y[i] = s / band[i * stride]!;
    }
    for (let i = n - 1; i >= 0; i--) {
      let s = y[i]!;
      const jEnd = Math.min(n - 1, i + bw);
      for (let j = i + 1; j <= jEnd; j++) s -= band[j * stride + (j - i)]! * y[j]!;
      y[i] = s / band[i * stride]!;
    }
    for (let i = 0; i < n; i++) {
      const p = cellOf[i]!;
      if (seed[p] === UNLABELED) x[p * K + k] = y[i]!;
    }
  }
}
