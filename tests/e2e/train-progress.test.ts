/**
 * The live run card (issue 11, majors 3 and 4), driven by `train.message` events as main sends them:
 * a time-limited run's bar shows time spent over time spent plus ETA, not the progress within the
 * epoch; the run line says how many validation images were held out automatically, and a run
 * without validation images warns that mIoU is measured on training images. Backend skip lines sit
 * in a details element. The run line says the model width and batch the run resolved (the backend's
 * defaults), and the progress line the learning rate of the latest step.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

describe('live run card', () => {
  it('shows the run’s progress for a time budget, the held-out count and the no-validation warning', async () => {
    const h = harness();
    const { page } = h;
    await h.call('project.create', { grant: h.grant(join(h.tmp, 'live.maskwright'), 'project.create') });
    await h.open();
    await expectProject(page, 'live');
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view.getByText('Train a model').waitFor();

    const started = {
      type: 'started',
      runId: 7,
      backend: 'wasm: SIMD, 2 threads',
      skipped: [{ name: 'tensorflow', reason: "Cannot find module '@tensorflow/tfjs-node-gpu'" }],
      train: 8,
      val: 2,
      heldOut: 2,
      classWeights: [1, 1],
      size: [64, 48],
      settings: { epochs: 30, minutes: 10, batchSize: 4, baseFilters: 16, longSide: 256, stem: 2 },
    };
    h.emit('train.message', started);
    const card = page.getByRole('region', { name: 'Training progress' });
    await card
      .getByTestId('run-backend')
      .getByText('8 training, 2 validation images (2 held out automatically) · 64×48 · width 16 · stem 2 · batch 4')
      .waitFor();
    // The skip reason is folded away, not shown as a line of its own.
    expect(await card.getByText("Cannot find module '@tensorflow/tfjs-node-gpu'").isVisible()).toBe(false);
    await card.getByText('Why not a faster backend').click();
    await card.getByText("tensorflow: Cannot find module '@tensorflow/tfjs-node-gpu'").waitFor();

    // A time-limited run (no epoch limit): step 1 of 2 of the first epoch, with 100 s to go after ~1.5 s.
    const step = (s: number, eta: number) => ({
      type: 'step',
      runId: 7,
      epoch: 0,
      step: s,
      stepsPerEpoch: 2,
      loss: 1,
      etaSeconds: eta,
      learningRate: 4e-4,
    });
    h.emit('train.message', step(0, 120));
    await expect.poll(() => card.getByTestId('step-count').textContent()).toBe('1');
    await card
      .getByTestId('run-progress')
      .getByText(/loss 1\.0000 · lr 4\.0e-4/)
      .waitFor();
    await page.waitForTimeout(1500);
    h.emit('train.message', step(1, 100));
    await expect.poll(() => card.getByTestId('step-count').textContent()).toBe('2');
    const bar = card.getByRole('progressbar');
    const value = Number(await bar.getAttribute('aria-valuenow'));
    // About 1.5 / (1.5 + 100) = 1-2 %; the old bar showed the epoch's 100 % here.
    expect(value).toBeGreaterThanOrEqual(1);
    expect(value).toBeLessThan(10);
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`live-run-${w}`);
    }

    // A run without validation images: the warning.
    h.emit('train.message', { ...started, runId: 8, train: 3, val: 0, heldOut: 0, skipped: [] });
    await card
      .getByRole('note')
      .getByText(/No validation images: mIoU is measured on the training images/)
      .waitFor();
  });
});
