/**
 * Training from the window, with the real registry and the built training worker: open a small
 * generated project, open Train, see a validation error inline, set tiny advanced settings, start, watch
 * the progress and charts update, see the run complete and appear in the history with its mIoU.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCHEDULE } from '../../core/training/schedule';
import { BACKEND_DEFAULTS } from '../../core/training/settings';
import { buildTrainingWorker, makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectClasses, expectProject, header } from './ui';

const harness = useHarness();
const EPOCHS = 6;

describe('training in the app', () => {
  beforeAll(() => {
    // The worker bundle the registry forks (dist/worker/index.cjs); building it takes about a second.
    buildTrainingWorker();
  });

  it('trains a tiny model with live progress and charts, and lists the run with its mIoU', async () => {
    const h = harness();
    const { page, dialogs } = h;
    dialogs.openProjectPath = await makeProject(h.tmp, 'tiny.maskwright');

    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'tiny');
    await expectClasses(page, ['dark', 'bright']);

    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const view = page.getByRole('region', { name: 'Training' });
    await view.getByText('Train a model').waitFor();
    // The one-click defaults, in words.
    expect(await view.getByTestId('train-summary').textContent()).toBe(
      '30 epochs or 10 min · size auto · painted, propagated, imported · backend auto',
    );
    await view.getByText('No runs yet.').waitFor();

    // A value the API refuses is shown next to its field, and nothing starts.
    await view.getByRole('button', { name: 'Advanced' }).click();
    await view.getByLabel('Batch size').fill('0');
    await view.getByRole('button', { name: 'Start training' }).click();
    await view.getByText(/expected number to be >=1/).waitFor();
    expect(await view.getByLabel('Batch size').getAttribute('aria-invalid')).toBe('true');
    expect(await h.call('runs.list')).toEqual([]);

    // Tiny settings: 2 training images at batch 1 = 2 steps per epoch.
    await view.getByLabel('Epochs').fill(String(EPOCHS));
    await view.getByLabel('Minutes').fill('');
    await view.getByLabel('Working width').fill('32');
    await view.getByLabel('Working height').fill('32');
    await view.getByLabel('Batch size').fill('1');
    await view.getByLabel('Learning rate').fill('0.01');
    await view.getByLabel('Model width').fill('4');
    await view.getByLabel('Depth').fill('2');
    await view.getByLabel('Weight decay').fill('0.0001');
    // The Advanced grid as the settings table lays it out, at the smallest and a large window.
    await page.setViewportSize({ width: 1024, height: 700 });
    await h.screenshot('train-advanced-1024x700');
    await page.setViewportSize({ width: 1920, height: 1080 });
    await h.screenshot('train-advanced-1920x1080');
    await page.setViewportSize({ width: 1280, height: 800 });
    expect(await view.getByLabel('Learning-rate schedule').inputValue()).toBe(DEFAULT_SCHEDULE);
    await view.getByLabel('Backend').selectOption('cpu');
    await view.getByLabel('propagated').uncheck();
    // What the run will use: the values set, the cpu backend's defaults for the rest (none left here).
    await view
      .getByTestId('train-resolved')
      .getByText(`On cpu (CPU defaults): size as set · width 4 · stem ${BACKEND_DEFAULTS.cpu.stem} · batch 1`)
      .waitFor();
    await view.getByLabel('Model width').fill('');
    await view
      .getByTestId('train-resolved')
      .getByText(`On cpu (CPU defaults): size as set · width 16 · stem ${BACKEND_DEFAULTS.cpu.stem} · batch 1`)
      .waitFor();
    await view.getByLabel('Model width').fill('4');
    expect(await view.getByTestId('train-summary').textContent()).toBe(
      `${EPOCHS} epochs · size 32×32 · painted, imported · backend cpu`,
    );
    await view.getByRole('button', { name: 'Start training' }).click();

    // Live: the step count rises, the backend line appears, the step chart draws a line.
    const progress = view.getByRole('region', { name: 'Training progress' });
    const steps = async () => Number((await progress.getByTestId('step-count').textContent({ timeout: 60_000 })) ?? 0);
    const first = await steps();
    expect(first).toBeGreaterThan(0);
    await progress
      .getByTestId('run-backend')
      .getByText(/Backend cpu/)
      .waitFor();
    await progress.getByText('2 training, 1 validation images · 32×32').waitFor();
    await h.screenshot('training-running');
    await expect.poll(steps, { timeout: 60_000 }).toBeGreaterThan(first);

    await expect
      .poll(() => progress.getByTestId('run-status').textContent(), { timeout: 90_000, interval: 250 })
      .toBe('Completed');
    expect(await steps()).toBe(EPOCHS * 2);
    await progress.getByText(new RegExp(`Epoch ${EPOCHS} / ${EPOCHS} · step 2 / 2`)).waitFor();
    expect(await progress.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    // Each chart has drawn its values (its canvas) and says them: its summary names the last x and value.
    const last = { 'Loss per step': `step ${EPOCHS * 2}`, 'Loss per epoch': `epoch ${EPOCHS}` };
    for (const title of ['Loss per step', 'Loss per epoch', 'mIoU per epoch', 'IoU per class']) {
      const figure = progress.getByRole('figure', { name: title });
      expect(await figure.locator('canvas').count(), title).toBe(1);
      const summary = (await figure.getByRole('img').getAttribute('aria-label')) ?? '';
      expect(summary, title).toMatch(/ \d[\d.e-]* at (step|epoch) \d+, between /);
      if (title in last) expect(summary, title).toContain(`at ${last[title as keyof typeof last]},`);
    }
    // One line per class, named by the classes.
    const classSummary = await progress
      .getByRole('figure', { name: 'IoU per class' })
      .getByRole('img')
      .getAttribute('aria-label');
    expect(classSummary!.split('; ').filter((p) => / at epoch /.test(p))).toHaveLength(2);

    // The database agrees: one completed run on the cpu backend with one metrics row per epoch.
    const runs = await h.call('runs.list');
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({
      status: 'completed',
      settings: expect.objectContaining({
        epochs: EPOCHS,
        schedule: DEFAULT_SCHEDULE,
        weightDecay: 0.0001,
        baseFilters: 4,
      }),
    });
    expect(runs[0]!.backend).toMatch(/^cpu/);
    const epochs = await h.call('runs.epochs', { runId: runs[0]!.id });
    expect(epochs.map((e) => e.epoch)).toEqual([...Array(EPOCHS).keys()]);
    const miou = (epochs[EPOCHS - 1]!.metrics as { meanIoU: number }).meanIoU;

    // History: the run with its status and final mIoU, selected, with the per-class table.
    const history = page.getByRole('region', { name: 'Run history' });
    const run = history.getByRole('button', { name: `Run ${runs[0]!.id}` });
    await run.getByText('completed').waitFor();
    await run.getByText(`mIoU ${(miou * 100).toFixed(1)}%`).waitFor();
    expect(await run.getAttribute('aria-pressed')).toBe('true');
    await history
      .getByText(new RegExp(`batch 1 · lr 0\\.01 \\(${DEFAULT_SCHEDULE}\\) · weight decay 0\\.0001 · width 4`))
      .waitFor();
    const table = history.getByRole('table', { name: 'Per-class metrics' });
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    expect(await table.getByRole('row').nth(1).getByRole('cell').first().textContent()).toBe('dark');
    await h.screenshot('training-done');

    // The last epoch's confusion matrix: class names on both axes, each row's percentages sum to 100 %,
    // and the counts (from the database) on hover.
    const confusion = (epochs[EPOCHS - 1]!.metrics as { confusion: number[] }).confusion;
    expect(confusion).toHaveLength(4);
    const matrix = history.getByRole('table', { name: 'Confusion matrix' });
    await matrix.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    expect(await matrix.getByRole('columnheader').allTextContents()).toEqual(['true ↓ predicted →', 'dark', 'bright']);
    expect(await matrix.getByRole('rowheader').allTextContents()).toEqual(['dark', 'bright']);
    for (let g = 0; g < 2; g++) {
      const cells = matrix.locator('tbody tr').nth(g).getByRole('cell');
      const percents = (await cells.allTextContents()).map((t) => Number(t.replace('%', '')));
      expect(percents.reduce((a, b) => a + b, 0)).toBeCloseTo(100, 6);
      const rowTotal = confusion[2 * g]! + confusion[2 * g + 1]!;
      for (let p = 0; p < 2; p++) {
        const count = confusion[2 * g + p]!;
        expect(percents[p]).toBeCloseTo((count / rowTotal) * 100, 0);
        expect(await cells.nth(p).getAttribute('title')).toContain(`${count.toLocaleString('en-US')} pixel`);
      }
    }
    await h.screenshot('training-confusion');

    // Back to the images and into Train again: the run is still there.
    await view.getByRole('button', { name: '← Images' }).click();
    await page.getByRole('list', { name: 'Image grid' }).waitFor();
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    await history.getByRole('button', { name: `Run ${runs[0]!.id}` }).waitFor();
  });
});
