/**
 * The part on screen first (issue 25, item 3): `preparePropagation(...).region(rect, step)` gives the
 * pixels of a rectangle, sampled every `step` pixels, exactly as the whole image's fill has them, on the
 * working level (a small image) and through the upsampling of a large one.
 */
import { describe, expect, it } from 'vitest';
import {
  preparePropagation,
  propagateLabels,
  PropagationInputError,
  sampledSize,
  UNLABELED,
} from '../../../core/propagation';
import type { PropagationImage, SampledRect } from '../../../core/propagation';
import { randomImage, twoRegionImage } from './helpers';

/** Strokes of three classes across the image, and one painted pixel of a fourth class inside the rect. */
function strokes(w: number, h: number): Uint8Array {
  const s = new Uint8Array(w * h).fill(UNLABELED);
  for (let x = 2; x < w - 2; x++) {
    s[2 * w + x] = 1;
    s[(h - 3) * w + x] = 4;
    if (x < w / 3) s[Math.floor(h / 2) * w + x] = 7;
  }
  s[9 * w + 11] = 9;
  return s;
}

/** The whole result at the sampled pixels of `rect`, read out of the full arrays by hand. */
function sampleFull(
  full: { labels: Uint8Array; confidence: Float32Array },
  w: number,
  rect: SampledRect,
  step: number,
) {
  const labels: number[] = [];
  const confidence: number[] = [];
  for (let y = rect.y; y < rect.y + rect.height; y += step) {
    for (let x = rect.x; x < rect.x + rect.width; x += step) {
      labels.push(full.labels[y * w + x]!);
      confidence.push(full.confidence[y * w + x]!);
    }
  }
  return { labels, confidence };
}

const cases: [string, PropagationImage][] = [
  ['working level (no upsampling)', twoRegionImage(60, 40, 29, [200, 30, 30], [30, 40, 210], 12, 3)],
  ['upsampled (a large image)', randomImage(420, 300, 5, 4)],
];

describe('preparePropagation().region', () => {
  for (const [name, image] of cases) {
    const { width: w, height: h } = image;
    const seeds = strokes(w, h);
    // A small working level forces the joint bilateral upsampling on the large image.
    const options = { confidenceThreshold: 0.45, maxWorkingPixels: 5_000 };
    const full = propagateLabels(image, seeds, options);
    const prepared = preparePropagation(image, seeds, options);

    it(`equals the whole fill restricted to the rect, at step 1: ${name}`, () => {
      const rect = { x: 5, y: 3, width: w - 17, height: h - 9 };
      const r = prepared.region(rect, 1);
      const want = sampleFull(full, w, rect, 1);
      expect(Array.from(r.labels)).toEqual(want.labels);
      expect(Array.from(r.confidence)).toEqual(want.confidence);
      // The painted pixel inside the rect kept its class.
      expect(r.labels[(9 - 3) * rect.width + (11 - 5)]).toBe(9);
    });

    it(`equals the whole fill at the sampled pixels, at step 3: ${name}`, () => {
      const rect = { x: 4, y: 1, width: w - 8, height: h - 2 };
      const r = prepared.region(rect, 3);
      const { cols, rows } = sampledSize(rect, 3);
      expect(r.labels.length).toBe(cols * rows);
      const want = sampleFull(full, w, rect, 3);
      expect(want.labels.length).toBe(cols * rows);
      expect(Array.from(r.labels)).toEqual(want.labels);
      expect(Array.from(r.confidence)).toEqual(want.confidence);
    });
  }

  it('gives the whole image at step 1 as propagateLabels does, for the nearest method too', () => {
    const image = randomImage(50, 30, 2, 3);
    const seeds = strokes(50, 30);
    const full = propagateLabels(image, seeds, { method: 'nearest' });
    const r = preparePropagation(image, seeds, { method: 'nearest' }).region({ x: 0, y: 0, width: 50, height: 30 }, 1);
    expect(r.labels).toEqual(full.labels);
    expect(r.confidence).toEqual(full.confidence);
  });

  it('refuses a rect outside the image or a step below 1', () => {
    const image = randomImage(20, 10, 3, 3);
    const seeds = strokes(20, 10);
    const p = preparePropagation(image, seeds, {});
    expect(() => p.region({ x: 10, y: 0, width: 11, height: 10 }, 1)).toThrow(PropagationInputError);
    expect(() => p.region({ x: 0, y: 0, width: 20, height: 10 }, 0)).toThrow(PropagationInputError);
  });
});
