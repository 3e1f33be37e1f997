/**
 * The learning-rate schedule of a training run: a linear warm-up, then a cosine decay to a floor, over
 * the run's budget ('cosine') or over its last quarter after holding the peak ('hold-decay'), or one
 * constant rate. The budget fraction is the larger of the steps done over the epoch budget's steps and
 * the elapsed time over the time budget, so a run that ends by either limit ends at the floor.
 *
 * A resumed run (resumeFrom, "Continue on wasm") is a new budget: it warms up again and decays over its
 * own epochs or minutes.
 */

export const SCHEDULES = ['cosine', 'hold-decay', 'constant'] as const;
export type Schedule = (typeof SCHEDULES)[number];

/**
 * The schedule of a run that sets none: on CamVid at the CPU defaults' budget (8 epochs), holding the peak
 * rate beat a cosine over the whole budget (README, Training defaults).
 */
export const DEFAULT_SCHEDULE: Schedule = 'hold-decay';

/** How the Train view and the CLI's help name each schedule. */
export const SCHEDULE_LABELS: Readonly<Record<Schedule, string>> = {
  cosine: 'Warm-up, then cosine decay',
  'hold-decay': 'Warm-up, hold, then cosine decay over the last 25%',
  constant: 'Constant',
};

/** The warm-up takes this fraction of the budget... */
export const WARMUP_FRACTION = 0.03;
/** ...and at least this many steps (a short run would otherwise start at full rate). */
export const WARMUP_MIN_STEPS = 5;
/** 'hold-decay' holds the base rate after the warm-up and decays over this last fraction of the budget. */
export const DECAY_FRACTION = 0.25;
/** The cosine ends at this fraction of the base rate. */
export const FLOOR_FRACTION = 0.01;

/**
 * The learning rate of a step. `fraction`: the share of the budget reached at the end of this step
 * (0..1; clamped); `step`: the steps this run took before it (0 for the first).
 */
export function learningRateAt(schedule: Schedule, base: number, fraction: number, step: number): number {
  if (schedule === 'constant') return base;
  const f = Math.min(1, Math.max(0, fraction));
  const warm = Math.min(1, f / WARMUP_FRACTION, (step + 1) / WARMUP_MIN_STEPS);
  const start = schedule === 'hold-decay' ? 1 - DECAY_FRACTION : WARMUP_FRACTION;
  const t = Math.min(1, Math.max(0, (f - start) / (1 - start)));
  const cosine = FLOOR_FRACTION + (1 - FLOOR_FRACTION) * 0.5 * (1 + Math.cos(Math.PI * t));
  return base * warm * cosine;
}

/**
 * The budget fraction at the end of step `step` (0-based, of this run): by the epoch budget
 * (`totalSteps`, undefined when only a time budget is set) or by time (`elapsedMs` of `budgetMs`),
 * whichever is further.
 */
export function budgetFraction(
  step: number,
  totalSteps: number | undefined,
  elapsedMs: number,
  budgetMs: number | undefined,
): number {
  const bySteps = totalSteps ? (step + 1) / totalSteps : 0;
  const byTime = budgetMs ? elapsedMs / budgetMs : 0;
  return Math.min(1, Math.max(bySteps, byTime));
}
