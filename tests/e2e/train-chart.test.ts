/**
 * The step chart at 10,000 steps (issue 24 item 6): every step is drawn, so one spike among 10,000 losses
 * reaches the top of the plot. The SVG chart it replaced kept every 17th step of 10,000 and drew this
 * series flat.
 */
import { describe, expect, it } from 'vitest';
import { makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

const STEPS = 10_000;
/** 0-based index of the spike: not a multiple of 17, the old chart's stride at 10,000 points. */
const SPIKE = 5000;
const TRAIN_COLOR = [0x4c, 0x9f, 0xfe];

describe('Step chart', () => {
  it('draws a spike among 10,000 step losses', async () => {
    const h = harness();
    const { page, dialogs } = h;
    dialogs.openProjectPath = await makeProject(h.tmp, 'spike.maskwright');
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'spike');
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();

    const runId = 1;
    h.emit('train.message', {
      type: 'started',
      runId,
      backend: 'wasm: SIMD, 2 threads',
      skipped: [],
      train: 2,
      val: 1,
      heldOut: 1,
      classWeights: [1, 1],
      size: [32, 32],
      firstEpoch: 0,
    });
    // All steps in one evaluation (an emit each would be 10,000 round trips); loss 0.6, 2.0 at the spike.
    type Emit = { __maskwrightEmit(e: string, p: unknown): void };
    await page.evaluate(
      ([runId, steps, spike]) => {
        for (let s = 0; s < steps; s++)
          (globalThis as unknown as Emit).__maskwrightEmit('train.message', {
            type: 'step',
            runId,
            epoch: Math.floor(s / 100),
            step: s % 100,
            stepsPerEpoch: 100,
            loss: s === spike ? 2 : 0.6,
            etaSeconds: 600,
            learningRate: 1e-3,
          });
      },
      [runId, STEPS, SPIKE] as const,
    );
    const card = page.getByRole('region', { name: 'Training progress' });
    await expect.poll(() => card.getByTestId('step-count').textContent()).toBe(String(STEPS));
    const chart = card.getByRole('figure', { name: 'Loss per step' });
    // 0.6..2.0 on nice steps of 0.5: the axis runs 0.5..2.0, so the spike touches the top of the plot.
    await expect
      .poll(() => chart.getByRole('img').getAttribute('aria-label'))
      .toMatch(/train loss 0\.6 at step 10000, between 0\.6 and 2; y axis 0\.5 to 2\.0 by 0\.5$/);

    // The canvas's top rows of the plot, in a band of columns: the line's color at the spike's x only.
    const topHits = (fraction: number) =>
      chart.evaluate(
        (figure, [fraction, color]) => {
          const canvas = figure.querySelector('canvas')!;
          const box = canvas.getBoundingClientRect();
          const plot = figure.querySelector('.u-over')!.getBoundingClientRect();
          const dpr = canvas.width / box.width;
          const x = Math.round((plot.left - box.left + fraction * plot.width) * dpr);
          const top = Math.round((plot.top - box.top) * dpr);
          const px = canvas.getContext('2d')!.getImageData(x - 4, top, 9, Math.ceil(4 * dpr)).data;
          let hits = 0;
          for (let i = 0; i < px.length; i += 4)
            if (color.every((c, k) => Math.abs(px[i + k]! - c) < 40) && px[i + 3]! > 128) hits++;
          return hits;
        },
        [fraction, TRAIN_COLOR] as const,
      );
    expect(await topHits(SPIKE / (STEPS - 1))).toBeGreaterThan(0);
    expect(await topHits(0.25)).toBe(0);
  });
});
