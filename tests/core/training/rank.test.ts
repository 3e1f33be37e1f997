import { describe, expect, it } from 'vitest';
import { byExpectedGain, labelNextScore } from '../../../core/training/rank';

const U = 255;

describe('labelNextScore', () => {
  it('sums the uncertainty over unlabeled pixels only, as a share of the image', () => {
    // 4 pixels: two labeled (confidence 0.2 and 0.4: ignored for the gain), two unlabeled (0.5, 0.9).
    const s = labelNextScore(Float32Array.from([0.2, 0.4, 0.5, 0.9]), Uint8Array.from([1, 2, U, U]));
    expect(s.labeledFraction).toBe(0.5);
    expect(s.meanConfidence).toBeCloseTo((0.2 + 0.4 + 0.5 + 0.9) / 4, 6);
    expect(s.gain).toBeCloseTo((0.5 + 0.1) / 4, 6);
  });

  it('treats an image without labels as all unlabeled, and reads confidence bytes with scale 255', () => {
    expect(labelNextScore(Uint8Array.from([255, 0]), null, 255)).toEqual({
      labeledFraction: 0,
      meanConfidence: 0.5,
      gain: 0.5,
    });
    expect(() => labelNextScore([1, 1], Uint8Array.from([U]))).toThrow(/differ in size/);
  });

  it("puts the issue's case in order: the 0 % labeled image before 99 % and 94 % ones, however unsure", () => {
    const n = 100;
    const image = (imageId: number, labeled: number, conf: number) => {
      const classes = new Uint8Array(n).fill(U);
      classes.fill(1, 0, labeled);
      return { imageId, ...labelNextScore(new Float32Array(n).fill(conf), classes) };
    };
    const ranked = [image(1, 99, 0.3), image(2, 94, 0.35), image(3, 0, 0.9), image(4, 100, 0.1)].sort(byExpectedGain);
    expect(ranked.map((r) => r.imageId)).toEqual([3, 2, 1, 4]);
    expect(ranked[0]!.gain).toBeCloseTo(0.1, 6);
  });
});
