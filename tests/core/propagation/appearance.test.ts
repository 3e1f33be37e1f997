import { describe, expect, it } from 'vitest';
import { PropagationInputError, propagateLabels, UNLABELED } from '../../../core/propagation';
import { randomImage, rng } from './helpers';

/** 60 x 20 image: red | blue | red in three 20-column bands, with a little noise. */
function bands(): { data: Uint8Array; width: number; height: number; channels: 3 } {
  const w = 60;
  const h = 20;
  const rand = rng(4);
  const data = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const c = x >= 20 && x < 40 ? [30, 40, 200] : [200, 30, 30];
      for (let k = 0; k < 3; k++) data[(y * w + x) * 3 + k] = Math.round(c[k]! + (rand() - 0.5) * 8);
    }
  return { data, width: w, height: h, channels: 3 };
}

describe('appearance model', () => {
  it('labels a region cut off from its strokes by its color (the walker alone cannot)', () => {
    const img = bands();
    const w = 60;
    const s = new Uint8Array(w * 20).fill(UNLABELED);
    for (let y = 2; y < 18; y++) {
      s[y * w + 5] = 0; // red band on the left
      s[y * w + 30] = 1; // blue band
    }
    const plain = propagateLabels(img, s, { appearanceWeight: 0 });
    const res = propagateLabels(img, s);
    let plainSure = 0;
    for (let y = 0; y < 20; y++)
      for (let x = 42; x < 60; x++) {
        const i = y * w + x;
        expect(res.labels[i]).toBe(0);
        // The walker alone is at 0.5 / 0.5 here; far from the red strokes (other image tiles) the color
        // evidence is deliberately tempered.
        expect(res.confidence[i]).toBeGreaterThan(0.55);
        if (plain.labels[i] === 0 && plain.confidence[i]! > 0.55) plainSure++;
      }
    expect(plainSure).toBe(0);
    // The connected bands are unaffected.
    for (let y = 0; y < 20; y++) {
      expect(res.labels[y * w + 10]).toBe(0);
      expect(res.labels[y * w + 25]).toBe(1);
    }
  });

  it('stays finite and in range for weights 1e-6 to 100, and rejects out-of-range weights', () => {
    const w = 40;
    const h = 30;
    const rand = rng(12);
    const s = new Uint8Array(w * h).fill(UNLABELED);
    for (let k = 0; k < 40; k++) s[Math.floor(rand() * w * h)] = k % 5;
    const flat = { data: new Uint8Array(w * h * 3).fill(90), width: w, height: h, channels: 3 as const };
    for (const img of [randomImage(w, h, 5), randomImage(w, h, 6, 1), flat]) {
      for (const appearanceWeight of [1e-6, 0.5, 3, 100]) {
        for (const beta of [1e-6, 10, 1e6]) {
          const res = propagateLabels(img, s, { appearanceWeight, beta });
          for (let i = 0; i < w * h; i++) {
            const c = res.confidence[i]!;
            expect(Number.isFinite(c) && c >= 0 && c <= 1 && res.labels[i]! < 5).toBe(true);
            if (s[i] !== UNLABELED) expect(res.labels[i]).toBe(s[i]);
          }
        }
      }
    }
    for (const bad of [-1, 101, NaN, Infinity]) {
      expect(() => propagateLabels(flat, s, { appearanceWeight: bad })).toThrow(PropagationInputError);
    }
  });

  it('works on large images through the reduced working resolution', () => {
    const w = 200;
    const h = 150;
    const img = randomImage(w, h, 8);
    const s = new Uint8Array(w * h).fill(UNLABELED);
    for (let i = 0; i < 500; i++) s[(i * 7919) % (w * h)] = i % 4;
    const res = propagateLabels(img, s, { maxWorkingPixels: 3000 });
    for (let i = 0; i < w * h; i++) {
      expect(res.confidence[i]! >= 0 && res.confidence[i]! <= 1).toBe(true);
      if (s[i] !== UNLABELED) expect(res.labels[i]).toBe(s[i]);
    }
  });
});
