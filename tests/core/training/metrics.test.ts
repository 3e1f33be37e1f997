import { describe, expect, it } from 'vitest';
import { accumulateEvaluation, emptyEvaluation, evaluationMetrics, softmaxMse } from '../../../core/training/metrics';

describe('training metrics', () => {
  const probs = [0.9, 0.2, 0.2, 0.2, 0.8, 0.3];
  const labels = [0, 2]; // one-hot [[1,0,0],[0,0,1]]

  it('MSE of [[1,0,0],[0,0,1]] vs [[0.9,0.2,0.2],[0.2,0.8,0.3]] is 0.21 (mean over pixels and classes)', () => {
    // squared errors: pixel 1: 0.01 + 0.04 + 0.04 = 0.09; pixel 2: 0.04 + 0.64 + 0.49 = 1.17; 1.26 / 6
    expect(softmaxMse(probs, labels, 3)).toBeCloseTo(0.21, 12);
  });

  it('ignores unlabeled pixels; Brier is the per-pixel sum (C x MSE)', () => {
    const acc = emptyEvaluation(3);
    accumulateEvaluation(acc, [...probs, 0.1, 0.1, 0.8], [...labels, 255]);
    const m = evaluationMetrics(acc);
    expect(m.mse).toBeCloseTo(0.21, 12);
    expect(m.brier).toBeCloseTo(0.63, 12);
    expect(m.pixels).toBe(2);
    // argmax predictions: pixel 1 -> 0 (right), pixel 2 -> 1 (wrong, truth 2)
    expect(m.pixelAccuracy).toBeCloseTo(0.5, 12);
    expect(m.classAccuracy).toEqual([1, null, 0]);
    expect(m.meanClassAccuracy).toBeCloseTo(0.5, 12);
    expect(m.iou).toEqual([1, 0, 0]);
    expect(m.meanIoU).toBeCloseTo(1 / 3, 12);
    expect(Array.from(m.confusion.counts)).toEqual([1, 0, 0, 0, 0, 0, 0, 1, 0]);
  });

  it('accumulates over batches and is NaN with no labeled pixel', () => {
    const acc = emptyEvaluation(3);
    expect(Number.isNaN(evaluationMetrics(acc).mse)).toBe(true);
    accumulateEvaluation(acc, probs.slice(0, 3), [0]);
    accumulateEvaluation(acc, probs.slice(3), [2]);
    expect(evaluationMetrics(acc).mse).toBeCloseTo(0.21, 12);
    expect(() => accumulateEvaluation(acc, [0.5, 0.5], [0])).toThrow(RangeError);
  });
});
