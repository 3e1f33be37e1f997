// The y axis of the training charts: scaled to the data on nice steps (issue 25 item 7: low mIoU lay flat
// on a fixed 0-1 axis), and the Train view's line before Start.
import { describe, expect, it } from 'vitest';
import { alignSeries, chartSummary, niceAxis } from '../../../renderer/src/training/charts';
import { planLine } from '../../../renderer/src/training/form';

describe('niceAxis', () => {
  it('puts low mIoU on a nice range of its own, within 0..1', () => {
    // 0.04..0.11: span 0.07 -> nice 0.1; a third of it 0.033 -> step 0.05; floor/ceil to 0 and 0.15.
    expect(niceAxis(0.04, 0.11, [0, 1])).toEqual({ min: 0, max: 0.15, ticks: [0, 0.05, 0.1, 0.15], decimals: 2 });
    // 0.62..0.91: span 0.29 -> 0.5; 0.167 -> 0.2; 0.6..1.0.
    expect(niceAxis(0.62, 0.91, [0, 1])).toEqual({ min: 0.6, max: 1, ticks: [0.6, 0.8, 1], decimals: 1 });
    // 0.95..0.99 would round up past 1: clamped. Span 0.04 -> 0.05; 0.0167 -> 0.02; 0.94..1.0.
    expect(niceAxis(0.95, 0.99, [0, 1]).max).toBe(1);
    expect(niceAxis(0.95, 0.99, [0, 1]).min).toBeCloseTo(0.94, 12);
  });

  it('scales losses without limits and gives one value some room', () => {
    // 0.2..1.5: span 1.3 -> 2; 0.667 -> 0.5; 0..1.5.
    expect(niceAxis(0.2, 1.5)).toEqual({ min: 0, max: 1.5, ticks: [0, 0.5, 1, 1.5], decimals: 1 });
    const one = niceAxis(0.3, 0.3, [0, 1]);
    expect(one.min).toBeLessThan(0.3);
    expect(one.max).toBeGreaterThan(0.3);
  });
});

describe('planLine', () => {
  const plan = { train: 8, val: 2, heldOut: [4, 9], labels: 'person' as const, basis: 'default' as const };
  it('says what a run would train and validate on before Start', () => {
    expect(planLine({ ...plan, note: null, notReady: null })).toBe(
      '8 training, 2 validation images (2 held out automatically)',
    );
    expect(planLine({ ...plan, val: 1, heldOut: [], note: null, notReady: null })).toBe(
      '8 training, 1 validation image',
    );
    expect(planLine({ ...plan, val: 0, heldOut: [], note: null, notReady: null })).toMatch(/on the training images/);
    expect(planLine({ ...plan, note: null, notReady: 'No image is labeled yet.' })).toBe('No image is labeled yet.');
    expect(planLine(null)).toBe('');
  });
});

describe('alignSeries and chartSummary', () => {
  it('puts series on one x and says each last value and range', () => {
    const series = [
      { name: 'train loss', color: '#111', values: [1.5, 0.75, Number.NaN], x: [1, 2, 3] },
      { name: 'val loss', color: '#222', values: [null, 0.5], x: [2, 4] },
    ];
    // x: the union 1, 2, 3, 4; NaN and missing values are gaps.
    const data = alignSeries(series);
    expect(data).toEqual([
      [1, 2, 3, 4],
      [1.5, 0.75, null, null],
      [null, null, null, 0.5],
    ]);
    expect(chartSummary(series, data, 'epoch')).toBe(
      'epoch 1 to 4; train loss 0.75 at epoch 2, between 0.75 and 1.5; val loss 0.5 at epoch 4, between 0.5 and 0.5',
    );
    expect(chartSummary([], alignSeries([]), 'step')).toBe('No data yet');
  });

  it('copies one shared x once', () => {
    const x = [1, 2];
    const data = alignSeries([
      { name: 'a', color: '#111', values: [0.1, 0.2], x },
      { name: 'b', color: '#222', values: [0.3, null], x },
    ]);
    expect(data).toEqual([x, [0.1, 0.2], [0.3, null]]);
    expect(data[0]).not.toBe(x);
  });
});
