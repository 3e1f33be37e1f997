import { describe, expect, it } from 'vitest';
import { accumulateConfusion, confusionMatrix, emptyConfusion, segmentationMetrics } from '../../../core/metrics';

describe('segmentation metrics', () => {
  // gt:   0 0 0 1 1 2 2 2 9(ignored) 1
  // pred: 0 0 1 1 1 2 0 7(invalid) 2 1
  const gt = [0, 0, 0, 1, 1, 2, 2, 2, 9, 1];
  const pred = [0, 0, 1, 1, 1, 2, 0, 7, 2, 1];

  it('builds the confusion matrix (rows = ground truth) with ignored and invalid pixels', () => {
    const cm = confusionMatrix(pred, gt, 3, 9);
    expect([...cm.counts]).toEqual([2, 1, 0, 0, 3, 0, 1, 0, 1]);
    expect([...cm.invalid]).toEqual([0, 0, 1]);
  });

  it('computes pixel accuracy, mean class accuracy, IoU and mIoU by hand', () => {
    const m = segmentationMetrics(confusionMatrix(pred, gt, 3, 9));
    // 9 counted pixels, correct: 2 + 3 + 1 = 6.
    expect(m.pixels).toBe(9);
    expect(m.pixelAccuracy).toBeCloseTo(6 / 9, 12);
    // Recall: class 0 2/3, class 1 3/3, class 2 1/3 (one wrong, one invalid).
    expect(m.classAccuracy).toEqual([2 / 3, 1, 1 / 3]);
    expect(m.meanClassAccuracy).toBeCloseTo((2 / 3 + 1 + 1 / 3) / 3, 12);
    // IoU: class 0: tp 2, gt 3, pred 3 -> 2 / 4; class 1: tp 3, gt 3, pred 4 -> 3 / 4;
    // class 2: tp 1, gt 3, pred 1 -> 1 / 3.
    expect(m.iou[0]).toBeCloseTo(0.5, 12);
    expect(m.iou[1]).toBeCloseTo(0.75, 12);
    expect(m.iou[2]).toBeCloseTo(1 / 3, 12);
    expect(m.meanIoU).toBeCloseTo((0.5 + 0.75 + 1 / 3) / 3, 12);
  });

  it('skips classes absent from both, counts false positives of classes absent from the ground truth', () => {
    // Class 1 never appears; class 2 is only predicted.
    const m = segmentationMetrics(confusionMatrix([0, 2, 0, 0], [0, 0, 0, 0], 3));
    expect(m.classAccuracy).toEqual([0.75, null, null]);
    expect(m.iou).toEqual([0.75, null, 0]);
    expect(m.meanIoU).toBeCloseTo(0.375, 12);
    expect(m.meanClassAccuracy).toBeCloseTo(0.75, 12);
  });

  it('accumulates over images and honours a mask', () => {
    const cm = emptyConfusion(2);
    accumulateConfusion(cm, [0, 1], [0, 0]);
    accumulateConfusion(cm, [1, 1, 0], [1, 1, 1], null, [1, 0, 1]);
    expect([...cm.counts]).toEqual([1, 1, 1, 1]);
    const m = segmentationMetrics(cm);
    expect(m.pixelAccuracy).toBeCloseTo(0.5, 12);
    expect(m.iou).toEqual([1 / 3, 1 / 3]);
  });

  it('returns NaN when nothing was counted and rejects bad inputs', () => {
    const m = segmentationMetrics(emptyConfusion(4));
    expect(Number.isNaN(m.pixelAccuracy)).toBe(true);
    expect(Number.isNaN(m.meanIoU)).toBe(true);
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow(RangeError);
    expect(() => emptyConfusion(0)).toThrow(RangeError);
  });
});
