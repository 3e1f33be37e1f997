/**
 * The Train view while a run goes on (issue 25 item 7): the counts of training and validation images
 * before Start (the split the run will use, services/split.ts), the live charts above the fold at
 * 1024x700, the mIoU axis scaled to the data on a nice range, the running run's elapsed time ticking
 * in the history, and the checkpoint table's "In use (best)" whole inside the history at 1920x1080.
 */
import { describe, expect, it } from 'vitest';
import { listImages, setSplit } from '../../db/images';
import { createRun, recordEpoch, startRun } from '../../db/runs';
import { Project } from '../../services/project';
import { checkpointMeta } from '../helpers/checkpoint';
import { makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

/** mIoU of each epoch: low values, which a fixed 0-1 axis draws flat. */
const MIOU = [0.04, 0.05, 0.062, 0.07, 0.081, 0.079, 0.09, 0.095, 0.1, 0.11];
const FIRST = 100; // epochs numbered from 101, as after long runs

describe('Train view during a run', () => {
  it('counts before Start, shows the live charts above the fold with a scaled mIoU axis, ticks the clock', async () => {
    const h = harness();
    const { page, dialogs } = h;
    const path = await makeProject(h.tmp, 'layout.maskwright');
    const p = Project.open(path);
    // A run in progress in this process: its epochs and checkpoints (1.5 MB each) so far.
    const runId = createRun(p.db, { epochs: 200 });
    startRun(p.db, runId, 'wasm: @tensorflow/tfjs-backend-wasm, threaded SIMD', { epochs: 200, sources: ['painted'] });
    const checkpoint = { modelTopology: {}, weights: new Uint8Array(1_500_000), metadata: checkpointMeta };
    const metrics = (m: number) => ({ meanIoU: m, iou: [m - 0.03, m + 0.03], pixelAccuracy: m + 0.5 });
    MIOU.forEach((m, e) =>
      recordEpoch(
        p.db,
        {
          runId,
          epoch: FIRST + e,
          trainLoss: 1 / (e + 1),
          valLoss: 1.2 / (e + 1),
          metrics: { ...metrics(m), metricsOn: 'val', seconds: 30 },
        },
        checkpoint,
      ),
    );
    // All three images Unassigned: the hold-out rule picks among them (the lowest hash when none is below 0.2).
    setSplit(
      p.db,
      listImages(p.db).map((i) => i.id),
      'unassigned',
    );
    p.close();

    dialogs.openProjectPath = path;
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'layout');
    const images = await h.call('images.list');
    const f = (sha: string) => parseInt(sha.slice(0, 8), 16) / 2 ** 32;
    const held = Math.max(1, images.filter((i) => f(i.sha256) < 0.2).length);

    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    // Before Start: the counts of the split the run will use.
    await view
      .getByTestId('train-plan')
      .getByText(
        `${3 - held} training, ${held} validation image${held > 1 ? 's' : ''} (${held} held out automatically)`,
      )
      .waitFor();
    await h.screenshot('train-plan-1024x700');

    // The live run, as the training process reports it.
    h.emit('train.message', {
      type: 'started',
      runId,
      backend: 'wasm: SIMD, 2 threads',
      skipped: [],
      train: 3 - held,
      val: held,
      heldOut: held,
      classWeights: [1, 1],
      size: [32, 32],
      firstEpoch: FIRST,
    });
    for (let s = 0; s < 40; s++)
      h.emit('train.message', {
        type: 'step',
        runId,
        epoch: FIRST + Math.floor(s / 4),
        step: s % 4,
        stepsPerEpoch: 4,
        loss: 1 / (1 + s / 10),
        etaSeconds: 600,
        learningRate: 1e-3,
      });
    MIOU.forEach((m, e) =>
      h.emit('train.message', {
        type: 'epoch',
        runId,
        checkpointId: null,
        result: {
          epoch: FIRST + e,
          trainLoss: 1 / (e + 1),
          valLoss: 1.2 / (e + 1),
          metrics: { ...metrics(m), classAccuracy: [m, m], meanClassAccuracy: m, pixels: 100, confusion: [] },
          seconds: 30,
        },
      }),
    );
    const card = page.getByRole('region', { name: 'Training progress' });
    await expect.poll(() => card.getByTestId('step-count').textContent()).toBe('40');
    const miouChart = card.getByRole('figure', { name: 'mIoU per epoch' });
    await miouChart.locator('canvas').waitFor();

    await h.screenshot('train-live-1024x700');
    // The live charts are on screen without scrolling at 1024x700.
    for (const title of ['Loss per step', 'Loss per epoch', 'mIoU per epoch', 'IoU per class']) {
      const box = (await card.getByRole('figure', { name: title }).boundingBox())!;
      expect(box.y + box.height, title).toBeLessThanOrEqual(700);
    }
    // The mIoU axis: 0.04-0.11 on the nice range 0-0.15 in steps of 0.05 (Heckbert's nice numbers).
    expect(await miouChart.getByRole('img').getAttribute('aria-label')).toMatch(/; y axis 0\.00 to 0\.15 by 0\.05$/);

    // The read-out: the latest mIoU; under the cursor, the epoch there and its mIoU (epochs 101..110 across
    // the plot, so a third of the way is epoch 104).
    const readout = miouChart.getByTestId('chart-readout');
    expect(await readout.textContent()).toMatch(/mIoU\s*0\.11$/);
    const plot = (await miouChart.locator('.u-over').boundingBox())!;
    await page.mouse.move(plot.x + (plot.width * 3) / 9, plot.y + plot.height / 2);
    await expect.poll(() => miouChart.getByTestId('chart-cursor-x').textContent()).toBe('epoch 104');
    expect(await readout.textContent()).toMatch(/mIoU\s*0\.07$/);
    await page.mouse.move(0, 0);
    await expect.poll(() => miouChart.getByTestId('chart-cursor-x').count()).toBe(0);
    expect(await readout.textContent()).toMatch(/mIoU\s*0\.11$/);
    // The loss charts switch to a log scale.
    const stepChart = card.getByRole('figure', { name: 'Loss per step' });
    await stepChart.getByLabel('log').check();
    await expect.poll(() => stepChart.getByRole('img').getAttribute('aria-label')).toMatch(/; log scale$/);
    expect(await stepChart.getByRole('img').getAttribute('aria-label')).toContain('train loss 0.204 at step 40,');
    await h.screenshot('train-live-log-1024x700');

    // The history's elapsed time of the running run follows the clock.
    const history = page.getByRole('region', { name: 'Run history' });
    const run = history.getByRole('button', { name: `Run ${runId}` });
    await run.waitFor();
    await page.clock.install();
    // Restart the history's clock under the fake timers (a run message refreshes the list).
    h.emit('train.message', { type: 'notice', runId, message: 'still going' });
    await page.clock.runFor(90_000);
    await expect.poll(() => run.textContent()).toMatch(/· 1m \d\ds ·/);

    // At 1920x1080 the checkpoint table fits the history: "In use (best)" is not cut.
    await page.setViewportSize({ width: 1920, height: 1080 });
    if ((await run.getAttribute('aria-pressed')) !== 'true') await run.click();
    const table = history.getByRole('table', { name: 'Checkpoints' });
    const badge = table.getByText('In use (best)');
    await badge.waitFor();
    const side = (await history.boundingBox())!;
    const b = (await badge.boundingBox())!;
    expect(b.x + b.width).toBeLessThanOrEqual(side.x + side.width);
    expect(await table.evaluate((t) => t.scrollWidth <= t.parentElement!.clientWidth)).toBe(true);
    await h.screenshot('train-live-1920x1080');
  });
});
