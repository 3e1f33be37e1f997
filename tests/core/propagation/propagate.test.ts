import { describe, expect, it } from 'vitest';
import {
  NoLabelsError,
  PropagationCancelled,
  PropagationInputError,
  propagateLabels,
  propagateWithTuning,
  UNLABELED,
} from '../../../core/propagation';
import { nearestLabeled } from '../../../core/propagation/nearest';
import { randomImage, rng, twoRegionImage } from './helpers';

/** Paints a vertical stroke of `cls` at column x, rows y0..y1 (inclusive). */
function stroke(map: Uint8Array, w: number, x: number, y0: number, y1: number, cls: number): void {
  for (let y = y0; y <= y1; y++) map[y * w + x] = cls;
}

describe('propagateLabels', () => {
  it('labels two clearly separated regions correctly and keeps painted pixels', () => {
    const w = 60;
    const h = 40;
    const img = twoRegionImage(w, h, 37, [200, 30, 30], [30, 40, 210], 12, 3);
    const s = new Uint8Array(w * h).fill(UNLABELED);
    stroke(s, w, 5, 10, 20, 4); // small stroke far left
    stroke(s, w, 55, 30, 35, 9); // small stroke far right
    s[0] = 9; // a deliberately "wrong" painted pixel inside the left region must stay as painted
    const res = propagateLabels(img, s);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (x <= 4 && y <= 4) continue; // the odd painted pixel at (0, 0) claims a few neighbours
        expect(res.labels[i]).toBe(x < 37 ? 4 : 9);
      }
    for (let i = 0; i < w * h; i++) {
      if (s[i] !== UNLABELED) {
        expect(res.labels[i]).toBe(s[i]);
        expect(res.confidence[i]).toBe(1);
      }
    }
    // Far from the boundary the walker is sure; the boundary is where it is least sure.
    expect(res.confidence[20 * w + 10]).toBeGreaterThan(0.9);
    expect(res.warnings.filter((m) => !m.includes('converge'))).toEqual([]);
  });

  it('nearest-pixel method ignores edges (the region boundary is not respected)', () => {
    const w = 60;
    const h = 40;
    const img = twoRegionImage(w, h, 37, [200, 30, 30], [30, 40, 210]);
    const s = new Uint8Array(w * h).fill(UNLABELED);
    stroke(s, w, 5, 10, 20, 4);
    stroke(s, w, 55, 30, 35, 9);
    const rw = propagateLabels(img, s);
    const nn = propagateLabels(img, s, { method: 'nearest' });
    // Column 33 (left region) is nearer to the right stroke for the bottom rows.
    expect(nn.labels[39 * w + 33]).toBe(9);
    expect(rw.labels[39 * w + 33]).toBe(4);
    expect(nn.converged).toBe(true);
    expect(nn.iterations).toBe(0);
  });

  it('works through the reduced-resolution path and upsampling (large image, small working size)', () => {
    const w = 160;
    const h = 120;
    const img = twoRegionImage(w, h, 101, [20, 180, 40], [230, 230, 230], 6, 5);
    const s = new Uint8Array(w * h).fill(UNLABELED);
    stroke(s, w, 20, 30, 90, 1);
    stroke(s, w, 140, 30, 90, 2);
    s[5 * w + 100] = 2; // a single painted pixel right at the boundary, on the left side
    const res = propagateLabels(img, s, { maxWorkingPixels: 2000 });
    let wrong = 0;
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++) {
        const i = y * w + x;
        if (s[i] !== UNLABELED) expect(res.labels[i]).toBe(s[i]);
        else if (res.labels[i] !== (x < 101 ? 1 : 2)) wrong++;
      }
    expect(wrong).toBeLessThan(10);
  });

  it('never produces NaN or Inf for beta/gamma from 1e-6 to 1e6 (random, flat and high-contrast images)', () => {
    const w = 40;
    const h = 30;
    const rand = rng(11);
    const s = new Uint8Array(w * h).fill(UNLABELED);
    for (let k = 0; k < 40; k++) s[Math.floor(rand() * w * h)] = k % 5;
    const flat = { data: new Uint8Array(w * h * 3).fill(128), width: w, height: h, channels: 3 as const };
    const checker = new Uint8Array(w * h);
    for (let i = 0; i < w * h; i++) checker[i] = ((i % w) + Math.floor(i / w)) % 2 ? 255 : 0;
    const images = [
      randomImage(w, h, 1),
      randomImage(w, h, 2, 4),
      randomImage(w, h, 3, 1),
      flat,
      { data: checker, width: w, height: h, channels: 1 as const },
    ];
    for (const img of images) {
      for (const beta of [1e-6, 1e-3, 1, 10, 1e3, 1e6]) {
        for (const opts of [{ beta }, { gamma: beta }, { beta, priorWeight: 0.01 }]) {
          const res = propagateLabels(img, s, opts);
          let bad = 0;
          for (let i = 0; i < w * h; i++) {
            const c = res.confidence[i]!;
            if (!(Number.isFinite(c) && c >= 0 && c <= 1 && res.labels[i]! < 5)) bad++;
          }
          expect(bad, `beta ${beta} ${JSON.stringify(opts)}`).toBe(0);
          expect(Number.isFinite(res.residual)).toBe(true);
        }
      }
    }
  });

  it('fills everything with the only painted class, confidence 1', () => {
    const img = randomImage(20, 10, 4);
    const s = new Uint8Array(200).fill(UNLABELED);
    s[17] = 6;
    s[150] = 6;
    const res = propagateLabels(img, s);
    expect([...res.labels].every((v) => v === 6)).toBe(true);
    expect([...res.confidence].every((v) => v === 1)).toBe(true);
    expect(res.converged).toBe(true);
  });

  it('throws NoLabelsError when nothing is painted', () => {
    const img = randomImage(8, 8, 4);
    expect(() => propagateLabels(img, new Uint8Array(64).fill(UNLABELED))).toThrow(NoLabelsError);
  });

  it('rejects inconsistent inputs', () => {
    const img = randomImage(8, 8, 4);
    expect(() => propagateLabels(img, new Uint8Array(63))).toThrow(PropagationInputError);
    expect(() => propagateLabels({ ...img, width: 7 }, new Uint8Array(56))).toThrow(PropagationInputError);
    expect(() => propagateLabels(img, new Uint8Array(64), { beta: NaN })).toThrow(PropagationInputError);
    expect(() => propagateLabels(img, new Uint8Array(64), { confidenceThreshold: 2 })).toThrow(PropagationInputError);
  });

  it('is cancellable from inside the solver', () => {
    const img = randomImage(140, 120, 9);
    const s = new Uint8Array(140 * 120).fill(UNLABELED);
    for (let i = 0; i < 300; i++) s[i * 53] = i % 3;
    let polls = 0;
    const shouldCancel = (): boolean => ++polls > 2;
    expect(() => propagateLabels(img, s, { shouldCancel })).toThrow(PropagationCancelled);
    expect(polls).toBeGreaterThan(2);
    // Without cancellation the same input completes and reports progress up to 1.
    const fractions: number[] = [];
    propagateLabels(img, s, { onProgress: (f) => fractions.push(f) });
    expect(fractions.at(-1)).toBe(1);
    for (let i = 1; i < fractions.length; i++) expect(fractions[i]).toBeGreaterThanOrEqual(fractions[i - 1]!);
  });

  it('reports convergence honestly: maxIter too small -> converged false with a warning', () => {
    // 140 x 120 = 16 800 pixels: above the 12 000-pixel direct level, so CG runs on the working level.
    const img = randomImage(140, 120, 9);
    const s = new Uint8Array(140 * 120).fill(UNLABELED);
    for (let i = 0; i < 300; i++) s[i * 53] = i % 3;
    const short = propagateLabels(img, s, { maxIter: 1, tol: 1e-9 });
    expect(short.converged).toBe(false);
    expect(short.iterations).toBe(1);
    expect(short.residual).toBeGreaterThan(1e-9);
    expect(short.warnings.some((m) => m.includes('did not converge'))).toBe(true);
    const full = propagateLabels(img, s, { maxIter: 2000, tol: 1e-4 });
    expect(full.converged).toBe(true);
    expect(full.residual).toBeLessThanOrEqual(1e-4);
    expect(full.warnings).toEqual([]);
  });

  it('leaves pixels below the confidence threshold unlabeled, never painted ones', () => {
    const w = 60;
    const h = 40;
    const img = twoRegionImage(w, h, 30, [90, 90, 90], [100, 95, 92], 20, 8); // weak edge
    const s = new Uint8Array(w * h).fill(UNLABELED);
    stroke(s, w, 3, 0, 39, 1);
    stroke(s, w, 56, 0, 39, 2);
    const all = propagateLabels(img, s);
    const res = propagateLabels(img, s, { confidenceThreshold: 0.8 });
    let dropped = 0;
    for (let i = 0; i < w * h; i++) {
      if (s[i] !== UNLABELED) expect(res.labels[i]).toBe(s[i]);
      else if (all.confidence[i]! < 0.8) {
        expect(res.labels[i]).toBe(UNLABELED);
        dropped++;
      } else expect(res.labels[i]).toBe(all.labels[i]);
    }
    expect(dropped).toBeGreaterThan(0);
  });

  it('exposes tuning for benchmarks without changing the contract', () => {
    const img = twoRegionImage(30, 20, 15, [0, 0, 0], [255, 255, 255]);
    const s = new Uint8Array(600).fill(UNLABELED);
    s[20 * 0 + 2] = 0;
    s[599] = 1;
    const res = propagateWithTuning(img, s, {}, { coarsestPixels: 16, levelIters: [5] });
    expect(res.labels[10 * 30 + 3]).toBe(0);
    expect(res.labels[10 * 30 + 27]).toBe(1);
  });
});

describe('nearestLabeled (exact Euclidean feature transform)', () => {
  it('matches a brute-force search', () => {
    const w = 23;
    const h = 17;
    const rand = rng(5);
    const s = new Uint8Array(w * h).fill(UNLABELED);
    for (let k = 0; k < 9; k++) s[Math.floor(rand() * w * h)] = k;
    const { dist2 } = nearestLabeled(s, w, h);
    for (let i = 0; i < w * h; i++) {
      let best = Infinity;
      for (let j = 0; j < w * h; j++) {
        if (s[j] === UNLABELED) continue;
        const dx = (i % w) - (j % w);
        const dy = Math.floor(i / w) - Math.floor(j / w);
        best = Math.min(best, dx * dx + dy * dy);
      }
      expect(dist2[i]).toBe(best);
    }
  });
});
