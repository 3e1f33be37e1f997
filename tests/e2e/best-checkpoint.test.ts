/**
 * The run history marks each run's best checkpoint by validation mIoU (issue 14): a star and "best" in
 * the checkpoint table and on the mIoU chart, and the best is what predictions and exports use by
 * default. A run without validation images says that the newest checkpoint is used instead.
 */
import { describe, expect, it } from 'vitest';
import { createRun, finishRun, recordEpoch, startRun } from '../../db/runs';
import { Project } from '../../services/project';
import { checkpointMeta } from '../helpers/checkpoint';
import { makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

describe('best checkpoint in the run history', () => {
  it('marks the best epoch, uses it by default, and says when the newest is used for lack of validation images', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const path = await makeProject(h.tmp, 'best.maskwright');
    const p = Project.open(path);
    const checkpoint = { modelTopology: {}, weights: new Uint8Array(476), metadata: checkpointMeta };
    const record = (runId: number, miou: number[], metricsOn: 'val' | 'train') => {
      const ids = miou.map((m, e) =>
        recordEpoch(
          p.db,
          {
            runId,
            epoch: e,
            trainLoss: 1.2 / (e + 1),
            valLoss: metricsOn === 'val' ? 1.4 / (e + 1) + 0.1 : null,
            metrics: { meanIoU: m, iou: [m - 0.08, m + 0.08], pixelAccuracy: m + 0.2, metricsOn, seconds: 3 },
          },
          checkpoint,
        )!,
      );
      finishRun(p.db, runId, 'completed', `${miou.length} epoch(s) done`);
      return ids;
    };
    // The swinging curve of the issue: the best (0.527) is epoch 11, not the newest.
    const run1 = createRun(p.db, { epochs: 12 });
    startRun(p.db, run1, 'wasm: @tensorflow/tfjs-backend-wasm, threaded SIMD');
    const miou = [0.256, 0.331, 0.29, 0.39, 0.391, 0.416, 0.388, 0.475, 0.485, 0.453, 0.527, 0.462];
    const ids = record(run1, miou, 'val');
    p.close();

    dialogs.openProjectPath = path;
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'best');
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const history = page.getByRole('region', { name: 'Run history' });
    const run = history.getByRole('button', { name: `Run ${run1}` });
    await run.waitFor();
    if ((await run.getAttribute('aria-pressed')) !== 'true') await run.click();
    await history.getByTestId('best-epoch').getByText('Best: epoch 11, validation mIoU 52.7%').waitFor();
    const table = history.getByRole('table', { name: 'Checkpoints' });
    // Kept: the best (epoch 11) and the last 3 (10, 11, 12): three rows besides the header.
    await expect.poll(() => table.getByRole('row').count()).toBe(4);
    const best = table.getByRole('row', { name: 'Epoch 11 (best)' });
    await best.getByText('In use (best)').waitFor();
    expect(await best.getAttribute('aria-current')).toBe('true');
    await history.getByText(`Predictions and exports use run #${run1}, epoch 11 (best validation mIoU).`).waitFor();
    expect(await h.call('model.active')).toMatchObject({ checkpointId: ids[10], basis: 'best' });
    expect(await history.getByTestId('chart-mark').count()).toBe(1);
    // mIoU on an axis of its own (on the losses' axis, an mIoU near 0.1 lay flat along 0).
    const miouChart = history.getByRole('figure', { name: 'mIoU per epoch' });
    const summary = (await miouChart.getByRole('img').getAttribute('aria-label')) ?? '';
    expect(summary).toMatch(/^mIoU per epoch chart: epoch 1 to 12; mIoU /);
    expect(summary).not.toMatch(/loss/);
    expect(await miouChart.getByTestId('chart-mark').count()).toBe(1);
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await table.evaluate((el) => el.scrollIntoView({ block: 'center' }));
      await h.screenshot(`best-checkpoint-${w}x${hgt}`);
    }

    // Choosing another, then back to the best.
    const newest = table.getByRole('row', { name: 'Epoch 12' });
    await newest.getByRole('button', { name: 'Use this checkpoint' }).click();
    await newest.getByText('In use', { exact: true }).waitFor();
    await history.getByRole('button', { name: 'Use the best' }).click();
    await best.getByText('In use (best)').waitFor();

    // A newer run measured on its training images: its newest is used, and the history says why.
    const q = Project.open(path);
    const run2 = createRun(q.db, { epochs: 3 });
    startRun(q.db, run2, 'wasm: @tensorflow/tfjs-backend-wasm, threaded SIMD');
    const ids2 = [0.6, 0.7, 0.65].map((m, e) =>
      recordEpoch(
        q.db,
        {
          runId: run2,
          epoch: e,
          trainLoss: 1 / (e + 1),
          valLoss: null,
          metrics: { meanIoU: m, iou: [m, m], metricsOn: 'train' },
        },
        checkpoint,
      )!,
    );
    finishRun(q.db, run2, 'completed', '3 epoch(s) done');
    q.close();
    await header(page).getByRole('button', { name: 'Close project' }).click();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'best');
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const second = history.getByRole('button', { name: `Run ${run2}` });
    await second.waitFor();
    if ((await second.getAttribute('aria-pressed')) !== 'true') await second.click();
    await history.getByText(`No validation images: using the newest checkpoint (run #${run2}, epoch 3).`).waitFor();
    await history.getByText('No validation images in this run, so no best epoch.').waitFor();
    expect(await h.call('model.active')).toMatchObject({ checkpointId: ids2[2], basis: 'newest' });
    expect(await history.getByTestId('chart-mark').count()).toBe(0);
    await h.screenshot('newest-checkpoint-no-val-1920x1080');
  });
});
