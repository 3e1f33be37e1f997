/**
 * Block Jacobi-preconditioned conjugate gradients for the multilabel random walker on a {@link GridLevel}.
 *
 * For each class k (K at once, independent scalars per class) it solves, over the free cells F,
 *   (L_FF + lambda I) x_k = b_k,   b_k(p) = sum of w(p, q) over painted neighbours q of class k
 *                                              + lambda * prior_k(p),
 * which is the random walker's Dirichlet problem (Grady 2006) with a prior (Grady 2005). `lambda > 0`
 * makes the matrix symmetric positive definite even when a region touches no painted pixel.
 *
 * Vectors are `Float32Array(n * K)`, cell-major (`v[p * K + k]`), zero on painted and border cells.
 * Each iteration makes two passes over the grid (the product `A p` is carried by the recurrence
 * `q = A z + beta q`), about 25 * n * K flops; memory 4 vectors of n * K floats besides `x` and `b`.
 */
import type { GridLevel } from './grid';
import { UNLABELED } from '../labelmap/types';
import { PropagationCancelled } from './errors';

export interface CgOptions {
  readonly maxIter: number;
  /** Stop when every class has `||r_k|| <= tol * ||b_k||`. */
  readonly tol: number;
  /** Polled every few iterations. */
  readonly shouldCancel?: (() => boolean) | undefined;
}

export interface CgReport {
  readonly converged: boolean;
  readonly iterations: number;
  /** Largest relative residual `||b_k - A x_k|| / ||b_k||` over the classes at exit (recurrence value). */
  readonly residual: number;
}

/** `y = A v` on free cells (A = L_FF + lambda I), 0 elsewhere; `v` must be 0 off the free cells. */
function applyOperator(g: GridLevel, lambda: number, K: number, v: Float32Array, y: Float32Array): void {
  const { pw, n, wR, wD, deg, seed } = g;
  for (let p = pw; p < n - pw; p++) {
    const o = p * K;
    if (seed[p] !== UNLABELED) {
      for (let k = 0; k < K; k++) y[o + k] = 0;
      continue;
    }
    const d = deg[p]! + lambda;
    const wl = wR[p - 1]!;
    const wr = wR[p]!;
    const wu = wD[p - pw]!;
    const wd = wD[p]!;
    const ol = o - K;
    const or = o + K;
    const ou = o - pw * K;
    const od = o + pw * K;
    for (let k = 0; k < K; k++) {
      y[o + k] = d * v[o + k]! - wl * v[ol + k]! - wr * v[or + k]! - wu * v[ou + k]! - wd * v[od + k]!;
    }
  }
}

/**
 * Right-hand side `b` (`Float32Array(n * K)`) for classes `[k0, k0 + K)` from the seeds (compact class
 * indices) and an optional prior (`Float32Array(n * K)` cell-major for those classes, or null for a
 * uniform `1 / totalK`).
 */
export function buildRhs(
  g: GridLevel,
  k0: number,
  K: number,
  totalK: number,
  lambda: number,
  prior: Float32Array | null,
): Float32Array {
  const { pw, n, wR, wD, seed } = g;
  const b = new Float32Array(n * K);
  const uniform = 1 / totalK;
  for (let p = pw; p < n - pw; p++) {
    if (seed[p] !== UNLABELED) continue;
    const o = p * K;
    if (prior) for (let k = 0; k < K; k++) b[o + k] = lambda * prior[o + k]!;
    else for (let k = 0; k < K; k++) b[o + k] = lambda * uniform;
    const sl = seed[p - 1]! - k0;
    if (sl >= 0 && sl < K) b[o + sl] += wR[p - 1]!;
    const sr = seed[p + 1]! - k0;
    if (sr >= 0 && sr < K) b[o + sr] += wR[p]!;
    const su = seed[p - pw]! - k0;
    if (su >= 0 && su < K) b[o + su] += wD[p - pw]!;
    const sd = seed[p + pw]! - k0;
    if (sd >= 0 && sd < K) b[o + sd] += wD[p]!;
  }
  return b;
}

/**
 * Solves `A x = b` in place from the initial guess in `x` (values on non-free cells are ignored and
 * left untouched). Returns convergence information; throws {@link PropagationCancelled} when asked.
 */
export function solveBlockCg(
  g: GridLevel,
  K: number,
  lambda: number,
  b: Float32Array,
  x: Float32Array,
  opts: CgOptions,
): CgReport {
  const { pw, n, wR, wD, deg, seed } = g;
  const len = n * K;
  const r = new Float32Array(len);
  const z = new Float32Array(len);
  const pv = new Float32Array(len);
  const q = new Float32Array(len);
  const bnorm = new Float64Array(K);
  const rz = new Float64Array(K);
  const rzOld = new Float64Array(K);
  const pq = new Float64Array(K);
  const rr = new Float64Array(K);
  const alpha = new Float64Array(K);
  const betaK = new Float64Array(K);
  const active = new Uint8Array(K);
  const lo = pw;
  const hi = n - pw;
  const invDiag = new Float32Array(n);
  for (let p = lo; p < hi; p++) {
    if (seed[p] === UNLABELED) invDiag[p] = 1 / (deg[p]! + lambda || 1);
  }

  // r = b - A x (x read as 0 off the free cells), z = M^-1 r.
  for (let p = 0; p < n; p++) {
    if (seed[p] !== UNLABELED) continue;
    const o = p * K;
    for (let k = 0; k < K; k++) pv[o + k] = x[o + k]!;
  }
  applyOperator(g, lambda, K, pv, q);
  for (let p = lo; p < hi; p++) {
    if (seed[p] !== UNLABELED) continue;
    const inv = invDiag[p]!;
    const o = p * K;
    for (let k = 0; k < K; k++) {
      const bk = b[o + k]!;
      const rk = bk - q[o + k]!;
      const zk = rk * inv;
      r[o + k] = rk;
      z[o + k] = zk;
      bnorm[k] += bk * bk;
      rz[k] += rk * zk;
      rr[k] += rk * rk;
    }
  }
  let residual = 0;
  let allDone = true;
  for (let k = 0; k < K; k++) {
    bnorm[k] = Math.sqrt(bnorm[k]!) || 1;
    const rel = Math.sqrt(rr[k]!) / bnorm[k]!;
    active[k] = rel > opts.tol ? 1 : 0;
    if (active[k]) allDone = false;
    if (rel > residual) residual = rel;
  }
  if (allDone || opts.maxIter <= 0) return { converged: allDone, iterations: 0, residual };
  pv.fill(0);
  q.fill(0);
  betaK.fill(0);

  let it = 0;
  for (;;) {
    // Pass A: p = z + beta p, q = A z + beta q (= A p), pq = <p, q>.
    pq.fill(0);
    for (let p = lo; p < hi; p++) {
      if (seed[p] !== UNLABELED) continue;
      const o = p * K;
      const d = deg[p]! + lambda;
      const wl = wR[p - 1]!;
      const wr = wR[p]!;
      const wu = wD[p - pw]!;
      const wd = wD[p]!;
      const ol = o - K;
      const or = o + K;
      const ou = o - pw * K;
      const od = o + pw * K;
      for (let k = 0; k < K; k++) {
        const bk = betaK[k]!;
        const az = d * z[o + k]! - wl * z[ol + k]! - wr * z[or + k]! - wu * z[ou + k]! - wd * z[od + k]!;
        const pk = active[k] ? z[o + k]! + bk * pv[o + k]! : 0;
        const qk = active[k] ? az + bk * q[o + k]! : 0;
        pv[o + k] = pk;
        q[o + k] = qk;
        pq[k] += pk * qk;
      }
    }
    for (let k = 0; k < K; k++) {
      // A is SPD, so pq > 0 unless p_k = 0 (class solved exactly): freeze that class.
      const ok = active[k] && pq[k]! > 0 && Number.isFinite(pq[k]!);
      alpha[k] = ok ? rz[k]! / pq[k]! : 0;
      if (!ok) active[k] = 0;
      rzOld[k] = rz[k]!;
    }
    // Pass B: x += alpha p, r -= alpha q, z = M^-1 r.
    it++;
    rr.fill(0);
    rz.fill(0);
    for (let p = lo; p < hi; p++) {
      if (seed[p] !== UNLABELED) continue;
      const inv = invDiag[p]!;
      const o = p * K;
      for (let k = 0; k < K; k++) {
        const a = alpha[k]!;
        x[o + k] += a * pv[o + k]!;
        const rk = r[o + k]! - a * q[o + k]!;
        r[o + k] = rk;
        const zk = rk * inv;
        z[o + k] = zk;
        rz[k] += rk * zk;
        rr[k] += rk * rk;
      }
    }
    residual = 0;
    allDone = true;
    for (let k = 0; k < K; k++) {
      const rel = Math.sqrt(rr[k]!) / bnorm[k]!;
      if (rel > residual) residual = rel;
      if (active[k] && rel <= opts.tol) active[k] = 0;
      if (active[k]) allDone = false;
      betaK[k] = active[k] && rzOld[k]! > 0 ? rz[k]! / rzOld[k]! : 0;
    }
    if (allDone) return { converged: true, iterations: it, residual };
    if (it >= opts.maxIter) return { converged: false, iterations: it, residual };
    if (opts.shouldCancel && (it & 7) === 0 && opts.shouldCancel()) throw new PropagationCancelled();
  }
}
