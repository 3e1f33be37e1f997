import { describe, expect, it } from 'vitest';
import { buildGridLevel, padIndex } from '../../../core/propagation/grid';
import { buildRhs, solveBlockCg } from '../../../core/propagation/solver';
import { solveDirect } from '../../../core/propagation/direct';
import { rng } from './helpers';

/** Gaussian elimination with partial pivoting on a dense copy: solves A x = b. */
function denseSolve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let piv = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[piv]![c]!)) piv = r;
    [M[c], M[piv]] = [M[piv]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= M[r]![k]! * x[k]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}

/**
 * Independent construction of the random-walker system on a w x h 4-connected grid: weights from the
 * documented formula, Laplacian restricted to free pixels plus lambda I, right-hand side from the seeds
 * and a uniform prior 1/K. Returns the solution per class for the free pixels (row-major order).
 */
function referenceSolution(
  feat: number[],
  seeds: number[],
  w: number,
  h: number,
  beta: number,
  lambda: number,
  K: number,
): { free: number[]; x: number[][] } {
  const n = w * h;
  const d2 = (i: number, j: number): number =>
    (feat[3 * i]! - feat[3 * j]!) ** 2 +
    (feat[3 * i + 1]! - feat[3 * j + 1]!) ** 2 +
    (feat[3 * i + 2]! - feat[3 * j + 2]!) ** 2;
  const edges: [number, number][] = [];
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      if (x + 1 < w) edges.push([y * w + x, y * w + x + 1]);
      if (y + 1 < h) edges.push([y * w + x, (y + 1) * w + x]);
    }
  const mean = edges.reduce((s, [i, j]) => s + d2(i, j), 0) / edges.length;
  const m = new Array<number>(n).fill(Infinity);
  for (const [i, j] of edges) {
    m[i] = Math.min(m[i]!, d2(i, j));
    m[j] = Math.min(m[j]!, d2(i, j));
  }
  const W = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const [i, j] of edges) {
    const v = Math.exp((-beta * (d2(i, j) - Math.max(m[i]!, m[j]!))) / mean);
    W[i]![j] = v;
    W[j]![i] = v;
  }
  const free = [...Array(n).keys()].filter((i) => seeds[i] === 255);
  const A = free.map((i) => free.map((j) => (i === j ? W[i]!.reduce((s, v) => s + v, 0) + lambda : -W[i]![j]!)));
  const x = [];
  for (let k = 0; k < K; k++) {
    const b = free.map((i) => lambda / K + W[i]!.reduce((s, v, j) => s + (seeds[j] === k ? v : 0), 0));
    x.push(denseSolve(A, b));
  }
  return { free, x };
}

describe('random-walker linear solvers', () => {
  const w = 6;
  const h = 5;
  const K = 3;
  const rand = rng(7);
  const feat = Array.from({ length: w * h * 3 }, () => rand() * 60);
  const seeds = new Array<number>(w * h).fill(255);
  seeds[0] = 0;
  seeds[w * h - 1] = 1;
  seeds[2 * w + 3] = 2;
  seeds[w + 5] = 0;

  for (const beta of [0.5, 5, 50]) {
    it(`CG and banded Cholesky match a dense Gaussian elimination (beta ${beta})`, () => {
      const lambda = 1e-3;
      const ref = referenceSolution(feat, seeds, w, h, beta, lambda, K);
      const g = buildGridLevel(Float32Array.from(feat), 3, Uint8Array.from(seeds), w, h, beta);
      const b = buildRhs(g, 0, K, K, lambda, null);
      const xCg = new Float32Array(g.n * K);
      const rep = solveBlockCg(g, K, lambda, b, xCg, { maxIter: 500, tol: 1e-6 });
      expect(rep.converged).toBe(true);
      expect(rep.residual).toBeLessThanOrEqual(1e-6);
      expect(rep.iterations).toBeGreaterThan(0);
      const xDirect = new Float32Array(g.n * K);
      solveDirect(g, K, lambda, b, xDirect);
      ref.free.forEach((i, fi) => {
        const p = padIndex(g.pw, i % w, Math.floor(i / w));
        for (let k = 0; k < K; k++) {
          expect(xCg[p * K + k]).toBeCloseTo(ref.x[k]![fi]!, 4);
          expect(xDirect[p * K + k]).toBeCloseTo(ref.x[k]![fi]!, 4);
        }
      });
      // Random-walker probabilities of a free pixel sum to 1.
      for (const i of ref.free) {
        const p = padIndex(g.pw, i % w, Math.floor(i / w));
        expect(xCg[p * K]! + xCg[p * K + 1]! + xCg[p * K + 2]!).toBeCloseTo(1, 4);
      }
    });
  }

  it('CG starting from a non-zero guess reaches the same solution', () => {
    const g = buildGridLevel(Float32Array.from(feat), 3, Uint8Array.from(seeds), w, h, 5);
    const b = buildRhs(g, 0, K, K, 1e-3, null);
    const x0 = new Float32Array(g.n * K).fill(0.7);
    solveBlockCg(g, K, 1e-3, b, x0, { maxIter: 500, tol: 1e-7 });
    const xd = new Float32Array(g.n * K);
    solveDirect(g, K, 1e-3, b, xd);
    for (let p = 0; p < g.n; p++) if (g.seed[p] === 255) expect(x0[p * K]).toBeCloseTo(xd[p * K]!, 4);
  });

  it('reports non-convergence when maxIter is too small', () => {
    const g = buildGridLevel(Float32Array.from(feat), 3, Uint8Array.from(seeds), w, h, 5);
    const b = buildRhs(g, 0, K, K, 1e-3, null);
    const x = new Float32Array(g.n * K);
    const rep = solveBlockCg(g, K, 1e-3, b, x, { maxIter: 2, tol: 1e-9 });
    expect(rep.converged).toBe(false);
    expect(rep.iterations).toBe(2);
    expect(rep.residual).toBeGreaterThan(1e-9);
  });

  it('gives every node an edge of weight exactly 1 (nearest-neighbour shift), none above 1', () => {
    for (const beta of [1e-6, 1, 1e6]) {
      const g = buildGridLevel(Float32Array.from(feat), 3, new Uint8Array(w * h).fill(255), w, h, beta);
      for (let y = 0; y < h; y++)
        for (let x = 0; x < w; x++) {
          const p = padIndex(g.pw, x, y);
          const ws = [g.wR[p]!, g.wR[p - 1]!, g.wD[p]!, g.wD[p - g.pw]!];
          expect(Math.max(...ws)).toBe(1);
          for (const v of ws) expect(v).toBeLessThanOrEqual(1);
          expect(g.deg[p]).toBeGreaterThanOrEqual(1);
        }
    }
  });
});
