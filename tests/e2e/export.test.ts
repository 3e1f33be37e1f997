/**
 * Export and checkpoint choice from the window, with the real registry: export masks through the header's
 * Export dialog, see the model option disabled until a run has trained, export the model, and pick a
 * checkpoint in the run history (then go back to the best by validation mIoU).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildTrainingWorker, makeProject } from '../helpers/training';
import { useHarness } from './harness';
import { expectProject, header } from './ui';

const harness = useHarness();

describe('export and checkpoints in the app', () => {
  beforeAll(() => {
    // The worker bundle the registry forks (dist/worker/index.cjs).
    buildTrainingWorker();
  });

  it('exports masks and the model, and picks the checkpoint to use', async () => {
    const h = harness();
    const { page, dialogs } = h;
    dialogs.openProjectPath = await makeProject(h.tmp, 'tiny.maskwright');
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'tiny');

    // Before any training: masks export; the model option is disabled with a hint.
    await header(page).getByRole('button', { name: 'Export…' }).click();
    let dialog = page.getByRole('dialog', { name: 'Export' });
    const modelOption = dialog.getByRole('radio', { name: /Model \(TensorFlow\.js\)/ });
    await dialog.getByText('Train a model first.').waitFor();
    expect(await modelOption.isDisabled()).toBe(true);
    expect(await dialog.getByRole('radio', { name: /Model \(ONNX\)/ }).isDisabled()).toBe(true);
    expect(await dialog.getByRole('radio', { name: /Masks/ }).isChecked()).toBe(true);

    const masksDir = join(h.tmp, 'out-masks');
    mkdirSync(masksDir);
    dialogs.folderPath = masksDir;
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    await dialog.getByText(`Exported 6 files to ${masksDir}`).waitFor();
    expect(readdirSync(join(masksDir, 'masks')).sort()).toEqual(['img0.png', 'img1.png', 'img2.png']);
    expect(readdirSync(join(masksDir, 'previews')).sort()).toEqual(['img0.png', 'img1.png', 'img2.png']);
    await h.screenshot('export-dialog');
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Train a tiny run through the API and wait for it to complete.
    const { runId } = await h.call('train.start', {
      settings: { width: 32, height: 32, baseFilters: 4, depth: 2, batchSize: 2, backend: 'cpu', epochs: 2 },
    });
    await expect
      .poll(async () => (await h.call('runs.list')).find((r) => r.id === runId)?.status, {
        timeout: 90_000,
        interval: 250,
      })
      .toBe('completed');
    const checkpoints = [...(await h.call('runs.checkpoints', { runId }))].sort((a, b) => a.epoch - b.epoch);
    expect(checkpoints.map((c) => c.epoch)).toEqual([0, 1]);
    // The project has a validation image: the default model is the run's best epoch by validation mIoU.
    const best = checkpoints.find((c) => c.best)!;
    const other = checkpoints.find((c) => !c.best)!;
    expect(best).toEqual(checkpoints.reduce((a, b) => (b.meanIoU! >= a.meanIoU! ? b : a))); // a tie: the later

    // After training: the model option is enabled and exports model.json + weights.bin.
    await header(page).getByRole('button', { name: 'Export…' }).click();
    dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByText(`Run #${runId}, epoch ${best.epoch + 1} (best validation mIoU)`).waitFor();
    expect(await modelOption.isDisabled()).toBe(false);
    await modelOption.check();
    const modelDir = join(h.tmp, 'out-model');
    dialogs.folderPath = modelDir;
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    await dialog.getByText(`Exported 3 files to ${modelDir}`).waitFor();
    expect(existsSync(join(modelDir, 'model.json'))).toBe(true);
    expect(existsSync(join(modelDir, 'weights.bin'))).toBe(true);
    // metadata.json counts epochs as the dialog does ("epoch 2").
    expect(JSON.parse(readFileSync(join(modelDir, 'metadata.json'), 'utf8'))).toMatchObject({
      run: runId,
      epoch: best.epoch + 1,
    });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    // The same checkpoint as ONNX: model.onnx and metadata.json.
    await header(page).getByRole('button', { name: 'Export…' }).click();
    dialog = page.getByRole('dialog', { name: 'Export' });
    const onnxOption = dialog.getByRole('radio', { name: /Model \(ONNX\)/ });
    await dialog
      .getByText(`Run #${runId}, epoch ${best.epoch + 1} (best validation mIoU)`)
      .first()
      .waitFor();
    await onnxOption.check();
    // A model export has no label options.
    expect(await dialog.getByText('Only labels you made').count()).toBe(0);
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`export-onnx-${w}x${hgt}`);
    }
    const onnxDir = join(h.tmp, 'out-onnx');
    dialogs.folderPath = onnxDir;
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    await dialog.getByText(`Exported 2 files to ${onnxDir}`).waitFor();
    expect(readFileSync(join(onnxDir, 'model.onnx')).length).toBeGreaterThan(1000);
    expect(JSON.parse(readFileSync(join(onnxDir, 'metadata.json'), 'utf8'))).toMatchObject({ run: runId });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await dialog.waitFor({ state: 'detached' });

    // Run history: the run's checkpoints, the best in use; choose the other, then back to the best.
    await header(page).getByRole('button', { name: 'Train', exact: true }).click();
    const history = page.getByRole('region', { name: 'Run history' });
    const run = history.getByRole('button', { name: `Run ${runId}` });
    await run.waitFor();
    if ((await run.getAttribute('aria-pressed')) !== 'true') await run.click();
    const table = history.getByRole('table', { name: 'Checkpoints' });
    await expect.poll(() => table.getByRole('row').count()).toBe(3);
    const bestRow = table.getByRole('row', { name: `Epoch ${best.epoch + 1} (best)` });
    const otherRow = table.getByRole('row', { name: `Epoch ${other.epoch + 1}`, exact: true });
    await bestRow.getByText('In use (best)').waitFor();
    expect(await bestRow.getAttribute('aria-current')).toBe('true');

    await otherRow.getByRole('button', { name: 'Use this checkpoint' }).click();
    await otherRow.getByText('In use', { exact: true }).waitFor();
    expect(await h.call('model.active')).toMatchObject({ checkpointId: other.id, epoch: other.epoch, chosen: true });
    expect(await otherRow.getAttribute('aria-current')).toBe('true');
    expect(await bestRow.getAttribute('aria-current')).toBeNull();
    await table.evaluate((el) => el.scrollIntoView({ block: 'center' }));
    await h.screenshot('checkpoints');

    await history.getByRole('button', { name: 'Use the best' }).click();
    await bestRow.getByText('In use (best)').waitFor();
    expect(await h.call('model.active')).toMatchObject({ checkpointId: best.id, chosen: false, basis: 'best' });
  });

  it('asks before exporting into a folder that already holds files, and keeps them on "Keep them"', async () => {
    const h = harness();
    const { page, dialogs } = h;
    dialogs.openProjectPath = await makeProject(h.tmp, 'full.maskwright');
    await h.open();
    await page.getByRole('button', { name: 'Open project…' }).click();
    await expectProject(page, 'full');
    const dir = join(h.tmp, 'users-folder');
    mkdirSync(join(dir, 'masks'), { recursive: true });
    writeFileSync(join(dir, 'masks', 'img0.png'), "not a mask: the user's own file");
    writeFileSync(join(dir, 'notes.txt'), 'mine');
    dialogs.folderPath = dir;

    await header(page).getByRole('button', { name: 'Export…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    const ask = dialog.getByRole('alertdialog', { name: 'Folder is not empty' });
    await ask.getByText('Folder is not empty — overwrite?').waitFor();
    for (const [w, hgt] of [
      [1024, 700],
      [1920, 1080],
    ] as const) {
      await page.setViewportSize({ width: w, height: hgt });
      await h.screenshot(`export-not-empty-${w}x${hgt}`);
    }
    // Nothing written while the question is open.
    expect(readFileSync(join(dir, 'masks', 'img0.png'), 'utf8')).toMatch(/user's own file/);
    await ask.getByRole('button', { name: 'Keep them' }).click();
    await ask.waitFor({ state: 'detached' });
    expect(readdirSync(join(dir, 'masks'))).toEqual(['img0.png']);

    await dialog.getByRole('button', { name: 'Choose folder…' }).click();
    await ask.getByRole('button', { name: 'Overwrite' }).click();
    await dialog.getByText(`Exported 6 files to ${dir}`).waitFor();
    expect(readdirSync(join(dir, 'masks')).sort()).toEqual(['img0.png', 'img1.png', 'img2.png']);
    expect(
      readFileSync(join(dir, 'masks', 'img0.png'))
        .subarray(1, 4)
        .toString(),
    ).toBe('PNG');
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
