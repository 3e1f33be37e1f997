import { describe, expect, it } from 'vitest';
import {
  budgetFraction,
  DECAY_FRACTION,
  FLOOR_FRACTION,
  learningRateAt,
  WARMUP_FRACTION,
  WARMUP_MIN_STEPS,
} from '../../../core/training/schedule';

describe('learning-rate schedule', () => {
  it('has the constants the closed forms below are computed with', () => {
    expect([WARMUP_FRACTION, WARMUP_MIN_STEPS, FLOOR_FRACTION, DECAY_FRACTION]).toEqual([0.03, 5, 0.01, 0.25]);
  });

  it('warms up linearly over 3% of the budget (at least 5 steps), then decays by a cosine to 1% of the peak', () => {
    // 1000 steps: the warm-up is 30 steps (3%), longer than the 5-step minimum.
    const lr = (step: number) => learningRateAt('cosine', 0.01, budgetFraction(step, 1000, 0, undefined), step);
    expect(lr(0)).toBeCloseTo(0.01 * (0.001 / 0.03), 12); // step 1 of 30: f = 0.001
    expect(lr(14)).toBeCloseTo(0.01 * 0.5, 12); // f = 0.015: half of the warm-up
    expect(lr(29)).toBeCloseTo(0.01, 12); // f = 0.03: the peak, cosine at its start
    // Halfway through the decay, f = 0.03 + 0.97 / 2 = 0.515 (step 514): 0.01 + 0.99 * 0.5 of the peak.
    expect(lr(514)).toBeCloseTo(0.01 * (0.01 + 0.99 * 0.5), 12);
    // A quarter: f = 0.03 + 0.97 / 4 = 0.2725 (t = 0.25): cos(pi/4) = sqrt(2)/2.
    expect(learningRateAt('cosine', 0.01, 0.2725, 272)).toBeCloseTo(
      0.01 * (0.01 + 0.99 * 0.5 * (1 + Math.SQRT1_2)),
      12,
    );
    expect(lr(999)).toBeCloseTo(0.01 * 0.01, 12); // the last step ends the budget: the floor
    expect(learningRateAt('cosine', 0.01, 1.7, 5000)).toBeCloseTo(0.0001, 12); // past the budget: still the floor
  });

  it('warms up over at least 5 steps in a short run', () => {
    // 10 steps: 3% is a third of a step, so the 5-step minimum rules: (k+1)/5 times the cosine at f = (k+1)/10.
    const cos = (f: number) => 0.01 + 0.99 * 0.5 * (1 + Math.cos((Math.PI * (f - 0.03)) / 0.97));
    for (let k = 0; k < 10; k++) {
      const f = (k + 1) / 10;
      expect(learningRateAt('cosine', 1, budgetFraction(k, 10, 0, undefined), k)).toBeCloseTo(
        Math.min(1, (k + 1) / 5) * cos(f),
        12,
      );
    }
  });

  it('follows the larger of the step and the time fractions', () => {
    expect(budgetFraction(9, 100, 30_000, 60_000)).toBe(0.5); // time ahead: 0.5 > 0.1
    expect(budgetFraction(79, 100, 30_000, 60_000)).toBe(0.8); // steps ahead
    expect(budgetFraction(3, undefined, 15_000, 60_000)).toBe(0.25); // minutes only
    expect(budgetFraction(3, 4, 0, undefined)).toBe(1); // epochs only, last step
    expect(budgetFraction(3, undefined, 90_000, 60_000)).toBe(1); // past the deadline: clamped
  });

  it('hold-decay: the same warm-up, the peak until 75% of the budget, then a cosine to 1% over the last 25%', () => {
    const lr = (step: number) => learningRateAt('hold-decay', 0.01, budgetFraction(step, 1000, 0, undefined), step);
    expect(lr(14)).toBeCloseTo(0.01 * 0.5, 12); // f = 0.015: half of the warm-up, as the cosine schedule
    expect(lr(29)).toBeCloseTo(0.01, 12);
    expect(lr(500)).toBeCloseTo(0.01, 12); // f = 0.501: held
    expect(lr(749)).toBeCloseTo(0.01, 12); // f = 0.75: the decay starts
    // f = 0.875, halfway through the decay: 0.01 + 0.99 * 0.5 of the peak.
    expect(lr(874)).toBeCloseTo(0.01 * (0.01 + 0.99 * 0.5), 12);
    // f = 0.8125 (t = 0.25): cos(pi/4) = sqrt(2)/2.
    expect(learningRateAt('hold-decay', 0.01, 0.8125, 812)).toBeCloseTo(
      0.01 * (0.01 + 0.99 * 0.5 * (1 + Math.SQRT1_2)),
      12,
    );
    expect(lr(999)).toBeCloseTo(0.01 * 0.01, 12); // the budget's end: the floor
    // By time alone (minutes budget): 30 of 40 minutes is the start of the decay.
    expect(
      learningRateAt('hold-decay', 0.01, budgetFraction(600, undefined, 30 * 60_000, 40 * 60_000), 600),
    ).toBeCloseTo(0.01, 12);
  });

  it('is the peak at every step when constant', () => {
    expect([0, 0.01, 0.5, 1].map((f) => learningRateAt('constant', 0.003, f, 0))).toEqual([0.003, 0.003, 0.003, 0.003]);
  });
});
