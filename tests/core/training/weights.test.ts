import { describe, expect, it } from 'vitest';
import {
  assertClassWeights,
  classHistogram,
  medianFrequencyWeights,
  mergeClassWeights,
} from '../../../core/training/weights';

describe('median frequency class weights', () => {
  // Three images, 4 classes (class 3 never appears), 255 = unlabeled.
  const images = [
    [0, 0, 0, 1, 255, 255], // counts [3,1,0,0], 4 labeled pixels
    [0, 2, 2, 2, 2, 255], // counts [1,0,4,0], 5 labeled pixels
    [1, 1, 2, 2, 2, 2], // counts [0,2,4,0], 6 labeled pixels
  ];
  const hists = images.map((l) => classHistogram(l, 4));

  it('counts labeled pixels only', () => {
    expect(Array.from(hists[0]!)).toEqual([3, 1, 0, 0]);
    expect(Array.from(classHistogram([0, 7, 255, -1, 1], 2))).toEqual([1, 1]);
  });

  it('matches a hand computation', () => {
    // freq_c = pixels of c / labeled pixels of the images containing c
    const f0 = (3 + 1) / (4 + 5); // images 1, 2
    const f1 = (1 + 2) / (4 + 6); // images 1, 3
    const f2 = (4 + 4) / (5 + 6); // images 2, 3
    const med = f0; // sorted: f1 = 0.3, f0 = 0.444, f2 = 0.727
    const r = medianFrequencyWeights(hists, 4);
    expect(r.frequency[0]).toBeCloseTo(f0, 12);
    expect(r.frequency[1]).toBeCloseTo(f1, 12);
    expect(r.frequency[2]).toBeCloseTo(f2, 12);
    expect(Number.isNaN(r.frequency[3])).toBe(true);
    expect(r.median).toBeCloseTo(med, 12);
    expect(r.weights[0]).toBeCloseTo(1, 12);
    expect(r.weights[1]).toBeCloseTo(med / f1, 12); // 1.4815
    expect(r.weights[2]).toBeCloseTo(med / f2, 12); // 0.6111
    expect(r.weights[3]).toBe(0);
    expect(r.absent).toEqual([3]);
    expect(Array.from(r.pixels)).toEqual([4, 3, 8, 0]);
  });

  it('takes the mean of the two middle frequencies for an even count', () => {
    const r = medianFrequencyWeights(
      [
        [1, 3],
        [2, 0],
      ],
      2,
    );
    // f0 = (1 + 2) / (4 + 2) = 0.5, f1 = 3 / 4 = 0.75, median 0.625
    expect(r.median).toBeCloseTo(0.625, 12);
    expect(r.weights[0]).toBeCloseTo(1.25, 12);
    expect(r.weights[1]).toBeCloseTo(0.625 / 0.75, 12);
  });

  it('rejects malformed histograms', () => {
    expect(() => medianFrequencyWeights([[1, 2, 3]], 2)).toThrow(RangeError);
    expect(() => medianFrequencyWeights([[1, -2]], 2)).toThrow(RangeError);
  });

  it('merges user overrides; 0 ignores a class; bad overrides throw', () => {
    const w = mergeClassWeights([1, 2, 3], [undefined, 0, null]);
    expect(Array.from(w)).toEqual([1, 0, 3]);
    expect(Array.from(mergeClassWeights([1, 2, 3], new Map([[2, 5]])))).toEqual([1, 2, 5]);
    expect(() => mergeClassWeights([1, 2], new Map([[2, 1]]))).toThrow(/class 2/);
    expect(() => mergeClassWeights([1, 2], [-1])).toThrow(RangeError);
    expect(() => mergeClassWeights([1, 2], [NaN])).toThrow(RangeError);
  });

  it('asserts weights per class', () => {
    expect(() => assertClassWeights([1, 1], 3)).toThrow(/2 class weights for 3 classes/);
    expect(() => assertClassWeights([0, 0], 2)).toThrow(/every class weight is 0/);
    expect(() => assertClassWeights([1, Infinity], 2)).toThrow(RangeError);
    expect(() => assertClassWeights([0, 1], 2)).not.toThrow();
  });
});
